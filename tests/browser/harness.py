"""What the browser tests share: Selenium (installed into .build/browser-venv when missing),
`clearance serve` on a throwaway ledger and a free loopback port, Debian's chromium with hooks
that record JS dialogs and Content-Security-Policy violations, and page checks.

Each test script calls `main(run)`; its last line reads "N passed, M failed". It skips (exit 0)
when chromium or chromedriver is missing.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.error
import urllib.request

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
ARTIFACTS = os.path.join(ROOT, "out", "browser-artifacts")
VENV = os.path.join(ROOT, ".build", "browser-venv")
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
PASSWORD = "browser-test-password"

# Installed before any page script runs (CDP, so the page's policy does not apply to it):
# records calls to alert/confirm/prompt instead of opening them, and every CSP violation.
HOOKS = """
window.__clearance = {dialogs: [], csp: []};
['alert', 'confirm', 'prompt'].forEach(function (name) {
  window[name] = function (message) { window.__clearance.dialogs.push(name + ': ' + message); return name === 'confirm' ? true : null; };
});
document.addEventListener('securitypolicyviolation', function (e) {
  window.__clearance.csp.push(e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline') + ' at ' + e.sourceFile + ':' + e.lineNumber);
});
"""

# What no page of Clearance contains, so finding it means text became markup: any on* attribute,
# the marker attribute hostile strings carry, javascript: URLs, autofocus (but the login form's
# own), elements no page has, and scripts from anywhere but /static/.
SCAN = """
var bad = [];
function where(el) { return el.tagName.toLowerCase() + (el.id ? '#' + el.id : ''); }
document.querySelectorAll('*').forEach(function (el) {
  for (var i = 0; i < el.attributes.length; i++) {
    var name = el.attributes[i].name.toLowerCase(), value = el.attributes[i].value;
    if (name.indexOf('on') === 0) bad.push('event handler ' + name + ' on ' + where(el));
    if (name === 'data-pwned') bad.push('injected attribute on ' + where(el));
    if (['href', 'src', 'action', 'formaction', 'xlink:href'].indexOf(name) >= 0 && /^\\s*(javascript|vbscript):/i.test(value))
      bad.push(name + '=' + value.slice(0, 40) + ' on ' + where(el));
    if (name === 'autofocus' && !(location.pathname === '/login' && el.id === 'name')) bad.push('autofocus on ' + where(el));
    // check.js places face boxes through the CSSOM, which the policy allows; nothing else has a style.
    if (name === 'style' && !el.classList.contains('face')) bad.push('style attribute on ' + where(el));
  }
});
document.querySelectorAll('svg, iframe, frame, object, embed, base, applet, form[action^="http"], img[src="x"], meta[http-equiv="refresh"], b[data-pwned]')
  .forEach(function (el) { bad.push('element ' + where(el)); });
document.querySelectorAll('script').forEach(function (el) {
  if (!el.getAttribute('src') || el.getAttribute('src').indexOf('/static/') !== 0) bad.push('script ' + (el.getAttribute('src') || 'inline'));
});
var hooks = window.__clearance || {dialogs: ['hooks missing'], csp: []};
return {bad: bad, dialogs: hooks.dialogs, csp: hooks.csp};
"""

REQUIRED_POLICY = ["default-src 'none'", "script-src 'self'", "object-src 'none'", "base-uri 'none'",
                   "frame-ancestors 'none'", "form-action 'self'", "img-src 'self' data:"]
# A standalone document (the consent receipt) brings its own, stricter policy: no script at all.
DOCUMENT_POLICY = ["default-src 'none'", "base-uri 'none'", "frame-ancestors 'none'", "form-action 'none'"]


def ensure_selenium():
    """Selenium and aiosmtpd from PyPI: used where installed, else installed once into .build/browser-venv."""
    try:
        import selenium  # noqa: F401
        import aiosmtpd  # noqa: F401  (the renewal test's mail server)
        return
    except ImportError:
        pass
    python = os.path.join(VENV, "bin", "python")
    if os.environ.get("CLEARANCE_BROWSER_VENV") == "1":
        sys.exit("selenium is still missing inside " + VENV)
    if not os.path.exists(python):
        subprocess.run([sys.executable, "-m", "venv", VENV], check=True)
    subprocess.run([python, "-m", "pip", "install", "--quiet", "selenium", "aiosmtpd"], check=True)
    os.environ["CLEARANCE_BROWSER_VENV"] = "1"
    os.execv(python, [python] + sys.argv)


class Server:
    """`clearance serve` on the summer-fair ledger in a temporary folder, on a free loopback port,
    with one account per role (password PASSWORD) and an API token for each."""

    ACCOUNTS = [("officer-olu", "officer"), ("editor-eve", "editor"), ("dpo-dana", "dpo"), ("admin-ada", "admin")]

    def __init__(self, binary):
        self.binary = binary
        self.work = tempfile.mkdtemp(prefix="clearance-browser-")
        self.db = os.path.join(self.work, "riverside.db")
        self.process = None
        self.base = None
        self.port = None
        self.tokens = {}

    def clearance(self, *args, stdin=None):
        return subprocess.run([self.binary, *args, "--db", self.db], input=stdin, capture_output=True, text=True, check=True).stdout

    def start(self, before=None):
        env = dict(os.environ, CLEARANCE=self.binary)
        subprocess.run([os.path.join(ROOT, "samples", "load.sh"), self.db], env=env, check=True, stdout=subprocess.DEVNULL)
        for name, role in self.ACCOUNTS:
            self.clearance("user", "add", "--name", name, "--role", role, "--password-stdin", stdin=PASSWORD + "\n")
            self.tokens[role] = self.clearance("user", "token", name).strip()
        if before:
            before(self)
        return self.launch()

    def launch(self, port=0, config=None):
        """Starts `clearance serve` on the ledger as it is (port 0: a free one); answers its base URL."""
        log = open(os.path.join(self.work, "serve.log"), "a")
        config = config or os.path.join(ROOT, "samples", "config.json")
        self.process = subprocess.Popen([self.binary, "serve", "--db", self.db, "--config", config,
                                         "--port", str(port), "--log-level", "warning"], stdout=subprocess.PIPE, stderr=log, text=True)
        deadline = time.time() + 30
        while time.time() < deadline:
            line = self.process.stdout.readline()
            found = re.search(r"serving on http://localhost:(\d+)", line or "")
            if found:
                self.port = int(found.group(1))
                self.base = "http://localhost:" + found.group(1)
                return self.base
            if self.process.poll() is not None:
                break
        raise RuntimeError("the server did not start; see " + log.name)

    def kill(self):
        """SIGKILL: the process dies at once, mid-request if it is in one, as on a power cut."""
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)

    def api(self, role, method, path, body=None, raw=None, content_type="application/json"):
        """Calls the JSON API with the role's token; answers (status, headers, body bytes)."""
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        request = urllib.request.Request(self.base + path, data=data, method=method)
        if role:
            request.add_header("Authorization", "Bearer " + self.tokens[role])
        if data is not None:
            request.add_header("Content-Type", content_type)
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return response.status, response.headers, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read()

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
        shutil.rmtree(self.work, ignore_errors=True)


class Flow:
    """Checks counted and printed, screenshots, and the page checks every test uses."""

    def __init__(self, driver, server):
        self.driver = driver
        self.server = server
        self.base = server.base if server else ""
        self.passed = 0
        self.failed = 0
        self.shots = 0
        self.prefix = ""

    def check(self, condition, what):
        if condition:
            self.passed += 1
            print("ok    " + what)
        else:
            self.failed += 1
            print("FAIL  " + what)
        return condition

    def shot(self, name):
        self.shots += 1
        path = os.path.join(ARTIFACTS, "%s%02d-%s.png" % (self.prefix, self.shots, re.sub(r"[^a-z0-9-]+", "-", name.lower())[:60]))
        self.driver.save_screenshot(path)

    def submit(self, button):
        """Clicks a button that submits a form, and waits until the next page has loaded."""
        from selenium.webdriver.common.by import By
        page = self.driver.find_element(By.TAG_NAME, "html")
        button.click()
        self.wait_for_new_page(page)

    def wait_for_new_page(self, page):
        from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
        from selenium.webdriver.support.ui import WebDriverWait
        wait = WebDriverWait(self.driver, 20)

        def gone(_):
            try:
                page.is_enabled()
                return False
            except StaleElementReferenceException:
                return True
            except WebDriverException as error:
                # Asked while the old document is being torn down, chromedriver sometimes answers
                # this instead of "stale": the page is going all the same.
                if "does not belong to the document" in str(error):
                    return True
                raise
        wait.until(gone)
        wait.until(lambda d: d.execute_script("return document.readyState") == "complete")

    def sign_in(self, name):
        from selenium.webdriver.common.by import By
        self.driver.get(self.base + "/login")
        self.driver.find_element(By.ID, "name").send_keys(name)
        self.driver.find_element(By.ID, "password").send_keys(PASSWORD)
        self.submit(self.driver.find_element(By.CSS_SELECTOR, "form[action='/login'] button[type=submit]"))
        return self.check("Hello, " + name in self.driver.page_source, "%s signs in" % name)

    def sign_out(self):
        from selenium.webdriver.common.by import By
        self.driver.get(self.base + "/")
        forms = self.driver.find_elements(By.CSS_SELECTOR, "form[action='/logout'] button")
        if forms:
            self.submit(forms[0])
        self.driver.delete_all_cookies()

    def console_csp_messages(self):
        try:
            return [entry["message"] for entry in self.driver.get_log("browser") if "Content Security Policy" in entry["message"]]
        except Exception:  # a driver without the log endpoint
            return []

    def clean(self, what, allow_violations=False):
        """The page as loaded: no injected markup, no dialog, no CSP violation (hooks and console)."""
        from selenium.common.exceptions import NoAlertPresentException
        try:
            alert = self.driver.switch_to.alert
            text = alert.text
            alert.dismiss()
            self.check(False, "%s: no JS dialog (got %r)" % (what, text))
        except NoAlertPresentException:
            pass
        found = self.driver.execute_script(SCAN)
        ok = self.check(not found["bad"], "%s: nothing injected%s" % (what, "" if not found["bad"] else " — " + "; ".join(found["bad"][:5])))
        ok &= self.check(not found["dialogs"], "%s: no JS dialog%s" % (what, "" if not found["dialogs"] else " — " + "; ".join(found["dialogs"][:3])))
        violations = found["csp"] + self.console_csp_messages()
        if not allow_violations:
            ok &= self.check(not violations, "%s: no CSP violation%s" % (what, "" if not violations else " — " + "; ".join(violations[:3])))
        return ok

    def headers(self, path, cookie=None, token=None):
        """The response headers of a GET, outside the browser (Selenium cannot read them)."""
        request = urllib.request.Request(self.base + path)
        if cookie:
            request.add_header("Cookie", cookie)
        if token:
            request.add_header("Authorization", "Bearer " + token)

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args, **kwargs):
                return None
        opener = urllib.request.build_opener(NoRedirect)
        try:
            with opener.open(request, timeout=60) as response:
                return response.status, response.headers
        except urllib.error.HTTPError as error:
            return error.code, error.headers

    def session_cookie(self):
        cookie = self.driver.get_cookie("clearance_session")
        return "clearance_session=" + cookie["value"] if cookie else None

    def policy_present(self, path, what):
        """The page's response carries the strict policy and the other protective headers."""
        status, headers = self.headers(path, cookie=self.session_cookie())
        if not (headers.get("Content-Type") or "").startswith("text/html"):
            return True
        policy = headers.get("Content-Security-Policy") or ""
        document = path.endswith("/receipt")
        missing = [d for d in (DOCUMENT_POLICY if document else REQUIRED_POLICY) if d not in policy]
        if document and "script-src" in policy:
            missing.append("no script-src at all")
        return self.check(not missing and headers.get("X-Content-Type-Options") == "nosniff",
                          "%s: Content-Security-Policy header%s" % (what, "" if not missing else " lacks " + ", ".join(missing)))


def make_driver():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1100,1400",
                     "--disable-gpu", "--no-first-run", "--password-store=basic", "--allow-file-access-from-files"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.implicitly_wait(3)
    driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": HOOKS})
    return driver


def main(run, prefix, before=None):
    """Starts the server (after `before(server)` has prepared its ledger), a browser, then `run(flow)`."""
    if not os.path.exists(CHROMEDRIVER) or not os.path.exists(CHROMIUM):
        print("browser test skipped: Debian's chromium and chromium-driver are not installed")
        print("0 passed, 0 failed, 1 skipped")
        return 0
    ensure_selenium()
    binary = os.environ.get("CLEARANCE", os.path.join(ROOT, ".build", "debug", "clearance"))
    if not os.access(binary, os.X_OK):
        print("browser test: %s is not built (swift build)" % binary)
        print("0 passed, 1 failed")
        return 1
    os.makedirs(ARTIFACTS, exist_ok=True)
    for old in os.listdir(ARTIFACTS):
        if old.startswith(prefix) and old.endswith(".png"):
            os.remove(os.path.join(ARTIFACTS, old))
    server = Server(binary)
    driver = None
    flow = None
    try:
        server.start(before)
        driver = make_driver()
        flow = Flow(driver, server)
        flow.prefix = prefix
        run(flow)
    except Exception:
        traceback.print_exc()
        if flow is None:
            flow = Flow(driver, None)
            flow.prefix = prefix
        flow.failed += 1
        if driver is not None:
            try:
                flow.shot("failure")
            except Exception:
                pass
    finally:
        if driver is not None:
            driver.quit()
        server.stop()
    print("screenshots: " + os.path.relpath(ARTIFACTS, ROOT))
    print("%d passed, %d failed" % (flow.passed, flow.failed))
    return 0 if flow.failed == 0 else 1

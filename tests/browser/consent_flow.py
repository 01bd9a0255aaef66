#!/usr/bin/env python3
"""Browser test of the consent flow, in Debian's chromium driven by chromedriver (Selenium).

Starts `clearance serve` on a temporary ledger with the samples loaded, then: an officer signs
in and records a consent for Chris Walker (the unregistered visitor in samples/photos/visitor.jpg)
with a signature drawn on the canvas, opens the receipt, follows its withdrawal link and
withdraws; an editor then checks visitor.jpg for Facebook and must see it blocked because the
consent was withdrawn. A screenshot of each page goes to out/browser-artifacts/. The last line
reads "N passed, M failed". Skips (exit 0) when chromium or chromedriver is missing.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import traceback

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
ARTIFACTS = os.path.join(ROOT, "out", "browser-artifacts")
VENV = os.path.join(ROOT, ".build", "browser-venv")
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


def ensure_selenium():
    """Selenium from PyPI: used where installed, else installed once into .build/browser-venv."""
    try:
        import selenium  # noqa: F401
        return
    except ImportError:
        pass
    python = os.path.join(VENV, "bin", "python")
    if os.environ.get("CLEARANCE_BROWSER_VENV") == "1":
        sys.exit("selenium is still missing inside " + VENV)
    if not os.path.exists(python):
        subprocess.run([sys.executable, "-m", "venv", VENV], check=True)
    subprocess.run([python, "-m", "pip", "install", "--quiet", "selenium"], check=True)
    os.environ["CLEARANCE_BROWSER_VENV"] = "1"
    os.execv(python, [python] + sys.argv)


class Server:
    """`clearance serve` on a fresh ledger in a temporary folder, on a free loopback port."""

    def __init__(self, binary):
        self.binary = binary
        self.work = tempfile.mkdtemp(prefix="clearance-browser-")
        self.db = os.path.join(self.work, "riverside.db")
        self.process = None

    def clearance(self, *args, stdin=None):
        return subprocess.run([self.binary, *args, "--db", self.db], input=stdin, capture_output=True, text=True, check=True).stdout

    def start(self):
        env = dict(os.environ, CLEARANCE=self.binary)
        subprocess.run([os.path.join(ROOT, "samples", "load.sh"), self.db], env=env, check=True, stdout=subprocess.DEVNULL)
        for name, role in [("officer-olu", "officer"), ("editor-eve", "editor")]:
            self.clearance("user", "add", "--name", name, "--role", role, "--password-stdin", stdin="browser-test-password\n")
        log = open(os.path.join(self.work, "serve.log"), "w")
        self.process = subprocess.Popen([self.binary, "serve", "--db", self.db, "--config", os.path.join(ROOT, "samples", "config.json"),
                                         "--port", "0", "--log-level", "warning"], stdout=subprocess.PIPE, stderr=log, text=True)
        deadline = time.time() + 30
        while time.time() < deadline:
            line = self.process.stdout.readline()
            found = re.search(r"serving on http://localhost:(\d+)", line or "")
            if found:
                return "http://localhost:" + found.group(1)
            if self.process.poll() is not None:
                break
        raise RuntimeError("the server did not start; see " + log.name)

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
        shutil.rmtree(self.work, ignore_errors=True)


class Flow:
    def __init__(self, driver, base):
        self.driver = driver
        self.base = base
        self.passed = 0
        self.failed = 0
        self.shots = 0

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
        path = os.path.join(ARTIFACTS, "%02d-%s.png" % (self.shots, name))
        self.driver.save_screenshot(path)

    def submit(self, button):
        """Clicks a button that submits a form, and waits until the next page has loaded."""
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support import expected_conditions
        from selenium.webdriver.support.ui import WebDriverWait
        page = self.driver.find_element(By.TAG_NAME, "html")
        button.click()
        wait = WebDriverWait(self.driver, 15)
        wait.until(expected_conditions.staleness_of(page))
        wait.until(lambda d: d.execute_script("return document.readyState") == "complete")

    def sign_in(self, name):
        from selenium.webdriver.common.by import By
        self.driver.get(self.base + "/login")
        self.shot("login-" + name)
        self.driver.find_element(By.ID, "name").send_keys(name)
        self.driver.find_element(By.ID, "password").send_keys("browser-test-password")
        self.submit(self.driver.find_element(By.CSS_SELECTOR, "form[action='/login'] button[type=submit]"))
        self.check("Hello, " + name in self.driver.page_source, "%s signs in" % name)

    def sign_out(self):
        from selenium.webdriver.common.by import By
        self.submit(self.driver.find_element(By.CSS_SELECTOR, "form[action='/logout'] button"))
        self.check("/login" in self.driver.current_url, "signs out")

    def run(self):
        from selenium.webdriver.common.action_chains import ActionChains
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support.ui import Select
        driver = self.driver

        self.sign_in("officer-olu")
        driver.get(self.base + "/capture")
        self.check(driver.find_element(By.ID, "capture").is_displayed(), "the consent form is shown")
        driver.find_element(By.ID, "event").send_keys("Riverside summer fair 2026")
        driver.find_element(By.ID, "name").send_keys("Chris Walker")
        Select(driver.find_element(By.ID, "ageBand")).select_by_value("adult")
        for channel in ("facebook", "website"):
            driver.find_element(By.CSS_SELECTOR, "input[name=channels][value=%s]" % channel).click()
        canvas = driver.find_element(By.ID, "signature")
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", canvas)
        strokes = ActionChains(driver).move_to_element_with_offset(canvas, -120, 10).click_and_hold()
        for dx, dy in [(30, -25), (30, 30), (30, -30), (30, 25), (40, -10)]:
            strokes = strokes.move_by_offset(dx, dy)
        strokes.release().perform()
        drawn = driver.execute_script(
            "var c = document.getElementById('signature'), d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
            "for (var i = 3; i < d.length; i += 4) if (d[i] > 0) return true; return false;")
        self.check(drawn, "the signature is drawn on the canvas")
        self.shot("capture-filled")
        self.submit(driver.find_element(By.CSS_SELECTOR, "#capture button[type=submit]"))

        self.check("Consent saved" in driver.page_source, "the receipt is shown")
        reference = driver.find_element(By.ID, "reference").text.strip()
        self.check(re.fullmatch(r"C-[0-9A-Z]{4}-[0-9A-Z]{4}", reference) is not None, "the receipt shows a reference (%s)" % reference)
        self.check(len(driver.find_elements(By.CSS_SELECTOR, "svg[role=img]")) == 1, "the receipt has the QR code")
        self.shot("receipt")
        link = driver.find_element(By.ID, "withdrawal-link").get_attribute("href")
        self.check("/withdraw/" in link, "the receipt links to the withdrawal page")

        driver.get(link)
        self.check(reference in driver.page_source and "Chris Walker" not in driver.page_source,
                   "the withdrawal page shows the consent and no personal data")
        self.shot("withdrawal-page")
        self.submit(driver.find_element(By.ID, "withdraw"))
        self.check("has been withdrawn" in driver.page_source, "the consent is withdrawn")
        self.check(driver.find_element(By.ID, "state").text.strip() == "withdrawn", "its state reads withdrawn")
        self.shot("withdrawn")

        driver.get(self.base + "/")
        self.sign_out()
        self.sign_in("editor-eve")
        driver.get(self.base + "/check")
        Select(driver.find_element(By.ID, "channel")).select_by_value("facebook")
        tick = driver.find_element(By.XPATH, "//label[contains(normalize-space(.), 'visitor.jpg')]/input")
        tick.click()
        self.shot("check-form")
        self.submit(driver.find_element(By.CSS_SELECTOR, "form#pick button[type=submit]"))
        verdicts = driver.find_elements(By.CSS_SELECTOR, "section.verdict")
        self.check(len(verdicts) == 1, "one verdict is shown")
        text = verdicts[0].text if verdicts else ""
        self.check("Blocked for facebook" in text, "visitor.jpg is blocked for Facebook")
        self.check("consent-withdrawn" in text, "because Chris Walker's consent was withdrawn")
        loaded = driver.execute_script("var i = document.querySelector('section.verdict img'); return !!i && i.complete && i.naturalWidth > 0;")
        self.check(loaded, "the picture is shown beside the verdict")
        self.shot("check-blocked")


def main():
    if not os.path.exists(CHROMEDRIVER) or not os.path.exists(CHROMIUM):
        print("browser test skipped: Debian's chromium and chromium-driver are not installed")
        print("0 passed, 0 failed, 1 skipped")
        return 0
    ensure_selenium()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    binary = os.environ.get("CLEARANCE", os.path.join(ROOT, ".build", "debug", "clearance"))
    if not os.access(binary, os.X_OK):
        print("browser test: %s is not built (swift build)" % binary)
        print("0 passed, 1 failed")
        return 1
    os.makedirs(ARTIFACTS, exist_ok=True)
    for old in os.listdir(ARTIFACTS):
        if old.endswith(".png"):
            os.remove(os.path.join(ARTIFACTS, old))
    server = Server(binary)
    driver = None
    flow = None
    try:
        base = server.start()
        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1100,1400",
                         "--disable-gpu", "--no-first-run", "--password-store=basic"):
            options.add_argument(argument)
        driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
        driver.implicitly_wait(5)
        flow = Flow(driver, base)
        flow.run()
    except Exception:
        traceback.print_exc()
        if flow is None:
            flow = Flow(driver, "")
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


if __name__ == "__main__":
    sys.exit(main())

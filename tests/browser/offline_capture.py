#!/usr/bin/env python3
"""Browser test of consent capture with no signal (issue 17), in Debian's chromium (Selenium).

The server really goes away: its process is killed (SIGKILL), never a browser flag.

1. Kill and restart. An officer opens /capture online (the service worker keeps the page and its
   files, the outbox reserves references). The server is killed. Two consents are recorded with
   signatures drawn on the canvas; each receipt shows its reference, and a QR code that zbarimg
   decodes to the withdrawal link made on the tablet. The page is reloaded with the server still
   down and comes from the tablet, outbox and all. The server is started again (same ledger, same
   port); without anyone touching the page both consents arrive, exactly once, under the
   references the receipts showed, recorded as tablet-offline by the officer; the withdrawal
   link works.
2. Killed in the middle of a sync. The browser talks to the server through a small proxy that
   kills the server process (a) after the server answered the first capture but before the
   answer reached the tablet, then (b) right after the second capture's request reached it.
   Every consent arrives exactly once, with the references shown offline.
3. Refusals, sessions and officers. A consent captured offline ticking a channel the server no
   longer offers is refused when it arrives: the reason is shown and it is kept. The officer's
   session expires while offline: the outbox asks to sign in again and keeps the queue. Another
   officer signing in on the tablet sees and sends none of it. Signing out with consents waiting
   warns first, and does not delete them. The first officer corrects the refused consent and it
   arrives under its original reference.

Screenshots go to out/browser-artifacts/. The last line reads "N passed, M failed".
"""
import json
import os
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time

from harness import PASSWORD, ROOT, main

REFERENCE = re.compile(r"C-[2-9A-HJKMNP-TW-Z]{4}-[2-9A-HJKMNP-TW-Z]{4}")


def add_second_officer(server):
    server.clearance("user", "add", "--name", "officer-oscar", "--role", "officer", "--password-stdin", stdin=PASSWORD + "\n")


def hang_up(*sockets):
    """Shuts each socket down before closing it: close() alone does not wake the other pump's
    recv() on Linux, and the tablet would be left waiting on an open connection."""
    for s in sockets:
        for step in (lambda: s.shutdown(socket.SHUT_RDWR), s.close):
            try:
                step()
            except OSError:
                pass


class KillingProxy:
    """A TCP proxy in front of `clearance serve` that can kill the server process in the middle of
    a sync: on the Nth `POST /api/v1/captures` after arming, either once the server's answer starts
    coming back ("answer": the consent is committed, the tablet never hears so), or as soon as the
    whole request has been passed on ("request": the server may or may not have committed)."""

    def __init__(self, server):
        self.server = server
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(64)
        self.port = self.listener.getsockname()[1]
        self.lock = threading.Lock()
        self.armed = None
        self.seen = 0
        self.fired = threading.Event()
        self.closed = False
        threading.Thread(target=self.accept, daemon=True).start()

    def arm(self, nth, mode):
        with self.lock:
            self.armed, self.seen = (nth, mode), 0
            self.fired.clear()

    def fire(self):
        with self.lock:
            self.armed = None
        self.server.kill()
        self.fired.set()

    def accept(self):
        while not self.closed:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self.connection, args=(client,), daemon=True).start()

    def connection(self, client):
        try:
            upstream = socket.create_connection(("127.0.0.1", self.server.port), timeout=5)
        except OSError:
            client.close()  # the server is down: the tablet sees the connection refused
            return
        upstream.settimeout(None)
        state = {"doomed": False}
        threading.Thread(target=self.answers, args=(upstream, client, state), daemon=True).start()
        self.requests(client, upstream, state)

    def requests(self, client, upstream, state):
        """Client to server, one HTTP/1.1 request at a time (headers, then Content-Length bytes)."""
        buffer = b""
        try:
            while True:
                while b"\r\n\r\n" not in buffer:
                    data = client.recv(65536)
                    if not data:
                        raise OSError("client closed")
                    buffer += data
                head, _, buffer = buffer.partition(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n")[1:]:
                    name, _, value = line.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value.strip())
                while len(buffer) < length:
                    data = client.recv(65536)
                    if not data:
                        raise OSError("client closed")
                    buffer += data
                body, buffer = buffer[:length], buffer[length:]
                mode = None
                if head.startswith(b"POST /api/v1/captures "):
                    with self.lock:
                        if self.armed:
                            self.seen += 1
                            if self.seen == self.armed[0]:
                                mode = self.armed[1]
                if mode == "answer":
                    state["doomed"] = True
                upstream.sendall(head + b"\r\n\r\n" + body)
                if mode == "request":
                    self.fire()
                    raise OSError("killed")
        except OSError:
            pass
        finally:
            hang_up(client, upstream)

    def answers(self, upstream, client, state):
        try:
            while True:
                data = upstream.recv(65536)
                if not data:
                    break
                if state["doomed"]:
                    self.fire()
                    break
                client.sendall(data)
        except OSError:
            pass
        finally:
            hang_up(client, upstream)

    def close(self):
        self.closed = True
        self.listener.close()


class Tablet:
    """The officer's side: the capture form, the outbox, the receipts."""

    def __init__(self, flow, base):
        self.flow = flow
        self.driver = flow.driver
        self.base = base

    def sign_in(self, name):
        from selenium.webdriver.common.by import By
        self.driver.get(self.base + "/login")
        self.driver.find_element(By.ID, "name").send_keys(name)
        self.driver.find_element(By.ID, "password").send_keys(PASSWORD)
        self.flow.submit(self.driver.find_element(By.CSS_SELECTOR, "form[action='/login'] button[type=submit]"))
        return self.flow.check("Hello, " + name in self.driver.page_source, "%s signs in" % name)

    def outbox(self, name):
        return self.driver.execute_script("var o = document.getElementById('outbox'); return o ? o.getAttribute(arguments[0]) : null;", name)

    def wait(self, what, condition, seconds=45):
        deadline = time.time() + seconds
        while time.time() < deadline:
            try:
                if condition():
                    return True
            except Exception:
                pass
            time.sleep(0.25)
        return False

    def open_capture(self, what):
        """Opens /capture online and waits until the page is kept and references are reserved."""
        self.driver.get(self.base + "/capture")
        ready = self.wait("offline-ready", lambda: self.driver.execute_script(
            "return document.getElementById('capture').getAttribute('data-offline-ready') === 'true'"), 30)
        self.flow.check(ready, "%s: the service worker keeps the form and its files" % what)
        refs = self.wait("references", lambda: int(self.outbox("data-references") or 0) >= 3, 30)
        self.flow.check(refs, "%s: references are reserved for capturing offline (%s)" % (what, self.outbox("data-references")))

    def fill(self, name, channels=("website", "facebook"), child=False):
        from selenium.webdriver.common.action_chains import ActionChains
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support.ui import Select
        d = self.driver
        event = d.find_element(By.ID, "event")
        event.clear()
        event.send_keys("Riverside park run 2026")
        d.find_element(By.ID, "name").send_keys(name)
        Select(d.find_element(By.ID, "ageBand")).select_by_value("child" if child else "adult")
        if child:
            d.find_element(By.ID, "guardianName").send_keys("Gail Guardian")
            d.find_element(By.ID, "guardianRelationship").send_keys("mother")
        for channel in channels:
            d.find_element(By.CSS_SELECTOR, "input[name=channels][value=%s]" % channel).click()
        canvas = d.find_element(By.ID, "signature")
        d.execute_script("arguments[0].scrollIntoView({block: 'center'})", canvas)
        strokes = ActionChains(d).move_to_element_with_offset(canvas, -120, 10).click_and_hold()
        for dx, dy in [(30, -25), (30, 30), (30, -30), (30, 25), (40, -10)]:
            strokes = strokes.move_by_offset(dx, dy)
        strokes.release().perform()

    def save(self, what):
        """Saves the filled form; answers (reference, withdrawal link) from the receipt shown."""
        from selenium.webdriver.common.by import By
        d = self.driver
        d.find_element(By.CSS_SELECTOR, "#capture button[type=submit]").click()
        shown = self.wait("receipt", lambda: d.find_element(By.ID, "offline-receipt").is_displayed(), 15)
        self.flow.check(shown, "%s: the receipt is shown at once" % what)
        reference = d.find_element(By.ID, "reference").text.strip()
        self.flow.check(REFERENCE.fullmatch(reference) is not None, "%s: the receipt shows a final reference (%s)" % (what, reference))
        link = d.find_element(By.ID, "withdrawal-link").get_attribute("href")
        self.flow.check(re.fullmatch(re.escape(self.base) + r"/withdraw/[A-Za-z0-9_-]{43}", link or "") is not None,
                        "%s: the receipt has the withdrawal link made on the tablet" % what)
        qr = d.find_element(By.ID, "withdrawal-qr")
        drawn = self.wait("qr", lambda: d.execute_script("return arguments[0].complete && arguments[0].naturalWidth > 0", qr), 5)
        decoded = decode_qr(qr.screenshot_as_png) if drawn else None
        self.flow.check(decoded == link, "%s: its QR code reads as the withdrawal link (%s)" % (what, decoded))
        return reference, link

    def next_person(self):
        from selenium.webdriver.common.by import By
        self.driver.find_element(By.ID, "next-person").click()


def decode_qr(png):
    """The text of the QR code in a PNG, read by zbarimg (Debian's zbar-tools); None when none."""
    if not shutil.which("zbarimg"):
        return "zbarimg missing"
    folder = tempfile.mkdtemp(prefix="clearance-qr-")
    try:
        path = os.path.join(folder, "qr.png")
        with open(path, "wb") as f:
            f.write(png)
        result = subprocess.run(["zbarimg", "--raw", "-q", path], capture_output=True, text=True)
        return result.stdout.strip() or None
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def consents_named(server, names):
    """Every consent (all people) from the API, as the DPO: {name: [consent, …]} for `names`."""
    status, _, body = server.api("dpo", "GET", "/api/v1/people")
    people = json.loads(body) if status == 200 else []
    found = {name: [] for name in names}
    for person in people:
        if person.get("name") in found:
            status, _, body = server.api("dpo", "GET", "/api/v1/consents?person=" + person["id"])
            found[person["name"]] += json.loads(body) if status == 200 else []
    return found


def server_down(base):
    try:
        urllib_get(base + "/health")
        return False
    except OSError:
        return True


def urllib_get(url):
    import urllib.request
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.status


def check_arrived(flow, server, expected, what):
    """Each name has exactly one consent, with the reference its receipt showed, tablet-offline."""
    found = consents_named(server, list(expected))
    for name, reference in expected.items():
        consents = found[name]
        flow.check(len(consents) == 1, "%s: %s has exactly one consent (%d)" % (what, name, len(consents)))
        if consents:
            c = consents[0]
            flow.check(c.get("reference") == reference, "%s: %s's consent has the reference shown offline (%s)" % (what, name, c.get("reference")))
            flow.check(c.get("method") == "tablet-offline" and c.get("recordedBy", "").startswith("officer-"),
                       "%s: %s's consent is tablet-offline, recorded by the officer (%s, %s)" % (what, name, c.get("method"), c.get("recordedBy")))


def kill_and_restart(flow):
    from selenium.webdriver.common.by import By
    server, d = flow.server, flow.driver
    tablet = Tablet(flow, flow.base)
    tablet.sign_in("officer-olu")
    tablet.open_capture("online")
    flow.check(d.execute_script("return !!document.querySelector('link[rel=manifest]')"), "the capture page links its manifest")
    flow.clean("the capture page online")
    flow.shot("capture-online")

    port = server.port
    server.kill()
    flow.check(server_down(flow.base), "the server process is gone (killed)")
    tablet.fill("Ola Offline")
    first, first_link = tablet.save("first consent offline")
    flow.check(d.find_element(By.ID, "receipt-status").get_attribute("data-state") == "waiting", "the receipt says it waits to be sent")
    flow.check(tablet.outbox("data-waiting") == "1", "the outbox shows 1 waiting")
    flow.clean("the receipt made offline")
    flow.shot("receipt-offline")
    tablet.next_person()
    tablet.fill("Cai Offline", channels=("website",), child=True)
    second, _ = tablet.save("second consent offline")
    flow.check(first != second, "two different references")
    flow.check(tablet.outbox("data-waiting") == "2", "the outbox shows 2 waiting")

    d.refresh()
    reloaded = tablet.wait("reload", lambda: d.find_element(By.ID, "capture").is_displayed(), 15)
    flow.check(reloaded and server_down(flow.base), "the page reloads from the tablet with the server still down")
    flow.check(tablet.wait("count", lambda: tablet.outbox("data-waiting") == "2", 10), "after the reload the outbox still shows 2 waiting")
    listed = tablet.wait("list", lambda: len(d.find_elements(By.CSS_SELECTOR, "#outbox-items li")) == 2, 10)
    items = " ".join(li.text for li in d.find_elements(By.CSS_SELECTOR, "#outbox-items li"))
    flow.check(listed and first in items and second in items, "the waiting list names both references")
    flow.clean("the capture page from the tablet")
    flow.shot("reloaded-offline")

    server.launch(port=port)
    flow.check(flow.base == server.base, "the server is back on the same port")
    arrived = tablet.wait("sync", lambda: tablet.outbox("data-waiting") == "0", 45)
    flow.check(arrived, "both consents are sent without anyone touching the page")
    flow.shot("synced")
    check_arrived(flow, server, {"Ola Offline": first, "Cai Offline": second}, "after the restart")
    d.get(first_link)
    flow.check(first in d.page_source and "Ola Offline" not in d.page_source, "the withdrawal link made offline opens the consent")
    flow.shot("withdrawal-link")


def killed_mid_sync(flow):
    """The same, through a proxy that kills the server while a sync is under way."""
    from selenium.webdriver.common.by import By
    server, d = flow.server, flow.driver
    proxy = KillingProxy(server)
    base = "http://localhost:%d" % proxy.port
    tablet = Tablet(flow, base)
    try:
        flow.driver.delete_all_cookies()
        tablet.sign_in("officer-olu")
        tablet.open_capture("through the proxy")
        server.kill()
        names = ["Mid Sync One", "Mid Sync Two", "Mid Sync Three"]
        shown = {}
        for name in names:
            tablet.fill(name)
            shown[name], _ = tablet.save("%s offline" % name)
            tablet.next_person()
        flow.check(tablet.outbox("data-waiting") == "3", "three consents wait")

        proxy.arm(1, "answer")
        server.launch(port=server.port)
        flow.check(proxy.fired.wait(45), "the server is killed after answering the first capture, before the tablet hears")
        flow.check(tablet.wait("kept", lambda: tablet.outbox("data-waiting") == "3", 10), "the tablet keeps all three (no answer came)")
        flow.shot("killed-after-commit")

        proxy.arm(2, "request")
        server.launch(port=server.port)
        flow.check(proxy.fired.wait(45), "the server is killed as the second capture's request reaches it")
        flow.check(tablet.wait("one less", lambda: tablet.outbox("data-waiting") == "2", 10),
                   "the first capture's resend was answered with its reference (2 left)")

        server.launch(port=server.port)
        flow.check(tablet.wait("sync", lambda: tablet.outbox("data-waiting") == "0", 45), "everything is sent after the second restart")
        flow.shot("mid-sync-done")
        check_arrived(flow, server, shown, "killed mid-sync")
        status, _, body = server.api("dpo", "GET", "/api/v1/verify")
        flow.check(status == 200 and json.loads(body).get("intact") is True, "the ledger verifies")
    finally:
        proxy.close()


def refusals_and_officers(flow):
    from selenium.webdriver.common.by import By
    server, d = flow.server, flow.driver
    tablet = Tablet(flow, flow.base)
    d.delete_all_cookies()
    tablet.sign_in("officer-olu")
    tablet.open_capture("again")
    server.kill()
    tablet.fill("Ravi Refused", channels=("website", "instagram"))
    refused, _ = tablet.save("a consent ticking instagram")

    # While the server is down: instagram is dropped from its channels, and the session expires.
    config = os.path.join(server.work, "no-instagram.json")
    with open(config, "w") as f:
        json.dump({"channels": ["website", "facebook", "x", "print"], "social": ["facebook", "x"],
                   "withdrawalContact": "dataprotection@riverside.example.gov.uk"}, f)
    users = sqlite3.connect(server.db + ".users")
    users.execute("UPDATE sessions SET expires_at = 0")
    users.commit()
    users.close()
    server.launch(port=server.port, config=config)

    asked = tablet.wait("signed out", lambda: tablet.outbox("data-state") == "signed-out", 45)
    flow.check(asked and tablet.outbox("data-waiting") == "1", "an expired session asks to sign in again and keeps the queue")
    flow.check("Sign in again" in d.find_element(By.ID, "outbox").text, "the outbox offers to sign in again")
    flow.shot("session-expired")

    # Another officer on the same tablet: sees none of it, sends none of it.
    d.get(flow.base + "/login")
    flow.check(tablet.wait("login count", lambda: tablet.outbox("data-waiting") == "1", 10),
               "the sign-in page says a consent waits on this tablet")
    tablet.sign_in("officer-oscar")
    flow.check(tablet.wait("oscar", lambda: tablet.outbox("data-waiting") == "0", 10), "another officer's pages show nothing waiting")
    d.get(flow.base + "/capture")
    flow.check(tablet.wait("oscar list", lambda: tablet.outbox("data-waiting") == "0", 10) and
               not d.find_elements(By.CSS_SELECTOR, "#outbox-items li"), "nor does the other officer's capture page list it")
    time.sleep(12)  # longer than one sync period
    flow.check(consents_named(server, ["Ravi Refused"])["Ravi Refused"] == [], "the other officer's tablet session did not send it")
    flow.sign_out()

    # The officer again: it is sent, and refused for the channel that went.
    tablet.sign_in("officer-olu")
    d.get(flow.base + "/capture")
    flagged = tablet.wait("refused", lambda: tablet.outbox("data-refused") == "1", 45)
    flow.check(flagged and tablet.outbox("data-waiting") == "1", "the refused consent is kept, marked refused")
    item = d.find_elements(By.CSS_SELECTOR, "#outbox-items li[data-state=refused]")
    flow.check(len(item) == 1 and refused in item[0].text and "instagram" in item[0].text,
               "the refusal shows the reference and the reason (%s)" % (item[0].text if item else None))
    flow.clean("the capture page with a refusal")
    flow.shot("refused")

    # Signing out with it waiting warns, and keeps it.
    d.find_element(By.CSS_SELECTOR, "form[action='/logout'] button").click()
    warning = d.find_element(By.ID, "signout-warning")
    flow.check(warning.is_displayed() and "/capture" in d.current_url, "signing out with a consent waiting warns first")
    flow.shot("sign-out-warning")
    d.find_element(By.CSS_SELECTOR, "#signout-warning .signout-anyway").click()
    flow.check(tablet.wait("login", lambda: "/login" in d.current_url, 10), "sign out anyway signs out")
    flow.check(tablet.wait("kept", lambda: tablet.outbox("data-waiting") == "1", 10), "the consent is still on the tablet after signing out")
    tablet.sign_in("officer-olu")
    d.get(flow.base + "/capture")
    tablet.wait("listed", lambda: d.find_elements(By.CSS_SELECTOR, "#outbox-items li[data-state=refused] button"), 15)
    correct = [b for b in d.find_elements(By.CSS_SELECTOR, "#outbox-items li[data-state=refused] button") if b.text == "Correct"]
    flow.check(len(correct) == 1, "the refused consent can be corrected")
    if correct:
        correct[0].click()
        flow.check(tablet.wait("refilled", lambda: d.find_element(By.ID, "capture").get_attribute("data-editing"), 10),
                   "the form holds the refused consent again, signature included")
        flow.check("instagram" not in [e.get_attribute("value") for e in d.find_elements(By.CSS_SELECTOR, "input[name=channels]:checked")],
                   "the form is filled again, without the channel that went")
        flow.check(d.find_element(By.ID, "name").get_attribute("value") == "Ravi Refused", "with the person's name")
        d.find_element(By.CSS_SELECTOR, "#capture button[type=submit]").click()
        flow.check(tablet.wait("receipt", lambda: d.find_element(By.ID, "offline-receipt").is_displayed(), 10) and
                   d.find_element(By.ID, "reference").text.strip() == refused, "the corrected consent keeps its reference")
        sent = tablet.wait("sent", lambda: tablet.outbox("data-waiting") == "0", 45)
        flow.check(sent, "the corrected consent is sent")
        found = consents_named(server, ["Ravi Refused"])["Ravi Refused"]
        flow.check(len(found) == 1 and found[0].get("reference") == refused and found[0].get("channels") == ["website"],
                   "it arrives once, under its reference, for the website only (%s)" % (found[0].get("channels") if found else None))
        flow.shot("corrected")


def run(flow):
    # OFFLINE_RUNS=2,3 runs only those (while working on one); all three by default.
    wanted = os.environ.get("OFFLINE_RUNS", "1,2,3").split(",")
    for number, scenario in (("1", kill_and_restart), ("2", killed_mid_sync), ("3", refusals_and_officers)):
        if number in wanted:
            scenario(flow)


if __name__ == "__main__":
    sys.exit(main(run, "offline-", before=add_second_officer))

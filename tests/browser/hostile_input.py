#!/usr/bin/env python3
"""Hostile text never becomes markup, in a real browser.

Puts hostile strings (a quote followed by a combining mark, <img onerror>, javascript: URLs,
10,000-character and control-character strings) through every field a user can type, by the
JSON API and by the pages' forms, and through file names and the people named in a file's
metadata. Then renders every page for every role (and anonymously), the consent receipt and a
subject access pack opened from disk, and fails on any injected element or attribute, any JS
dialog, any Content-Security-Policy violation, and any page without the policy header. Refused
input must be refused with a 4xx, never a 5xx. The last line reads "N passed, M failed".
"""
import base64
import hashlib
import hmac
import io
import json
import os
import shutil
import sqlite3
import struct
import subprocess
import sys
import tempfile
import time
import urllib.parse
import zipfile

from harness import ROOT, main

QUOTE = 'x"\u0301 autofocus onfocus=alert(1) data-pwned="\u0301'
SQUOTE = "x'\u0301 onmouseover=alert(2) data-pwned='\u0301"
IMG = "<img src=x onerror=alert(3) data-pwned>"
SCRIPT = "</script><script data-pwned>alert(4)</script>"
JSURL = "javascript:alert(5)"
MARKS = "e" + "\u0301" * 300 + '"\u0301 data-pwned="'
# One Character, 5,001 scalars: over every length limit, which count scalars.
HEAPED = "e" + "\u0301" * 5000
LONG = "L" * 9990 + "<b data-pwned>"
CONTROL = "ctrl\x00\x07\x1b[31m\x7f\u0085 end"
HOSTILE = [QUOTE, SQUOTE, IMG, SCRIPT, JSURL, MARKS, HEAPED, LONG, CONTROL]
# What a field that takes any short text can be given (the others are refused, checked as such).
SHORT = [QUOTE, SQUOTE, IMG, SCRIPT, JSURL]


def make_hostile_files(server):
    """Photos whose file names and people metadata are hostile, ingested before the server starts."""
    folder = os.path.join(server.work, "hostile-files")
    os.makedirs(folder)
    source = os.path.join(ROOT, "samples", "photos", "crowd.jpg")
    for index, (name, person) in enumerate([(QUOTE, IMG), (IMG, QUOTE), ("plain-%d" % 3, SQUOTE)]):
        path = os.path.join(folder, name + ".jpg")
        shutil.copyfile(source, path)
        region = "{Area={X=0.5,Y=0.4,W=0.2,H=0.3,Unit=normalized},Name=%s,Type=Face}" % person
        subprocess.run(["exiftool", "-q", "-overwrite_original", "-XMP-iptcExt:PersonInImage=" + person,
                        "-XMP-dc:Description=" + SCRIPT,
                        "-XMP-mwg-rs:RegionInfo={AppliedToDimensions={W=640,H=480,Unit=pixel},RegionList=[%s]}" % region, path],
                       check=True)
    server.clearance("ingest", folder)
    server.hostile_folder = folder



def row_mac_key(key_path):
    """The instance key's row-MAC key, as the Ledger derives it (HKDF-SHA256, no salt, info
    "clearance.row-mac.v1"), so the test can write a link row as Clearance itself does."""
    raw = base64.b64decode(open(key_path).read().split("\n")[1])
    prk = hmac.new(b"\x00" * 32, raw, hashlib.sha256).digest()
    return hmac.new(prk, b"clearance.row-mac.v1\x01", hashlib.sha256).digest()


def row_mac(key, table, fields):
    """HMAC-SHA256 over "clearance.row.v1" and the table and each field, each after its length."""
    message = b"clearance.row.v1"
    for field in [table.encode()] + fields:
        message += struct.pack(">q", len(field)) + field
    return hmac.new(key, message, hashlib.sha256).digest()

class Hostile:
    def __init__(self, flow):
        self.flow = flow
        self.server = flow.server
        self.people = []
        self.consents = []
        self.withdraw_links = []
        self.event_codes = []
        self.pending = []
        self.renew_links = []

    # MARK: by the API

    def api(self, role, method, path, body=None, **kwargs):
        status, headers, data = self.server.api(role, method, path, body, **kwargs)
        self.flow.check(status < 500, "%s %s as %s: no server error (%d)" % (method, path.split("?")[0], role, status))
        return status, headers, data

    def inject_by_api(self):
        check = self.flow.check
        for text in HOSTILE:
            status, _, data = self.api("officer", "POST", "/api/v1/people", {"name": text, "aliases": [text]})
            if status == 201:
                self.people.append(json.loads(data)["id"])
            else:
                check(status == 400, "a hostile name is stored or refused with 400 (%d)" % status)
        check(len(self.people) >= 5, "hostile names within the limits are stored (%d)" % len(self.people))
        status, _, data = self.api("dpo", "POST", "/api/v1/people",
                                   {"name": "Hostile Holder", "email": 'q"\u0301autofocus@example.org', "phone": "01632 960001"})
        holder = json.loads(data)["id"]
        self.people.append(holder)

        for text in SHORT:
            body = {"person": holder, "channels": ["website", "facebook"], "event": text, "purposes": [text], "formVersion": text,
                    "guardianName": text, "guardianRelationship": text[:90]}
            status, _, data = self.api("officer", "POST", "/api/v1/consents", body)
            if check(status == 201, "a consent with hostile event, purposes, form version and guardian is recorded (%d)" % status):
                answer = json.loads(data)
                self.consents.append(answer["reference"])
                self.withdraw_links.append(urllib.parse.urlparse(answer["withdrawalURL"]).path)
        self.holder = holder
        for text in [HEAPED, LONG, CONTROL]:
            status, _, _ = self.api("officer", "POST", "/api/v1/consents", {"person": holder, "channels": ["website"], "event": text})
            check(status == 400, "an over-long or control-character event is refused (%d)" % status)
        status, _, data = self.api("dpo", "POST", "/api/v1/consents",
                                   {"person": holder, "channels": ["print"], "method": "verbal", "witness": QUOTE, "event": IMG})
        if check(status == 201, "a verbal consent with a hostile witness is recorded"):
            self.consents.append(json.loads(data)["reference"])
        # A hostile-named person and the holder shown in a sample photo, so their packs have a picture.
        stage = self.sha("amira-stage.jpg")
        status, _, _ = self.api("editor", "POST", "/api/v1/assets/%s/tag" % stage, {"people": [self.people[0], QUOTE]})
        check(status == 400, "tagging a hostile name that is no one's id is refused")
        status, _, _ = self.api("editor", "POST", "/api/v1/assets/%s/tag" % stage, {"people": [self.people[0], holder]})
        check(status == 200, "tagging two people is recorded")
        bake = self.sha("bake-off.jpg")

        self.plant_renewal_links()

        # Withdrawal with hostile words (the DPO's note is theirs alone to read).
        status, _, _ = self.api("dpo", "POST", "/api/v1/consents/%s/withdraw" % self.consents[0], {"receivedVia": QUOTE, "note": IMG})
        check(status == 200, "a withdrawal with hostile received-via and note is recorded")

        # Post URLs: only plain http(s) addresses.
        for text in HOSTILE + ['https://example.org/"\u0301onmouseover=alert(1)', "https://facebook.com@evil.example/"]:
            status, _, _ = self.api("editor", "POST", "/api/v1/export", {"assets": [bake], "channel": "website", "postURL": text})
            check(status == 400, "export with post URL %r is refused (%d)" % (text[:30], status))
        status, _, _ = self.api("editor", "POST", "/api/v1/export",
                                {"assets": [bake], "channel": "website", "postURL": "https://example.org/post?a=1&b=%22x%22"})
        check(status == 200, "export with a plain post URL is recorded")
        # A publication stored before addresses were checked holds whatever was sent.
        with sqlite3.connect(self.server.db) as ledger:
            ledger.execute("UPDATE publications SET post_url = ? WHERE post_url LIKE 'https://example.org/post%'", (JSURL,))
        amira = json.loads(self.api("dpo", "GET", "/api/v1/people?name=Amira%20Khan")[2])[0]["id"]
        amira_consent = next(c["reference"] for c in json.loads(self.api("dpo", "GET", "/api/v1/consents?person=" + amira)[2])
                             if c["state"] == "active")
        self.api("dpo", "POST", "/api/v1/consents/%s/withdraw" % amira_consent, {"receivedVia": SQUOTE})
        status, _, data = self.api("dpo", "GET", "/api/v1/takedowns?filter=open")
        items = json.loads(data)
        check(any(i["publication"]["postURL"] == JSURL for i in items), "the takedown of the old publication is open")
        for item in items[:1]:
            self.api("dpo", "POST", "/api/v1/takedowns/%s/done" % item["id"], {"note": QUOTE})

        # Uploads under hostile names; accounts and token labels.
        jpeg = open(os.path.join(ROOT, "samples", "photos", "visitor.jpg"), "rb").read()
        for text in SHORT + [CONTROL]:
            self.api("editor", "POST", "/api/v1/assets?filename=" + urllib.parse.quote(text), raw=jpeg, content_type="image/jpeg")
        for text in HOSTILE:
            status, _, _ = self.api("admin", "POST", "/api/v1/users", {"name": text, "role": "editor", "password": "long-enough-password"})
            check(status == 400, "an account named %r is refused" % text[:20])
            self.api("admin", "POST", "/api/v1/users/editor-eve/tokens", {"label": text[:100]})
        # Search and filter parameters.
        for text in HOSTILE:
            self.api("dpo", "GET", "/api/v1/people?name=" + urllib.parse.quote(text))
            self.api("dpo", "GET", "/api/v1/takedowns?filter=" + urllib.parse.quote(text))
            self.api("dpo", "GET", "/api/v1/reports/blocked?channel=" + urllib.parse.quote(text))

    def plant_renewal_links(self):
        """Renewal links for the consents with hostile event, purposes and relationship. Written
        into the ledger as `clearance notify` writes them (only the secret's SHA-256); the real
        road, a reminder email from an SMTP server, is tests/browser/renewal.py's."""
        expires = int((time.time() + 30 * 86400) * 1000)
        created = int(time.time() * 1000)
        mac_key = row_mac_key(self.server.db + ".key")
        with sqlite3.connect(self.server.db) as ledger:
            for index, reference in enumerate(self.consents):
                secret = "hostile-renewal-link-%02d-%s" % (index, "x" * 20)
                digest = hashlib.sha256(secret.encode()).hexdigest()
                fields = [digest.encode(), b"renew", reference.encode(), struct.pack(">q", created), b"\x01", struct.pack(">q", expires)]
                ledger.execute("INSERT INTO notice_links (secret_sha256, purpose, consent_ref, created_at, expires_at, mac) "
                               "VALUES (?, 'renew', ?, ?, ?, ?)",
                               (digest, reference, created, expires, row_mac(mac_key, "notice_links", fields)))
                self.renew_links.append("/renew/" + secret)
        # The form refuses hostile channel names (and never shows them back) with a 4xx.
        for text in HOSTILE:
            form = urllib.parse.urlencode([("channels", text), ("channels", "website")]).encode()
            status, _, _ = self.api(None, "POST", self.renew_links[-1], raw=form, content_type="application/x-www-form-urlencoded")
            self.flow.check(400 <= status < 500, "renewing with a hostile channel %r is refused with a 4xx (%d)" % (text[:20], status))

    def sha(self, name):
        path = os.path.join(ROOT, "samples", "photos", name)
        digest = subprocess.run(["sha256sum", path], capture_output=True, text=True, check=True).stdout.split()[0]
        return digest

    # MARK: by the pages' forms

    def fill(self, values):
        """Sets form fields by id through the DOM: past maxlength and input types, as a hostile client would."""
        for element_id, value in values.items():
            self.flow.driver.execute_script("document.getElementById(arguments[0]).value = arguments[1];", element_id, value)

    def draw_signature(self):
        from selenium.webdriver.common.action_chains import ActionChains
        from selenium.webdriver.common.by import By
        canvas = self.flow.driver.find_element(By.ID, "signature")
        self.flow.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", canvas)
        strokes = ActionChains(self.flow.driver).move_to_element_with_offset(canvas, -100, 0).click_and_hold()
        for dx, dy in [(40, -20), (40, 30), (40, -20)]:
            strokes = strokes.move_by_offset(dx, dy)
        strokes.release().perform()

    def submit_form(self, form_id):
        from selenium.webdriver.common.by import By
        flow = self.flow
        page = flow.driver.find_element(By.TAG_NAME, "html")
        flow.driver.execute_script("var f = document.getElementById(arguments[0]); f.requestSubmit ? f.requestSubmit() : f.submit();", form_id)
        flow.wait_for_new_page(page)

    def inject_by_forms(self):
        from selenium.webdriver.common.by import By
        flow, driver = self.flow, self.flow.driver

        # Sign-in echoes the typed name.
        for text in [QUOTE, IMG, LONG, CONTROL]:
            driver.get(flow.base + "/login")
            self.fill({"name": text, "password": "not-the-password"})
            flow.submit(driver.find_element(By.CSS_SELECTOR, "form[action='/login'] button[type=submit]"))
            flow.clean("sign-in answer for %r" % text[:20])
        driver.get(flow.base + "/login")
        self.fill({"name": QUOTE, "password": "x"})
        flow.submit(driver.find_element(By.CSS_SELECTOR, "form[action='/login'] button[type=submit]"))
        shown = driver.find_element(By.ID, "name").get_attribute("value")
        flow.check(shown == QUOTE, "the typed name comes back as the field's value, whole, not as markup")

        # The officer's tablet form: refused with everything hostile, then saved with what fits.
        # It saves through the tablet's outbox (offline capture): checked and refused on the page,
        # or the receipt made on the page, then sent through POST /api/v1/captures.
        flow.sign_in("officer-olu")
        driver.get(flow.base + "/capture")
        self.fill({"event": LONG, "name": MARKS, "guardianName": CONTROL, "guardianRelationship": IMG, "email": QUOTE})
        driver.execute_script("document.getElementById('capture').requestSubmit()")
        flow.check("At most" in driver.find_element(By.ID, "capture").text, "the over-long form is refused")
        flow.clean("capture form refused")
        flow.shot("capture-refused")
        driver.get(flow.base + "/capture")
        self.fill({"event": QUOTE, "name": IMG + " " + SQUOTE, "guardianName": SCRIPT, "guardianRelationship": SQUOTE,
                   "email": 'o"\u0301@example.org', "born": "2018-01-01"})
        driver.find_element(By.CSS_SELECTOR, "input[name=channels][value=website]").click()
        self.draw_signature()
        driver.execute_script("document.getElementById('capture').requestSubmit()")
        from selenium.webdriver.support.ui import WebDriverWait
        WebDriverWait(driver, 20).until(lambda d: d.find_element(By.ID, "offline-receipt").is_displayed())
        sent = WebDriverWait(driver, 30).until(lambda d: d.find_element(By.ID, "receipt-status").get_attribute("data-state") == "sent")
        flow.check(sent, "the hostile tablet form is saved and reaches the ledger")
        flow.clean("receipt after capture")
        flow.shot("receipt-hostile")
        flow.check(QUOTE in driver.find_element(By.CSS_SELECTOR, "#offline-receipt table").text, "the hostile event is shown as text")
        link = driver.find_elements(By.ID, "withdrawal-link")
        if link:
            self.withdraw_links.append(urllib.parse.urlparse(link[0].get_attribute("href")).path)
        # The receipt of what the server recorded, as a page rendered from the ledger.
        driver.get(flow.base + "/capture")
        flow.clean("capture page after the hostile capture")

        # Self-service: an event code with a hostile name, then an attendee's hostile form.
        driver.get(flow.base + "/self-service")
        self.fill({"event": LONG})
        self.submit_form_of("#open-link")
        flow.clean("self-service refusing an over-long event")
        driver.get(flow.base + "/self-service")
        self.fill({"event": QUOTE})
        self.submit_form_of("#open-link")
        flow.clean("self-service page with a hostile event code")
        flow.shot("self-service-hostile")
        codes = [urllib.parse.urlparse(a.get_attribute("href")).path for a in driver.find_elements(By.CSS_SELECTOR, "a.self-link")]
        flow.check(bool(codes), "the event code is open")
        self.event_codes = codes
        flow.sign_out()

        if codes:
            driver.get(flow.base + codes[0])
            flow.clean("the attendee's form for a hostile event")
            self.fill({"name": MARKS, "guardianName": LONG})
            self.submit_form("capture")
            flow.clean("the attendee's form refused")
            driver.get(flow.base + codes[0])
            self.fill({"name": QUOTE, "born": "1980-02-02", "email": SQUOTE + "@example.org"})
            driver.find_element(By.CSS_SELECTOR, "input[name=channels][value=website]").click()
            self.draw_signature()
            self.submit_form("capture")
            flow.check("has been sent" in driver.page_source, "the attendee's hostile form waits for an officer")
            flow.clean("thank-you page")

        # The editor's check page: search, verdicts on hostile files, post URLs.
        flow.sign_in("editor-eve")
        driver.get(flow.base + "/check?q=" + urllib.parse.quote(QUOTE))
        flow.clean("check search for a hostile name")
        driver.get(flow.base + "/check")
        boxes = driver.find_elements(By.XPATH, "//label[contains(., 'data-pwned') or contains(., 'plain-3')]/input")
        flow.check(len(boxes) >= 2, "files with hostile names are listed (%d)" % len(boxes))
        for box in boxes:
            box.click()
        flow.submit(driver.find_element(By.CSS_SELECTOR, "form#pick button[type=submit]"))
        flow.check(len(driver.find_elements(By.CSS_SELECTOR, "section.verdict")) == len(boxes), "verdicts for the hostile files")
        flow.clean("verdicts naming hostile people")
        flow.shot("check-hostile")
        driver.get(flow.base + "/check")
        driver.find_element(By.XPATH, "//label[contains(normalize-space(.), 'empty-hall.jpg')]/input").click()
        flow.submit(driver.find_element(By.CSS_SELECTOR, "form#pick button[type=submit]"))
        for text in [JSURL, QUOTE, LONG]:
            if not driver.find_elements(By.ID, "postURL"):
                break
            self.fill({"postURL": text})
            self.submit_form("export")
            flow.check("post URL" in driver.page_source, "the export form refuses post URL %r" % text[:20])
            flow.clean("export refused for %r" % text[:20])
            driver.back()
        flow.sign_out()

        # The DPO's search.
        flow.sign_in("dpo-dana")
        for text in [QUOTE, IMG, LONG]:
            driver.get(flow.base + "/dpo?q=" + urllib.parse.quote(text))
            flow.clean("DPO search for %r" % text[:20])
        flow.sign_out()

    def submit_form_of(self, button_selector):
        from selenium.webdriver.common.by import By
        self.flow.submit(self.flow.driver.find_element(By.CSS_SELECTOR, button_selector))

    # MARK: the people to find

    def put_hostile_files_on_the_people_to_find_list(self):
        """A face of each hostile-named file decided not in the register, so that /to-find shows
        the hostile file names (and their folder) to every role that may open it."""
        check = self.flow.check
        listed = 0
        for name in sorted(os.listdir(self.server.hostile_folder)):
            with open(os.path.join(self.server.hostile_folder, name), "rb") as f:
                sha = hashlib.sha256(f.read()).hexdigest()
            status, _, data = self.api("editor", "GET", "/api/v1/assets/" + sha)
            faces = (json.loads(data).get("faces") or {}).get("faces") or [] if status == 200 else []
            detected = [face for face in faces if face["source"] == "detected"]
            if detected:
                status, _, _ = self.api("editor", "POST", "/api/v1/assets/%s/faces/%d" % (sha, detected[0]["n"]), {"notRegistered": True})
                listed += status == 200
        check(listed >= 2, "hostile-named files are on the people-to-find list (%d)" % listed)
        status, _, data = self.api("officer", "GET", "/api/v1/people-to-find")
        files = [face["file"] for face in json.loads(data)["faces"]] if status == 200 else []
        check(any("<img" in name for name in files), "the API gives the hostile file name as it is, in JSON")

    # MARK: every page, every role

    def pages(self):
        pending = []
        status, _, _ = self.server.api("officer", "GET", "/api/v1/me")
        with sqlite3.connect(self.server.db + ".users") as users:
            pending = ["/self-service/pending/%d" % row[0] for row in users.execute("SELECT id FROM pending_consents")]
        people = ["/dpo/people/" + person for person in self.people]
        return (["/", "/login", "/capture", "/self-service", "/self-service?page=2", "/check", "/check?q=" + urllib.parse.quote(IMG),
                 "/check?channel=facebook&show=blocked", "/review", "/to-find",
                 "/dpo", "/dpo?q=" + urllib.parse.quote(QUOTE)] + pending + people + self.withdraw_links + self.event_codes
                + self.renew_links
                + ["/api/v1/consents/%s/receipt" % reference for reference in self.consents])

    def walk(self):
        flow, driver = self.flow, self.flow.driver
        paths = self.pages()
        for account in [None, "officer-olu", "editor-eve", "dpo-dana", "admin-ada"]:
            flow.sign_out()
            if account:
                flow.sign_in(account)
            who = account or "anonymous"
            for path in paths:
                driver.get(flow.base + path)
                flow.clean("%s %s" % (who, path[:60]))
                flow.policy_present(path, "%s %s" % (who, path[:60]))
            flow.shot("walk-" + who)

    # MARK: a subject access pack, opened from disk

    def subject_access_packs(self):
        for person in [self.people[0], self.holder]:
            self.subject_access_pack(person)

    def subject_access_pack(self, person):
        flow, driver = self.flow, self.flow.driver
        status, _, data = self.server.api("dpo", "GET", "/api/v1/people/%s/sar" % person)
        if not flow.check(status == 200, "the hostile person's subject access pack is made"):
            return
        folder = tempfile.mkdtemp(prefix="clearance-sar-")
        try:
            zipfile.ZipFile(io.BytesIO(data)).extractall(folder)
            root = os.path.join(folder, "subject-access-" + person)
            index = os.path.join(root, "index.html")
            html = open(index, encoding="utf-8").read()
            flow.check('http-equiv="Content-Security-Policy"' in html, "the pack's index.html carries a policy")
            driver.get("file://" + index)
            flow.clean("the pack's index.html")
            flow.shot("sar-index")
            flow.check(driver.execute_script("return getComputedStyle(document.body).maxWidth") != "none",
                       "its stylesheet applies under its own policy (hash)")
            loaded = driver.execute_script(
                "var i = document.querySelector('img.picture'); return !!i && i.complete && i.naturalWidth > 0;")
            flow.check(loaded, "its picture shows")
            receipts = os.path.join(root, "receipts")
            for receipt in sorted(os.listdir(receipts))[:3] if os.path.isdir(receipts) else []:
                driver.get("file://" + os.path.join(root, "receipts", receipt))
                flow.clean("the pack's receipt " + receipt)
        finally:
            shutil.rmtree(folder, ignore_errors=True)


def run(flow):
    hostile = Hostile(flow)
    hostile.inject_by_api()
    hostile.inject_by_forms()
    hostile.put_hostile_files_on_the_people_to_find_list()
    hostile.walk()
    hostile.subject_access_packs()


if __name__ == "__main__":
    sys.exit(main(run, "hostile-", before=make_hostile_files))

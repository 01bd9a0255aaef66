#!/usr/bin/env python3
"""Notices by email against a real SMTP server (aiosmtpd on loopback), through the real
`clearance` binary: receipts, renewal reminders, the guardian's note before a child turns 13 and
the DPO's digest arrive exactly once; with the server down `notify` exits 1 and loses nothing, and
once it is back every notice arrives exactly once; a notice stuck in 'sending' (a crash between
the server's answer and the mark) is reported and never resent by itself; an erased person's
queued notice is dropped; STARTTLS and login with a throwaway certificate; the renewal link works
once over HTTP. The last line reads "N passed, M failed".
"""
import datetime
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.error
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.dirname(__file__))
from smtp_sink import ROOT, SMTPSink, ensure_aiosmtpd, free_port  # noqa: E402

ensure_aiosmtpd(os.path.join(ROOT, ".build", "notices-venv"))

BINARY = os.environ.get("CLEARANCE", os.path.join(ROOT, ".build", "debug", "clearance"))
TODAY = datetime.datetime.now(datetime.timezone.utc).date()


def day(offset):
    return (TODAY + datetime.timedelta(days=offset)).isoformat()


class Test:
    def __init__(self):
        self.passed = 0
        self.failed = 0
        self.work = tempfile.mkdtemp(prefix="clearance-notices-")
        self.db = os.path.join(self.work, "ledger.db")
        self.sinks = []

    def check(self, condition, what):
        if condition:
            self.passed += 1
        else:
            self.failed += 1
            print("FAILED: " + what)

    def config(self, sink, name="config.json", **extra):
        smtp = {"url": sink.url(), "from": "Riverside Photo Consent <consent@riverside.example>"}
        smtp.update(extra)
        path = os.path.join(self.work, name)
        with open(path, "w") as out:
            json.dump({"smtp": smtp, "dpoEmail": "dpo@riverside.example", "publicURL": "https://consent.riverside.example",
                       "renewalNoticeDays": 30, "digest": "daily", "withdrawalContact": "dpo@riverside.example"}, out)
        return path

    def run(self, *args, config=None, expect=0):
        command = [BINARY, *args, "--db", self.db] + (["--config", config] if config else [])
        result = subprocess.run(command, capture_output=True, text=True, timeout=120)
        if result.returncode != expect:
            print("`%s` exited %d (expected %d)\n%s%s" % (" ".join(args), result.returncode, expect, result.stdout, result.stderr))
        self.check(result.returncode == expect, "clearance %s exits %d" % (" ".join(args), expect))
        return result

    def sink(self, **options):
        sink = SMTPSink(os.path.join(self.work, "mail-%d" % len(self.sinks)), **options)
        self.sinks.append(sink)
        return sink

    def outbox(self):
        with sqlite3.connect(self.db) as db:
            return db.execute("SELECT id, notice_key, state, attempts FROM outbox ORDER BY id").fetchall()


def by_subject(messages):
    return sorted(m.subject for m in messages)


def scenario(t):
    sink = t.sink().start()
    config = t.config(sink)
    t.run("init")
    # Bad configuration is refused at start with one line, exit 2, before anything is sent.
    for bad, why in [({"smtp": {"url": "http://x"}}, "smtp.url"), ({"smtp": {"url": sink.url(), "from": "x@y.example"}}, "publicURL"),
                     ({"dpoEmail": "dpo@x.example"}, "smtp section"),
                     ({"smtp": {"url": sink.url(), "from": "a@b.example", "passwordFile": "/nonexistent"}, "publicURL": "https://a.example"}, "passwordFile"),
                     ({"smtp": {"url": sink.url(), "from": "a@b.example\r\nBcc: x@y.z"}, "publicURL": "https://a.example"}, "smtp.from"),
                     ({"smtp": {"url": sink.url(), "from": "a@b.example"}, "publicURL": "javascript:alert(1)"}, "publicURL")]:
        path = os.path.join(t.work, "bad.json")
        with open(path, "w") as out:
            json.dump(bad, out)
        result = t.run("notify", config=path, expect=2)
        t.check(why in result.stderr and result.stderr.count("\n") == 1, "bad configuration names %s in one line: %r" % (why, result.stderr))
    t.check(sink.take() == [], "nothing sent with a bad configuration")

    amira = t.run("person", "add", "--name", "Amira Haddad", "--email", "amira@example.org", "--born", "1990-04-12").stdout.strip()
    born = (TODAY - datetime.timedelta(days=365 * 13 - 10)).isoformat()  # turns 13 in about 7-13 days
    leo = t.run("person", "add", "--name", "Leo Ørsted", "--email", "parent.orsted@example.org", "--born", born).stdout.strip()
    joan = t.run("person", "add", "--name", "Joan Noaddress").stdout.strip()
    ref_amira = t.run("consent", "record", "--person", amira, "--channels", "facebook,website", "--event", "Summer fair",
                      "--expires", day(20), config=config).stdout.strip()
    ref_leo = t.run("consent", "record", "--person", leo, "--channels", "website", "--guardian", "Ingrid Ørsted",
                    "--relationship", "mother", config=config).stdout.strip()
    t.run("consent", "record", "--person", joan, "--channels", "website", "--expires", day(5), config=config)
    t.check([row[1] for row in t.outbox()] == ["receipt:" + ref_amira, "receipt:" + ref_leo],
            "receipts queued in the consent's transaction, only for people with an address: %r" % t.outbox())
    with sqlite3.connect(t.db) as db:
        stored = b"".join(row[0] for row in db.execute("SELECT message FROM outbox"))
    t.check(b"amira@example.org" not in stored and b"Amira" not in stored, "addresses and names are sealed in the outbox")

    result = t.run("notify", config=config)
    got = sink.take()
    subjects = by_subject(got)
    t.check(len(got) == 5, "receipts (2), a renewal reminder, the guardian's note and the digest: %r" % subjects)
    receipt = [m for m in got if m.subject == "Your photo consent " + ref_amira]
    t.check(len(receipt) == 1 and receipt[0].rcpt_tos == ["amira@example.org"], "Amira's receipt, once, to her address")
    if receipt:
        text = receipt[0].part("plain")
        html = receipt[0].part("html")
        t.check(ref_amira in text and "facebook, website" in text and "Summer fair" in text, "the receipt says what was agreed")
        t.check(re.search(r"https://consent\.riverside\.example/withdraw/[A-Za-z0-9_-]{40,}", text) is not None, "the receipt carries a withdrawal link")
        t.check(html is not None and ref_amira in html and "<a href=\"https://consent.riverside.example/withdraw/" in html, "and an HTML version")
        t.check(receipt[0].message["From"].addresses[0].addr_spec == "consent@riverside.example", "from the configured sender")
    leo_receipt = [m for m in got if m.subject == "Your photo consent " + ref_leo]
    t.check(len(leo_receipt) == 1 and "Ingrid Ørsted" in str(leo_receipt[0].message["To"]) and "Leo Ørsted's consent" in leo_receipt[0].part("plain"),
            "the child's receipt goes to the guardian who gave it, with non-ASCII names encoded and decoded")
    renewal = [m for m in got if m.subject == "Your photo consent %s ends on %s" % (ref_amira, day(20))]
    t.check(len(renewal) == 1, "one renewal reminder for the consent ending within 30 days")
    renew_path = None
    if renewal:
        found = re.search(r"https://consent\.riverside\.example(/renew/[A-Za-z0-9_-]{40,})", renewal[0].part("plain"))
        t.check(found is not None, "the reminder carries a renewal link under publicURL")
        renew_path = found.group(1) if found else None
    note = [m for m in got if "can now give their own photo consent" in m.subject]
    t.check(len(note) == 1 and note[0].rcpt_tos == ["parent.orsted@example.org"] and ref_leo in note[0].part("plain"),
            "the guardian is told before the child turns 13")
    digest = [m for m in got if m.subject.startswith("Clearance digest " + day(0))]
    t.check(len(digest) == 1 and digest[0].rcpt_tos == ["dpo@riverside.example"], "one digest to the DPO")
    if digest:
        text = digest[0].part("plain")
        t.check("verify passes" in text and ref_amira in text and leo in text, "the digest: verify, consents ending, children turning 13")
        t.check("Amira" not in text and "Leo" not in text and "@example.org" not in text, "the digest names no one")
    t.check("sent 5" in result.stdout, "notify says what it sent: %r" % result.stdout)

    # The outbox listed: keys, states and attempts, never an address, a name or a subject.
    result = t.run("notify", "--list", config=config)
    t.check(("receipt:%s" % ref_amira) in result.stdout and "  sent  " in result.stdout and "digest:" + day(0) in result.stdout,
            "notify --list shows each notice's key and state: %r" % result.stdout)
    t.check("@" not in result.stdout and "Amira" not in result.stdout and "Ørsted" not in result.stdout,
            "and nothing personal: %r" % result.stdout)
    result = t.run("notify", "--at", day(-1), config=config, expect=2)
    t.check("before today" in result.stderr and sink.take() == [], "a day that has passed is refused: %r" % result.stderr)

    # A second run the same day: nothing new is queued, nothing is sent again.
    t.run("notify", config=config)
    t.check(sink.take() == [], "running notify again sends nothing twice")

    # The server goes away: notify fails (exit 1) and keeps the notice.
    sink.stop()
    ref_new = t.run("consent", "record", "--person", amira, "--channels", "print", config=config).stdout.strip()
    result = t.run("notify", config=config, expect=1)
    t.check("not sent: receipt:" + ref_new in result.stdout, "the failure is named: %r" % result.stdout)
    t.check(("receipt:" + ref_new, "queued", 1) in [(r[1], r[2], r[3]) for r in t.outbox()], "the receipt is kept, one attempt counted")
    t.run("notify", config=config, expect=1)  # still down, still inside the back-off: nothing is tried, it is still waiting
    sink = t.sink().start()
    config = t.config(sink)
    result = t.run("notify", config=config, expect=1)
    t.check(sink.take() == [] and "waiting to retry 1" in result.stdout, "inside the back-off nothing is sent (exit 1: not delivered yet): %r" % result.stdout)
    t.run("notify", "--at", day(1), config=config)
    got = sink.take()
    t.check(by_subject(got).count("Your photo consent " + ref_new) == 1, "once the server is back the receipt arrives, once")
    t.check(len([m for m in got if m.subject.startswith("Clearance digest " + day(1))]) == 1, "and the next day's digest")
    t.check(len(got) == 2, "and nothing else: %r" % by_subject(got))
    t.run("notify", "--at", day(1), config=config)
    t.check(sink.take() == [], "nothing arrives twice")

    # A sender that stopped between the server's answer and the mark: reported, never resent alone.
    with sqlite3.connect(t.db) as db:
        db.execute("UPDATE outbox SET state = 'sending', claim_id = 'crashed', claimed_at = 0, sent_at = NULL WHERE notice_key = ?",
                   ("receipt:" + ref_new,))
    result = t.run("notify", "--at", day(1), config=config, expect=1)
    t.check("in doubt: #" in result.stdout and sink.take() == [], "a notice in doubt is reported and not resent: %r" % result.stdout)
    stuck = [r[0] for r in t.outbox() if r[2] == "sending"]
    t.run("notify", "--release", str(stuck[0]) if stuck else "0", config=config)
    t.run("notify", "--at", day(1), config=config)
    t.check(by_subject(sink.take()) == ["Your photo consent " + ref_new], "released by hand, it is sent once more")

    # The server takes the whole message and hangs up before answering: it may have been
    # delivered, so it is reported in doubt at once and not sent again by itself.
    sink.hang_up_after_data = True
    ref_doubt = t.run("consent", "record", "--person", amira, "--channels", "x", config=config).stdout.strip()
    result = t.run("notify", "--at", day(1), config=config, expect=1)
    t.check(by_subject(sink.take()) == ["Your photo consent " + ref_doubt], "the server got the message once")
    t.check(re.search(r"in doubt: #\d+ receipt:" + ref_doubt, result.stdout) is not None and "not sent" not in result.stdout,
            "no answer after the whole message: reported in doubt, not as a failure to retry: %r" % result.stdout)
    sink.hang_up_after_data = False
    result = t.run("notify", "--at", day(1), config=config, expect=1)
    t.check(sink.take() == [] and "in doubt: #" in result.stdout, "later runs still report it and never resend it")
    doubted = [r[0] for r in t.outbox() if r[1] == "receipt:" + ref_doubt]
    t.run("notify", "--release", str(doubted[0]) if doubted else "0", config=config)
    t.run("notify", "--at", day(1), config=config)
    t.check(by_subject(sink.take()) == ["Your photo consent " + ref_doubt], "released by the operator, it is sent once more")
    result = t.run("notify", "--release", str(doubted[0]) if doubted else "0", config=config, expect=2)
    t.check("not in doubt" in result.stderr, "a sent notice cannot be released: %r" % result.stderr)

    # Erasure: a queued notice of the person no longer opens and is dropped, not sent.
    sink.stop()
    chris = t.run("person", "add", "--name", "Chris Walker", "--email", "chris@example.org").stdout.strip()
    t.run("consent", "record", "--person", chris, "--channels", "website", config=config)
    t.run("erase", chris)
    with sqlite3.connect(t.db) as db:
        erased = db.execute("SELECT state, length(message) FROM outbox WHERE person_id = ?", (chris,)).fetchall()
    t.check(erased == [("dropped", 0)], "erasure drops the person's queued notice and its sealed message: %r" % erased)
    sink = t.sink().start()
    config = t.config(sink)
    result = t.run("notify", "--at", day(2), config=config)
    got = sink.take()
    t.check(not any("chris" in m.to.lower() for m in got), "an erased person's notice is not sent: %r" % result.stdout)

    # The renewal link: works once, over plain HTTP, and makes a new version (renewal-link).
    if renew_path:
        port = free_port()
        serve = subprocess.Popen([BINARY, "serve", "--db", t.db, "--config", config, "--port", str(port), "--no-notify",
                                  "--log-level", "warning"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        try:
            line = serve.stdout.readline()
            t.check("serving on" in line, "serve starts with notices configured")
            base = "http://127.0.0.1:%d" % port
            with urllib.request.urlopen(base + renew_path, timeout=30) as page:
                html = page.read().decode()
            t.check('id="renew"' in html and ref_amira in html and "Amira" not in html, "the renewal page shows the consent, no name")
            body = urllib.parse.urlencode([("channels", "website")]).encode()
            with urllib.request.urlopen(urllib.request.Request(base + renew_path, data=body), timeout=30) as page:
                html = page.read().decode()
            new_ref = re.search(r'id="new-reference">(C-[A-Z0-9-]+)<', html)
            t.check(new_ref is not None, "renewing answers the new reference")
            consents = json.loads(t.run("consent", "list", "--json").stdout)
            new = [c for c in consents if new_ref and c.get("reference") == new_ref.group(1)]
            old = [c for c in consents if c.get("reference") == ref_amira]
            t.check(len(new) == 1 and new[0]["method"] == "renewal-link" and new[0]["channels"] == ["website"]
                    and new[0].get("supersedes") == ref_amira, "a new version, website only, method renewal-link: %r" % new)
            t.check(old and old[0]["state"] == "superseded", "the old version is superseded")
            try:
                urllib.request.urlopen(urllib.request.Request(base + renew_path, data=body), timeout=30)
                t.check(False, "a used renewal link must not work again")
            except urllib.error.HTTPError as error:
                t.check(error.code == 404, "a used renewal link answers 404, got %d" % error.code)
        finally:
            serve.terminate()
            serve.wait(timeout=20)
        t.check(sink.take() == [], "serve --no-notify sends nothing by itself")
        t.run("notify", "--at", day(2), config=config)
        t.check(any(new_ref and m.subject == "Your photo consent " + new_ref.group(1) for m in sink.take()),
                "the renewal's receipt was queued with it and arrives")

    # Without --no-notify, serve runs the pass itself as it starts (and every notifyIntervalMinutes).
    ref_served = t.run("consent", "record", "--person", amira, "--channels", "print", config=config).stdout.strip()
    serve = subprocess.Popen([BINARY, "serve", "--db", t.db, "--config", config, "--port", str(free_port()),
                              "--log-level", "warning"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        got = []
        deadline = time.time() + 90  # a bound on waiting for the mail, not a measurement
        while time.time() < deadline and not got:
            got = sink.take()
            time.sleep(0.2)
        t.check(by_subject(got) == ["Your photo consent " + ref_served], "serve sends a queued receipt by itself: %r" % by_subject(got))
    finally:
        serve.terminate()
        serve.wait(timeout=20)
    t.check(("receipt:" + ref_served, "sent") in [(r[1], r[2]) for r in t.outbox()], "and marks it sent")
    sink.stop()


def starttls(t):
    """STARTTLS required by the server, login required after it, a throwaway certificate."""
    sink = t.sink(tls=True).start()
    password_file = os.path.join(t.work, "smtp-password")
    with open(password_file, "w") as out:
        out.write(SMTPSink.PASSWORD + "\n")
    os.chmod(password_file, 0o600)
    config = t.config(sink, name="tls.json", username=SMTPSink.USER, passwordFile=password_file, caFile=sink.cert)
    person = t.run("person", "add", "--name", "Tess Ls", "--email", "tess@example.org").stdout.strip()
    ref = t.run("consent", "record", "--person", person, "--channels", "website", config=config).stdout.strip()
    with open(password_file, "w") as out:
        out.write("wrong-password\n")
    result = t.run("notify", "--at", day(3), config=config, expect=1)
    t.check(sink.take() == [] and "not sent" in result.stdout, "a wrong password: not sent, exit 1: %r" % result.stdout)
    untrusted = t.config(sink, name="untrusted.json", username=SMTPSink.USER, passwordFile=password_file)
    with open(password_file, "w") as out:
        out.write(SMTPSink.PASSWORD + "\n")
    result = t.run("notify", "--at", day(4), config=untrusted, expect=1)
    t.check(sink.take() == [], "a certificate nobody vouches for: nothing is sent")
    t.run("notify", "--at", day(5), config=config)
    got = [m for m in sink.take() if m.subject == "Your photo consent " + ref]
    t.check(len(got) == 1 and got[0].tls and got[0].authenticated, "with the right password the receipt goes over STARTTLS after a login")
    sink.stop()


def main():
    if not os.access(BINARY, os.X_OK):
        print("notices test: %s is not built (swift build)" % BINARY)
        print("0 passed, 1 failed")
        return 1
    t = Test()
    try:
        for part in (scenario, starttls):
            try:
                part(t)
            except Exception:
                traceback.print_exc()
                t.failed += 1
    finally:
        for sink in t.sinks:
            sink.stop()
        shutil.rmtree(t.work, ignore_errors=True)
    print("%d passed, %d failed" % (t.passed, t.failed))
    return 0 if t.failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())

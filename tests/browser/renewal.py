#!/usr/bin/env python3
"""Browser test of the renewal link, in Debian's chromium (Selenium).

Before the server starts: a person with an email address gets a consent for facebook and website
that ends in 10 days; `clearance notify` sends the reminder to a real SMTP server on loopback
(aiosmtpd) and the test takes the /renew/{secret} link from the message. In the browser: the page
shows what was agreed (no name), carries the policy and loads with no CSP violation; facebook is
unticked and the button id="renew" records a new version, website only, method renewal-link,
superseding the old one; the link then no longer works. The last line reads "N passed, M failed".
"""
import datetime
import json
import os
import re
import subprocess
import sys

from harness import ROOT, main

sys.path.insert(0, os.path.join(ROOT, "tests", "notices"))
from smtp_sink import SMTPSink  # noqa: E402

state = {}


def before(server):
    sink = SMTPSink(os.path.join(server.work, "mail")).start()
    try:
        with open(os.path.join(ROOT, "samples", "config.json")) as source:
            config = json.load(source)
        config.update({"smtp": {"url": sink.url(), "from": "consent@riverside.example"}, "publicURL": "http://localhost",
                       "renewalNoticeDays": 30})
        path = os.path.join(server.work, "notices.json")
        with open(path, "w") as out:
            json.dump(config, out)
        person = server.clearance("person", "add", "--name", "Rosa Renew", "--email", "rosa@example.org").strip()
        ends = (datetime.datetime.now(datetime.timezone.utc).date() + datetime.timedelta(days=10)).isoformat()
        state["ref"] = server.clearance("consent", "record", "--person", person, "--channels", "facebook,website",
                                        "--event", "Riverside summer fair 2026", "--expires", ends, "--config", path).strip()
        subprocess.run([server.binary, "notify", "--db", server.db, "--config", path], check=True, capture_output=True)
        for message in sink.take():
            found = re.search(r"http://localhost(/renew/[A-Za-z0-9_-]{40,})", message.part("plain") or "")
            if found:
                state["path"] = found.group(1)
    finally:
        sink.stop()


def run(flow):
    from selenium.webdriver.common.by import By
    driver = flow.driver
    if not flow.check("path" in state, "the reminder email carried a renewal link"):
        return
    driver.get(flow.base + state["path"])
    flow.shot("renewal page")
    flow.check(state["ref"] in driver.page_source and "Rosa" not in driver.page_source, "the page shows the consent, no name")
    flow.clean("the renewal page")
    flow.policy_present(state["path"], "the renewal page")
    facebook = driver.find_element(By.CSS_SELECTOR, "input[name=channels][value=facebook]")
    website = driver.find_element(By.CSS_SELECTOR, "input[name=channels][value=website]")
    flow.check(facebook.is_selected() and website.is_selected(), "every channel starts ticked")
    facebook.click()
    flow.submit(driver.find_element(By.ID, "renew"))
    flow.shot("renewed")
    flow.clean("the renewed page")
    new_reference = driver.find_element(By.ID, "new-reference").text
    flow.check(re.fullmatch(r"C-[A-Z0-9]{4}-[A-Z0-9]{4}", new_reference) is not None, "the page shows the new reference")
    consents = json.loads(flow.server.clearance("consent", "list", "--json"))
    new = [c for c in consents if c["reference"] == new_reference]
    old = [c for c in consents if c["reference"] == state["ref"]]
    flow.check(len(new) == 1 and new[0]["method"] == "renewal-link" and new[0]["channels"] == ["website"]
               and new[0]["supersedes"] == state["ref"] and new[0]["version"] == 2,
               "a new version: website only, method renewal-link, superseding the old")
    flow.check(old and old[0]["state"] == "superseded", "the old version is superseded")
    driver.get(flow.base + state["path"])
    flow.check(len(driver.find_elements(By.ID, "renew")) == 0 and "not valid any more" in driver.page_source,
               "the link works once")


if __name__ == "__main__":
    sys.exit(main(run, "renewal-", before))

#!/usr/bin/env python3
"""Browser test of the consent flow, in Debian's chromium driven by chromedriver (Selenium).

Starts `clearance serve` on a temporary ledger with the samples loaded, then: an officer signs
in and records a consent for Chris Walker (the unregistered visitor in samples/photos/visitor.jpg)
with a signature drawn on the canvas (saved through the tablet's outbox, which sends it at once
when the server answers), opens the receipt, follows its withdrawal link and
withdraws; an editor then checks visitor.jpg for Facebook and must see it blocked because the
consent was withdrawn. Every page must carry the Content-Security-Policy header and load with no
CSP violation in the browser (the pages' scripts and styles all come from /static/). A screenshot
of each page goes to out/browser-artifacts/. The last line reads "N passed, M failed".
"""
import re
import sys

from harness import main


def run(flow):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select, WebDriverWait
    driver = flow.driver

    driver.get(flow.base + "/login")
    flow.shot("login")
    flow.clean("the login page")
    flow.policy_present("/login", "the login page")
    flow.sign_in("officer-olu")
    driver.get(flow.base + "/capture")
    flow.check(driver.find_element(By.ID, "capture").is_displayed(), "the consent form is shown")
    flow.clean("the consent form")
    flow.policy_present("/capture", "the consent form")
    driver.find_element(By.ID, "event").send_keys("Riverside summer fair 2026")
    driver.find_element(By.ID, "name").send_keys("Chris Walker")
    Select(driver.find_element(By.ID, "ageBand")).select_by_value("adult")
    for channel in ("facebook", "website"):
        driver.find_element(By.CSS_SELECTOR, "input[name=channels][value=%s]" % channel).click()
    # capture.js shows the guardian fields for a child only.
    flow.check(not driver.find_element(By.ID, "guardian").is_displayed(), "no guardian fields for an adult")
    Select(driver.find_element(By.ID, "ageBand")).select_by_value("child")
    flow.check(driver.find_element(By.ID, "guardian").is_displayed(), "guardian fields for a child (capture.js runs)")
    Select(driver.find_element(By.ID, "ageBand")).select_by_value("adult")
    canvas = driver.find_element(By.ID, "signature")
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", canvas)
    strokes = ActionChains(driver).move_to_element_with_offset(canvas, -120, 10).click_and_hold()
    for dx, dy in [(30, -25), (30, 30), (30, -30), (30, 25), (40, -10)]:
        strokes = strokes.move_by_offset(dx, dy)
    strokes.release().perform()
    drawn = driver.execute_script(
        "var c = document.getElementById('signature'), d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
        "for (var i = 3; i < d.length; i += 4) if (d[i] > 0) return true; return false;")
    flow.check(drawn, "the signature is drawn on the canvas")
    flow.shot("capture-filled")
    # The tablet saves through its outbox (outbox.js): the receipt is made on the page at once,
    # then the outbox sends the consent and the receipt says when the ledger has it.
    driver.find_element(By.CSS_SELECTOR, "#capture button[type=submit]").click()
    receipt = WebDriverWait(driver, 20).until(lambda d: d.find_element(By.ID, "offline-receipt").is_displayed())
    flow.check(receipt and "Consent saved" in driver.find_element(By.ID, "offline-receipt").text, "the receipt is shown")
    sent = WebDriverWait(driver, 30).until(
        lambda d: d.find_element(By.ID, "receipt-status").get_attribute("data-state") == "sent")
    flow.check(sent and driver.find_element(By.ID, "outbox").get_attribute("data-waiting") == "0",
               "the consent reaches the ledger and the outbox is empty")
    flow.clean("the receipt")
    reference = driver.find_element(By.ID, "reference").text.strip()
    flow.check(re.fullmatch(r"C-[0-9A-Z]{4}-[0-9A-Z]{4}", reference) is not None, "the receipt shows a reference (%s)" % reference)
    qr = driver.find_elements(By.CSS_SELECTOR, "img.qr")
    flow.check(len(qr) == 1 and driver.execute_script("return arguments[0].complete && arguments[0].naturalWidth > 100", qr[0]),
               "the receipt has the QR code, drawn")
    flow.shot("receipt")
    link = driver.find_element(By.ID, "withdrawal-link").get_attribute("href")
    flow.check("/withdraw/" in link, "the receipt links to the withdrawal page")

    driver.get(link)
    flow.check(reference in driver.page_source and "Chris Walker" not in driver.page_source,
               "the withdrawal page shows the consent and no personal data")
    flow.clean("the withdrawal page")
    flow.shot("withdrawal-page")
    flow.submit(driver.find_element(By.ID, "withdraw"))
    flow.check("has been withdrawn" in driver.page_source, "the consent is withdrawn")
    flow.check(driver.find_element(By.ID, "state").text.strip() == "withdrawn", "its state reads withdrawn")
    flow.clean("the withdrawn page")
    flow.shot("withdrawn")

    flow.sign_out()
    flow.sign_in("editor-eve")
    driver.get(flow.base + "/check")
    flow.clean("the check page")
    flow.policy_present("/check", "the check page")
    Select(driver.find_element(By.ID, "channel")).select_by_value("facebook")
    tick = driver.find_element(By.XPATH, "//label[contains(normalize-space(.), 'visitor.jpg')]/input")
    tick.click()
    driver.find_element(By.XPATH, "//label[contains(normalize-space(.), 'amira-stage.jpg')]/input").click()
    flow.shot("check-form")
    flow.submit(driver.find_element(By.CSS_SELECTOR, "form#pick button[type=submit]"))
    verdicts = driver.find_elements(By.CSS_SELECTOR, "section.verdict")
    flow.check(len(verdicts) == 2, "two verdicts are shown")
    visitor = next((v.text for v in verdicts if "visitor.jpg" in v.text), "")
    flow.check("Blocked for facebook" in visitor, "visitor.jpg is blocked for Facebook")
    flow.check("consent-withdrawn" in visitor, "because Chris Walker's consent was withdrawn")
    loaded = driver.execute_script("var i = document.querySelector('section.verdict img'); return !!i && i.complete && i.naturalWidth > 0;")
    flow.check(loaded, "the picture is shown beside the verdict")
    # check.js places the named face box over Amira's face, from its data attributes.
    box = driver.execute_script(
        "var f = document.querySelector('.face.placed'); if (!f) return null; var r = f.getBoundingClientRect(),"
        " p = f.parentNode.getBoundingClientRect(); return [(r.left - p.left) / p.width, r.width / p.width, f.textContent];")
    flow.check(box is not None and abs(box[0] - 0.405) < 0.03 and abs(box[1] - 0.19) < 0.03 and "Amira Khan" in box[2],
               "the face box is placed where the metadata puts it (%s)" % (box,))
    flow.clean("the verdicts")
    flow.shot("check-blocked")


if __name__ == "__main__":
    sys.exit(main(run, "flow-"))

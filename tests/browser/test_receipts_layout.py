"""Receipt codes never break inside a group at any width, and the page of every receipt of a visit
fits a 320 px screen (screenshots in test-artifacts/receipts-*.png)."""

import pytest

from tests.browser.keyboard import VOTE

pytestmark = pytest.mark.browser

GROUPS = """() => [...document.querySelectorAll('.receipt-code')].map(code => ({
  groups: [...code.querySelectorAll('.group')].map(g => g.getClientRects().length),
  right: code.getBoundingClientRect().right, width: document.documentElement.clientWidth,
  scroll: document.documentElement.scrollWidth}))"""


def _vote(page, live_server, code, budgets):
    page.goto(live_server + VOTE)
    page.fill("#f-code", code)
    with page.expect_navigation():
        page.click("text=Continue")
    for name, box in budgets:
        page.goto(live_server + VOTE)
        with page.expect_navigation():
            page.click(f"text={name}")
        page.check(box)
        with page.expect_navigation():
            page.click('button[value="review"]')
        with page.expect_navigation():
            page.click('button[value="submit"]')


@pytest.mark.parametrize("width", [320, 390])
def test_receipt_groups_stay_whole_and_the_receipts_page_fits(browser, live_server, voter_codes, artifacts, width):
    context = browser.new_context(java_script_enabled=False, viewport={"width": width, "height": 800})
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        _vote(page, live_server, next(voter_codes), [("Approval pot", "#p-p1"), ("Knapsack pot", "#p-p2")])
        single = page.evaluate(GROUPS)
        with page.expect_navigation():
            page.click("text=All the receipts of this visit on one page")
        every = page.evaluate(GROUPS)
        page.screenshot(path=str(artifacts / f"receipts-{width}.png"), full_page=True)
    finally:
        context.close()
    assert len(every) == 2
    for found in single + every:
        assert found["groups"] == [1, 1, 1, 1], found  # each group on one line: one box
        assert found["right"] <= found["width"] + 0.5 and found["scroll"] <= found["width"], found


@pytest.mark.parametrize("width", [320, 390])
def test_a_receipt_check_answer_fits_the_screen_twice_in_a_row(browser, live_server, live_data, artifacts, width):
    """The answer is put into the kept frame of the page (views.caching.kept_frame): the second check
    is laid out as the first (screenshot in test-artifacts/receipt-check-*.png)."""
    context = browser.new_context(java_script_enabled=False, viewport={"width": width, "height": 800})
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        boxes = []
        for _ in range(2):
            page.goto(live_server + "/receipt")
            page.fill("#f-receipt", live_data["receipt"])
            with page.expect_navigation():
                page.click('#receipt-form button[type="submit"]')
            boxes.append(page.evaluate("""() => ({state: document.querySelector('.result .state').className,
              value: document.querySelector('#f-receipt').value,
              height: document.querySelector('.result').getBoundingClientRect().height,
              width: document.documentElement.clientWidth, scroll: document.documentElement.scrollWidth})"""))
        page.screenshot(path=str(artifacts / f"receipt-check-{width}.png"), full_page=True)
    finally:
        context.close()
    assert boxes[0] == boxes[1]
    assert "state-counted" in boxes[0]["state"] and boxes[0]["value"] == live_data["receipt"]
    assert boxes[0]["scroll"] <= boxes[0]["width"]

"""A voter votes with the keyboard alone (Tab, Space, Enter, arrow keys) in each ballot format."""

import re

import pytest

from tests.browser.keyboard import enter_code_and_open, review_and_submit, tab_to

pytestmark = pytest.mark.browser
RECEIPT = re.compile(r"^[A-Z0-9]{4}(-[A-Z0-9]{4}){3}$")


def test_approval_ballot_by_keyboard(page, live_server, voter_codes):
    enter_code_and_open(page, live_server, next(voter_codes), "approval")
    for code in ("p1", "p3"):
        tab_to(page, f"#p-{code}")
        page.keyboard.press("Space")
    assert page.is_checked("#p-p1") and page.is_checked("#p-p3") and not page.is_checked("#p-p2")
    assert page.inner_text("#ballot-counter") == "Projects ticked: 2 of at most 2."
    assert RECEIPT.match(review_and_submit(page))


def test_knapsack_counter_updates_live_and_the_ballot_is_cast_by_keyboard(page, live_server, voter_codes):
    enter_code_and_open(page, live_server, next(voter_codes), "knapsack")
    counter = page.locator("#ballot-counter")
    assert counter.get_attribute("aria-live") == "polite"
    assert counter.inner_text() == "Ticked: €0 of €80,000."
    tab_to(page, "#p-p1")
    page.keyboard.press("Space")
    assert counter.inner_text() == "Ticked: €40,000 of €80,000."
    tab_to(page, "#p-p3")
    page.keyboard.press("Space")
    assert counter.inner_text().startswith("Ticked: €90,000. That is €10,000 over the limit")
    assert "over" in counter.get_attribute("class")
    page.keyboard.press("Space")  # untick p3
    tab_to(page, "#p-p2")
    page.keyboard.press("Space")
    assert counter.inner_text() == "Ticked: €70,000 of €80,000."
    assert RECEIPT.match(review_and_submit(page))


def test_cumulative_ballot_by_keyboard(page, live_server, voter_codes):
    enter_code_and_open(page, live_server, next(voter_codes), "cumulative")
    tab_to(page, "#f-points-p1")
    page.keyboard.type("6")
    assert page.inner_text("#ballot-counter") == "Points left: 4 of 10."
    tab_to(page, "#f-points-p2")
    page.keyboard.press("ArrowUp")  # number inputs step with the arrow keys
    page.keyboard.press("ArrowUp")
    assert page.input_value("#f-points-p2") == "2"
    assert page.inner_text("#ballot-counter") == "Points left: 2 of 10."
    assert RECEIPT.match(review_and_submit(page))


def test_ranking_ballot_by_keyboard(page, live_server, voter_codes):
    enter_code_and_open(page, live_server, next(voter_codes), "ranking")
    tab_to(page, "#f-rank-1")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    tab_to(page, "#f-rank-2")
    page.keyboard.press("ArrowDown")
    assert (page.input_value("#f-rank-1"), page.input_value("#f-rank-2")) == ("p2", "p1")
    tab_to(page, 'button[value="review"]')
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.inner_text("ol.summary").splitlines() == ["Project p2", "Project p1"]
    tab_to(page, 'button[value="submit"]')
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert RECEIPT.match(page.inner_text(".receipt-code"))


def test_a_refused_ballot_comes_back_with_the_message_announced(page, live_server, voter_codes):
    enter_code_and_open(page, live_server, next(voter_codes), "approval")
    for code in ("p1", "p2", "p3"):
        tab_to(page, f"#p-{code}")
        page.keyboard.press("Space")
    tab_to(page, 'button[value="review"]')
    with page.expect_navigation():
        page.keyboard.press("Enter")
    alert = page.locator('[role="alert"]')
    assert "Projects chosen: 3. Choose at most 2." in alert.inner_text()

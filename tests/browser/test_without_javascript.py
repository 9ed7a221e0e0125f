"""The whole vote works with JavaScript disabled: the server checks every limit."""

import pytest

from tests.browser.keyboard import VOTE

pytestmark = pytest.mark.browser


def _enter_booth(page, live_server, code, budget_name):
    """Enter a voter code and open one budget's ballot, with plain form posts and links."""
    page.goto(live_server + VOTE)
    page.fill("#f-code", code)
    with page.expect_navigation():
        page.click("text=Continue")
    with page.expect_navigation():
        page.click(f"text={budget_name}")


def test_a_knapsack_vote_end_to_end_without_javascript(nojs_page, live_server, voter_codes, artifacts):
    page = nojs_page
    _enter_booth(page, live_server, next(voter_codes), "Knapsack pot")
    assert page.locator("#ballot-counter").is_hidden()  # the live counter needs JavaScript
    page.check("#p-p1")
    page.check("#p-p3")
    with page.expect_navigation():
        page.click('button[value="review"]')
    assert "more than the limit of €80,000" in page.inner_text('[role="alert"]')
    assert page.is_checked("#p-p1") and page.is_checked("#p-p3")  # the form comes back as it was
    page.uncheck("#p-p3")
    page.check("#p-p2")
    with page.expect_navigation():
        page.click('button[value="review"]')
    assert "Total cost: €70,000" in page.inner_text("main")
    with page.expect_navigation():
        page.click('button[value="change"]')
    assert page.is_checked("#p-p1") and page.is_checked("#p-p2")
    with page.expect_navigation():
        page.click('button[value="review"]')
    with page.expect_navigation():
        page.click('button[value="submit"]')
    receipt = page.inner_text(".receipt-code")
    assert page.locator("[data-print]").is_hidden()  # the print button needs JavaScript; the page prints anyway
    page.goto(live_server + "/receipt")
    page.fill("#f-receipt", receipt)
    with page.expect_navigation():
        page.click('#receipt-form button[type="submit"]')
    assert "Counted: this ballot is in the count of Knapsack pot" in page.inner_text("main")


def test_a_cumulative_vote_without_javascript(nojs_page, live_server, voter_codes):
    page = nojs_page
    _enter_booth(page, live_server, next(voter_codes), "Points pot")
    page.fill("#f-points-p1", "7")
    with page.expect_navigation():
        page.click('button[value="review"]')
    assert "Give at most 6 points to one project." in page.inner_text("main")
    page.fill("#f-points-p1", "6")
    page.fill("#f-points-p3", "4")
    with page.expect_navigation():
        page.click('button[value="review"]')
    with page.expect_navigation():
        page.click('button[value="submit"]')
    assert page.locator(".receipt-code").is_visible()


def test_the_results_page_shows_its_chart_and_figures_without_javascript(nojs_page, live_server):
    page = nojs_page
    page.goto(live_server + "/p/long-2027/results")
    assert page.locator("svg.chart text").count() > 8  # the server drew the chart
    assert page.locator("svg.chart").first.bounding_box()["height"] > 100
    goals = page.inner_text("#impact-sdg-district")
    assert "Goal 7: Affordable and clean energy" in goals and "€60,000" in goals

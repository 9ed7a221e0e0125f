"""axe-core finds no serious or critical violation on the main pages; screenshots for reviewers."""

import pytest

from tests.browser.keyboard import VOTE, enter_code_and_open

pytestmark = pytest.mark.browser

PAGES = {
    "home": "/",
    "process": "/p/vote-2027",
    "projects": "/p/vote-2027/projects",
    "vote-login": VOTE,
    "receipt-check": "/receipt",
    "results": "/p/results-2027/results",
}


def serious_violations(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
            for v in results.response["violations"] if v.get("impact") in ("serious", "critical")]


@pytest.mark.parametrize("name", sorted(PAGES))
def test_page_has_no_serious_accessibility_violation(page, live_server, name):
    page.goto(live_server + PAGES[name])
    assert serious_violations(page) == []


def test_project_page_has_no_serious_accessibility_violation(page, live_server, live_data):
    page.goto(f"{live_server}/p/results-2027/projects/{live_data['project_id']}")
    assert serious_violations(page) == []


@pytest.mark.parametrize("budget", ["approval", "knapsack", "cumulative", "ranking"])
def test_ballot_page_has_no_serious_accessibility_violation(page, live_server, voter_codes, artifacts, budget):
    enter_code_and_open(page, live_server, next(voter_codes), budget)
    assert serious_violations(page) == []
    page.screenshot(path=str(artifacts / f"ballot-{budget}.png"), full_page=True)


def test_receipt_check_result_has_no_serious_accessibility_violation(page, live_server, live_data):
    page.goto(live_server + "/receipt")
    page.fill("#f-receipt", live_data["receipt"])
    with page.expect_navigation():
        page.press("#f-receipt", "Enter")
    assert "Counted" in page.inner_text("main")
    assert serious_violations(page) == []


def test_results_page_screenshots_on_a_phone_and_a_desktop(browser, live_server, artifacts):
    for name, viewport in (("phone", {"width": 390, "height": 844}), ("desktop", {"width": 1280, "height": 900})):
        context = browser.new_context(viewport=viewport)
        page = context.new_page()
        page.goto(live_server + "/p/results-2027/results")
        assert page.locator('svg[role="img"]').first.is_visible()
        page.screenshot(path=str(artifacts / f"results-{name}.png"), full_page=True)
        context.close()
    assert (artifacts / "results-phone.png").stat().st_size > 0


def test_pages_still_work_at_200_percent_zoom(browser, live_server):
    # 200 % zoom on a 1280-wide screen is a 640-wide layout: nothing may need sideways scrolling.
    context = browser.new_context(viewport={"width": 640, "height": 800}, device_scale_factor=2)
    page = context.new_page()
    for path in ("/p/results-2027/results", "/p/vote-2027/projects", VOTE):
        page.goto(live_server + path)
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, path
    context.close()

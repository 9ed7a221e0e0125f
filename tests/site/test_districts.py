"""The booth offers the budgets a voter code is for (its district, the citywide pot), at most N of them."""

from __future__ import annotations

import html
import re

from tests.districts import districts
from tests.site.voting import ballot_form, count_ballots, enter_code, review, submit_review, tick, vote

BOOTH = "/p/town-2027/vote"


def _links(page) -> list[str]:
    return [a.get_text() for a in page.html.select("#offered a")]


def _listed(page, section: str) -> list[str]:
    return [li.get_text() for li in page.html.select(f"#{section} li")]


def _alert(page) -> str:
    return html.unescape(re.sub(r"\s+", " ", page.html.select_one("#ballot-error").get_text()).strip())


def test_a_district_code_is_offered_its_district_and_the_pot_and_told_why_not_the_other(testapp, db):
    made = districts(db)
    booth = enter_code(testapp, made.codes["north"][0]).follow()
    assert _links(booth) == ["North budget", "Town budget"]
    assert _listed(booth, "not-eligible") == ["South budget"]
    assert "Your voter code is not for these budgets" in booth.text
    assert booth.html.select_one('a[href$="/vote/south"]') is None
    vote(testapp, None, lambda form: tick(form, "p1"), budget="north")
    assert count_ballots(db) == 1


def test_a_district_code_cannot_vote_in_another_district_even_by_typing_its_address(testapp, db):
    made = districts(db)
    enter_code(testapp, made.codes["north"][0])
    page = testapp.get(f"{BOOTH}/south", status=403)
    assert "ballot-form" not in page.forms
    assert _alert(page) == ("Your voter code is not for the budget “South budget”: it was issued for "
                            "North budget, Town budget.")
    # a ballot posted straight to the budget (a form kept from elsewhere) is refused and not stored
    token = testapp.get_csrf_token(BOOTH)
    for action in ("review", "submit"):
        refused = testapp.post(f"{BOOTH}/south/review", {"csrf_token": token, "approvals": "p1", "action": action,
                                                          "submission": "k" * 22}, status=403)
        assert "Your voter code is not for the budget" in _alert(refused)
        assert "ballot-form" not in refused.forms
    assert count_ballots(db) == 0


def test_the_refusal_is_translated(testapp, db):
    made = districts(db)
    enter_code(testapp, made.codes["south"][0])
    page = testapp.get(f"{BOOTH}/north?_LOCALE_=fr", status=403)
    assert "Votre code de vote n’est pas valable pour le budget « North budget »" in _alert(page)
    booth = testapp.get(f"{BOOTH}?_LOCALE_=es")
    assert "Presupuestos para otros votantes" in booth.text


def test_at_most_n_budgets_then_the_others_are_no_longer_offered_but_a_ballot_can_still_be_changed(testapp, db):
    made = districts(db, max_budgets=1)
    entered = enter_code(testapp, made.codes["all"][0]).follow()
    assert "You can vote in at most 1 budget; you have voted in 0." in entered.text
    assert _links(entered) == ["North budget", "South budget", "Town budget"]
    receipt = vote(testapp, None, lambda form: tick(form, "p1"), budget="south")
    assert [a.get_text() for a in receipt.html.select("ul a")] == []  # no other budget left to vote in
    booth = testapp.get(BOOTH)
    assert _links(booth) == ["South budget"]
    assert _listed(booth, "limit-reached") == ["North budget", "Town budget"]
    assert "You have voted in 1 budget, the most this vote allows." in booth.text
    page = testapp.get(f"{BOOTH}/town", status=409)
    assert "ballot-form" not in page.forms
    assert "at most 1 of its budgets" in _alert(page)
    # changing the ballot already cast is not another budget
    again = vote(testapp, None, lambda form: tick(form, "p2"), budget="south")
    assert "It replaces your earlier ballot" in again.text
    assert count_ballots(db, current_only=True) == 1


def test_a_review_page_kept_open_is_refused_once_the_limit_is_reached_elsewhere(testapp, db):
    made = districts(db, max_budgets=2)
    enter_code(testapp, made.codes["all"][0])
    kept = review(tick(ballot_form(testapp, "town"), "p1"))  # a third tab, reviewed before the others
    vote(testapp, None, lambda form: tick(form, "p1"), budget="north")
    vote(testapp, None, lambda form: tick(form, "p1"), budget="south")
    refused = submit_review(kept, status=409)
    assert "at most 2 of its budgets" in _alert(refused)
    assert count_ballots(db) == 2


def test_a_code_for_every_budget_is_offered_all_of_them_as_before(testapp, db):
    made = districts(db)
    booth = enter_code(testapp, made.codes["all"][0]).follow()
    assert _links(booth) == ["North budget", "South budget", "Town budget"]
    assert booth.html.select_one("#not-eligible") is None and booth.html.select_one("#budget-limit") is None
    for budget in ("north", "south", "town"):
        vote(testapp, None, lambda form: tick(form, "p3"), budget=budget)
    assert count_ballots(db) == 3

"""Approval and knapsack ballots through the real forms: stored when valid, refused with a message otherwise."""

from sqlalchemy import select

from pbengine.models import Ballot
from tests.site.voting import ballot_form, count_ballots, enter_code, open_vote, review, submit_review, tick


def test_valid_approval_ballot_is_stored_after_review_and_a_receipt_is_shown(testapp, db):
    _process, _budgets, codes = open_vote(db, kind="approval", max_length=2)
    enter_code(testapp, codes[0])
    page = review(tick(ballot_form(testapp), "p1", "p3"))
    assert "Check your ballot" in page.text
    assert count_ballots(db) == 0  # the review stores nothing
    receipt = submit_review(page).follow()
    assert "Your ballot is in" in receipt.text
    stored = db.scalars(select(Ballot)).one()
    assert stored.content == {"approvals": ["p1", "p3"]}
    assert codes[0] not in receipt.text


def test_approval_ballot_over_the_maximum_is_refused_and_nothing_is_stored(testapp, db):
    _process, _budgets, codes = open_vote(db, kind="approval", max_length=2)
    enter_code(testapp, codes[0])
    page = review(tick(ballot_form(testapp), "p1", "p2", "p3"), status=422)
    assert "Projects chosen: 3. Choose at most 2." in page.text
    assert 'role="alert"' in page.text
    # The form comes back bound: the three ticks are still there.
    assert page.text.count("checked") == 3
    assert count_ballots(db) == 0


def test_approval_ballot_under_the_minimum_is_refused(testapp, db):
    _process, _budgets, codes = open_vote(db, kind="approval", min_length=2)
    enter_code(testapp, codes[0])
    page = review(tick(ballot_form(testapp), "p1"), status=422)
    assert "Projects chosen: 1. Choose at least 2." in page.text
    assert count_ballots(db) == 0


def test_submitting_a_tampered_review_form_is_checked_again_by_the_server(testapp, db):
    _process, _budgets, codes = open_vote(db, kind="approval", max_length=1)
    enter_code(testapp, codes[0])
    page = review(tick(ballot_form(testapp), "p1"))
    form = page.forms["review-form"]
    form.fields["approvals"][0].value = "p9"  # not on this ballot
    refused = form.submit("action", value="submit", status=422)
    assert "not on this ballot" in refused.text
    assert count_ballots(db) == 0


def test_valid_knapsack_ballot_within_the_limit_is_stored(testapp, db):
    _process, _budgets, codes = open_vote(db, kind="knapsack", max_sum_cost=80_000)
    enter_code(testapp, codes[0])
    form = ballot_form(testapp)
    assert "Limit: €80,000 in all." in form.response.text
    page = review(tick(form, "p1", "p2"))
    assert "Total cost: €70,000" in page.text
    submit_review(page)
    assert count_ballots(db) == 1


def test_knapsack_ballot_over_the_limit_is_refused_with_the_totals(testapp, db):
    _process, _budgets, codes = open_vote(db, kind="knapsack", max_sum_cost=80_000)
    enter_code(testapp, codes[0])
    page = review(tick(ballot_form(testapp), "p1", "p3"), status=422)
    assert ("The projects you ticked cost €90,000 together, more than the limit of €80,000. "
            "Untick a project.") in page.text
    assert count_ballots(db) == 0


def test_knapsack_limit_defaults_to_the_budget(testapp, db):
    _process, _budgets, codes = open_vote(db, kind="knapsack")  # amount 100 000
    enter_code(testapp, codes[0])
    page = review(tick(ballot_form(testapp), "p1", "p2", "p3"), status=422)
    assert "more than the limit of €100,000" in page.text
    assert count_ballots(db) == 0


def test_change_button_brings_back_the_filled_ballot(testapp, db):
    _process, _budgets, codes = open_vote(db, kind="approval")
    enter_code(testapp, codes[0])
    page = review(tick(ballot_form(testapp), "p2"))
    back = page.forms["review-form"].submit("action", value="change")
    form = back.forms["ballot-form"]
    assert [box.checked for box in form.fields["approvals"]] == [False, True, False]
    assert count_ballots(db) == 0

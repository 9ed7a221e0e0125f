"""One current ballot per voter code and budget: replaced when re-voting is allowed, refused otherwise."""

from tests.site.voting import (
    ballot_form,
    count_ballots,
    enter_code,
    open_vote,
    review,
    submit_review,
    tick,
    vote,
)


def test_with_revoting_the_earlier_ballot_is_replaced_not_added(testapp, db):
    _process, _budgets, codes = open_vote(db, kind="approval", allow_revote=True)
    vote(testapp, codes[0], lambda form: tick(form, "p1"))
    form = ballot_form(testapp)
    assert "If you submit a new ballot, it replaces the earlier one." in form.response.text
    assert [box.checked for box in form.fields["approvals"]] == [False, False, False]  # not the earlier vote
    page = review(tick(form, "p2"))
    assert "Submitting replaces the ballot you cast earlier" in page.text
    receipt = submit_review(page).follow()
    assert "It replaces your earlier ballot" in receipt.text
    assert count_ballots(db) == 2
    assert count_ballots(db, current_only=True) == 1


def test_without_revoting_a_used_code_is_refused_and_nothing_is_added(testapp, db):
    _process, _budgets, codes = open_vote(db, kind="approval", allow_revote=False)
    enter_code(testapp, codes[0])
    # Two review pages open at once (two tabs): the second submission must be refused.
    first = review(tick(ballot_form(testapp), "p1"))
    second = review(tick(ballot_form(testapp), "p2"))
    submit_review(first)
    refused = submit_review(second, status=409)
    assert "This voter code has already been used for this budget" in refused.text
    assert count_ballots(db) == 1
    page = testapp.get("/p/town-2027/vote/citywide")
    assert "this vote does not allow changing a ballot" in page.text
    assert "ballot-form" not in page.forms


def test_each_budget_takes_its_own_ballot_and_the_booth_shows_which_are_done(testapp, db):
    _process, _budgets, codes = open_vote(db, kind="approval", budgets=2)
    entered = enter_code(testapp, codes[0]).follow()
    assert entered.text.count("Not voted yet.") == 2
    vote(testapp, None, lambda form: tick(form, "p1"), budget="pot1")
    booth = testapp.get("/p/town-2027/vote")
    assert booth.text.count("Your ballot is in.") == 1
    assert booth.text.count("Not voted yet.") == 1
    assert count_ballots(db) == 1


def test_two_voters_each_have_a_ballot(testapp, db):
    _process, _budgets, codes = open_vote(db, kind="approval")
    vote(testapp, codes[0], lambda form: tick(form, "p1"))
    testapp.reset()
    vote(testapp, codes[1], lambda form: tick(form, "p1", "p2"))
    assert count_ballots(db, current_only=True) == 2


def test_re_voting_shows_a_blank_ballot_in_every_format(testapp, db):
    """On a shared computer the next person must not see the earlier vote."""
    from tests.site.voting import enter_code

    _process, _budgets, codes = open_vote(db, kind="cumulative", max_sum_points=10)
    enter_code(testapp, codes[0])
    form = ballot_form(testapp)
    form["points-p1"] = "7"
    form["points-p3"] = "3"
    submit_review(review(form)).follow()
    page = testapp.get("/p/town-2027/vote/citywide")
    assert "If you submit a new ballot, it replaces the earlier one." in page.text
    form = page.forms["ballot-form"]
    assert [form[f"points-{code}"].value for code in ("p1", "p2", "p3")] == ["", "", ""]
    assert 'value="7"' not in page.text

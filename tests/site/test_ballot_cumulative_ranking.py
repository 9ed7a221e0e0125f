"""Cumulative and ranking ballots through the real forms."""

from sqlalchemy import select

from pbengine.models import Ballot
from tests.site.voting import ballot_form, count_ballots, enter_code, open_vote, review, submit_review


def points(form, **given):
    for code in ("p1", "p2", "p3"):
        form[f"points-{code}"] = str(given.get(code, ""))
    return form


def rank(form, *codes):
    for place in range(1, 4):
        if f"rank-{place}" in form.fields:
            form[f"rank-{place}"] = codes[place - 1] if place <= len(codes) else ""
    return form


def test_valid_cumulative_ballot_is_stored_without_empty_projects(testapp, db):
    _process, _budgets, codes = open_vote(db, kind="cumulative", max_sum_points=10, max_points_per_project=6)
    enter_code(testapp, codes[0])
    form = ballot_form(testapp)
    assert "You have 10 points in all." in form.response.text
    page = review(points(form, p1=6, p3=4))
    assert "Points used: 10 of 10" in page.text
    submit_review(page)
    assert db.scalars(select(Ballot)).one().content == {"points": {"p1": 6, "p3": 4}}


def test_cumulative_ballot_over_the_total_is_refused(testapp, db):
    _process, _budgets, codes = open_vote(db, kind="cumulative", max_sum_points=10)
    enter_code(testapp, codes[0])
    page = review(points(ballot_form(testapp), p1=6, p2=5), status=422)
    assert "Points given in all: 11. Give at most 10." in page.text
    assert 'value="6"' in page.text and 'value="5"' in page.text
    assert count_ballots(db) == 0


def test_cumulative_ballot_over_the_per_project_limit_is_refused_beside_that_project(testapp, db):
    _process, _budgets, codes = open_vote(db, kind="cumulative", max_sum_points=10, max_points_per_project=5)
    enter_code(testapp, codes[0])
    page = review(points(ballot_form(testapp), p2=7), status=422)
    assert "Points given to “Project p2”: 7. Give at most 5 points to one project." in page.text
    assert 'id="f-points-p2-error"' in page.text
    assert count_ballots(db) == 0


def test_cumulative_ballot_with_negative_points_is_refused(testapp, db):
    _process, _budgets, codes = open_vote(db, kind="cumulative", max_sum_points=10)
    enter_code(testapp, codes[0])
    page = review(points(ballot_form(testapp), p1=-3, p2=4), status=422)
    assert "Points cannot be negative (“Project p1”)." in page.text
    assert count_ballots(db) == 0


def test_cumulative_ballot_with_a_word_instead_of_a_number_is_refused(testapp, db):
    _process, _budgets, codes = open_vote(db, kind="cumulative", max_sum_points=10)
    enter_code(testapp, codes[0])
    page = review(points(ballot_form(testapp), p1="lots"), status=422)
    assert "Enter a whole number" in page.text
    assert count_ballots(db) == 0


def test_valid_ranking_ballot_is_stored_in_order(testapp, db):
    _process, _budgets, codes = open_vote(db, kind="ranking", rank_length=2)
    enter_code(testapp, codes[0])
    form = ballot_form(testapp)
    assert "rank-3" not in form.fields  # two places only
    page = review(rank(form, "p3", "p1"))
    assert page.text.index("Project p3") < page.text.index("Project p1")
    submit_review(page)
    assert db.scalars(select(Ballot)).one().content == {"ranking": ["p3", "p1"]}


def test_ranking_the_same_project_twice_is_refused(testapp, db):
    _process, _budgets, codes = open_vote(db, kind="ranking", rank_length=3)
    enter_code(testapp, codes[0])
    page = review(rank(ballot_form(testapp), "p2", "p2"), status=422)
    assert "You chose “Project p2” more than once. Choose each project only once." in page.text
    assert count_ballots(db) == 0


def test_ranking_with_too_few_places_filled_is_refused(testapp, db):
    _process, _budgets, codes = open_vote(db, kind="ranking", rank_length=3, min_length=2)
    enter_code(testapp, codes[0])
    page = review(rank(ballot_form(testapp), "p1"), status=422)
    assert "Projects chosen: 1. Choose at least 2." in page.text
    assert count_ballots(db) == 0


def test_ranking_more_places_than_allowed_is_refused_by_the_server(testapp, db):
    _process, _budgets, codes = open_vote(db, kind="ranking", rank_length=2)
    enter_code(testapp, codes[0])
    form = rank(ballot_form(testapp), "p1", "p2")
    # A hand-made request with a third place: the form has only two.
    page = testapp.post(form.action, {"csrf_token": form["csrf_token"].value, "rank-1": "p1", "rank-2": "p2",
                                      "rank-3": "p3", "action": "submit"}, status=422)
    assert "This ballot has places 1 to 2: there is no place “3”." in page.text  # refused, not dropped
    assert count_ballots(db) == 0

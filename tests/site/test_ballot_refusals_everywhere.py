"""One ballot, one answer: the site, the API and the console's paper ballots read a ballot the same
way and refuse it with the same specific message, in the reader's language."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import select

from pbengine.models import Ballot, Process, Role
from pbengine.services import codes as voter_codes
from tests.conftest import TEST_SETTINGS
from tests.console.support import login_as
from tests.helpers import TestApp, commit, make_budget, make_process
from tests.site.voting import SLUG, count_ballots, enter_code, move

OVER = ("Les projets cochés coûtent 70\u202f000\u00a0€ ensemble, plus que la limite de 60\u202f000\u00a0€. "
        "Décochez un projet.")


@pytest.fixture
def town(db):
    """A process open for voting with a knapsack budget (limit 60 000 €), a 3-place ranking and
    a cumulative budget (10 points, at most 6 per project)."""
    process = make_process(db)
    budgets = {
        "pot": make_budget(db, process, slug="pot", kind="knapsack", max_sum_cost=60_000),
        "rank": make_budget(db, process, slug="rank", kind="ranking", rank_length=3),
        "points": make_budget(db, process, slug="points", kind="cumulative", max_sum_points=10,
                              max_points_per_project=6),
    }
    ids = {slug: (process.id, budget.id) for slug, budget in budgets.items()}
    move(db, process, "proposals", "review", "voting")
    generated = voter_codes.generate(db, TEST_SETTINGS["pbengine.code_key"], process, 2, "test")
    commit(db)
    return ids, [code for _reference, code in generated.codes]


@pytest.fixture
def organizer(wsgi_app, db, town):
    """A moderator of the process, logged in the console in another browser."""
    browser = TestApp(wsgi_app, extra_environ={"REMOTE_ADDR": "198.51.100.8"})
    process = db.get(Process, next(iter(town[0].values()))[0])
    login_as(browser, db, email="mod@example.org", roles=[(process, Role.MODERATOR)])
    return browser


def shown(page) -> dict[str, str]:
    """The refusal a page shows: each field's message, and the form's (``_form``)."""
    found = {name: html.unescape(text.strip()) for name, text in
             re.findall(r'<p class="error" id="f-([^"]+)-error"[^>]*>([^<]+)</p>', page.text)}
    form = re.search(r'id="(?:ballot-error|form-error)">(?:<p>)?([^<]+)<', page.text)
    if form:
        found["_form"] = html.unescape(form.group(1).strip())
    return found


def on_site(testapp, code, budget, fields, status):
    enter_code(testapp, code)
    form = testapp.get(f"/p/{SLUG}/vote/{budget}").forms["ballot-form"]
    posted = [("csrf_token", form["csrf_token"].value), ("action", "review"), *fields]
    return testapp.post(form.action, posted, status=status)


def on_paper(organizer, ids, budget, fields, status):
    process_id, budget_id = ids[budget]
    url = f"/console/processes/{process_id}/budgets/{budget_id}/paper"
    form = organizer.get(url).forms["paper-form"]
    posted = [("csrf_token", form["csrf_token"].value), ("submission", form["submission"].value), *fields]
    return organizer.post(url, posted, status=status)


def test_an_over_limit_ballot_is_refused_in_french_on_the_site_the_api_and_paper(testapp, organizer, db, town):
    ids, codes = town
    ticked = [("approvals", "p1"), ("approvals", "p2")]  # 40 000 € + 30 000 €
    testapp.set_cookie("_LOCALE_", "fr")
    organizer.set_cookie("_LOCALE_", "fr")

    assert shown(on_site(testapp, codes[0], "pot", ticked, 422)) == {"_form": OVER}
    answer = testapp.post_json(f"/api/v1/processes/{SLUG}/budgets/pot/ballots",
                               {"voter_code": codes[1], "approvals": ["p1", "p2"]}, status=422).json
    assert answer == {"code": "ballot_invalid", "reason": "over_cost_limit", "message": OVER}
    assert shown(on_paper(organizer, ids, "pot", ticked, 422)) == {"_form": OVER}
    assert count_ballots(db) == 0


def test_points_over_a_project_limit_name_the_project_in_french_everywhere(testapp, organizer, db, town):
    ids, codes = town
    testapp.set_cookie("_LOCALE_", "fr")
    organizer.set_cookie("_LOCALE_", "fr")
    said = "Points donnés à «\u00a0Project p2\u00a0»\u00a0: 7. Donnez au plus 6 points à un même projet."

    assert shown(on_site(testapp, codes[0], "points", [("points-p2", "7")], 422)) == {"points-p2": said}
    answer = testapp.post_json(f"/api/v1/processes/{SLUG}/budgets/points/ballots",
                               {"voter_code": codes[1], "points": {"p2": 7}}, status=422).json
    assert (answer["reason"], answer["message"], answer["errors"]) == (
        "too_many_points_on_project", said, {"points-p2": said})
    assert shown(on_paper(organizer, ids, "points", [("points-p2", "7")], 422)) == {"points-p2": said}


GAP = ("Place 2 is empty but place 3 is filled. Fill the places in order from place 1, without a gap, "
       "or leave the last places empty.")
TWICE = "You chose “Project p1” more than once. Choose each project only once."
SENT_TWICE = "This field was sent more than once. Reload the page and try again."


@pytest.mark.parametrize(("budget", "fields", "refusal"), [
    ("rank", [("rank-1", "p1"), ("rank-3", "p3")], {"rank-2": GAP}),  # a gap
    ("rank", [("rank-1", "p1"), ("rank-2", "p1")], {"_form": TWICE}),  # one project at two places
    ("rank", [("rank-1", "p1"), ("rank-2", "p2"), ("rank-2", "p3")], {"rank-2": SENT_TWICE}),  # one place twice
    ("rank", [("rank-1", "p1"), ("rank-two", "p2")],
     {"_form": "This ballot has places 1 to 3: there is no place “two”."}),  # a place that is not a number
    ("rank", [("rank-1", "p1"), ("rank-4", "p2")],
     {"_form": "This ballot has places 1 to 3: there is no place “4”."}),  # a place the ballot does not have
    ("points", [("points-p1", "lots")], {"points-p1": "Enter a whole number, like 12500."}),  # not a number
    ("points", [("points-p1", "-3")], {"points-p1": "Points cannot be negative (“Project p1”)."}),
    ("points", [("points-p9", "3")],
     {"_form": "A project you chose is not on this ballot. Reload the page and try again."}),
])
def test_a_ballot_entered_on_the_site_and_on_paper_gets_the_same_refusal(testapp, organizer, db, town,
                                                                        budget, fields, refusal):
    ids, codes = town
    assert shown(on_site(testapp, codes[0], budget, fields, 422)) == refusal
    assert shown(on_paper(organizer, ids, budget, fields, 422)) == refusal
    assert count_ballots(db) == 0


def test_a_ranking_entered_on_the_site_and_on_paper_is_stored_the_same(testapp, organizer, db, town):
    ids, codes = town
    fields = [("rank-1", "p2"), ("rank-2", "p1"), ("rank-3", "")]
    review = on_site(testapp, codes[0], "rank", fields, 200)
    review.forms["review-form"].submit("action", value="submit", status=303)
    on_paper(organizer, ids, "rank", fields, 303)
    commit(db)
    assert sorted((b.channel, b.content["ranking"]) for b in db.scalars(select(Ballot))) == [
        ("online", ["p2", "p1"]), ("paper", ["p2", "p1"])]

"""A ranking keeps the places as given: a gap (places 1 and 3, not 2) is refused, never closed up."""

from __future__ import annotations

import re

import pytest

from pbengine.services import ballots
from pbengine.services.errors import BallotInvalid
from tests.console.support import error_beside, login_as, snapshot
from tests.helpers import make_budget, make_process
from tests.site.voting import ballot_form, count_ballots, enter_code, open_vote, review
from voting_rules import PabulibError, read_pb

GAP = "Place 2 is empty but place 3 is filled."


def test_a_ranking_with_a_gap_is_refused_on_the_site_beside_the_empty_place(testapp, db):
    _process, _budgets, codes = open_vote(db, kind="ranking", rank_length=3)
    enter_code(testapp, codes[0])
    form = ballot_form(testapp)
    form["rank-1"], form["rank-3"] = "p1", "p3"
    page = review(form, status=422)
    assert error_beside(page, "rank-2").startswith(GAP)
    assert re.search(r'id="f-rank-2"[^>]*aria-describedby="f-rank-2-error"', page.text)
    assert '<a href="#f-rank-2">' in page.text  # the summary at the top links to the place
    # the voter's places are shown again as given, not compacted
    assert re.search(r'name="rank-3"[^>]*>.*?<option value="p3"[^>]*selected', page.text, re.S)
    assert count_ballots(db) == 0


def test_empty_last_places_are_a_shorter_ranking_not_a_gap(testapp, db):
    _process, _budgets, codes = open_vote(db, kind="ranking", rank_length=3)
    enter_code(testapp, codes[0])
    form = ballot_form(testapp)
    form["rank-1"], form["rank-2"] = "p2", "p1"
    page = review(form)
    assert 'name="rank-1" value="p2"' in page.text and 'name="rank-3"' not in page.text


def test_a_paper_ranking_with_a_gap_is_refused(testapp, db):
    _process, (budget,), _codes = open_vote(db, kind="ranking", rank_length=3)
    process = budget.process
    login_as(testapp, db, is_admin=True)
    url = f"/console/processes/{process.id}/budgets/{budget.id}/paper"
    form = testapp.get(url).forms["paper-form"]
    form["rank-1"], form["rank-3"] = "p3", "p1"
    before = snapshot(db)
    page = form.submit(status=422)
    assert error_beside(page, "rank-2").startswith(GAP)
    assert snapshot(db) == before


def test_the_service_refuses_the_gap_in_any_language(db):
    process = make_process(db)
    budget = make_budget(db, process, kind="ranking", rank_length=3)
    with pytest.raises(BallotInvalid) as refused:
        ballots.validate(budget, {"ranking": ["p1", None, "p3"]})
    assert refused.value.field == "rank-2"
    assert ballots.validate(budget, {"ranking": ["p1", "p3", ""]}) == {"ranking": ["p1", "p3"]}


PB = """META
key;value
description;gap
num_projects;3
num_votes;1
budget;100
vote_type;ordinal
PROJECTS
project_id;cost
a;10
b;20
c;30
VOTES
voter_id;vote
v1;{vote}
"""


def test_a_pabulib_ranking_with_an_empty_place_is_refused_not_compacted():
    with pytest.raises(PabulibError, match="leaves place 2 of the ranking empty"):
        read_pb(PB.format(vote="a,,c"))
    assert read_pb(PB.format(vote="a,c,")).ballots[0].ranking == ("a", "c")

"""Voter codes shown once (print page or CSV), revocation, and paper ballots entered by a moderator."""

from __future__ import annotations

import csv
import io
import re

import pytest
from sqlalchemy import select

from pbengine.models import Ballot, CodeBatch, Process, Role, VoterCode
from pbengine.services import codes, workflow
from pbengine.services.errors import CodeInvalid
from tests.console.support import form_alert, login_as, snapshot
from tests.helpers import commit, make_budget, make_process


def _codes_form(testapp, process, size="3", fmt="print"):
    form = testapp.get(f"/console/processes/{process.id}/codes").forms["codes-form"]
    form["size"], form["label"], form["format"] = size, "Desk at the town hall", fmt
    return form


def test_printable_codes_page_is_the_only_copy_and_is_not_cached(testapp, db):
    process = make_process(db)
    login_as(testapp, db, is_admin=True)
    page = _codes_form(testapp, process).submit()
    assert page.headers["Cache-Control"] == "no-store"
    cards = page.html.select("li.code-card")
    assert len(cards) == 3
    plain = [card.select_one(".code").get_text() for card in cards]
    references = [card.select_one(".reference").get_text() for card in cards]
    assert all(codes.find(db, "test-code-key", process, code) for code in plain)
    assert "@media print" in page.text
    # Nothing readable is stored: only keyed hashes.
    stored = db.scalars(select(VoterCode.code_hash)).all()
    assert not any(codes.normalise(code) in " ".join(stored) for code in plain)
    assert db.scalars(select(CodeBatch)).one().downloaded
    listing = testapp.get(f"/console/processes/{process.id}/codes")
    assert all(code not in listing.text for code in plain)
    assert "3 codes issued, 0 used, 0 revoked." in listing.text

    form = listing.forms["revoke-form"]
    form["reference"] = references[0]
    assert "revoked" in form.submit().forms["confirm-form"].submit().follow().text
    with pytest.raises(CodeInvalid):
        codes.find(db, "test-code-key", process, plain[0])


def test_codes_as_a_csv_attachment(testapp, db):
    process = make_process(db, slug="valley")
    login_as(testapp, db, is_admin=True)
    response = _codes_form(testapp, process, size="2", fmt="csv").submit()
    assert response.content_type == "text/csv"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["Cache-Control"] == "no-store"
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert len(rows) == 2 and {r["url"] for r in rows} == {"http://localhost/p/valley/vote"}
    assert all(re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}", r["code"]) for r in rows)


def _voting(db, process):
    process = db.get(Process, process.id)
    for phase in ("proposals", "review", "voting"):
        workflow.move_to(db, process, phase)
    commit(db)


def _paper(testapp, db, kind, **limits):
    process = make_process(db)
    budget = make_budget(db, process, kind=kind, **limits)
    _voting(db, process)
    login_as(testapp, db, email="mod@example.org", roles=[(process, Role.MODERATOR)])
    url = f"/console/processes/{process.id}/budgets/{budget.id}/paper"
    return url, testapp.get(url).forms["paper-form"]


def _paper_ballots(db):
    return [(b.channel, b.slot, b.content) for b in db.scalars(select(Ballot))]


def test_paper_approval_ballot_is_recorded_with_checkboxes(testapp, db):
    url, form = _paper(testapp, db, "approval", max_length=2)
    form.get("approvals", index=0).checked = True
    form.get("approvals", index=2).checked = True
    page = form.submit().follow()
    assert "Paper ballot recorded" in page.text
    assert _paper_ballots(db) == [("paper", None, {"approvals": ["p1", "p3"]})]


def test_a_paper_ballot_records_the_organizer_who_entered_it(testapp, db):
    url, form = _paper(testapp, db, "approval", max_length=2)
    form.get("approvals", index=0).checked = True
    page = form.submit().follow()
    commit(db)
    assert [b.entered_by for b in db.scalars(select(Ballot))] == ["mod@example.org"]
    assert "Paper ballots entered so far, by organizer:" in page.text
    assert '<span class="entered-by">mod@example.org: 1</span>' in page.text


def test_a_paper_ballot_submitted_twice_is_recorded_once_with_one_receipt(testapp, db):
    url, form = _paper(testapp, db, "approval", max_length=2)
    form.get("approvals", index=1).checked = True
    first = form.submit().follow()  # the same form sent twice: a double click, or a resend after a timeout
    second = form.submit().follow()
    assert "Paper ballot recorded" in first.text and "already recorded" in second.text
    receipts = [re.search(r"receipt ([A-Z0-9-]{19})", page.text).group(1) for page in (first, second)]
    assert receipts[0] == receipts[1]
    assert _paper_ballots(db) == [("paper", None, {"approvals": ["p2"]})]
    form = testapp.get(url).forms["paper-form"]  # the next paper ballot: a new form, a new key
    form.get("approvals", index=1).checked = True
    assert "Paper ballot recorded" in form.submit().follow().text
    assert len(_paper_ballots(db)) == 2


def test_paper_ballot_is_validated_like_an_online_one(testapp, db):
    url, form = _paper(testapp, db, "approval", max_length=1)
    form.get("approvals", index=0).checked = True
    form.get("approvals", index=1).checked = True
    before = snapshot(db)
    page = form.submit(status=422)
    assert form_alert(page)
    assert 'checked' in page.text
    assert snapshot(db) == before


def test_paper_cumulative_ballot_uses_number_inputs(testapp, db):
    url, form = _paper(testapp, db, "cumulative", max_sum_points=10)
    form["points-p1"], form["points-p2"] = "7", "3"
    form.submit(status=303)
    assert _paper_ballots(db) == [("paper", None, {"points": {"p1": 7, "p2": 3}})]
    form = testapp.get(url).forms["paper-form"]
    form["points-p1"], form["points-p3"] = "9", "9"
    form.submit(status=422)
    assert len(_paper_ballots(db)) == 1


def test_paper_ranking_ballot_uses_rank_selects(testapp, db):
    url, form = _paper(testapp, db, "ranking", rank_length=2)
    assert "rank-3" not in form.fields
    form["rank-1"], form["rank-2"] = "p3", "p1"
    form.submit(status=303)
    assert _paper_ballots(db) == [("paper", None, {"ranking": ["p3", "p1"]})]


def test_paper_ballots_are_refused_outside_the_vote(testapp, db):
    process = make_process(db)
    budget = make_budget(db, process)
    login_as(testapp, db, is_admin=True)
    token = testapp.get_csrf_token("/console")
    page = testapp.post(f"/console/processes/{process.id}/budgets/{budget.id}/paper",
                        {"csrf_token": token, "approvals": "p1"}, status=409)
    assert "Voting is not open" in page.text
    assert _paper_ballots(db) == []

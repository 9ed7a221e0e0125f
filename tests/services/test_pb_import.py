"""A whole budget from a pabulib file: projects and ballots, all or nothing, counted and verifiable."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from pbengine.models import AuditEvent, Ballot, Budget, Phase, Project
from pbengine.services import export, pb_import, tallies, workflow
from pbengine.services.errors import ConfigurationLocked, InvalidInput
from pbengine.verify import verify_files
from tests.conftest import SHARED_PABULIB
from tests.console.support import snapshot
from tests.helpers import make_budget, make_process
from voting_rules import compute, params_from_meta, read_pb

SMALL = """META
key;value
description;Old town 2024
subunit;Old town
num_projects;3
num_votes;4
budget;1000.50
vote_type;approval
max_length;2
rule;greedy
currency;EUR
PROJECTS
project_id;cost;name
A;600.25;Bakery
B;400.25;Garden
C;300;Bench
VOTES
voter_id;vote
1;A,B
2;A,A
3;B,C
4;C
"""


def _import(db, process, text=SMALL, name="old-town.pb", **kwargs):
    return pb_import.import_pb(db, process, name, text.encode(), **kwargs)


def _count(db, model, **where):
    query = select(func.count()).select_from(model)
    for key, value in where.items():
        query = query.where(getattr(model, key) == value)
    return db.scalar(query)


def test_a_small_file_becomes_a_budget_with_its_projects_and_ballots(db):
    process = make_process(db)
    done = _import(db, process)
    budget = done.budget
    assert (budget.slug, budget.name, budget.amount, budget.ballot_kind, budget.max_length, budget.rule) == \
        ("old-town", "Old town", 100_050, "approval", 2, "greedy")
    assert [(p.code, p.title, p.cost) for p in budget.projects] == [
        ("A", "Bakery", 60_025), ("B", "Garden", 40_025), ("C", "Bench", 30_000)]
    ballots = db.scalars(select(Ballot).where(Ballot.budget_id == budget.id)).all()
    assert len(ballots) == 4 and {b.channel for b in ballots} == {"imported"}
    assert all(b.slot is None for b in ballots)
    assert sorted(b.content["approvals"] for b in ballots) == [["A"], ["A", "B"], ["B", "C"], ["C"]]
    assert done.warnings == ["line 20: voter 2 names project A 2 times; counted once"]
    event = db.scalars(select(AuditEvent).where(AuditEvent.kind == "ballots.imported")).one()
    assert event.payload["ballots"] == 4 and event.payload["file_sha256"] == done.file_sha256
    assert event.payload["budget"] == "old-town"


def test_imported_ballots_are_counted_like_the_file_and_the_export_verifies(db):
    process = make_process(db)
    budget = _import(db, process).budget
    for phase in (Phase.PROPOSALS, Phase.REVIEW, Phase.VOTING, Phase.CLOSED):
        workflow.move_to(db, process, phase)
    tally = tallies.compute_budget(db, budget)
    election = read_pb(SMALL)
    direct = compute(election, params_from_meta(election.meta))
    assert tally.result["funded"] == direct.funded
    # C (300) and B (400.25) tie A on votes and cost less; A no longer fits: 700.25 spent, exactly.
    assert tally.result["funded"] == ["C", "B"]
    assert tally.result["spent"] == "2801/4" == f"{direct.spent.numerator}/{direct.spent.denominator}"
    workflow.move_to(db, process, Phase.PUBLISHED)
    files = export.build(db, process)
    assert verify_files(files) == []
    assert "budget;1000.50" not in files["old-town.pb"].decode() and "A;600.25" in files["old-town.pb"].decode()
    tampered = dict(files)
    tampered["audit-log.jsonl"] = files["audit-log.jsonl"].replace(b'"ballots": 4', b'"ballots": 5')
    assert any("audit-log" in p or "imported" in p for p in verify_files(tampered))


@pytest.mark.parametrize(("change", "message"), [
    (("B;400.25", "B;-400"), "line 15: cost -400 of project B is negative"),
    (("currency;EUR", "currency;PLN"), "The file counts in PLN, this process in EUR."),
    (("A;600.25", "A;600.255"), "project A has more decimals than EUR allows (2)."),
    (("3;B,C", "3;B,C,A"),
     "1 ballots of the file break its own limits (first: ballot 3: Projects chosen: 3. Choose at most 2.)"),
    (("A;600.25", "A;6000"), "Project A: The cost is larger than the whole budget."),
])
def test_a_bad_file_is_refused_whole(db, change, message):
    process = make_process(db)
    before = snapshot(db)
    with pytest.raises(InvalidInput) as refused:
        with db.begin_nested():
            _import(db, process, SMALL.replace(*change))
    assert message.lower() in str(refused.value).lower()
    assert snapshot(db) == before


def test_no_import_once_the_configuration_is_locked(db):
    process = make_process(db)
    make_budget(db, process)
    for phase in (Phase.PROPOSALS, Phase.REVIEW, Phase.VOTING):
        workflow.move_to(db, process, phase)
    with pytest.raises(ConfigurationLocked):
        _import(db, process)


def test_a_real_file_with_cents_imports_and_reproduces_its_selected_column(db):
    path = SHARED_PABULIB / "Poland_Warszawa_2017_Grochow_Kinowa.pb"
    process = make_process(db, currency="PLN")
    budget = pb_import.import_pb(db, process, path.name, path.read_bytes()).budget
    assert budget.amount == 21_682_941 and budget.max_sum_cost == 21_682_941
    assert _count(db, Ballot, budget_id=budget.id) == 713
    assert _count(db, Project, budget_id=budget.id) == 15
    for phase in (Phase.PROPOSALS, Phase.REVIEW, Phase.VOTING, Phase.CLOSED):
        workflow.move_to(db, process, phase)
    tally = tallies.compute_budget(db, budget)
    selected = {p.id for p in read_pb(path).projects if p.extra["selected"] == "1"}
    assert set(tally.result["funded"]) == selected
    assert db.get(Budget, budget.id).slug == "poland-warszawa-2017-grochow-kinowa"

"""The budget rules an app server keeps while voting (services.ballot_rules): never stale, never shared."""

from __future__ import annotations

from sqlalchemy import select, update

from pbengine.models import Budget, Phase, Process, Project
from pbengine.services import ballot_rules, budgets, codes, projects, workflow
from tests.conftest import _empty_tables
from tests.export.factory import CODE_KEY
from tests.helpers import commit, make_budget, make_process

API = "/api/v1"


def url(slug, budget="citywide"):
    return f"{API}/processes/{slug}/budgets/{budget}/ballots"


def _process(db, slug, kind="approval", **fields):
    """A process in review with one budget ``citywide`` (p1 40,000, p2 30,000, p3 50,000 of 100,000)."""
    process = make_process(db, slug=slug)
    make_budget(db, process, kind=kind, **fields)
    workflow.move_to(db, process, Phase.PROPOSALS)
    workflow.move_to(db, process, Phase.REVIEW)
    return process


def _codes(db, process, n=4):
    return [code for _ref, code in codes.generate(db, CODE_KEY, process, n, "Letters").codes]


def _cache(testapp):
    return ballot_rules.cache_of(testapp.app.registry)


def test_a_voting_budget_s_rules_are_read_once_then_kept_and_each_cast_still_checks_them(testapp, db):
    process = _process(db, "kept", max_length=2)
    workflow.move_to(db, process, Phase.VOTING)
    voters = _codes(db, process)
    commit(db)
    cache = _cache(testapp)
    testapp.post_json(url("kept"), {"voter_code": voters[0], "approvals": ["p1"]}, status=201)
    testapp.post_json(url("kept"), {"voter_code": voters[1], "approvals": ["p2", "p3"]}, status=201)
    refused = testapp.post_json(url("kept"), {"voter_code": voters[2], "approvals": ["p1", "p2", "p3"]}, status=422)
    assert refused.json["reason"] == "too_many"
    assert cache.loads == 1 and len(cache) == 1


def test_a_budget_changed_before_the_vote_opens_is_never_checked_with_the_old_rules(testapp, db):
    process = _process(db, "changing")
    voters = _codes(db, process)
    commit(db)
    cache = _cache(testapp)
    # Before the vote: refused, and nothing kept (there is no locked configuration yet).
    testapp.post_json(url("changing"), {"voter_code": voters[0], "approvals": ["p3"]}, status=409)
    assert len(cache) == 0
    process = db.scalars(select(Process).where(Process.slug == "changing")).one()
    budget = process.budgets[0]
    p3 = next(p for p in budget.projects if p.code == "p3")
    projects.remove_project(db, p3)
    budgets.update_budget(db, budget, budgets.BudgetData(slug="citywide", name="Citywide", amount=budget.amount,
                                                             max_length=1))
    workflow.move_to(db, process, Phase.VOTING)
    commit(db)
    assert testapp.post_json(url("changing"), {"voter_code": voters[0], "approvals": ["p3"]},
                             status=422).json["reason"] == "unknown_project"
    assert testapp.post_json(url("changing"), {"voter_code": voters[0], "approvals": ["p1", "p2"]},
                             status=422).json["reason"] == "too_many"
    testapp.post_json(url("changing"), {"voter_code": voters[0], "approvals": ["p2"]}, status=201)


def test_a_process_made_again_with_the_same_slugs_and_fingerprint_never_gets_the_kept_rules(testapp, db, engine):
    """Approval and knapsack ballots with the same projects lock the same fingerprint: the kept entry
    must still not be used for the other process (on SQLite it even gets the same ids)."""
    first = _process(db, "again", kind="approval")
    workflow.move_to(db, first, Phase.VOTING)
    voters = _codes(db, first)
    commit(db)
    everything = {"approvals": ["p1", "p2", "p3"]}  # 120,000: more than the budget's 100,000
    testapp.post_json(url("again"), {"voter_code": voters[0], **everything}, status=201)
    first_row = db.execute(select(Process.id, Process.config_fingerprint, Budget.id).join(Budget)).one()
    assert len(_cache(testapp)) == 1
    commit(db)
    _empty_tables(engine)
    second = _process(db, "again", kind="knapsack")
    workflow.move_to(db, second, Phase.VOTING)
    voters = _codes(db, second)
    commit(db)
    second_row = db.execute(select(Process.id, Process.config_fingerprint, Budget.id).join(Budget)).one()
    assert second_row[1] == first_row[1]  # the same locked fingerprint
    if engine.dialect.name == "sqlite":
        assert tuple(second_row) == tuple(first_row)  # and the same ids
    refused = testapp.post_json(url("again"), {"voter_code": voters[0], **everything}, status=422)
    assert refused.json["reason"] == "over_cost_limit"
    testapp.post_json(url("again"), {"voter_code": voters[1], "approvals": ["p1", "p2"]}, status=201)


def test_a_kept_budget_whose_process_closed_refuses_the_cast(testapp, db):
    process = _process(db, "closing")
    workflow.move_to(db, process, Phase.VOTING)
    voters = _codes(db, process)
    commit(db)
    testapp.post_json(url("closing"), {"voter_code": voters[0], "approvals": ["p1"]}, status=201)
    process = db.scalars(select(Process).where(Process.slug == "closing")).one()
    workflow.move_to(db, process, Phase.CLOSED, code_key=CODE_KEY)
    commit(db)
    assert testapp.post_json(url("closing"), {"voter_code": voters[1], "approvals": ["p1"]},
                             status=409).json["code"]
    assert testapp.post_json(url("closing"), {"voter_code": "ACDE", "approvals": ["p1"]}, status=409).json["code"]


def test_a_configuration_changed_behind_the_services_is_not_kept(testapp, db):
    process = _process(db, "tampered")
    workflow.move_to(db, process, Phase.VOTING)
    voters = _codes(db, process)
    commit(db)
    db.execute(update(Project).where(Project.code == "p1").values(cost=Project.cost + 100))
    commit(db)
    cache = _cache(testapp)
    for voter in voters[:2]:
        testapp.post_json(url("tampered"), {"voter_code": voter, "approvals": ["p1"]}, status=201)
    assert len(cache) == 0 and cache.loads == 2


def test_each_budget_and_each_application_has_its_own_entries(testapp, db, settings):
    from pbengine import main

    process = make_process(db, slug="several")
    make_budget(db, process, slug="citywide", max_length=1)
    make_budget(db, process, slug="youth", kind="knapsack")
    for phase in (Phase.PROPOSALS, Phase.REVIEW, Phase.VOTING):
        workflow.move_to(db, process, phase)
    voters = _codes(db, process)
    commit(db)
    testapp.post_json(url("several", "youth"), {"voter_code": voters[0], "approvals": ["p1", "p2"]}, status=201)
    assert testapp.post_json(url("several", "citywide"), {"voter_code": voters[0], "approvals": ["p1", "p2"]},
                             status=422).json["reason"] == "too_many"
    assert len(_cache(testapp)) == 2
    other = main({}, **settings)
    assert ballot_rules.cache_of(other.registry) is not _cache(testapp)
    assert len(ballot_rules.cache_of(other.registry)) == 0

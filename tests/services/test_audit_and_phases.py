"""The audit log is a hash chain; phases move one step at a time; voting locks the configuration."""

import pytest

from pbengine.models import Phase
from pbengine.services import audit, budgets, config_lock, projects, workflow
from pbengine.services.errors import ConfigurationLocked, PhaseError
from tests.helpers import make_budget, make_process


def _open_voting(db, process):
    for phase in (Phase.PROPOSALS, Phase.REVIEW, Phase.VOTING):
        workflow.move_to(db, process, phase)


def test_the_audit_chain_holds_and_breaks_when_a_line_is_edited_or_removed(db):
    process = make_process(db)
    make_budget(db, process)
    _open_voting(db, process)
    lines = [audit.as_line(e) for e in audit.events(db, process)]
    assert len(lines) >= 7
    assert audit.verify_chain(lines) == []
    edited = [dict(line) for line in lines]
    edited[2]["payload"] = {"budget": "citywide", "amount": 1}
    assert audit.verify_chain(edited)
    assert audit.verify_chain(lines[:3] + lines[4:])


def test_phases_move_one_step_forward_only(db):
    process = make_process(db)
    make_budget(db, process)
    with pytest.raises(PhaseError):
        workflow.move_to(db, process, Phase.VOTING)
    workflow.move_to(db, process, Phase.PROPOSALS)
    with pytest.raises(PhaseError):
        workflow.move_to(db, process, Phase.DRAFT)
    assert process.phase == Phase.PROPOSALS


def test_voting_cannot_open_on_an_empty_ballot(db):
    process = make_process(db)
    make_budget(db, process, projects={})
    workflow.move_to(db, process, Phase.PROPOSALS)
    workflow.move_to(db, process, Phase.REVIEW)
    with pytest.raises(PhaseError, match="no projects"):
        workflow.move_to(db, process, Phase.VOTING)


def test_opening_the_vote_locks_costs_and_rules_and_records_a_fingerprint(db):
    process = make_process(db)
    budget = make_budget(db, process)
    _open_voting(db, process)
    assert len(process.config_fingerprint) == 64
    opened = [e for e in audit.events(db, process) if e.payload.get("to") == "voting"][0]
    assert opened.payload["fingerprint"] == process.config_fingerprint
    project = budget.projects[0]
    with pytest.raises(ConfigurationLocked):
        projects.update_project(db, project, projects.ProjectData(code=project.code, title="x", cost=1))
    data = budgets.BudgetData(slug=budget.slug, name=budget.name, amount=budget.amount, rule="greedy")
    with pytest.raises(ConfigurationLocked):
        budgets.update_budget(db, budget, data)
    assert budget.rule == "equal-shares" and project.cost == 4_000_000  # 40 000 EUR in cents
    assert config_lock.fingerprint(process) == process.config_fingerprint

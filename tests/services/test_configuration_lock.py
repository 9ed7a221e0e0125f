"""From the vote on, every field of the fingerprinted configuration is frozen, and computing
and publishing re-check the fingerprint.

The walk below does not trust a hand-made list of locked fields: it changes every field of
every form (process, budget, project) on a process still in draft to find which ones change the
fingerprint, checks that those cover every entry of ``config_lock.configuration``, then shows
each of them refused once voting opened, with the fingerprint unchanged.
"""

from __future__ import annotations

import dataclasses

import pytest

from pbengine.models import Phase
from pbengine.services import ballots, budgets, codes, config_lock, processes, projects, tallies, workflow
from pbengine.services.errors import ConfigurationChanged, ConfigurationLocked
from tests.conftest import TEST_SETTINGS
from tests.helpers import make_budget, make_process

KEY = TEST_SETTINGS["pbengine.code_key"]

# A valid other value for every field of every form (the budget starts as approval counted
# with greedy, with max_sum_points 10, so that switching it to cumulative, or naming projects
# that cannot all be carried out, is valid).
PROCESS_CHANGES = {
    "slug": "renamed", "title": "Another title", "description": "Other text",
    "currency": "PLN",  # same decimals as EUR, so allowed before the vote
    "allow_revote": False,
    "proposals_start": "2027-01-01", "proposals_end": "2027-02-01",
    "voting_start": "2027-03-01", "voting_end": "2027-04-01",
    "max_budgets": 1,
    "auto_phases": True,
}
BUDGET_CHANGES = {
    "slug": "other", "name": "Other", "amount": 100_001_00, "description": "Other text",
    "ballot_kind": "cumulative", "min_length": 1, "max_length": 3, "max_sum_cost": 50_000_00,
    "max_sum_points": 20, "max_points_per_project": 3, "rank_length": 2,
    "rule": "greedy-no-skip", "satisfaction": "cardinality", "completion": "none",
    "tie_break": "lower-cost,id", "threshold": 1, "incompatible": "p1,p2",
}
PROJECT_CHANGES = {
    "code": "zz", "title": "Other", "cost": 40_000_01, "description": "Other text",
    "categories": ["culture"], "sdgs": [3], "organisation_name": "Coop", "organisation_type": "cooperative",
    "location": "Centre", "image_url": "https://example.org/a.png",
}


def _dated(name, value):
    import datetime as dt

    return dt.date.fromisoformat(value) if name.endswith(("_start", "_end")) else value


def _edit(db, process, form, name, value):
    """Change one field through the service that edits it, as the console does."""
    budget = process.budgets[0]
    project = sorted(budget.projects, key=lambda p: p.code)[0]
    if form == "process":
        value = f"{value}-{process.id}" if name == "slug" else value  # addresses are unique
        data = processes.ProcessData(**{f.name: getattr(process, f.name)
                                        for f in dataclasses.fields(processes.ProcessData)})
        processes.update_process(db, process, dataclasses.replace(data, **{name: _dated(name, value)}))
    elif form == "budget":
        data = budgets.BudgetData(**{f.name: getattr(budget, f.name)
                                       for f in dataclasses.fields(budgets.BudgetData)})
        budgets.update_budget(db, budget, dataclasses.replace(data, **{name: value}))
    else:
        data = projects.ProjectData(**{f.name: getattr(project, f.name)
                                        for f in dataclasses.fields(projects.ProjectData)})
        projects.update_project(db, project, dataclasses.replace(data, **{name: value}))


FORMS = {"process": PROCESS_CHANGES, "budget": BUDGET_CHANGES, "project": PROJECT_CHANGES}
CLASSES = {"process": processes.ProcessData, "budget": budgets.BudgetData, "project": projects.ProjectData}


def test_the_walk_changes_every_field_of_every_form():
    for form, changes in FORMS.items():
        assert set(changes) == {f.name for f in dataclasses.fields(CLASSES[form])}, form


def _fingerprinted_fields(db) -> set[tuple[str, str]]:
    """Every (form, field) whose change on a draft process changes the fingerprint."""
    found = set()
    for form, changes in FORMS.items():
        for name, value in changes.items():
            process = make_process(db, slug=f"draft-{form}-{name}".replace("_", "-")[:40])
            make_budget(db, process, max_sum_points=10, rule="greedy")  # see BUDGET_CHANGES
            before = config_lock.fingerprint(process)
            _edit(db, process, form, name, value)
            if config_lock.fingerprint(process) != before:
                found.add((form, name))
    return found


def _leaves(data, prefix=()):
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _leaves(value, (*prefix, key))
    elif isinstance(data, list) and data and isinstance(data[0], dict):
        for item in data:
            yield from _leaves(item, (*prefix, "[]"))
    else:
        yield prefix


def test_every_entry_of_the_configuration_is_changed_by_some_field_of_a_form(db):
    fingerprinted = _fingerprinted_fields(db)
    process = make_process(db)
    make_budget(db, process)
    entries = set(_leaves(config_lock.configuration(process)))
    # Each configuration entry, and the form field that changes it.
    reached = {
        ("process",): ("process", "slug"), ("currency",): ("process", "currency"),
        ("allow_revote",): ("process", "allow_revote"),
        ("budgets", "[]", "slug"): ("budget", "slug"), ("budgets", "[]", "amount"): ("budget", "amount"),
        ("budgets", "[]", "projects"): ("project", "code"),
    }
    for entry in entries:
        if entry[:3] == ("budgets", "[]", "ballot") or entry[:3] == ("budgets", "[]", "params"):
            continue  # checked below: the ballot format and the rule's parameters
        assert reached[entry] in fingerprinted, entry
    assert ("project", "cost") in fingerprinted
    ballot_and_rule = {name for form, name in fingerprinted if form == "budget"}
    assert {"ballot_kind", "max_sum_cost", "min_length", "max_length", "rule", "satisfaction",
            "completion", "tie_break", "threshold", "incompatible"} <= ballot_and_rule
    assert ("process", "title") not in fingerprinted and ("project", "title") not in fingerprinted
    # an entry only when set (fingerprints of processes without a limit are unchanged)
    assert ("process", "max_budgets") in fingerprinted


def test_every_fingerprinted_field_is_refused_once_voting_opened(db):
    fingerprinted = _fingerprinted_fields(db)
    refused = set()
    for form, name in sorted(fingerprinted):
        process = make_process(db, slug=f"vote-{form}-{name}".replace("_", "-")[:40])
        make_budget(db, process, max_sum_points=10, rule="greedy")  # see BUDGET_CHANGES
        for phase in (Phase.PROPOSALS, Phase.REVIEW, Phase.VOTING):
            workflow.move_to(db, process, phase)
        locked = process.config_fingerprint
        with pytest.raises(ConfigurationLocked) as refusal:
            _edit(db, process, form, name, FORMS[form][name])
        assert config_lock.fingerprint(process) == locked, (form, name)
        if form == "process":
            assert refusal.value.field == name
        refused.add((form, name))
    assert refused == fingerprinted
    assert {("process", "slug"), ("process", "currency"), ("process", "allow_revote"),
            ("process", "max_budgets")} <= refused


def test_the_fields_outside_the_fingerprint_can_still_be_edited_during_the_vote(db):
    process = make_process(db)
    make_budget(db, process)
    for phase in (Phase.PROPOSALS, Phase.REVIEW, Phase.VOTING):
        workflow.move_to(db, process, phase)
    for name in ("title", "description", "voting_end", "auto_phases"):
        _edit(db, process, "process", name, PROCESS_CHANGES[name])
    assert process.title == "Another title" and process.auto_phases  # e.g. to close the vote on schedule
    assert config_lock.fingerprint(process) == process.config_fingerprint


def _closed(db):
    process = make_process(db)
    budget = make_budget(db, process, amount=100, projects={"p1": 60, "p2": 40})
    for phase in (Phase.PROPOSALS, Phase.REVIEW, Phase.VOTING):
        workflow.move_to(db, process, phase)
    batch = codes.generate(db, KEY, process, 1, "test")
    ballots.cast(db, budget, codes.find(db, KEY, process, batch.codes[0][1]), {"approvals": ["p1"]}, key=KEY)
    workflow.move_to(db, process, Phase.CLOSED, code_key=KEY)
    return process, budget


@pytest.mark.parametrize("change", [
    lambda process, budget: setattr(process, "currency", "PLN"),
    lambda process, budget: setattr(process, "slug", "elsewhere"),
    lambda process, budget: setattr(budget, "rule", "greedy"),
    lambda process, budget: setattr(budget.projects[0], "cost", budget.projects[0].cost + 1),
])
def test_computing_refuses_a_configuration_changed_behind_the_services(db, change):
    process, budget = _closed(db)
    change(process, budget)  # e.g. by hand in the database
    with pytest.raises(ConfigurationChanged):
        tallies.compute_budget(db, budget)
    assert tallies.official_tally(db, budget) is None


def test_publishing_refuses_a_configuration_changed_after_the_count(db):
    process, budget = _closed(db)
    tallies.compute_all(db, process)
    process.allow_revote = not process.allow_revote
    with pytest.raises(ConfigurationChanged):
        workflow.move_to(db, process, Phase.PUBLISHED)
    assert process.phase == Phase.CLOSED
    process.allow_revote = not process.allow_revote
    workflow.move_to(db, process, Phase.PUBLISHED)
    assert process.phase == Phase.PUBLISHED

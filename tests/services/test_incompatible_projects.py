"""Projects that cannot all be carried out: set on a budget, kept by greedy, exported, re-counted.

Warszawa Bemowo 2022 funded 773 and not 153 (both on the same site): imported with the pair,
the platform's tally reproduces what the city funded, and the export says MATCH.
"""

from __future__ import annotations

import dataclasses

import pytest

from pbengine.models import Phase
from pbengine.services import budgets, export, pb_import, projects, tallies, workflow
from pbengine.services.errors import InvalidInput
from pbengine.verify import verify
from tests.conftest import SHARED_PABULIB
from tests.export.factory import CODE_KEY
from tests.helpers import commit, make_budget, make_process
from voting_rules import read_pb

BEMOWO = SHARED_PABULIB / "Poland_Warszawa_2022_Bemowo.pb"


def _with_pair(text: str) -> bytes:
    return text.replace("rule;greedy-exclusive\n", "rule;greedy-exclusive\nincompatible;773,153\n").encode()


def test_bemowo_imported_with_its_pair_reproduces_what_the_city_funded_and_exports_match(db, tmp_path, testapp):
    process = make_process(db, slug="bemowo", currency="PLN")
    imported = pb_import.import_pb(db, process, BEMOWO.name, _with_pair(BEMOWO.read_text(encoding="utf-8")),
                                   slug="bemowo")
    budget = imported.budget
    assert budget.rule == "greedy" and budget.incompatible == "153,773"
    for phase in (Phase.PROPOSALS, Phase.REVIEW, Phase.VOTING, Phase.CLOSED):
        workflow.move_to(db, process, phase, code_key=CODE_KEY)
    tally = tallies.compute_budget(db, budget)
    selected = {p.id for p in read_pb(BEMOWO).projects if p.extra["selected"] == "1"}
    assert set(tally.result["funded"]) == selected and "153" not in selected
    steps = {s["project"]: s["decision"] for s in tally.result["explanation"]["order"]}
    assert steps["153"] == "skipped: cannot be carried out beside 773"
    workflow.move_to(db, process, Phase.PUBLISHED)
    commit(db)
    files = export.build(db, process)
    pb_text = next(body for name, body in files.items() if name.endswith(".pb"))
    pb_text = pb_text.decode() if isinstance(pb_text, bytes) else pb_text
    assert "incompatible;153,773" in pb_text
    assert verify(export.write_folder(files, tmp_path / "bemowo-export")) == []
    page = testapp.get("/p/bemowo/results")
    assert ("Not funded: it was number" in page.text
            and "but it cannot be carried out together with project 773, funded before it." in page.text)


@pytest.fixture
def draft(db):
    process = make_process(db)
    return process, make_budget(db, process, rule="greedy")


def _data(budget, **changes):
    data = budgets.BudgetData(**{f.name: getattr(budget, f.name)
                                   for f in dataclasses.fields(budgets.BudgetData)})
    return dataclasses.replace(data, **changes)


@pytest.mark.parametrize(("changes", "message"), [
    ({"incompatible": "p1,p9"}, "No project of this budget has the code p9."),
    ({"incompatible": "p1"}, "Each group needs two project codes or more"),
    ({"incompatible": "p1,p2", "rule": "equal-shares"}, "Only the greedy rules can keep incompatible projects apart"),
])
def test_groups_that_cannot_be_kept_are_refused_beside_the_field(db, draft, changes, message):
    _process, budget = draft
    with pytest.raises(InvalidInput) as refusal:
        budgets.update_budget(db, budget, _data(budget, **changes))
    assert refusal.value.field == "incompatible" and message in str(refusal.value)
    assert budget.incompatible == ""


def test_removing_a_project_takes_it_out_of_its_groups(db, draft):
    _process, budget = draft
    budgets.update_budget(db, budget, _data(budget, incompatible="p1, p2|p2,p3"))
    assert budget.incompatible == "p1,p2|p2,p3"
    projects.remove_project(db, next(p for p in budget.projects if p.code == "p2"))
    assert budget.incompatible == ""

"""A town with two district budgets and a citywide pot, and voter codes for some of them."""

from __future__ import annotations

from dataclasses import dataclass, field

from pbengine.models import Budget, Process
from pbengine.services import codes, workflow
from tests.conftest import TEST_SETTINGS
from tests.helpers import commit, make_budget, make_process

KEY = TEST_SETTINGS["pbengine.code_key"]
SLUG = "town-2027"
BUDGETS = ("north", "south", "town")
# batch -> the budgets its codes are for (None: every budget)
BATCHES = {"north": ("north", "town"), "south": ("south", "town"), "all": None}


@dataclass
class Districts:
    process: Process
    budgets: dict[str, Budget]
    codes: dict[str, list[str]] = field(default_factory=dict)  # batch -> plain codes


def districts(db, max_budgets: int | None = None, allow_revote: bool = True, n_codes: int = 2,
              voting: bool = True) -> Districts:
    """North, South (districts) and Town (citywide), approval ballots with projects p1..p3; codes per batch."""
    process = make_process(db, slug=SLUG, max_budgets=max_budgets, allow_revote=allow_revote)
    budgets = {slug: make_budget(db, process, slug=slug, name=f"{slug.title()} budget") for slug in BUDGETS}
    if voting:
        for phase in ("proposals", "review", "voting"):
            workflow.move_to(db, process, phase, code_key=KEY)
    made = Districts(process, budgets)
    for batch, slugs in BATCHES.items():
        ids = [budgets[s].id for s in slugs] if slugs else None
        generated = codes.generate(db, KEY, process, n_codes, f"{batch} letters", budget_ids=ids)
        made.codes[batch] = [code for _ref, code in generated.codes]
    commit(db)
    return made

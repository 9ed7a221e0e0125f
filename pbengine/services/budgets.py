"""A process's budgets: their amount, ballot format and counting rule; checked, added, edited, deleted.

Their projects are ``services/projects.py``; what ``voting_rules`` is given of a budget is
``services/rule_inputs.py``.
"""

from __future__ import annotations

from dataclasses import dataclass

from voting_rules import RULES
from voting_rules.election import APPROVAL_KINDS, EXCLUSION_RULES, incompatible_text, parse_incompatible

from .. import money
from ..i18n import _
from ..models import BallotKind, Budget, Process
from . import audit
from .errors import FieldErrors
from .phases import ensure_deletable, ensure_unlocked
from .processes import SLUG_RE
from .rule_inputs import tally_params


@dataclass
class BudgetData:
    """A budget as entered; ``amount`` and ``max_sum_cost`` in minor units (cents)."""

    slug: str
    name: str
    amount: int
    description: str = ""
    ballot_kind: str = BallotKind.APPROVAL.value
    min_length: int | None = None
    max_length: int | None = None
    max_sum_cost: int | None = None
    max_sum_points: int | None = None
    max_points_per_project: int | None = None
    rank_length: int | None = None
    rule: str = "equal-shares"
    satisfaction: str = "cost"
    completion: str = "add1-greedy"
    tie_break: str = "votes,lower-cost,id"
    threshold: int | None = None
    incompatible: str = ""


def check_budget(process: Process, data: BudgetData, budget: Budget | None = None) -> None:
    """Every problem of ``data`` at once (and ``data.incompatible`` normalised when it is right)."""
    errors = FieldErrors()
    bad = errors.add

    if not SLUG_RE.match(data.slug or ""):
        bad("slug", _("Use 1 to 40 lowercase letters, digits and dashes."))
    if any(b.slug == data.slug and b is not budget for b in process.budgets):
        bad("slug", _("Another budget of this process has this address."))
    if not (data.name or "").strip():
        bad("name", _("This field is required."))
    if data.amount is None or data.amount <= 0:
        bad("amount", _("The budget must be a positive amount."))
    if data.ballot_kind not in set(BallotKind):
        bad("ballot_kind", _("Unknown ballot format."))
    for field in ("min_length", "max_length", "max_sum_cost", "max_sum_points",
                  "max_points_per_project", "rank_length", "threshold"):
        value = getattr(data, field)
        if value is not None and value < 0:
            bad(field, _("This number cannot be negative."))
    if data.min_length is not None and data.max_length is not None and data.min_length > data.max_length:
        bad("min_length", _("The minimum is larger than the maximum."))
    if data.ballot_kind == BallotKind.CUMULATIVE and not data.max_sum_points:
        bad("max_sum_points", _("A cumulative ballot needs a total number of points."))
    if data.ballot_kind == BallotKind.RANKING and not data.rank_length:
        bad("rank_length", _("A ranking ballot needs the number of places."))
    if data.rule not in RULES:
        bad("rule", _("Unknown rule “${rule}”.", mapping={"rule": data.rule}))
    if data.rule == "phragmen" and data.ballot_kind not in APPROVAL_KINDS:
        bad("rule", _("Phragmén's method counts ticked projects only: with points or a ranking it "
                      "would throw away how many points or which place each project got. Choose "
                      "Equal Shares or greedy for this ballot format."))
    if data.rule in RULES:
        try:
            tally_params(Budget(**vars(data)))
        except ValueError as error:
            bad("tie_break", str(error))
    groups = parse_incompatible(data.incompatible or "")
    if any(len(group) < 2 for group in groups):
        bad("incompatible", _("Each group needs two project codes or more, separated by commas "
                              "(groups separated by |)."))
    codes = {p.code for p in budget.projects} if budget is not None else set()
    unknown = sorted(set().union(*groups) - codes) if groups else []
    if unknown:
        bad("incompatible", _("No project of this budget has the code ${codes}.",
                              mapping={"codes": ", ".join(unknown)}))
    if groups and data.rule not in EXCLUSION_RULES:
        bad("incompatible", _("Only the greedy rules can keep incompatible projects apart: "
                              "choose greedy, greedy-threshold or greedy-no-skip, or leave this "
                              "field empty."))
    errors.raise_if_any()
    data.incompatible = incompatible_text(groups)


def add_budget(db, process: Process, data: BudgetData, actor: str = "") -> Budget:
    ensure_unlocked(process)
    check_budget(process, data)
    budget = Budget(process=process, position=len(process.budgets), **vars(data))
    db.add(budget)
    db.flush()
    audit.record(db, process, "budget.created",
                 {"budget": budget.slug, "amount": money.as_json(budget.amount, process.currency)}, actor)
    return budget


def update_budget(db, budget: Budget, data: BudgetData, actor: str = "") -> Budget:
    ensure_unlocked(budget.process)
    check_budget(budget.process, data, budget)
    for key, value in vars(data).items():
        setattr(budget, key, value)
    audit.record(db, budget.process, "budget.updated", {"budget": budget.slug}, actor)
    return budget


def delete_budget(db, budget: Budget, actor: str = "") -> None:
    """Delete a budget of a draft process with its projects; the process's audit log records it."""
    process = budget.process
    ensure_deletable(process, "budget")
    audit.record(db, process, "budget.deleted",
                 {"budget": budget.slug, "projects": sorted(p.code for p in budget.projects)}, actor)
    process.budgets.remove(budget)  # delete-orphan: the budget and its projects go
    db.flush()

"""Which budgets a voter code may vote in: its batch's budgets, and at most N of them.

A batch of codes is issued for a set of budgets (a district and the citywide pot; no set: every
budget of the process). A process may also say "vote in at most N budgets"
(``Process.max_budgets``). Replacing one's ballot in a budget already voted in is not a new budget.

How many budgets a code voted in is found as the ballots are (:mod:`pbengine.services.slots`): the
code's slots in the process's budgets are computed under the code key and the existing rows
counted. Nothing is written about the code. Two casts of one code in two budgets at once are
serialised by the cast (a transaction-scoped advisory lock on a keyed hash of the code on
PostgreSQL, the write lock on SQLite), so the second one counts the first.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from ..i18n import _
from ..models import Ballot, Budget, CodeBatch, Process, VoterCode
from ..models.voting import code_batch_budget
from . import slots
from .errors import BudgetLimitReached, NotEligible

NOT_ELIGIBLE = "not-eligible"
LIMIT_REACHED = "limit-reached"


def batch_budget_ids(db, batch_id: int | None) -> set[int] | None:
    """The ids of the budgets a batch was issued for; ``None``: all budgets of its process."""
    batch = db.get(CodeBatch, batch_id) if batch_id is not None else None
    if batch is None or batch.all_budgets:
        return None
    return set(db.scalars(select(code_batch_budget.c.budget_id).where(code_batch_budget.c.batch_id == batch_id)))


def voted_budget_ids(db, process: Process, voter_code: VoterCode, key: str | None) -> set[int]:
    """The budgets in which the code has a ballot now (one query over its slots; needs the code key)."""
    key = slots.require_key(key)
    wanted = {slots.slot(key, b.id, voter_code.code_hash): b.id for b in process.budgets}
    if not wanted:
        return set()
    return set(db.scalars(select(Ballot.budget_id).where(Ballot.slot.in_(list(wanted)))))


def ensure_eligible(db, budget: Budget, voter_code: VoterCode) -> None:
    ids = batch_budget_ids(db, voter_code.batch_id)
    if ids is not None and budget.id not in ids:
        names = ", ".join(b.name for b in budget.process.budgets if b.id in ids)
        if not names:
            raise NotEligible(_("Your voter code is not for the budget “${budget}”, nor for any other "
                                "budget of this vote.", mapping={"budget": budget.name}))
        raise NotEligible(_("Your voter code is not for the budget “${budget}”: it was issued for "
                            "${budgets}.", mapping={"budget": budget.name, "budgets": names}))


def ensure_within_limit(db, budget: Budget, voter_code: VoterCode, key: str | None,
                        voted: set[int] | None = None) -> None:
    """Refuse a ballot in a budget the code has not voted in yet once it voted in ``max_budgets``."""
    process = budget.process
    limit = process.max_budgets
    if limit is None:
        return
    voted = voted_budget_ids(db, process, voter_code, key) if voted is None else voted
    if budget.id not in voted and len(voted) >= limit:
        raise BudgetLimitReached(_("This vote allows a ballot in at most ${n} of its budgets, and you have "
                                   "already voted in as many: you cannot vote in another budget.",
                                   mapping={"n": limit}))


def ensure_may_vote(db, budget: Budget, voter_code: VoterCode, key: str | None) -> None:
    """Both checks, for the pages before the cast (the cast checks again under its lock)."""
    ensure_eligible(db, budget, voter_code)
    ensure_within_limit(db, budget, voter_code, key)


@dataclass
class Place:
    """One budget of the booth, as one voter code sees it."""

    budget: Budget
    voted: bool
    reason: str = ""  # why it is not offered: NOT_ELIGIBLE, LIMIT_REACHED; empty when offered

    @property
    def offered(self) -> bool:
        return not self.reason


@dataclass
class Booth:
    places: list[Place]
    max_budgets: int | None
    voted: int  # budgets the code has a ballot in

    @property
    def offered(self) -> list[Place]:
        return [p for p in self.places if p.offered]

    @property
    def not_eligible(self) -> list[Place]:
        return [p for p in self.places if p.reason == NOT_ELIGIBLE]

    @property
    def limit_reached(self) -> list[Place]:
        return [p for p in self.places if p.reason == LIMIT_REACHED]


def booth(db, process: Process, voter_code: VoterCode, key: str | None) -> Booth:
    """Every budget of ``process`` with whether the code voted there and, if it may not, why."""
    ids = batch_budget_ids(db, voter_code.batch_id)
    voted = voted_budget_ids(db, process, voter_code, key)
    full = process.max_budgets is not None and len(voted) >= process.max_budgets
    places = []
    for budget in process.budgets:
        if ids is not None and budget.id not in ids:
            reason = NOT_ELIGIBLE
        elif full and budget.id not in voted:
            reason = LIMIT_REACHED
        else:
            reason = ""
        places.append(Place(budget, budget.id in voted, reason))
    return Booth(places, process.max_budgets, len(voted))

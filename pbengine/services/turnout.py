"""Turnout against the voter codes issued, with ballots told apart by how they came in.

Counts only, never a tally: the console shows them while voting; the public results page shows
them once the results are published. ``online`` counts the ballots cast on the website and
through the API (each with a voter code), ``paper`` the paper ballots an organizer entered,
``imported`` the ballots read from a pabulib file. A replaced ballot counts once.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from sqlalchemy import func, select

from ..models import AuditEvent, Ballot, Budget, Process
from . import codes
from .memo import Memo

# Ballot.channel -> how the turnout counts it.
CHANNELS = {"online": "online", "api": "online", "paper": "paper", "imported": "imported"}
KINDS = ("online", "paper", "imported")


@dataclass(frozen=True)
class BudgetTurnout:
    budget: Budget
    online: int
    paper: int
    imported: int

    @property
    def total(self) -> int:
        return self.online + self.paper + self.imported


@dataclass(frozen=True)
class Turnout:
    codes_issued: int  # every code generated, revoked ones included
    codes_revoked: int
    codes_used: int  # codes with at least one ballot
    budgets: tuple[BudgetTurnout, ...]

    @property
    def codes_valid(self) -> int:
        return self.codes_issued - self.codes_revoked

    @property
    def share_codes_used(self) -> Fraction:
        """Codes that voted, of the codes that could (issued and not revoked)."""
        return Fraction(self.codes_used, self.codes_valid) if self.codes_valid > 0 else Fraction(0)

    def share_online(self, row: BudgetTurnout) -> Fraction:
        """A budget's online ballots per valid code."""
        return Fraction(row.online, self.codes_valid) if self.codes_valid > 0 else Fraction(0)


def by_channel(db, budget: Budget) -> dict[str, int]:
    """Current ballots of ``budget`` per kind (online, paper, imported)."""
    found = dict.fromkeys(KINDS, 0)
    for channel, n in db.execute(select(Ballot.channel, func.count()).where(Ballot.budget_id == budget.id)
                                 .group_by(Ballot.channel)):
        kind = CHANNELS.get(channel, "online")
        found[kind] += n
    return found


def _counts(db, process: Process, key: str | None) -> tuple[dict, dict[int, dict[str, int]]]:
    """The code counts and each budget's ballots per kind: plain numbers, no database rows."""
    return codes.counts(db, process, key), {budget.id: by_channel(db, budget) for budget in process.budgets}


def _turnout(process: Process, counts: tuple[dict, dict[int, dict[str, int]]]) -> Turnout:
    count, channels = counts
    rows = tuple(BudgetTurnout(budget=budget, **channels[budget.id]) for budget in process.budgets)
    return Turnout(codes_issued=count["total"], codes_revoked=count["revoked"], codes_used=count["used"],
                   budgets=rows)


def turnout(db, process: Process, key: str | None) -> Turnout:
    """The turnout of ``process`` (``key``: the code key, which tells the codes that voted while the
    vote is open; after the close the codes are marked and no key is needed)."""
    return _turnout(process, _counts(db, process, key))


def published_turnout(db, process: Process, memo: Memo) -> Turnout:
    """The turnout of a process whose results are published, counted once per state of its audit log.

    Once the vote is closed no ballot is cast, replaced or entered and no code is issued; what may
    still change the figures (a code revoked, the process archived) appends an audit event. So the
    head of the log names the figures for good, and they are kept in ``memo`` under it: the public
    results page of a city vote does not count 60,000 ballots on every request.
    """
    head = db.execute(select(AuditEvent.seq, AuditEvent.hash).where(AuditEvent.process_id == process.id)
                      .order_by(AuditEvent.seq.desc()).limit(1)).first()
    counts = memo.get(("turnout", process.id, *(head or ())), lambda: _counts(db, process, None))
    return _turnout(process, counts)


__all__ = ["CHANNELS", "KINDS", "BudgetTurnout", "Turnout", "by_channel", "published_turnout", "turnout"]

"""What a ballot in one budget is checked against, as plain data; kept per app server while voting.

A cast checks its ballot against the budget's format, its projects' ids and costs and its amount,
and against the process's limits (``max_budgets``, ``allow_revote``): :class:`Rules`. Loading them
through the ORM on every ballot cost more CPU than the rest of the checks together, so while a
process is voting an app server keeps them (:class:`RulesCache`, one per application).

They cannot change during the vote: phases only move forward, and from the vote on the services
refuse any edit of a budget or a project and of any process field in the locked configuration
(``config_lock.configuration``). An entry is made only while the process is voting, from data whose
fingerprint, computed again, is the one recorded when voting opened (otherwise nothing is kept and
each cast reads the database); before the vote nothing is kept. It is found by the slugs of the
request, and each cast that uses it checks it in its own first statement, under the lock on the
process row, before anything is decided or written: the same process row (id, slug and
``created_at``: a process deleted and made again is another row), the same budget (id and slug)
and the same locked fingerprint. An entry that fails the check is dropped and the cast reads the
database again. Each application (app server) keeps its own entries, for its own database.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from voting_rules import Ballot as RuleBallot
from voting_rules import BallotError, BallotErrorCode, BallotFormat, validate_ballot
from voting_rules import Project as RuleProject

from ..models import BallotKind, Budget, Phase, Process
from ..money import to_units
from . import ballot_errors
from .config_lock import fingerprint
from .rule_inputs import ballot_format

RULES_KEY = "pbengine.ballot_rules"  # the registry's RulesCache
CACHE_SIZE = 512  # budgets kept per app server (the least recently used goes first)


def rule_projects(budget: Budget) -> list[RuleProject]:
    """The budget's projects for ``voting_rules`` (costs in whole currency units, exact)."""
    currency = budget.process.currency
    return [RuleProject(id=p.code, cost=to_units(p.cost, currency), name=p.title, categories=tuple(p.categories or ()))
            for p in budget.projects]


def to_rule_ballot(voter_id: str, content: dict) -> RuleBallot:
    return RuleBallot(
        voter_id=voter_id,
        approvals=tuple(content.get("approvals", ())),
        points=dict(content["points"]) if "points" in content else None,
        ranking=tuple(content.get("ranking", ())),
    )


@dataclass(frozen=True)
class Rules:
    """A budget's ballot rules and its process's limits, as plain data (no ORM object)."""

    kind: BallotKind
    format: BallotFormat
    projects: dict[str, RuleProject]
    amount: Any  # whole currency units (an int or a Fraction)
    max_budgets: int | None
    allow_revote: bool


def rules_of(budget: Budget) -> Rules:
    process = budget.process
    return Rules(BallotKind(budget.ballot_kind), ballot_format(budget), {p.id: p for p in rule_projects(budget)},
                 to_units(budget.amount, process.currency), process.max_budgets, process.allow_revote)


@dataclass
class Target:
    """The budget a ballot is cast in: ids, slugs, the process row's ``created_at`` and locked
    fingerprint, the rules, and the phase read by this request (None: a target this app server
    kept, which the cast's own statement checks against the database before anything is decided).

    ``budget(db)`` gives the ORM budget, for what only a refusal or a rarer path reads (project
    titles, the budgets a code was issued for): loaded then, or given when the caller has it.
    """

    process_id: int
    budget_id: int
    process_slug: str
    budget_slug: str
    created_at: dt.datetime
    fingerprint: str | None
    rules: Rules
    phase: str | None = None
    loaded: Budget | None = field(default=None, repr=False)

    @property
    def kept(self) -> bool:
        return self.phase is None

    def budget(self, db) -> Budget:
        if self.loaded is None:
            self.loaded = db.get(Budget, self.budget_id)
        assert self.loaded is not None
        return self.loaded

    def current(self, row) -> bool:
        """Whether a row read just now (``created_at``, ``config_fingerprint``, ``budget_ok``) is still
        this target's process and budget, with the same locked configuration."""
        return (row is not None and row.created_at == self.created_at and row.config_fingerprint == self.fingerprint
                and bool(row.budget_ok))


def target_of(budget: Budget) -> Target:
    """The :class:`Target` of an ORM budget the caller has loaded (rules read from it, nothing kept)."""
    process = budget.process
    return Target(process.id, budget.id, process.slug, budget.slug, process.created_at, process.config_fingerprint,
                  rules_of(budget), process.phase, budget)


def normalise(kind: BallotKind, content: dict, budget: Callable[[], Budget]) -> dict:
    """The part of ``content`` that a ballot of ``kind`` uses, in the stored shape.

    Project codes as strings, approvals sorted, points by project without the zeros, a ranking's
    places as given (an empty place is ``""``; empty places after the last filled one are places
    not used). Nothing that ``voting_rules.validate_ballot`` checks is decided here: a project
    named twice, a gap in a ranking or points that are not whole numbers stay, for it to refuse.
    ``budget()``: the ORM budget, for the refusal's message only.
    """
    try:
        if kind in (BallotKind.APPROVAL, BallotKind.KNAPSACK):
            return {"approvals": sorted(str(c) for c in content.get("approvals", []))}
        if kind is BallotKind.CUMULATIVE:
            points = {str(k): v for k, v in (content.get("points") or {}).items()}
            return {"points": {k: v for k, v in sorted(points.items()) if v != 0}}
        ranking = ["" if c is None else str(c).strip() for c in content.get("ranking", [])]
        while ranking and not ranking[-1]:
            ranking.pop()
        return {"ranking": ranking}
    except (TypeError, ValueError, AttributeError):
        shape = BallotError(BallotErrorCode.WRONG_FORMAT, f"ballot: not in the shape of a {kind} ballot",
                            expected=kind.value)
        raise ballot_errors.refusal(budget(), shape) from None


def normalise_content(budget: Budget, content: dict) -> dict:
    """:func:`normalise` for an ORM budget."""
    return normalise(BallotKind(budget.ballot_kind), content, lambda: budget)


def check(rules: Rules, content: dict, budget: Callable[[], Budget], locale: str | None = None) -> dict:
    """The normalised ballot content, or :class:`BallotInvalid` naming what to change
    (:mod:`pbengine.services.ballot_errors`; ``budget()`` gives the ORM budget it names projects from)."""
    content = normalise(rules.kind, content, budget)
    try:
        validate_ballot(rules.format, to_rule_ballot("ballot", content), rules.projects, rules.amount)
    except BallotError as error:
        raise ballot_errors.refusal(budget(), error, locale) from None
    return content


class _Refused(Exception):
    pass


def _refused() -> Budget:
    raise _Refused()


def accepted(rules: Rules, content: dict) -> dict | None:
    """:func:`check` without its refusal: the normalised content, or None where :func:`check` would
    refuse it (and name, from the ORM budget, what to change)."""
    try:
        return check(rules, content, _refused)
    except _Refused:
        return None


def validate(budget: Budget, content: dict, locale: str | None = None) -> dict:
    """:func:`check` against the rules of an ORM budget."""
    return check(rules_of(budget), content, lambda: budget, locale)


class RulesCache:
    """The targets of budgets whose process was voting when they were read, by process and budget slug.

    An entry is used only through :meth:`kept`, and each cast checks it against the database in its
    first statement (:meth:`Target.current`); one found out of date is dropped and read again.
    """

    def __init__(self, size: int = CACHE_SIZE):
        self.size = size
        self._entries: OrderedDict[tuple[str, str], Target] = OrderedDict()
        self._lock = threading.Lock()
        self.loads = 0  # how many times rules were read from the database (for the tests)

    def kept(self, process_slug: str, budget_slug: str) -> Target | None:
        """A fresh copy of the entry (its phase unknown), or None."""
        with self._lock:
            entry = self._entries.get((process_slug, budget_slug))
            if entry is None:
                return None
            self._entries.move_to_end((process_slug, budget_slug))
        return replace(entry, phase=None, loaded=None)

    def keep(self, target: Target) -> None:
        entry = replace(target, phase=None, loaded=None)
        with self._lock:
            self._entries[(target.process_slug, target.budget_slug)] = entry
            self._entries.move_to_end((target.process_slug, target.budget_slug))
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def drop(self, process_slug: str, budget_slug: str) -> None:
        with self._lock:
            self._entries.pop((process_slug, budget_slug), None)

    def __len__(self) -> int:
        return len(self._entries)


def cache_of(registry) -> RulesCache:
    """The application's cache (made on first use; ``dict.setdefault`` keeps one under threads)."""
    cache = registry.get(RULES_KEY)
    if cache is None:
        cache = registry.setdefault(RULES_KEY, RulesCache())
    return cache


def _load(db, budget_id: int) -> Budget | None:
    return db.scalars(select(Budget).where(Budget.id == budget_id).options(
        selectinload(Budget.process).selectinload(Process.budgets).selectinload(Budget.projects))).first()


def target(db, cache: RulesCache, row) -> Target | None:
    """The :class:`Target` of ``row`` (``process_id``, ``process_slug``, ``created_at``, ``phase``,
    ``config_fingerprint``, ``budget_id``, ``budget_slug``, as read by this request), its rules read
    through the ORM; kept in ``cache`` if the process is voting and its configuration is the one
    its fingerprint locked."""
    budget = _load(db, row.budget_id)
    if budget is None:
        return None
    cache.loads += 1
    found = Target(row.process_id, row.budget_id, row.process_slug, row.budget_slug, row.created_at,
                   row.config_fingerprint, rules_of(budget), row.phase, budget)
    if row.phase == Phase.VOTING.value and row.config_fingerprint \
            and fingerprint(budget.process) == row.config_fingerprint:
        cache.keep(found)
    return found

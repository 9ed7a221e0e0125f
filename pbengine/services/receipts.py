"""Checking a receipt: is that ballot counted, replaced, or unknown? Under the lookup rate limit.

One statement reads the ballot (or replaced ballot) a receipt names with the fields of its budget
and process that the answer shows, and, when the check is limited, what the limit's buckets have
counted (:func:`pbengine.services.ratelimit.counted_columns`, as a voter code's entry does): on
the tables, no ORM object, so that it may run on a plain connection. A known receipt writes
nothing; an unknown one is counted after the read (:func:`ratelimit.reserve`, never released).
Once a bucket has reached its limit every check is refused, found or not, so that a refusal says
nothing of the receipt.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import String, Table, bindparam, literal_column, select, union_all

from ..models import Ballot, Budget, Phase, Process, ReplacedBallot
from ..models.process import Translated
from . import ratelimit
from .ballots import receipt_hash
from .ratelimit import Bucket

_BALLOT, _REPLACED, _BUDGET, _PROCESS = (model.__table__ for model in (Ballot, ReplacedBallot, Budget, Process))
assert all(isinstance(table, Table) for table in (_BALLOT, _REPLACED, _BUDGET, _PROCESS))


@dataclass(eq=False)
class ReceiptProcess(Translated):
    """What a receipt's answer shows of the process (organizer texts through ``Translated``)."""

    id: int
    slug: str
    title: str
    phase: str
    translations: dict = field(default_factory=dict)


@dataclass(eq=False)
class ReceiptBudget(Translated):
    id: int
    slug: str
    name: str
    process: ReceiptProcess
    translations: dict = field(default_factory=dict)


@dataclass
class ReceiptStatus:
    found: bool
    counted: bool = False
    replaced: bool = False
    budget: ReceiptBudget | None = None
    receipt_hash: str = ""
    published: bool = False


@functools.cache
def _statement(limited: int):
    """The budget and process of the ballot a receipt digest names (counted first, then replaced),
    with what ``limited`` rate-limit buckets have counted. Built once per number of buckets."""
    digest = bindparam("digest", type_=String)
    found = union_all(
        select(_BALLOT.c.budget_id.label("budget_id"), literal_column("1").label("counted"))
        .where(_BALLOT.c.receipt_hash == digest),
        select(_REPLACED.c.budget_id, literal_column("0")).where(_REPLACED.c.receipt_hash == digest)).subquery()
    return (select(found.c.counted, _BUDGET.c.id, _BUDGET.c.slug, _BUDGET.c.name, _BUDGET.c.translations,
                   _PROCESS.c.id.label("process_id"), _PROCESS.c.slug.label("process_slug"), _PROCESS.c.title,
                   _PROCESS.c.phase, _PROCESS.c.translations.label("process_translations"),
                   *ratelimit.counted_columns(limited))
            .select_from(found).join(_BUDGET, _BUDGET.c.id == found.c.budget_id)
            .join(_PROCESS, _PROCESS.c.id == _BUDGET.c.process_id)
            .order_by(found.c.counted.desc()).limit(1))


def check_receipt(db, receipt: str, buckets: Sequence[Bucket] = (), session_factory=None) -> ReceiptStatus:
    """The status of the ballot ``receipt`` names, in one statement on ``db`` (a session or a
    connection). With ``buckets`` (and the ``session_factory`` their counters are written with),
    under those limits: :class:`~pbengine.services.errors.TooManyAttempts` once one of them has
    reached its limit; an unknown receipt is counted in every bucket (in a short transaction of
    its own), a known one writes nothing."""
    digest = receipt_hash(receipt)
    parameters = {"digest": digest}
    counters = None
    if buckets:
        counters = ratelimit.probe(session_factory, list(buckets))
        parameters |= counters.parameters()
    row = db.execute(_statement(len(buckets)), parameters).first()
    if row is None:
        if buckets:
            ratelimit.reserve(session_factory, list(buckets))
        return ReceiptStatus(found=False, receipt_hash=digest)
    if counters is not None:
        counters.refuse_if_over([getattr(row, f"counted{i}") for i in range(len(buckets))])
    process = ReceiptProcess(row.process_id, row.process_slug, row.title, row.phase, row.process_translations or {})
    budget = ReceiptBudget(row.id, row.slug, row.name, process, row.translations or {})
    return ReceiptStatus(found=True, counted=bool(row.counted), replaced=not row.counted, budget=budget,
                         receipt_hash=digest, published=row.phase == Phase.PUBLISHED)

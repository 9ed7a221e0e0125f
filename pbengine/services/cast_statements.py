"""The statements of a cast (:mod:`pbengine.services.ballots`), on the tables, built once.

A cast begins with one statement that takes its locks and reads what it checks: the process row's
phase under a shared lock (PostgreSQL ``FOR KEY SHARE``: casts do not wait for one another, closing
the vote waits for them), the voter code's advisory lock and its batch's eligibility, and for the
API the voter code itself with its rate-limit counters (:func:`entry`). The API first tries a first
ballot (in a budget without a limit of budgets per code) as that statement and its INSERT together, in
a transaction of their own (:func:`entry_and_store`): one round trip a ballot on PostgreSQL, and on
SQLite a write lock held for one statement instead of the whole request.
"""

from __future__ import annotations

import functools

from sqlalchemy import Integer, String, Table, and_, bindparam, exists, func, or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ..models import Ballot, Budget, CodeBatch, Phase, Process, VoterCode
from ..models.voting import code_batch_budget
from . import ratelimit

# What a first ballot's INSERT writes (``services.ballots._insert_first``, and :func:`entry_and_store`).
FIRST_COLUMNS = ("id", "budget_id", "slot", "receipt_hash", "content", "channel", "submission_hash", "cast_at",
                 "entered_by")
# Built once per dialect, on the table (an ORM INSERT costs four times as much CPU): building an INSERT
# and its cache key on every cast cost more than running it. The request's session still commits it
# (``models.session`` marks a Core write as changed).
BALLOTS = Ballot.__table__
assert isinstance(BALLOTS, Table)
INSERT_FIRST = {name: insert(BALLOTS).values({c: bindparam(c) for c in FIRST_COLUMNS})
                .on_conflict_do_nothing().returning(BALLOTS.c.id)
                for name, insert in (("postgresql", pg_insert), ("sqlite", sqlite_insert))}


def guard_columns(dialect: str, batch_id) -> list:
    """The code's advisory lock (PostgreSQL) and whether its batch (``batch_id``) is for the budget."""
    batches = CodeBatch.__table__
    columns = [func.pg_advisory_xact_lock(bindparam("lock")).label("locked")] if dialect == "postgresql" else []
    return columns + [
        select(batches.c.all_budgets).where(batches.c.id == batch_id).scalar_subquery().label("all_budgets"),
        exists().where(code_batch_budget.c.batch_id == batch_id,
                       code_batch_budget.c.budget_id == bindparam("budget_id")).label("in_batch")]


def _guard(dialect: str, with_code: bool):
    """The statement a cast begins with: the phase, re-read under a shared lock on the process row
    (PostgreSQL ``FOR KEY SHARE``); with a voter code, also :func:`guard_columns`. Built once per dialect."""
    processes = Process.__table__
    columns = [processes.c.phase, *(guard_columns(dialect, bindparam("batch_id")) if with_code else ())]
    return select(*columns).where(processes.c.id == bindparam("process_id")).with_for_update(read=True, key_share=True)


GUARDS = {(dialect, with_code): _guard(dialect, with_code)
          for dialect in ("postgresql", "sqlite") for with_code in (False, True)}


@functools.cache
def entry(dialect: str, buckets: int):
    """The first statement of an API cast (built once per dialect and number of buckets).

    One row per process (none if the process row is gone or its slug changed): its phase, under a
    shared lock on the row (PostgreSQL ``FOR KEY SHARE``), its ``created_at`` and locked fingerprint
    and whether the budget is still its own (``budget_ok``), to check a target the app server kept
    (:mod:`pbengine.services.ballot_rules`); the voter code, if the process has it (an outer join:
    NULL columns otherwise); what the code's rate-limit ``buckets`` counted; the code's advisory
    lock and its batch's eligibility (:func:`guard_columns`).
    """
    processes, voter_codes, budgets = Process.__table__, VoterCode.__table__, Budget.__table__
    code_row = voter_codes.c.process_id == processes.c.id, voter_codes.c.code_hash == bindparam("code_hash")
    return (select(processes.c.phase, processes.c.created_at, processes.c.config_fingerprint,
                   exists().where(budgets.c.id == bindparam("budget_id"), budgets.c.process_id == processes.c.id,
                                  budgets.c.slug == bindparam("budget_slug")).label("budget_ok"),
                   voter_codes.c.id.label("code_id"), voter_codes.c.batch_id, voter_codes.c.revoked_at,
                   *ratelimit.counted_columns(buckets), *guard_columns(dialect, voter_codes.c.batch_id))
            .select_from(processes.outerjoin(voter_codes, and_(*code_row)))
            .where(processes.c.id == bindparam("process_id"), processes.c.slug == bindparam("slug"))
            .with_for_update(read=True, key_share=True, of=processes))


def _allowed(c, buckets: int):
    """Every check ``ballots.cast_with_code`` makes on the entry's row (``c``: its columns), as one condition:
    voting, the target current (``created_at``, fingerprint, budget), the code known and not revoked, every
    bucket under its limit (``limit{i}``), the code's batch for this budget."""
    return and_(c.phase == Phase.VOTING.value,
                c.created_at == bindparam("created_at", type_=Process.created_at.type),
                c.config_fingerprint.is_not_distinct_from(bindparam("fingerprint", type_=String)), c.budget_ok,
                c.code_id.is_not(None), c.revoked_at.is_(None),
                *(func.coalesce(c[f"counted{i}"], 0) + 1 <= bindparam(f"limit{i}", type_=Integer)
                  for i in range(buckets)),
                or_(c.batch_id.is_(None), c.all_budgets.is_(None), c.all_budgets, c.in_batch))


@functools.cache
def entry_and_store(dialect: str, buckets: int):
    """:func:`entry` and a first ballot's INSERT in one statement, run as a transaction of its own. Built
    once per dialect and number of buckets. PostgreSQL: one row (the new ballot's id) if it stored the
    ballot, none otherwise; SQLite: see below.

    The INSERT takes its one row from the entry's row, and only where every check of :func:`_allowed`
    passes on it. ``ON CONFLICT DO NOTHING``: a slot that already holds a ballot, or this submission
    already stored, stores nothing. Those are decided by the unique indexes (which see every committed
    row and, on PostgreSQL, wait for those in flight), not by the statement's snapshot. A statement that
    stored nothing wrote nothing, and the cast is made as without it.

    PostgreSQL: a data-modifying WITH, so that the INSERT runs after the entry's locks (the advisory lock
    is taken as the entry's row is made, the shared lock on the process row is held to the end of the
    statement, which is the end of its transaction: closing the vote waits for it, and a statement that
    waited for the close gets the row as the close left it).

    SQLite (no INSERT in a WITH): ``INSERT ... SELECT ... FROM (entry) WHERE ... ON CONFLICT DO NOTHING``,
    the rows it stored counted by the driver (``rowcount``, SQLite's ``changes()``: 1 or 0), without
    RETURNING, so that the statement runs and commits in one step of SQLite's (one release of the GIL
    while it holds the write lock, not two). A write statement takes SQLite's write lock as it starts,
    before its first read, and a statement outside a transaction is one of its own: the entry's row is
    read under the write lock, after a close that holds it (``BEGIN IMMEDIATE``) has committed, or before
    the close begins (``tests/api/test_first_ballot_beside_a_close.py``).
    """
    values = select(*(bindparam(name, type_=BALLOTS.c[name].type) for name in FIRST_COLUMNS))
    if dialect == "postgresql":
        entered = entry("postgresql", buckets).cte("entry")
        stored = (pg_insert(BALLOTS).from_select(list(FIRST_COLUMNS),
                                                 values.select_from(entered).where(_allowed(entered.c, buckets)))
                  .on_conflict_do_nothing().returning(BALLOTS.c.id).cte("stored"))
        return select(stored.c.id)
    read = entry("sqlite", buckets).subquery("entry")
    return (sqlite_insert(BALLOTS).from_select(list(FIRST_COLUMNS),
                                               values.select_from(read).where(_allowed(read.c, buckets)))
            .on_conflict_do_nothing())

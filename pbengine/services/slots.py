"""Ballot slots: how the server finds a voter's own ballot without the database linking the two.

A ballot cast with a voter code is stored under its *slot*,
``HMAC-SHA256(code key, "ballot-slot", budget id, the code's keyed hash)``. The code key is a
setting (``pbengine.code_key``), never in the database. So the server, given the code, finds
the code's one ballot in a budget (to replace it, or to say "you have voted here"); a reader
of a database dump, who has the code's hash but not the key, cannot compute any slot, and
the slots of one code in two budgets are unrelated values.

Nothing else in the cast writes about the code: the cast does not touch the voter code's row
(on PostgreSQL the row's new version would sit in cast order and carry the casting
transaction's id, which the ballot row carries too). Two casts of one code (in one budget, or in
two budgets when the process limits how many a code votes in) are serialised by a
transaction-scoped advisory lock on a keyed hash of the code (:func:`code_lock`), which leaves no
trace in any table; SQLite has one writer at a time anyway. Whether a code has voted is found from the slots while
voting is open; at the close it is written to every code at once (``VoterCode.voted``), the
slots are erased and the ballots rewritten in the order of their random ids: from then on
nobody, holding the key or not, can tell which ballot came from which code.
"""

from __future__ import annotations

import hashlib
import hmac

from sqlalchemy import delete, func, insert, null, select, update

from ..models import Ballot, Phase, Process, ReplacedBallot, VoterCode

CHUNK = 10_000


def slot(key: str, budget_id: int, code_hash: str) -> str:
    """The slot of the code whose keyed hash is ``code_hash`` in budget ``budget_id``."""
    message = "\x1f".join(("ballot-slot", str(budget_id), code_hash)).encode()
    return hmac.new(key.encode(), message, hashlib.sha256).hexdigest()


def code_lock(key: str, code_hash: str) -> str:
    """What the casts of one code lock (:func:`lock_number`): keyed like a slot, the same in every budget."""
    message = "\x1f".join(("code-lock", code_hash)).encode()
    return hmac.new(key.encode(), message, hashlib.sha256).hexdigest()


def require_key(key: str | None) -> str:
    if not key:
        raise ValueError("the voter-code key (settings['pbengine.code_key']) is needed for a voter's ballots")
    return key


def lock_number(value: str) -> int:
    """The PostgreSQL advisory lock number of ``value`` (a :func:`code_lock`): a cast takes
    ``pg_advisory_xact_lock`` of it in its first statement (``services.ballots``)."""
    return int.from_bytes(bytes.fromhex(value[:16]), "big", signed=True)





def _budget_ids(process: Process) -> list[int]:
    return [budget.id for budget in process.budgets]


def _open_slots(db, process: Process) -> set[str]:
    ids = _budget_ids(process)
    if not ids:
        return set()
    return set(db.scalars(select(Ballot.slot).where(Ballot.budget_id.in_(ids), Ballot.slot.is_not(None))))


def voted_code_ids(db, process: Process, key: str | None) -> set[int]:
    """Ids of the codes of ``process`` that have a ballot: marked (closed vote) or found by slot."""
    voted = set(db.scalars(select(VoterCode.id).where(VoterCode.process_id == process.id,
                                                      VoterCode.voted.is_(True))))
    slots = _open_slots(db, process)
    if slots:
        key = require_key(key)
        ids = _budget_ids(process)
        for code_id, code_hash in db.execute(select(VoterCode.id, VoterCode.code_hash)
                                             .where(VoterCode.process_id == process.id)):
            if code_id not in voted and any(slot(key, b, code_hash) in slots for b in ids):
                voted.add(code_id)
    return voted


def close(db, process: Process, key: str | None) -> int:
    """At the close: mark the codes that voted, erase the slots, rewrite the ballots in random order.

    Returns how many slots were erased. The caller holds the process row lock (no cast is in flight).
    """
    ids = _budget_ids(process)
    if not ids:
        return 0
    voted = sorted(voted_code_ids(db, process, key))
    for start in range(0, len(voted), CHUNK):  # bound parameters per statement are limited (SQLite: 32,766)
        db.execute(update(VoterCode).where(VoterCode.id.in_(voted[start:start + CHUNK])).values(voted=True)
                   .execution_options(synchronize_session=False))
    erased = db.scalar(select(func.count()).select_from(Ballot).where(Ballot.budget_id.in_(ids),
                                                                       Ballot.slot.is_not(None)))
    reorder(db, ids, erase=True)
    return erased


def shuffle(db, process: Process) -> int:
    """While voting: rewrite the process's ballots in the order of their ids, keeping their slots.

    For PostgreSQL, whose rows otherwise sit in the order they were written: a backup taken
    right after lists no order of casting (only the ballots cast since then are at the end).
    Casts wait for it (the process row is locked as for the close). Returns how many ballots
    were rewritten (0 on SQLite, which keeps them in that order anyway, and for a process
    that is not voting).
    """
    db.refresh(process, with_for_update=True)
    ids = _budget_ids(process)
    if process.phase != Phase.VOTING or not ids or db.get_bind().dialect.name == "sqlite":
        return 0
    count = db.scalar(select(func.count()).select_from(Ballot).where(Ballot.budget_id.in_(ids)))
    reorder(db, ids, erase=False)
    return count


def _rewrite(db, table, where, order_by, nulls=()) -> None:
    """Delete the rows and insert them again sorted by ``order_by``, in one statement (PostgreSQL)."""
    moved = delete(table).where(where).returning(*table.columns).cte("moved")
    names = [c.name for c in table.columns]
    columns = [null().cast(c.type).label(c.name) if c.name in nulls else moved.c[c.name] for c in table.columns]
    db.execute(insert(table).from_select(names, select(*columns).order_by(moved.c[order_by.name])))


def reorder(db, budget_ids: list[int], erase: bool) -> None:
    """Store these budgets' ballots again in the order of their ids (and ``erase`` their slots).

    SQLite already keeps them in that order (``WITHOUT ROWID``). PostgreSQL stores rows in the
    order they are written (at the end of the table, or in free space left by deleted rows), so
    deleting and inserting them sorted by id leaves no order of casting: where each lands depends
    on its random id and the table's free space. The old row versions are gone from any dump, and
    VACUUM reclaims their space.
    """
    db.flush()
    for obj in [o for o in db.identity_map.values() if isinstance(o, (Ballot, ReplacedBallot))]:
        db.expunge(obj)  # the rows are rewritten below, behind the ORM's back
    ballots = Ballot.__table__
    replaced = ReplacedBallot.__table__
    if db.get_bind().dialect.name == "sqlite":
        if erase:
            db.execute(update(ballots).where(ballots.c.budget_id.in_(budget_ids)).values(slot=None))
        return
    _rewrite(db, ballots, ballots.c.budget_id.in_(budget_ids), ballots.c.id, nulls=("slot",) if erase else ())
    _rewrite(db, replaced, replaced.c.budget_id.in_(budget_ids), replaced.c.receipt_hash)


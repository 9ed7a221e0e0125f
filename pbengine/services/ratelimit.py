"""Rate limits shared by every app server: atomic counters in the database, keyed so they reveal nothing.

A *bucket* is what one limit counts: a client address, one browser at an address, a submitted
voter code, an e-mail address. Each attempt first *reserves* one unit in every bucket it
belongs to, in one short transaction (``INSERT … ON CONFLICT DO UPDATE … RETURNING``: the
database serialises concurrent increments of a row, on SQLite and PostgreSQL alike). If any
bucket is then over its limit the transaction is rolled back and the attempt is refused, so a
burst of N concurrent attempts lets through at most the limit, on one app server or many.
A successful attempt releases its reservation: only failures count.

Voter codes, checked on every ballot, use a cheaper pair that writes nothing for a valid
code: :func:`check` only reads the counters (one indexed SELECT, no row lock: identical
submissions and busy addresses never wait on one another), and a wrong code is counted with
:func:`reserve` after the check, never released. Both refuse on the same rule (the failures
already counted in the window have reached the limit), so a refusal says nothing of the
code. A burst of wrong codes still lets through at most the limit (each increment is
atomic); a valid code in such a burst is answered if its read came before the limit was
reached, which for an attacker who does not know which guesses are valid amounts to the
same number of codes tested.

SQLite has one writer at a time, and a request that may write holds the write lock from its
first statement (``BEGIN IMMEDIATE``, see ``models.sqlite``): there the counters are written
in the request's own transaction, inside a savepoint, and the lock makes them atomic. The
request must then commit on a failure (the views answer a refused code without rolling back).

Limits slide over a minute: the current minute's count plus the previous minute's, weighted
by how much of it is still within 60 seconds.

What is stored is not reversible to an address or a code: the value is hashed with
HMAC-SHA256 under a random key drawn for each minute (kept in the database only while that
minute's counters live, then deleted with them), and only a 16-bit tag of the hash is kept.
Even with a dump and the key, each IPv4 tag matches 65,536 addresses; two minutes later key
and counters are gone.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import secrets
import threading
import time
import weakref
from dataclasses import dataclass
from typing import Literal, overload

from sqlalchemy import Float, and_, bindparam, case, delete, func, or_, select, text, tuple_, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ..i18n import _
from ..models import RateCounter, RateKey
from ..models.session import write_engine
from ..models.sqlite import BEGIN_OPTION, DatabaseBusy
from .errors import TooManyAttempts

MINUTE = 60
TAG_BITS = 16


@dataclass(frozen=True)
class Bucket:
    """``value`` (an address, a code, ...) is hashed with the minute's key and never stored."""

    scope: str
    value: str
    limit: int


_keys: dict[tuple[str, int], bytes | None] = {}  # (database, minute) -> key, as read from rate_key
_keys_lock = threading.Lock()


def _insert(db):
    return pg_insert if db.get_bind().dialect.name == "postgresql" else sqlite_insert


_KEY = ("scope", "minute", "tag")
_names: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # engine -> its URL, the keys' cache key


def _database(bind) -> str:
    """The database a bind writes to (its URL as text, rendered once per engine: on every ballot's path)."""
    engine = getattr(bind, "engine", bind)
    name = _names.get(engine)
    if name is None:
        name = _names[engine] = str(engine.url)
    return name


@overload
def _key(db, minute: int, create: Literal[True], remember: bool = True) -> bytes: ...  # created if missing
@overload
def _key(db, minute: int, create: bool, remember: bool = True) -> bytes | None: ...
def _key(db, minute: int, create: bool, remember: bool = True) -> bytes | None:
    """The random key of ``minute``, shared by every app server through the ``rate_key`` table."""
    cache = (_database(db.get_bind()), minute)
    with _keys_lock:
        if cache in _keys and (_keys[cache] is not None or not create):
            return _keys[cache]
    key = db.scalar(select(RateKey.key).where(RateKey.minute == minute))
    if key is None:
        if not create:
            with _keys_lock:
                _keys[cache] = None  # the previous minute had no attempts: do not ask again
            return None
        db.execute(_insert(db)(RateKey).values(minute=minute, key=secrets.token_hex(32))
                   .on_conflict_do_nothing(index_elements=["minute"]))
        key = db.scalar(select(RateKey.key).where(RateKey.minute == minute))
        if not remember:  # created in a transaction that may still roll back: do not cache it
            return bytes.fromhex(key)
        # Rate state expires: older keys and counters are deleted, so they cannot be reversed later.
        db.execute(delete(RateKey).where(RateKey.minute < minute - 1))
        db.execute(delete(RateCounter).where(RateCounter.minute < minute - 1))
    with _keys_lock:
        for old in [c for c in _keys if c[1] < minute - 1]:
            del _keys[old]
        _keys[cache] = bytes.fromhex(key)
    return _keys[cache]


def _cached(db, minute: int) -> bool:
    with _keys_lock:
        return _keys.get((_database(db.get_bind()), minute)) is not None


def tag(key: bytes, bucket: Bucket) -> int:
    digest = hmac.new(key, f"{bucket.scope}\0{bucket.value}".encode(), hashlib.sha256).digest()
    return int.from_bytes(digest[:TAG_BITS // 8], "big")


def _side_transaction(db) -> None:
    """Counters are worth a minute: on PostgreSQL their commits need not wait for the disk.

    Other transactions see them at commit as usual (the row locks still serialise them); a
    crash can lose the last fraction of a second of counts, nothing else.
    """
    if db.get_bind().dialect.name == "postgresql":
        db.execute(text("SET LOCAL synchronous_commit = off"))


def holds_the_write_lock(db) -> bool:
    """True for an SQLite session of a request that may write: it already holds the write lock."""
    bind = db.get_bind() if db is not None else None
    return (bind is not None and bind.dialect.name == "sqlite"
            and bind.get_execution_options().get(BEGIN_OPTION) == "IMMEDIATE")


class Reservation:
    """One counted attempt; :meth:`release` it when the attempt succeeded."""

    def __init__(self, session_factory, rows: list[tuple[str, int, int]], request_db=None):
        self._factory = session_factory
        self._rows = rows
        self._request_db = request_db

    def release(self) -> None:
        if not self._rows:
            return
        if self._request_db is not None:
            self._decrement(self._request_db)
        else:
            with self._factory() as db, db.begin():
                _side_transaction(db)
                self._decrement(db)
        self._rows = []

    def _decrement(self, db) -> None:
        # ORM statements through the session: zope.sqlalchemy then knows the request wrote something.
        # Row by row in the sorted order reserve() locks them in: one UPDATE ... IN (...) locks rows
        # in the table's physical order, which deadlocks against a concurrent reserve() on PostgreSQL.
        for row in sorted(self._rows):
            db.execute(update(RateCounter)
                       .where(tuple_(RateCounter.scope, RateCounter.minute, RateCounter.tag) == row,
                              RateCounter.count > 0)
                       .values(count=RateCounter.count - 1).execution_options(synchronize_session=False))


def reserve(session_factory, buckets: list[Bucket], now: float | None = None, request_db=None) -> Reservation:
    """Count one attempt in every bucket, or raise :class:`TooManyAttempts` (and count nothing).

    ``request_db``: the request's session; used (in a savepoint) when it holds SQLite's write lock.
    """
    now = time.time() if now is None else now
    if holds_the_write_lock(request_db):
        with request_db.begin_nested():  # rolled back if TooManyAttempts is raised
            rows = _count(request_db, buckets, now, remember=False)
        return Reservation(session_factory, rows, request_db)
    with session_factory() as db:
        minute = int(now // MINUTE)
        if not _cached(db, minute):
            with db.begin():  # the minute's key, committed even if this attempt is refused
                _key(db, minute, create=True)
        try:
            _side_transaction(db)
            rows = _count(db, buckets, now)
        except TooManyAttempts:
            db.rollback()
            raise
        db.commit()
    return Reservation(session_factory, rows)


def _read_key(db, minute: int) -> bytes | None:
    """The key of ``minute`` if it exists; never creates it, and caches only a key that exists."""
    cache = (_database(db.get_bind()), minute)
    with _keys_lock:
        if _keys.get(cache) is not None:
            return _keys[cache]
    key = db.scalar(select(RateKey.key).where(RateKey.minute == minute))
    if key is None:
        return None
    with _keys_lock:
        _keys[cache] = bytes.fromhex(key)
    return _keys[cache]


def _bucket_counts(index: int):
    """What bucket ``index`` of a :class:`Probe` has counted in the last 60 seconds: its rows of the
    current and the previous minute, the previous one weighted by how much of it is still counted.
    A minute without a key has no rows: its tag is then -1, which no row has."""
    weight = bindparam(f"w{index}", type_=Float)
    counters = RateCounter.__table__.c  # on the table: a statement they are added to stays a Core one
    return (select(func.coalesce(func.sum(case((counters.minute == bindparam("m"), counters.count),
                                               else_=counters.count * weight)), 0))
            .where(counters.scope == bindparam(f"s{index}"),
                   or_(and_(counters.minute == bindparam("m"), counters.tag == bindparam(f"t{index}")),
                       and_(counters.minute == bindparam("m1"), counters.tag == bindparam(f"u{index}"))))
            .scalar_subquery().label(f"counted{index}"))


@functools.cache
def counted_columns(n: int) -> tuple:
    """The columns that read what ``n`` buckets have counted, to add to any SELECT (no row lock, nothing
    written); their parameters come from :meth:`Probe.parameters`. Built once per ``n``."""
    return tuple(_bucket_counts(i) for i in range(n))


@functools.cache
def _counts_statement(n: int):
    return select(*counted_columns(n))


@dataclass(frozen=True)
class Probe:
    """The buckets of one attempt and the minutes' keys, ready to read their counts in a SELECT."""

    buckets: tuple[Bucket, ...]
    minute: int
    current: bytes | None
    previous: bytes | None
    still_counted: float  # share of the previous minute within the last 60 s

    def parameters(self) -> dict:
        values: dict = {"m": self.minute, "m1": self.minute - 1}
        for i, bucket in enumerate(self.buckets):
            values[f"s{i}"] = bucket.scope
            values[f"t{i}"] = tag(self.current, bucket) if self.current is not None else -1
            values[f"u{i}"] = tag(self.previous, bucket) if self.previous is not None else -1
            values[f"w{i}"] = self.still_counted
        return values

    def refuse_if_over(self, counted) -> None:
        """Raise :class:`TooManyAttempts` if one more failure would go over a bucket's limit."""
        if any(float(c or 0) + 1 > b.limit for b, c in zip(self.buckets, counted, strict=True)):
            raise TooManyAttempts(_("Too many wrong attempts. Wait a minute, then try again."))


def probe(session_factory, buckets: list[Bucket], now: float | None = None, request_db=None) -> Probe:
    """The keys :func:`check` reads the buckets' counts with, for a SELECT of the caller's in
    ``request_db`` (no query once the minute's keys are known to this app server)."""
    db = request_db if request_db is not None else session_factory()
    try:
        return _probe(session_factory, db, buckets, now, holds_the_write_lock(request_db))
    finally:
        if request_db is None:
            db.close()


def _probe(session_factory, db, buckets: list[Bucket], now: float | None, in_write_lock: bool) -> Probe:
    # On PostgreSQL the current minute's key is created once per minute and app server (in a
    # short transaction of its own), so that later calls need only the counters.
    now = time.time() if now is None else now
    minute = int(now // MINUTE)
    if in_write_lock:
        current = _read_key(db, minute)  # SQLite: a key created here could roll back with the request
    else:
        current = None
        created = _cached(db, minute)
        if not created:
            try:
                with session_factory() as side, side.begin():
                    _key(side, minute, create=True)
                created = True
            except DatabaseBusy:
                # SQLite: another app server holds the write lock. A check only reads: a
                # minute without its key has no counters yet, so read what exists.
                current = _read_key(db, minute)
        if created:
            current = _key(db, minute, create=True)
    previous = _key(db, minute - 1, create=False)
    return Probe(tuple(buckets), minute, current, previous, 1 - (now % MINUTE) / MINUTE)


def ready(session_factory, now: float | None = None) -> None:
    """Make the current minute's key known to this app server, before a request takes SQLite's write lock.

    In the write lock a key cannot be created (it could roll back with the request), so until the
    minute has a key every check there reads the ``rate_key`` table again. Called before the
    request's first statement, this creates it in a short transaction of its own, once per minute
    and app server, as :func:`probe` does on PostgreSQL; a key already known costs no query.
    """
    minute = int((time.time() if now is None else now) // MINUTE)
    with _keys_lock:
        if _keys.get((_database(session_factory.kw["bind"]), minute)) is not None:
            return
    # On SQLite as a writer (BEGIN IMMEDIATE), taking its turn among this server's writers.
    with session_factory(bind=write_engine(session_factory.kw["bind"])) as db:
        try:
            with db.begin():
                _key(db, minute, create=True)
        except DatabaseBusy:
            pass  # another app server holds the write lock: the check reads what exists, as before


def check(session_factory, buckets: list[Bucket], now: float | None = None, request_db=None) -> None:
    """Raise :class:`TooManyAttempts` if the failures counted in any bucket have reached its limit.

    Reads only: one SELECT in ``request_db`` (the request's session), or, without one, in a
    session of its own; a caller with a query of its own to make adds :func:`counted_columns` to
    it instead (voter codes: :func:`pbengine.services.codes.enter`). Refuses exactly when
    :func:`reserve` would refuse one more failure.
    """
    db = request_db if request_db is not None else session_factory()
    try:
        found = _probe(session_factory, db, buckets, now, holds_the_write_lock(request_db))
        if found.current is None and found.previous is None:
            return  # no key: nothing was counted in the last two minutes
        counted = db.execute(_counts_statement(len(buckets)), found.parameters()).one()
    finally:
        if request_db is None:
            db.close()
    found.refuse_if_over(counted)


def _count(db, buckets: list[Bucket], now: float, remember: bool = True) -> list[tuple[str, int, int]]:
    minute = int(now // MINUTE)
    still_counted = 1 - (now % MINUTE) / MINUTE  # share of the previous minute within the last 60 s
    current = _key(db, minute, create=True, remember=remember)
    previous = _key(db, minute - 1, create=False)
    tags = {bucket: tag(current, bucket) for bucket in buckets}
    rows = sorted({(b.scope, minute, t) for b, t in tags.items()})  # one order: no deadlocks
    # One statement for every bucket (one round trip), in one order: no deadlocks.
    increment = (_insert(db)(RateCounter).values([dict(zip(_KEY, row, strict=True)) | {"count": 1} for row in rows])
                 .on_conflict_do_update(index_elements=list(_KEY), set_={"count": RateCounter.count + 1})
                 .returning(RateCounter.scope, RateCounter.tag, RateCounter.count))
    counts = {(s, t): count for s, t, count in db.execute(increment)}
    before = {}
    if previous is not None:
        old = {b: tag(previous, b) for b in buckets}
        found = dict(((s, t), count) for s, t, count in db.execute(
            select(RateCounter.scope, RateCounter.tag, RateCounter.count).where(
                RateCounter.minute == minute - 1,
                tuple_(RateCounter.scope, RateCounter.tag).in_([(b.scope, t) for b, t in old.items()]))))
        before = {b: found.get((b.scope, t), 0) for b, t in old.items()}
    over = [b for b in buckets if counts[(b.scope, tags[b])] + before.get(b, 0) * still_counted > b.limit]
    if over:
        raise TooManyAttempts(_("Too many wrong attempts. Wait a minute, then try again."))
    return rows

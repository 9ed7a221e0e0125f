"""SQLite as pbengine runs it: transactions begun by SQLAlchemy, writers taking turns, the WAL checkpointed aside.

pysqlite's own transaction handling is turned off and SQLAlchemy emits ``BEGIN`` itself (the SQLAlchemy
documentation's recipe), so that a request that may write begins with ``BEGIN IMMEDIATE``
(``session.write_engine``): it takes the write lock before its first read, waits for it (``busy_timeout``)
instead of failing half-way, and never decides on a snapshot another writer has moved past. WAL keeps readers
unblocked; ``synchronous=FULL`` makes every acknowledged commit durable. Within one app server, writers take
turns on a Python lock rather than polling SQLite's (``_WriterTurns``), and the WAL is copied back into the
file by a thread of the engine's, not by a writer in its turn (``_Checkpointer``). :func:`set_up` puts it all
on an engine (``session.get_engine``).
"""

from __future__ import annotations

import sqlite3
import threading
import weakref
from collections.abc import Callable

import transaction.interfaces
from sqlalchemy import event
from sqlalchemy.engine import Dialect, Engine

BEGIN_OPTION = "pbengine_sqlite_begin"
OWN_TRANSACTION = "own transaction"  # BEGIN_OPTION of statement_engine: no BEGIN at all
BUSY_TIMEOUT_MS = 5000


CHECKPOINT_INTERVAL = 0.1  # seconds between two passes of an SQLite engine's checkpointer
WRITERS_CHECKPOINT_PAGES = 10_000  # a writer checkpoints the WAL itself only past this (40 MB), see _Checkpointer


class DatabaseBusy(transaction.interfaces.TransientError):
    """SQLite stayed locked for the whole busy timeout: pyramid_retry runs the request again."""


def _sqlite_pragmas(dbapi_connection, _record):
    dbapi_connection.isolation_level = None  # SQLAlchemy emits BEGIN (see _sqlite_begin)
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.close()


class _WriterTurns:
    """One SQLite writer at a time within this process, handed over without sleeping.

    SQLite's busy handler polls for the write lock with sleeps of up to 100 ms: under load,
    writers of one app server waiting for each other that way spend most of their time
    asleep while the lock is free. Threads of one engine queue on a Python lock instead,
    taken before ``BEGIN IMMEDIATE`` and given back once the COMMIT or ROLLBACK is done;
    other processes on the same file still meet SQLite's own lock and busy timeout. A wait
    longer than the busy timeout goes on to SQLite's lock, which then raises DatabaseBusy.
    """

    def __init__(self, timeout: float):
        self.lock = threading.Lock()
        self.timeout = timeout
        self.holder: int | None = None  # id() of the DBAPI connection in its turn

    @staticmethod
    def _raw(connection) -> int:
        # SQLAlchemy passes the pool's proxy or the DBAPI connection itself, depending on the caller.
        return id(getattr(connection, "dbapi_connection", None) or connection)

    def take(self, dbapi_connection) -> None:
        if self.holder == self._raw(dbapi_connection):
            return
        if self.lock.acquire(timeout=self.timeout):
            self.holder = self._raw(dbapi_connection)

    def give_back(self, dbapi_connection) -> None:
        if self.holder == self._raw(dbapi_connection):
            self.holder = None
            self.lock.release()


# Each SQLite engine's writer turns, by its dialect (which its execution_options() copies share).
_TURNS: weakref.WeakKeyDictionary[Dialect, _WriterTurns] = weakref.WeakKeyDictionary()


def writer_turns(engine: Engine) -> _WriterTurns | None:
    """The turns the writers of ``engine`` take (None: not an SQLite engine of :func:`get_engine`)."""
    return _TURNS.get(engine.dialect)


def _sqlite_begin(connection):
    mode = connection.get_execution_options().get(BEGIN_OPTION, "")
    turns = writer_turns(connection.engine)
    if mode == OWN_TRANSACTION:
        if turns is not None:
            turns.take(connection.connection)  # given back with the connection (its COMMIT, ROLLBACK or close)
        return  # no BEGIN: each statement is a transaction of its own
    if mode == "IMMEDIATE" and turns is not None:
        raw = connection.connection
        turns.take(raw)
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            turns.give_back(raw)
            raise
        return
    connection.exec_driver_sql(f"BEGIN {mode}".strip())


def _take_turns(engine: Engine) -> None:
    """Give the engine's dialect a :class:`_WriterTurns`, given back after each COMMIT or ROLLBACK."""
    dialect = engine.dialect
    turns = _TURNS[dialect] = _WriterTurns(timeout=BUSY_TIMEOUT_MS / 1000)

    def ending(method: Callable[..., None]) -> Callable[..., None]:
        def end(dbapi_connection, *args, **kwargs) -> None:
            try:
                return method(dbapi_connection, *args, **kwargs)
            finally:
                turns.give_back(dbapi_connection)
        return end

    # SQLAlchemy has no event after the DBAPI's COMMIT, ROLLBACK or close (its ``commit`` and
    # ``rollback`` events come before): this dialect instance's methods are wrapped instead,
    # which mypy cannot type (it refuses every assignment to a method).
    dialect.do_commit = ending(dialect.do_commit)  # type: ignore[method-assign]
    dialect.do_rollback = ending(dialect.do_rollback)  # type: ignore[method-assign]
    dialect.do_close = ending(dialect.do_close)  # type: ignore[method-assign]


class _Checkpointer:
    """Copies an SQLite file's WAL back into the database in a thread of its own, instead of its writers.

    By default the writer whose commit takes the WAL past 1000 pages checkpoints it, within its
    statement: it copies the pages and syncs the file (from a few to hundreds of milliseconds) in its
    writer turn (:class:`_WriterTurns`), and every other writer of the app server waits for it (a
    ballot writes about 25 pages, one cast in 40). Here a thread runs ``PRAGMA wal_checkpoint(PASSIVE)``
    every ``CHECKPOINT_INTERVAL`` seconds on a connection of its own: a passive checkpoint takes no
    lock a writer needs and never waits. Writers still checkpoint themselves past
    ``WRITERS_CHECKPOINT_PAGES``, should this thread fall behind. Started at the engine's first
    connection, ended when the engine is gone (or by :meth:`stop`).
    """

    def __init__(self, path: str):
        self.path = path
        self.stopped = threading.Event()
        self._start = threading.Lock()
        self.thread: threading.Thread | None = None

    def connected(self, dbapi_connection, _record) -> None:
        dbapi_connection.execute(f"PRAGMA wal_autocheckpoint={WRITERS_CHECKPOINT_PAGES}")
        with self._start:
            if self.thread is None and not self.stopped.is_set():
                self.thread = threading.Thread(target=self._run, name="sqlite-checkpointer", daemon=True)
                self.thread.start()

    def _connect(self) -> sqlite3.Connection:
        # mode=rw: never creates a file that is gone (a test's database, dropped).
        connection = sqlite3.connect(f"file:{self.path}?mode=rw", uri=True, isolation_level=None,
                                     check_same_thread=False)
        connection.execute("PRAGMA synchronous=FULL")
        return connection

    def once(self, connection: sqlite3.Connection | None = None) -> None:
        """One pass: every frame of the WAL that no reader still needs, copied into the file."""
        own = connection is None
        connection = connection or self._connect()
        try:
            connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
        finally:
            if own:
                connection.close()

    def _run(self) -> None:
        try:
            connection = self._connect()
        except sqlite3.Error:
            return  # the file is gone: its writers checkpoint it, as by default
        try:
            while not self.stopped.wait(CHECKPOINT_INTERVAL):
                try:
                    self.once(connection)
                except sqlite3.Error:
                    pass  # tried again next time; past WRITERS_CHECKPOINT_PAGES a writer does it
        finally:
            connection.close()

    def stop(self) -> None:
        self.stopped.set()
        if self.thread is not None:
            self.thread.join()


_CHECKPOINTERS: weakref.WeakKeyDictionary[Engine, _Checkpointer] = weakref.WeakKeyDictionary()


def checkpointer(engine: Engine) -> _Checkpointer | None:
    """The checkpointer of an SQLite file engine of :func:`get_engine` (None otherwise)."""
    return _CHECKPOINTERS.get(engine)


def _checkpoint_aside(engine: Engine) -> None:
    path = engine.url.database
    if not path or path == ":memory:" or path.startswith("file:") or engine.url.query.get("uri"):
        return  # a database in memory, or given as a URI: its writers checkpoint it
    made = _CHECKPOINTERS[engine] = _Checkpointer(path)
    event.listen(engine, "connect", made.connected)
    weakref.finalize(engine, made.stopped.set)


def _sqlite_busy(context):
    if "database is locked" in str(context.original_exception):
        raise DatabaseBusy(str(context.original_exception)) from context.original_exception


def set_up(engine: Engine) -> None:
    """An SQLite engine of ``session.get_engine``: pragmas, BEGIN, busy errors, writer turns, checkpointer."""
    event.listen(engine, "connect", _sqlite_pragmas)
    event.listen(engine, "begin", _sqlite_begin)
    event.listen(engine, "handle_error", _sqlite_busy)
    _take_turns(engine)
    _checkpoint_aside(engine)

"""Engine and session factories; one session per request joined to pyramid_tm.

SQLite: pysqlite's own transaction handling is turned off and SQLAlchemy emits ``BEGIN``
itself (the SQLAlchemy documentation's recipe), so that a request that may write
(any method but GET, HEAD, OPTIONS) begins with ``BEGIN IMMEDIATE``: it takes the write
lock before its first read, waits for it (``busy_timeout``) instead of failing half-way,
and never decides on a snapshot another writer has moved past. WAL keeps readers
unblocked; ``synchronous=FULL`` makes every acknowledged commit durable. Within one app
server, writers take turns on a Python lock rather than polling SQLite's (``_WriterTurns``), and
the WAL is copied back into the file by a thread of the engine's, not by a writer in its turn
(``_Checkpointer``).
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
import threading
import weakref
from collections.abc import Callable

import transaction.interfaces
import zope.sqlalchemy
from sqlalchemy import engine_from_config, event
from sqlalchemy.engine import Dialect, Engine
from sqlalchemy.orm import Session, sessionmaker
from transaction._transaction import Status as ZopeStatus  # as zope.sqlalchemy itself checks it
from zope.sqlalchemy.datamanager import STATUS_ACTIVE, join_transaction, mark_changed

BEGIN_OPTION = "pbengine_sqlite_begin"
OWN_TRANSACTION = "own transaction"  # BEGIN_OPTION of statement_engine: no BEGIN at all
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
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


class DatabaseDisconnected(transaction.interfaces.TransientError):
    """A pooled connection was closed by the database (a restart, a failover, a proxy's idle timeout):
    pyramid_retry runs the request again, on a new connection."""


def _disconnected(context):
    """Instead of a ping before every checkout (``pool_pre_ping``, one round trip per request), a
    statement that finds its connection closed makes the request run again (``retry.attempts``).

    SQLAlchemy then drops that connection and every older one of the pool. Only a statement: a
    connection lost during COMMIT is not retried, since the commit may have happened.
    """
    if context.is_disconnect and context.statement is not None:
        raise DatabaseDisconnected(str(context.original_exception)) from context.original_exception


class _NoRows(logging.Filter):
    """At DEBUG, SQLAlchemy logs every result row (codes' hashes, receipts, ballots): never."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (isinstance(record.msg, str) and record.msg.startswith(("Row ", "Col ")))


def get_engine(settings: dict, prefix: str = "sqlalchemy.") -> Engine:
    # Statement parameters (voter code ids, ballot contents, e-mails) never reach a log or an error message.
    engine = engine_from_config(settings, prefix, hide_parameters=True)
    logger = logging.getLogger("sqlalchemy.engine.Engine")
    if not any(isinstance(f, _NoRows) for f in logger.filters):
        logger.addFilter(_NoRows())
    event.listen(engine, "handle_error", _disconnected)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        event.listen(engine, "handle_error", _sqlite_busy)
        _take_turns(engine)
        _checkpoint_aside(engine)
    return engine


_AUTOCOMMIT: weakref.WeakKeyDictionary[Engine, Engine] = weakref.WeakKeyDictionary()


def autocommit_engine(engine: Engine) -> Engine:
    """``engine`` with the driver in autocommit (made once per engine): on PostgreSQL a single
    statement is then a transaction of its own, one round trip instead of three (BEGIN, the
    statement, the COMMIT or the ROLLBACK when the connection goes back to the pool)."""
    made = _AUTOCOMMIT.get(engine)
    if made is None:
        made = _AUTOCOMMIT.setdefault(engine, engine.execution_options(isolation_level="AUTOCOMMIT"))
    return made


_OWN: weakref.WeakKeyDictionary[Engine, Engine] = weakref.WeakKeyDictionary()


def statement_engine(engine: Engine) -> Engine:
    """``engine`` for one write statement that is a transaction of its own (made once per engine).

    PostgreSQL: :func:`autocommit_engine`. SQLite: no BEGIN (pysqlite's own transactions are off, see
    :func:`_sqlite_pragmas`), so the statement is its own transaction: it takes the write lock as it
    starts, before its first read (waiting for it as ``busy_timeout`` says, then DatabaseBusy), and
    commits as it ends. Its connection takes this server's writer turn first (:class:`_WriterTurns`),
    given back with the connection. SQLAlchemy's AUTOCOMMIT isolation level is not used on SQLite: it
    would hand the connection back to the pool with pysqlite's own transactions turned on again.
    """
    if engine.dialect.name != "sqlite":
        return autocommit_engine(engine)
    made = _OWN.get(engine)
    if made is None:
        made = _OWN.setdefault(engine, engine.execution_options(**{BEGIN_OPTION: OWN_TRANSACTION}))
    return made


def write_engine(engine: Engine) -> Engine:
    """The engine a request that may write uses: on SQLite its transactions begin IMMEDIATE."""
    if engine.dialect.name != "sqlite":
        return engine
    return engine.execution_options(**{BEGIN_OPTION: "IMMEDIATE"})


TM_KEY = "pbengine_transaction_manager"  # session.info: the transaction manager a session is joined to


def _manager(session):
    return session.info.get(TM_KEY)


def _join(session, *_args) -> None:
    if (manager := _manager(session)) is not None:
        join_transaction(session, STATUS_ACTIVE, manager, False)


def _changed(session, *_args) -> None:
    if (manager := _manager(session)) is not None:
        mark_changed(session, manager, False)


def _bulk_changed(context) -> None:
    _changed(context.session)


def _committed_by_manager(session) -> None:
    if (manager := _manager(session)) is not None:
        assert session.in_nested_transaction() or manager.get().status == ZopeStatus.COMMITTING, \
            "Transaction must be committed using the transaction manager"


def _writes_count(execute_state) -> None:
    """An INSERT, UPDATE or DELETE through a request's session marks it changed, ORM or Core.

    zope.sqlalchemy commits a session only if it knows the session wrote, and by itself it sees only
    ORM statements: a Core statement (the hot path's, built on tables) would otherwise be rolled
    back at the end of the request without a word.
    """
    if execute_state.is_insert or execute_state.is_update or execute_state.is_delete:
        _changed(execute_state.session)


# zope.sqlalchemy's listeners (``zope.sqlalchemy.register``), on the factory once rather than on each
# session (seven listeners added per request were a measurable part of a ballot's CPU): a session
# follows the transaction manager in its ``info`` (TM_KEY, get_tm_session); sessions without one (the
# short transactions of rate limits and web sessions) are left alone.
_LISTENERS: dict[str, Callable[..., None]] = {"after_begin": _join, "after_attach": _join, "after_flush": _changed,
                                             "after_bulk_update": _bulk_changed, "after_bulk_delete": _bulk_changed,
                                             "before_commit": _committed_by_manager, "do_orm_execute": _writes_count}
_JOINED = "pbengine_joined_to_tm"  # set on the factories made by get_session_factory


def get_session_factory(engine: Engine) -> sessionmaker[Session]:
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    for name, listener in _LISTENERS.items():
        event.listen(factory, name, listener)
    setattr(factory, _JOINED, True)
    return factory


def get_tm_session(session_factory: sessionmaker[Session], transaction_manager, request=None, bind=None):
    """A session joined to ``transaction_manager``: the app never commits, pyramid_tm does."""
    options = {"info": {"request": request, TM_KEY: transaction_manager}}
    if bind is not None:
        options["bind"] = bind
    dbsession = session_factory(**options)
    if not getattr(session_factory, _JOINED, False):  # a factory not made by get_session_factory
        zope.sqlalchemy.register(dbsession, transaction_manager=transaction_manager)
    return dbsession


def includeme(config):
    settings = config.get_settings()
    settings["tm.manager_hook"] = "pyramid_tm.explicit_manager"
    # pyramid_tm would write the organizer's id into each transaction's notes, which nothing reads
    # (and looking it up opens the web session on every request, a ballot's too).
    settings.setdefault("tm.annotate_user", "false")
    config.include("pyramid_tm")
    config.include("pyramid_retry")

    dbengine = settings.get("dbengine") or get_engine(settings)
    session_factory = get_session_factory(dbengine)
    writer = write_engine(dbengine)
    config.registry["dbsession_factory"] = session_factory
    config.registry["dbengine"] = dbengine

    def db(request):
        # Tests inject a session through the environ (cookiecutter pattern).
        dbsession = request.environ.get("app.dbsession")
        if dbsession is None:
            bind = None if request.method in SAFE_METHODS else writer
            dbsession = get_tm_session(session_factory, request.tm, request=request, bind=bind)
        return dbsession

    config.add_request_method(db, "db", reify=True)

    # On PostgreSQL in autocommit: a single statement is one snapshot, in one round trip.
    reader = autocommit_engine(dbengine) if dbengine.dialect.name == "postgresql" else dbengine

    def read_first(request, statement, parameters: dict):
        """The first row of one read-only statement, on a pooled connection of its own: no session,
        no transaction manager. For the light read that decides whether a request needs its
        session at all (a kept page's version: ``resources.PublicPageContext``)."""
        with reader.connect() as connection:
            return connection.execute(statement, parameters).first()

    config.add_request_method(read_first, "read_first")

    def read_connection(request):
        """``with request.read_connection() as connection:`` a pooled connection of its own for a view
        that makes one read, no session and no transaction manager (a receipt check's POST); given
        back to the pool at the end of the block. Tests that inject a session read in it (their own
        transaction)."""
        if "app.dbsession" in request.environ:
            return contextlib.nullcontext(request.db)
        return reader.connect()

    config.add_request_method(read_connection, "read_connection")

"""Engine and session factories; one session per request joined to pyramid_tm.

A request that may write (any method but GET, HEAD, OPTIONS) uses :func:`write_engine`: on SQLite its
transactions begin ``BEGIN IMMEDIATE`` (:mod:`pbengine.models.sqlite`, which sets up every SQLite engine).
"""

from __future__ import annotations

import contextlib
import logging
import weakref
from collections.abc import Callable

import transaction.interfaces
import zope.sqlalchemy
from sqlalchemy import engine_from_config, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker
from transaction._transaction import Status as ZopeStatus  # as zope.sqlalchemy itself checks it
from zope.sqlalchemy.datamanager import STATUS_ACTIVE, join_transaction, mark_changed

from . import sqlite
from .sqlite import BEGIN_OPTION, OWN_TRANSACTION

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})



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
        sqlite.set_up(engine)
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
    ``sqlite._sqlite_pragmas``), so the statement is its own transaction: it takes the write lock as it
    starts, before its first read (waiting for it as ``busy_timeout`` says, then DatabaseBusy), and
    commits as it ends. Its connection takes this server's writer turn first (``sqlite._WriterTurns``),
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

"""Engine and session factories; one session per request joined to pyramid_tm.

SQLite: pysqlite's own transaction handling is turned off and SQLAlchemy emits ``BEGIN``
itself (the SQLAlchemy documentation's recipe), so that a request that may write
(any method but GET, HEAD, OPTIONS) begins with ``BEGIN IMMEDIATE``: it takes the write
lock before its first read, waits for it (``busy_timeout``) instead of failing half-way,
and never decides on a snapshot another writer has moved past. WAL keeps readers
unblocked; ``synchronous=FULL`` makes every acknowledged commit durable.
"""

from __future__ import annotations

import logging

import transaction.interfaces
import zope.sqlalchemy
from sqlalchemy import engine_from_config, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

BEGIN_OPTION = "pbengine_sqlite_begin"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class DatabaseBusy(transaction.interfaces.TransientError):
    """SQLite stayed locked for the whole busy timeout: pyramid_retry runs the request again."""


def _sqlite_pragmas(dbapi_connection, _record):
    dbapi_connection.isolation_level = None  # SQLAlchemy emits BEGIN (see _sqlite_begin)
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def _sqlite_begin(connection):
    mode = connection.get_execution_options().get(BEGIN_OPTION, "")
    connection.exec_driver_sql(f"BEGIN {mode}".strip())


def _sqlite_busy(context):
    if "database is locked" in str(context.original_exception):
        raise DatabaseBusy(str(context.original_exception)) from context.original_exception


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
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        event.listen(engine, "handle_error", _sqlite_busy)
    return engine


def write_engine(engine: Engine) -> Engine:
    """The engine a request that may write uses: on SQLite its transactions begin IMMEDIATE."""
    if engine.dialect.name != "sqlite":
        return engine
    return engine.execution_options(**{BEGIN_OPTION: "IMMEDIATE"})


def get_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


def get_tm_session(session_factory: sessionmaker[Session], transaction_manager, request=None, bind=None):
    """A session joined to ``transaction_manager``: the app never commits, pyramid_tm does."""
    options = {"info": {"request": request}}
    if bind is not None:
        options["bind"] = bind
    dbsession = session_factory(**options)
    zope.sqlalchemy.register(dbsession, transaction_manager=transaction_manager)
    return dbsession


def includeme(config):
    settings = config.get_settings()
    settings["tm.manager_hook"] = "pyramid_tm.explicit_manager"
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

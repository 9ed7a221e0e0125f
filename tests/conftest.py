"""Shared fixtures: every database test runs on SQLite and on PostgreSQL.

Each test session gets fresh databases, built by ``alembic upgrade head`` (so the
migrations are exercised by every run); tables are emptied after each test.
PostgreSQL comes from PBENGINE_TEST_PG (default: the local server, trust auth); when it
is unreachable the PostgreSQL half is skipped, except under CI where that is an error.
"""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path

import pytest
import transaction
from sqlalchemy import create_engine, event, text

from pbengine.models import Base, get_engine, get_session_factory, get_tm_session

ROOT = Path(__file__).resolve().parent.parent
SHARED_PABULIB = ROOT.parent / "shared" / "pabulib"
PG_ADMIN_URL = os.environ.get("PBENGINE_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")

TEST_SETTINGS = {
    "pbengine.secret": "test-session-secret",
    "pbengine.code_key": "test-code-key",
    # every API answer of the suite is checked against the OpenAPI document
    "pyramid_openapi3.enable_response_validation": "true",
    "pbengine.public_url": "http://localhost",
    "pbengine.code_failures_per_minute": "5",
    "pyramid.default_locale_name": "en",
    "retry.attempts": "1",
}


def upgrade(url: str) -> None:
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(ROOT / "migrations"))
    engine = get_engine({"sqlalchemy.url": url})
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    engine.dispose()


def _postgres_url() -> str:
    try:
        admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            name = f"pbengine_test_{os.getpid()}_{secrets.token_hex(3)}"
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
    except Exception as error:  # noqa: BLE001 - any failure means "no PostgreSQL here"
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL unreachable under CI: {error}")
        pytest.skip(f"PostgreSQL unreachable: {error}")
    return re.sub(r"/[^/]*$", f"/{name}", PG_ADMIN_URL)


def _drop_postgres(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def db_url(request, tmp_path_factory):
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite'}"
        upgrade(url)
        yield url
    else:
        url = _postgres_url()
        try:
            upgrade(url)
            yield url
        finally:
            _drop_postgres(url)


@pytest.fixture(scope="session")
def engine(db_url):
    engine = get_engine({"sqlalchemy.url": db_url})
    yield engine
    engine.dispose()


def _empty_tables(engine) -> None:
    with engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(table.delete())


def _observer_pragmas(dbapi_connection, _record):
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


@pytest.fixture(scope="session")
def observer_engine(engine, db_url):
    """The engine of the tests' own session (``db``).

    PostgreSQL: the app's engine (READ COMMITTED: each statement sees what the app committed).
    SQLite: pysqlite's default transaction handling, which begins a transaction only before a
    write, so a test's reads see what the app committed as they did on PostgreSQL. The app's
    engine emits BEGIN itself and would keep the test looking at one snapshot.
    """
    if engine.dialect.name != "sqlite":
        yield engine
        return
    observer = create_engine(db_url)
    event.listen(observer, "connect", _observer_pragmas)
    yield observer
    observer.dispose()


@pytest.fixture
def session_factory(engine, observer_engine):
    yield get_session_factory(observer_engine)
    _empty_tables(engine)


@pytest.fixture
def db(session_factory):
    """A session whose work is committed with ``transaction.commit()`` (as pyramid_tm would)."""
    tm = transaction.TransactionManager(explicit=True)
    tm.begin()
    session = get_tm_session(session_factory, tm)
    session.tm = tm
    yield session
    if tm.isDoomed() or tm.get() is not None:
        try:
            tm.abort()
        except Exception:  # noqa: BLE001
            pass


@pytest.fixture
def settings(db_url, engine):
    return dict(TEST_SETTINGS, **{"sqlalchemy.url": db_url, "dbengine": engine})


@pytest.fixture
def wsgi_app(settings, session_factory):
    from pbengine import main

    return main({}, **settings)


@pytest.fixture
def testapp(wsgi_app):
    from tests.helpers import TestApp

    return TestApp(wsgi_app, extra_environ={"REMOTE_ADDR": "198.51.100.7"})

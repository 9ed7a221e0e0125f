"""A connection the database closed (a restart, a failover, an idle timeout) costs no request an error,
without a ping before every request (production.ini has no ``pool_pre_ping``)."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from pbengine import main
from tests.helpers import TestApp, commit


@pytest.fixture
def app_with_its_own_pool(settings, db_url):
    """The app with one pooled connection of its own, retrying as production.ini says."""
    own = {key: value for key, value in settings.items() if key != "dbengine"}
    app = main({}, **dict(own, **{"retry.attempts": "3", "sqlalchemy.pool_size": "1",
                                  "sqlalchemy.max_overflow": "0"}))
    yield app
    app.registry["dbengine"].dispose()


def test_a_request_after_the_database_closed_the_apps_connection_is_answered(app_with_its_own_pool, db, published):
    engine = app_with_its_own_pool.registry["dbengine"]
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite opens a file: no server closes its connections")
    testapp = TestApp(app_with_its_own_pool, extra_environ={"REMOTE_ADDR": "198.51.100.7"})
    assert testapp.get("/api/v1/processes").json["processes"]
    with engine.connect() as connection:  # the pool's one connection
        pid = connection.scalar(text("SELECT pg_backend_pid()"))
    db.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    commit(db)

    answer = testapp.get("/api/v1/processes", status="*")

    assert answer.status_int == 200
    assert answer.json["processes"]
    with engine.connect() as connection:
        assert connection.scalar(text("SELECT pg_backend_pid()")) != pid

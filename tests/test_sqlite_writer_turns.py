"""SQLite writers of one app server queue on a Python lock, and every transaction gives its turn back."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import text

from pbengine.models import get_engine
from pbengine.models.session import statement_engine, write_engine
from pbengine.models.sqlite import WRITERS_CHECKPOINT_PAGES, checkpointer, writer_turns


@pytest.fixture
def sqlite_engine(tmp_path):
    engine = get_engine({"sqlalchemy.url": f"sqlite:///{tmp_path / 'turns.sqlite'}"})
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE t (x INTEGER)"))
    yield engine
    engine.dispose()


def test_a_write_transaction_holds_the_turn_until_its_commit_or_rollback(sqlite_engine):
    turns = writer_turns(sqlite_engine)
    writer = write_engine(sqlite_engine)
    with writer.connect() as connection:
        connection.execute(text("INSERT INTO t VALUES (1)"))
        assert turns.lock.locked()
        connection.commit()
        assert not turns.lock.locked()
        connection.execute(text("INSERT INTO t VALUES (2)"))
        assert turns.lock.locked()
        connection.rollback()
        assert not turns.lock.locked()
    with sqlite_engine.connect() as reader:  # a read transaction (deferred BEGIN) takes no turn
        assert reader.execute(text("SELECT x FROM t")).scalars().all() == [1]
        assert not turns.lock.locked()


def test_a_failed_statement_and_a_closed_connection_give_the_turn_back(sqlite_engine):
    turns = writer_turns(sqlite_engine)
    writer = write_engine(sqlite_engine)
    with pytest.raises(Exception), writer.begin() as connection:  # noqa: B017, PT011 - any error rolls back
        connection.execute(text("INSERT INTO missing VALUES (1)"))
    assert not turns.lock.locked()
    with writer.connect() as connection:
        connection.execute(text("INSERT INTO t VALUES (3)"))
        connection.invalidate()  # the DBAPI connection is closed without COMMIT or ROLLBACK
    assert not turns.lock.locked()


def test_a_second_writer_waits_for_the_first_one_s_commit(sqlite_engine):
    writer = write_engine(sqlite_engine)
    events, began = [], threading.Event()

    def second():
        began.wait(timeout=30)
        with writer.begin() as connection:
            events.append("second began")
            connection.execute(text("INSERT INTO t VALUES (20)"))

    thread = threading.Thread(target=second)
    thread.start()
    with writer.begin() as connection:
        connection.execute(text("INSERT INTO t VALUES (10)"))
        began.set()
        thread.join(timeout=0.5)  # the second writer cannot begin while this transaction is open
        events.append("first commits")
    thread.join(timeout=30)
    assert events == ["first commits", "second began"]
    with sqlite_engine.connect() as reader:
        assert sorted(reader.execute(text("SELECT x FROM t")).scalars()) == [10, 20]


def test_a_statement_of_its_own_commits_as_it_ends_and_gives_its_turn_back(sqlite_engine):
    """``statement_engine``: no BEGIN, the statement is committed as it ends (a reader elsewhere sees it before
    the connection goes back), the turn is held while the connection is out, and the pooled connection goes
    back with pysqlite's own transactions still off (the next request's BEGIN IMMEDIATE is the app's)."""
    turns = writer_turns(sqlite_engine)
    with statement_engine(write_engine(sqlite_engine)).connect() as connection:
        assert connection.execute(text("INSERT INTO t VALUES (7) RETURNING x")).scalars().all() == [7]
        assert turns.lock.locked()
        assert not connection.connection.dbapi_connection.in_transaction
        with sqlite_engine.connect() as reader:
            assert reader.execute(text("SELECT x FROM t")).scalars().all() == [7]
    assert not turns.lock.locked()
    writer = write_engine(sqlite_engine)
    with writer.connect() as connection:
        assert connection.connection.dbapi_connection.isolation_level is None
        connection.execute(text("INSERT INTO t VALUES (8)"))
        connection.rollback()
    with sqlite_engine.connect() as reader:
        assert reader.execute(text("SELECT x FROM t")).scalars().all() == [7]


def _fill(engine, rows: int) -> None:
    """About ``rows`` pages of WAL, one commit each (more than SQLite's default 1000 pages before a writer
    checkpoints)."""
    with write_engine(engine).connect() as connection:
        for _ in range(rows):
            connection.execute(text("INSERT INTO t VALUES (zeroblob(3000))"))
            connection.commit()


def test_writers_leave_the_wal_to_the_checkpointer(sqlite_engine, tmp_path):
    """Past 1000 pages of WAL a writer no longer copies it back into the file in its turn: the file grows
    only when the checkpointer's pass runs."""
    checkpoints = checkpointer(sqlite_engine)
    checkpoints.stop()  # its thread stopped: only this test's pass below checkpoints
    database = tmp_path / "turns.sqlite"
    before = database.stat().st_size
    _fill(sqlite_engine, 1500)
    with sqlite_engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == WRITERS_CHECKPOINT_PAGES
    assert database.stat().st_size == before  # every page still in the WAL
    checkpoints.once()
    assert database.stat().st_size > before + 1000 * 3000
    with sqlite_engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT count(*) FROM t").scalar() == 1500


def test_the_checkpointer_copies_the_wal_back_by_itself(sqlite_engine, tmp_path):
    database = tmp_path / "turns.sqlite"
    before = database.stat().st_size
    _fill(sqlite_engine, 1500)
    deadline = time.monotonic() + 60  # a bound on the wait, not a figure under test
    while database.stat().st_size <= before + 1000 * 3000 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert database.stat().st_size > before + 1000 * 3000

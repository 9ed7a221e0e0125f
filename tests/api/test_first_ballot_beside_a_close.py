"""A first ballot's one statement (``cast_statements.entry_and_store``) beside a close in flight.

The close is another server's transaction (an engine of its own: on SQLite it does not take this app's
writer turns, it meets SQLite's own lock): it locks the process row as the console's close does (on
SQLite ``BEGIN IMMEDIATE``, the write lock; on PostgreSQL ``FOR UPDATE``) and marks the vote closed. A
cast sent meanwhile waits for it; it is then refused if the close committed, and stored once if it was
rolled back, without an error either way.
"""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import event, func, select, update

from pbengine.models import Ballot, Phase, Process, get_engine
from pbengine.models.session import write_engine

URL = "/api/v1/processes/vote-now/budgets/citywide/ballots"


def cast_during_a_close(testapp, engine, db_url, code, commit_the_close: bool):
    """The answer to a cast sent while another server's transaction holds the process row, closing the
    vote; that transaction commits (or rolls back) once the cast's statement is running."""
    testapp.post_json(URL, {"voter_code": code[0], "approvals": ["p1"]}, status=201)  # the budget's rules kept
    other_server = get_engine({"sqlalchemy.url": db_url})
    running, answers = threading.Event(), []

    def statement_started(_conn, _cursor, statement, *_rest):
        if statement.split()[0] in ("INSERT", "WITH"):
            running.set()

    def voter():
        answers.append(testapp.post_json(URL, {"voter_code": code[1], "approvals": ["p2"]},
                                         headers={"Idempotency-Key": "cast-during-the-close"}, expect_errors=True))

    event.listen(engine, "before_cursor_execute", statement_started)
    thread = threading.Thread(target=voter)
    try:
        with write_engine(other_server).connect() as close:
            close.execute(select(Process.id).where(Process.slug == "vote-now").with_for_update())
            close.execute(update(Process).where(Process.slug == "vote-now").values(phase=Phase.CLOSED.value))
            thread.start()
            assert running.wait(timeout=30)
            time.sleep(0.2)  # the cast's statement is now waiting for the close's lock (not asserted)
            close.commit() if commit_the_close else close.rollback()
        thread.join(timeout=60)
    finally:
        event.remove(engine, "before_cursor_execute", statement_started)
        other_server.dispose()
    assert not thread.is_alive()
    return answers[0]


def stored(db) -> int:
    db.rollback()
    return db.scalar(select(func.count()).select_from(Ballot))


@pytest.mark.parametrize("commit_the_close", [True, False], ids=["closed", "close-rolled-back"])
def test_a_first_ballot_waits_for_a_close_in_flight(testapp, engine, db_url, db, voting, commit_the_close):
    answer = cast_during_a_close(testapp, engine, db_url, voting.codes, commit_the_close)
    if commit_the_close:
        assert (answer.status_int, answer.json["code"]) == (409, "voting_closed")
        assert stored(db) == 1  # only the ballot cast before the close
    else:
        assert answer.status_int == 201 and answer.json["replaced_previous"] is False
        assert stored(db) == 2

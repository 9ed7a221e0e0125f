"""Concurrent appends to one process's audit log never fork the chain (both databases)."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from pbengine.models import AuditEvent, Process
from pbengine.models.session import write_engine
from pbengine.services import audit
from tests.helpers import commit, make_process

THREADS, APPENDS = 8, 6


def test_concurrent_appends_get_consecutive_numbers_and_one_chain(db, engine):
    process_id = make_process(db).id
    commit(db)
    start = threading.Barrier(THREADS)
    failures = []

    def append(worker):
        try:
            start.wait()
            for n in range(APPENDS):
                with Session(write_engine(engine)) as session, session.begin():
                    audit.record(session, session.get(Process, process_id), "test.append",
                                 {"worker": worker, "n": n})
        except Exception as error:  # noqa: BLE001 - reported below
            failures.append(repr(error))

    threads = [threading.Thread(target=append, args=(w,)) for w in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert failures == []
    lines = [audit.as_line(e) for e in audit.events(db, db.get(Process, process_id))]
    assert [line["seq"] for line in lines] == list(range(1, len(lines) + 1))
    assert len(lines) == 1 + THREADS * APPENDS  # process.created + every append
    assert audit.verify_chain(lines) == []


def test_the_database_refuses_a_second_event_with_the_same_number(db):
    process = make_process(db)
    commit(db)
    first = db.scalars(select(AuditEvent).where(AuditEvent.process_id == process.id)).one()
    with pytest.raises(IntegrityError):
        db.execute(insert(AuditEvent).values(process_id=process.id, seq=first.seq, kind="fork", payload={},
                                             at=first.at, actor="", prev_hash=first.prev_hash, hash="f" * 64,
                                             note=""))


def test_a_request_whose_append_loses_the_race_is_run_again_and_chains_after_the_winner(settings, db, engine):
    """A ChainConflict (the unique (process_id, seq) refused an append) makes pyramid_retry run the request again.

    The race is forced: just before the request's event is flushed, another writer takes its
    sequence number (on PostgreSQL committed from another connection, past the process-row lock;
    on SQLite, whose write lock no other connection can pass, inside the request's own transaction).
    """
    from sqlalchemy import event

    from pbengine import main
    from pbengine.services import codes
    from tests.console.support import login_as
    from tests.helpers import TestApp

    process = make_process(db)
    batch = codes.generate(db, "test-code-key", process, 1, "desk")
    reference = batch.codes[0][0]
    commit(db)
    app = main({}, **dict(settings, **{"retry.attempts": "3"}))
    testapp = TestApp(app, extra_environ={"REMOTE_ADDR": "198.51.100.7"})
    login_as(testapp, db, is_admin=True)
    form = testapp.get(f"/console/processes/{process.id}/codes").forms["revoke-form"]
    form["reference"] = reference
    form = form.submit().forms["confirm-form"]  # revoking asks first
    attempts, shared = [], engine.dialect.name == "postgresql"

    def take_the_number_first(session, _context, _instances):
        ours = [obj for obj in session.new if isinstance(obj, AuditEvent) and obj.kind == "code.revoked"]
        if not ours:
            return
        attempts.append(ours[0].seq)
        if len(attempts) > 1:
            return
        mine = ours[0]
        at = mine.at.isoformat()
        winner = dict(process_id=mine.process_id, seq=mine.seq, kind="test.winner", payload={}, at=mine.at,
                      actor="", prev_hash=mine.prev_hash,
                      hash=audit.event_hash(mine.prev_hash, mine.seq, "test.winner", {}, at), note="")
        if shared:
            with engine.begin() as other:
                other.execute(insert(AuditEvent).values(**winner))
        else:
            session.connection().execute(insert(AuditEvent).values(**winner))

    event.listen(Session, "before_flush", take_the_number_first)
    try:
        page = form.submit().follow()
    finally:
        event.remove(Session, "before_flush", take_the_number_first)
    assert "revoked" in page.text
    assert len(attempts) == 2 and attempts[1] == attempts[0] + (1 if shared else 0)
    db.rollback()
    process_id = process.id
    lines = [audit.as_line(e) for e in audit.events(db, db.get(Process, process_id))]
    assert audit.verify_chain(lines) == []
    kinds = [line["kind"] for line in lines]
    assert kinds.count("code.revoked") == 1
    assert kinds.count("test.winner") == (1 if shared else 0)
    # Sorted: PostgreSQL returns rows in storage order, which after other tests' deletions is not insertion order.
    assert sorted(db.scalars(select(AuditEvent.seq).where(AuditEvent.process_id == process_id))) == \
        list(range(1, len(lines) + 1))

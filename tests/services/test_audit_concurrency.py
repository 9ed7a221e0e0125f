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

"""Casting under load against real servers: every acknowledged ballot stored once, no 5xx, one chain, MATCH.

Each test prints acknowledged / stored / lost / duplicated / 5xx and the audit-chain check.
"""

from __future__ import annotations

import secrets
import threading
import time

import pytest
from sqlalchemy import func, select

from tests.stress.conftest import size
from tests.stress.harness import (
    Client,
    ballot_path,
    chain_problems,
    export_verdict,
    pbengine_server,
    run_all,
    seed,
    tally,
)

BUDGET = "citywide"  # approval, at most 2 projects (tests/export/factory.py)


class Voters:
    """Thread-local keep-alive clients to one or more servers, and what they were told."""

    def __init__(self, ports):
        self.ports = list(ports)
        self.local = threading.local()
        self.lock = threading.Lock()
        self.answers = []
        self.receipts = set()

    def client(self, index: int) -> Client:
        clients = getattr(self.local, "clients", None)
        if clients is None:
            clients = self.local.clients = {}
        port = self.ports[index % len(self.ports)]
        if port not in clients:
            clients[port] = Client(port)
        return clients[port]

    def cast(self, path, code, approvals, key, index=0):
        answer = self.client(index).post_json(path, {"voter_code": code, "approvals": approvals},
                                              {"Idempotency-Key": key})
        with self.lock:
            self.answers.append(answer)
            if answer.status == 201:
                self.receipts.add(answer.body["receipt"])
        return answer


def report(url, slug, voters, label, tmp_path):
    result = tally(url, slug, voters.answers, voters.receipts)
    verdict = export_verdict(url, slug, tmp_path)
    print(f"\n{result.line(label)}; export after the load: {verdict}")
    assert (result.lost, result.duplicated, result.server_errors) == (0, 0, 0)
    assert result.chain_problems == []
    assert verdict == "MATCH"
    return result


def test_each_voter_sends_16_identical_submissions_at_once(stress_db, tmp_path):
    n = size(6, 60)
    seeded = seed(stress_db, n)
    path = ballot_path(seeded.slug, BUDGET)
    with pbengine_server(stress_db) as server:
        voters = Voters([server.port])
        keys = [secrets.token_urlsafe(16) for _ in range(n)]
        jobs = [lambda i=i: voters.cast(path, seeded.codes[i], ["p1"], keys[i]) for i in range(n) for _ in range(16)]
        run_all(jobs, concurrency=16)
    result = report(stress_db, seeded.slug, voters, f"{n} voters x 16 identical submissions", tmp_path)
    assert result.stored == n == result.acknowledged
    assert sorted({a.status for a in voters.answers}) == [201], {a.status: a.body for a in voters.answers}


def test_two_different_ballots_of_one_voter_at_once(stress_db, tmp_path):
    n = size(6, 60)
    seeded = seed(stress_db, n)
    path = ballot_path(seeded.slug, BUDGET)
    with pbengine_server(stress_db) as server:
        voters = Voters([server.port])
        jobs = [lambda i=i, choice=choice: voters.cast(path, seeded.codes[i], choice, secrets.token_urlsafe(16))
                for i in range(n) for choice in (["p1"], ["p2", "p3"])]
        run_all(jobs, concurrency=12)
    result = report(stress_db, seeded.slug, voters, f"{n} voters x 2 different ballots", tmp_path)
    assert all(a.status == 201 for a in voters.answers)
    assert result.stored == 2 * n  # one replaced the other: both acknowledged, one counted per voter


def test_many_ballots_at_concurrency_10(stress_db, tmp_path):
    n = size(50, 1000)
    seeded = seed(stress_db, n)
    path = ballot_path(seeded.slug, BUDGET)
    with pbengine_server(stress_db) as server:
        voters = Voters([server.port])
        run_all([lambda i=i: voters.cast(path, seeded.codes[i], ["p1", "p2"], secrets.token_urlsafe(16))
                 for i in range(n)], concurrency=10)
    result = report(stress_db, seeded.slug, voters, f"{n} ballots at concurrency 10", tmp_path)
    assert result.acknowledged == result.stored == n


def test_ballots_shuffled_again_and_again_while_voters_cast_and_revote(stress_db, tmp_path):
    """``pbengine shuffle-ballots`` rewrites the rows under the casts: none is lost, doubled or a 5xx."""
    from sqlalchemy import select

    from pbengine.models import Process, get_engine, get_session_factory
    from pbengine.services import slots

    n = size(20, 200)
    seeded = seed(stress_db, n)
    path = ballot_path(seeded.slug, BUDGET)
    engine = get_engine({"sqlalchemy.url": stress_db})
    done = threading.Event()
    shuffles = []

    def shuffle_until_done():
        while not done.is_set() or not shuffles:
            with get_session_factory(engine)() as db, db.begin():
                process = db.scalars(select(Process).where(Process.slug == seeded.slug)).one()
                shuffles.append(slots.shuffle(db, process))

    shuffler = threading.Thread(target=shuffle_until_done)
    with pbengine_server(stress_db) as server:
        voters = Voters([server.port])
        shuffler.start()
        try:
            run_all([lambda i=i, choice=choice: voters.cast(path, seeded.codes[i], choice, secrets.token_urlsafe(16))
                     for choice in (["p1"], ["p2", "p3"]) for i in range(n)], concurrency=10)
        finally:
            done.set()
            shuffler.join()
    engine.dispose()
    result = report(stress_db, seeded.slug, voters, f"{n} voters x 2 ballots, {len(shuffles)} shuffles", tmp_path)
    assert all(a.status == 201 for a in voters.answers)
    assert result.stored == 2 * n and len(shuffles) >= 1


def test_two_app_servers_on_one_postgresql(stress_db, tmp_path):
    if not stress_db.startswith("postgresql"):
        pytest.skip("two app servers share one PostgreSQL (SQLite is one machine's file)")
    n = size(50, 1000)
    seeded = seed(stress_db, n)
    path = ballot_path(seeded.slug, BUDGET)
    with pbengine_server(stress_db) as first, pbengine_server(stress_db) as second:
        voters = Voters([first.port, second.port])
        # Every voter sends the same submission to both servers at once.
        key = [secrets.token_urlsafe(16) for _ in range(n)]
        run_all([lambda i=i, s=s: voters.cast(path, seeded.codes[i], ["p3"], key[i], index=i + s)
                 for i in range(n) for s in (0, 1)], concurrency=10)
    result = report(stress_db, seeded.slug, voters, f"{n} voters x 2 servers", tmp_path)
    assert result.acknowledged == result.stored == n


def test_kill_9_mid_load_then_restart_and_retry_what_was_not_answered(stress_db, tmp_path):
    n = size(40, 600)
    kills = size(1, 3)
    seeded = seed(stress_db, n)
    path = ballot_path(seeded.slug, BUDGET)
    keys = [secrets.token_urlsafe(16) for _ in range(n)]
    answered: dict[int, str] = {}
    server = pbengine_server(stress_db)
    voters = Voters([server.port])
    try:
        for _round in range(kills + 1):
            pending = [i for i in range(n) if i not in answered]
            if not pending:
                break
            voters.ports = [server.port]
            voters.local = threading.local()
            killer = None
            if _round < kills:
                # Kill the server once a part of this round has been answered.
                target = len(answered) + max(1, len(pending) // 3)
                def kill_when_due(server=server, target=target):
                    deadline = time.monotonic() + 60
                    while len(answered) < target and time.monotonic() < deadline:
                        time.sleep(0.005)
                    server.kill()
                killer = threading.Thread(target=kill_when_due)
                killer.start()

            def send(i):
                answer = voters.cast(path, seeded.codes[i], ["p1"], keys[i])
                if answer.status == 201:
                    answered[i] = answer.body["receipt"]
            run_all([lambda i=i: send(i) for i in pending], concurrency=10)
            if killer is not None:
                killer.join()
                server.start()  # restart on a new port; the unanswered requests are retried
        assert len(answered) == n
    finally:
        server.stop()
    voters.answers = [a for a in voters.answers if a.status != 0]  # no answer at all: the server was killed
    result = report(stress_db, seeded.slug, voters, f"{n} ballots, {kills} kill -9", tmp_path)
    assert result.stored == n
    # A retry after the kill got the receipt the first, unanswered attempt had stored.
    assert {r for r in answered.values()} <= voters.receipts


def test_closing_the_vote_while_voters_cast(stress_db, tmp_path):
    """The close waits for the casts in flight and the casts after it are refused: every acknowledged ballot
    is sealed, no ballot lands after the seal, and every other cast is told voting is closed (no 5xx)."""
    import transaction

    from pbengine.models import Ballot, Phase, Process, get_engine, get_session_factory, get_tm_session
    from pbengine.models.session import write_engine
    from pbengine.services import workflow
    from pbengine.services.ballots import receipt_hash
    from tests.stress.harness import CODE_KEY, stored_ballots

    n = size(120, 1000)
    seeded = seed(stress_db, n)
    path = ballot_path(seeded.slug, BUDGET)
    closed = threading.Event()

    engine = get_engine({"sqlalchemy.url": stress_db})
    factory = get_session_factory(engine)
    with factory() as db:
        db.scalars(select(Process).where(Process.slug == seeded.slug)).one()  # the pool and the mappers ready

    def close_when_a_quarter_is_in():
        deadline = time.monotonic() + 60
        while len(voters.receipts) < n // 4 and time.monotonic() < deadline:
            time.sleep(0.001)
        manager = transaction.TransactionManager(explicit=True)
        manager.begin()
        # As the console's POST does: on SQLite a writer from its first statement (BEGIN IMMEDIATE).
        db = get_tm_session(factory, manager, bind=write_engine(engine))
        workflow.move_to(db, db.scalars(select(Process).where(Process.slug == seeded.slug)).one(), Phase.CLOSED,
                         code_key=CODE_KEY)
        manager.commit()
        closed.set()

    with pbengine_server(stress_db) as server:
        voters = Voters([server.port])
        closer = threading.Thread(target=close_when_a_quarter_is_in)
        closer.start()
        run_all([lambda i=i: voters.cast(path, seeded.codes[i], ["p1", "p2"], secrets.token_urlsafe(16))
                 for i in range(n)], concurrency=10)
        closer.join()
    engine.dispose()
    assert closed.is_set()
    refused = [a for a in voters.answers if a.status != 201]
    stored = {digest for digest, _slot, _budget, counted in stored_ballots(stress_db) if counted}
    acknowledged = {receipt_hash(r) for r in voters.receipts}
    print(f"\n{n} casts, closed during the load: acknowledged {len(acknowledged)}, stored {len(stored)}, "
          f"refused {len(refused)}, 5xx {sum(a.status >= 500 for a in voters.answers)}")
    assert {(a.status, a.body["code"]) for a in refused} <= {(409, "voting_closed")}
    assert stored == acknowledged and len(acknowledged) + len(refused) == n
    assert count_ballots_after_the_seal(stress_db, Ballot) == 0
    assert chain_problems(stress_db, seeded.slug) == []
    assert export_verdict(stress_db, seeded.slug, tmp_path) == "MATCH"  # the export holds exactly the sealed ballots


def count_ballots_after_the_seal(url, ballot_model) -> int:
    """Ballots the seal of their budget did not count (the seal's ``ballots`` against the rows)."""
    from pbengine.models import AuditEvent, Budget, get_engine

    engine = get_engine({"sqlalchemy.url": url})
    with engine.connect() as connection:
        sealed = {payload["budget"]: payload["ballots"] for payload in connection.scalars(
            select(AuditEvent.payload).where(AuditEvent.kind == "ballots.sealed"))}
        rows = dict(connection.execute(select(Budget.slug, func.count(ballot_model.id))
                                       .outerjoin(ballot_model, ballot_model.budget_id == Budget.id)
                                       .group_by(Budget.slug)).all())
    engine.dispose()
    assert sealed and set(sealed) == set(rows), (sealed, rows)
    return sum(rows[slug] - sealed[slug] for slug in rows)

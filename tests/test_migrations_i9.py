"""Issue 9's revisions convert existing logs: a forked chain becomes one (0003); ballot events become a seal (0006)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import text

from pbengine.models import get_engine
from pbengine.services import audit
from tests.conftest import ROOT, _drop_postgres, _postgres_url


def migrate(url: str, revision: str) -> None:
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(ROOT / "migrations"))
    engine = get_engine({"sqlalchemy.url": url})
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'm.sqlite'}"
        return
    url = _postgres_url()
    try:
        yield url
    finally:
        _drop_postgres(url)


def test_a_forked_log_becomes_one_verifiable_chain(empty_url):
    migrate(empty_url, "0002")
    engine = get_engine({"sqlalchemy.url": empty_url})
    at = dt.datetime(2026, 11, 30)
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO process (id, slug, title, description, currency, phase, allow_revote, translations, "
            "config_fingerprint, created_at) VALUES (1, 'p', 'P', '', 'EUR', 'voting', true, '{}', '', :at)"),
            {"at": at})
        # What the race left behind: two events numbered 3, both appended on top of event 2.
        prev = head = audit.GENESIS
        for seq, kind in [(1, "process.created"), (2, "phase.changed"), (3, "ballot.cast"), (3, "ballot.cast")]:
            before = head if seq < 3 else prev
            digest = audit.event_hash(before, seq, kind, {"n": kind}, at.isoformat())
            connection.execute(text(
                "INSERT INTO audit_event (process_id, seq, kind, payload, at, actor, prev_hash, hash, note) "
                "VALUES (1, :seq, :kind, :payload, :at, '', :prev, :hash, '')"),
                {"seq": seq, "kind": kind, "payload": json.dumps({"n": kind}), "at": at, "prev": before,
                 "hash": digest})
            if seq < 3:
                prev = head = digest
    engine.dispose()
    migrate(empty_url, "0003_i9_chain")
    engine = get_engine({"sqlalchemy.url": empty_url})
    with engine.connect() as connection:
        rows = connection.execute(text(
            "SELECT seq, kind, payload, at, prev_hash, hash, note FROM audit_event ORDER BY seq")).all()
    engine.dispose()
    lines = [{"seq": r.seq, "kind": r.kind, "payload": {"n": r.kind}, "at": at.isoformat(), "prev": r.prev_hash,
              "hash": r.hash} for r in rows]
    assert [r.seq for r in rows] == [1, 2, 3, 4]
    assert audit.verify_chain(lines) == []
    assert [bool(r.note) for r in rows] == [False, False, False, True]


def test_ballot_events_give_way_to_a_seal_after_the_close(empty_url):
    from pbengine.services.sealing import receipts_digest

    migrate(empty_url, "0003_i9_chain")
    engine = get_engine({"sqlalchemy.url": empty_url})
    at = dt.datetime(2026, 11, 30)
    receipts = ["a" * 64, "b" * 64, "c" * 64]
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO process (id, slug, title, description, currency, phase, allow_revote, translations, "
            "config_fingerprint, created_at) VALUES (1, 'p', 'P', '', 'EUR', 'closed', true, '{}', '', :at)"),
            {"at": at})
        connection.execute(text(
            "INSERT INTO budget (id, process_id, slug, name, description, position, amount, ballot_kind, rule, "
            "satisfaction, completion, tie_break) VALUES (1, 1, 'city', 'City', '', 0, 100, 'approval', "
            "'greedy', 'cost', 'none', 'votes')"))
        for n, (receipt, replaced) in enumerate([(receipts[0], at), (receipts[1], None), (receipts[2], None)]):
            connection.execute(text(
                "INSERT INTO ballot (id, budget_id, receipt_hash, content, channel, cast_at, replaced_at) "
                "VALUES (:id, 1, :r, '{}', 'online', :at, :replaced)"),
                {"id": n + 1, "r": receipt, "at": at, "replaced": replaced})
        log = [("process.created", {}), ("phase.changed", {"to": "voting"}),
               ("ballot.cast", {"budget": "city", "receipt_hash": receipts[0]}),
               ("ballot.cast", {"budget": "city", "receipt_hash": receipts[1]}),
               ("ballot.replaced", {"budget": "city", "receipt_hash": receipts[0]}),
               ("ballot.cast", {"budget": "city", "receipt_hash": receipts[2]}),
               ("phase.changed", {"to": "closed"}), ("tally.computed", {"budget": "city"})]
        prev = audit.GENESIS
        for seq, (kind, payload) in enumerate(log, start=1):
            digest = audit.event_hash(prev, seq, kind, payload, at.isoformat())
            connection.execute(text(
                "INSERT INTO audit_event (process_id, seq, kind, payload, at, actor, prev_hash, hash, note) "
                "VALUES (1, :seq, :kind, :payload, :at, '', :prev, :hash, '')"),
                {"seq": seq, "kind": kind, "payload": json.dumps(payload), "at": at, "prev": prev, "hash": digest})
            prev = digest
    engine.dispose()
    migrate(empty_url, "0006_i9_ballots")
    engine = get_engine({"sqlalchemy.url": empty_url})
    with engine.connect() as connection:
        rows = connection.execute(text(
            "SELECT seq, kind, payload, at, prev_hash, hash FROM audit_event ORDER BY seq")).all()
    engine.dispose()
    payloads = [json.loads(r.payload) if isinstance(r.payload, str) else r.payload for r in rows]
    assert [r.kind for r in rows] == ["process.created", "phase.changed", "phase.changed", "ballots.sealed",
                                      "tally.computed"]
    assert payloads[3] == {"budget": "city", "ballots": 2, "replaced": 1,
                           "receipts_sha256": receipts_digest(receipts[1:])}
    lines = [{"seq": r.seq, "kind": r.kind, "payload": p, "at": at.isoformat(), "prev": r.prev_hash,
              "hash": r.hash} for r, p in zip(rows, payloads, strict=True)]
    assert audit.verify_chain(lines) == []

"""Revision 0003_i9_chain converts a forked audit log into one chain before making seq unique."""

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

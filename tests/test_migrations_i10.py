"""Issue 10's revision 0007 converts existing ballots: slots instead of code ids, replaced ballots emptied."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
import transaction
from sqlalchemy import text

from pbengine.models import Budget, Process, get_engine, get_session_factory, get_tm_session
from pbengine.services import ballots, codes, receipts, slots
from tests.conftest import ROOT, TEST_SETTINGS
from tests.test_migrations_i9 import empty_url  # noqa: F401 - the fixture (SQLite and PostgreSQL)

KEY = TEST_SETTINGS["pbengine.code_key"]
PLAIN = {1: "ACDE-FGHJ-KMNP", 2: "QRTU-VWXY-3467", 3: "9ACD-EFGH-JKMN", 4: "PQRT-UVWX-Y346"}
AT = dt.datetime(2026, 11, 30, 14, 23, 45, 123456)


def migrate(url: str, revision: str, code_key: str | None = None) -> None:
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(ROOT / "migrations"))
    if code_key:
        config.attributes["code_key"] = code_key
    engine = get_engine({"sqlalchemy.url": url})
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
    finally:
        engine.dispose()


def seed(url: str) -> None:
    """Process 1 is voting (codes 1, 2 voted, 1 twice; a paper ballot), process 2 closed (code 3 voted)."""
    engine = get_engine({"sqlalchemy.url": url})
    with engine.begin() as connection:
        for pid, phase in ((1, "voting"), (2, "closed")):
            connection.execute(text(
                "INSERT INTO process (id, slug, title, description, currency, phase, allow_revote, translations, "
                "config_fingerprint, created_at) VALUES (:id, :slug, 'P', '', 'EUR', :phase, true, '{}', '', :at)"),
                {"id": pid, "slug": f"p{pid}", "phase": phase, "at": AT})
            connection.execute(text(
                "INSERT INTO budget (id, process_id, slug, name, description, position, amount, ballot_kind, rule, "
                "satisfaction, completion, tie_break) VALUES (:id, :id, 'city', 'City', '', 0, 10000000, "
                "'approval', 'greedy', 'cost', 'none', 'votes')"), {"id": pid})
            connection.execute(text(
                "INSERT INTO project (id, budget_id, code, title, description, translations, cost, categories, "
                "sdgs, organisation_name, location, image_url) "
                "VALUES (:id, :id, 'p1', 'One', '', '{}', 100, '[]', '[]', '', '', '')"),
                {"id": pid})
        for cid, pid, used in ((1, 1, True), (2, 1, True), (3, 2, True), (4, 1, False)):
            connection.execute(text(
                "INSERT INTO voter_code (id, process_id, code_hash, reference, first_used_at) "
                "VALUES (:id, :pid, :hash, :ref, :used)"),
                {"id": cid, "pid": pid, "hash": codes.code_hash(KEY, PLAIN[cid]), "ref": f"1-{cid}",
                 "used": AT if used else None})
        rows = [(1, 1, 1, "a", AT - dt.timedelta(hours=3), AT), (2, 1, 1, "b", AT, None), (3, 1, 2, "c", AT, None),
                (4, 1, None, "d", AT, None), (5, 2, 3, "e", AT, None)]
        for bid, budget, code, letter, at, replaced in rows:
            connection.execute(text(
                "INSERT INTO ballot (id, budget_id, voter_code_id, receipt_hash, content, channel, cast_at, "
                "replaced_at, submission_hash) VALUES (:id, :budget, :code, :r, :content, 'online', :at, :replaced, "
                ":sub)"),
                {"id": bid, "budget": budget, "code": code, "r": letter * 64,
                 "content": '{"approvals": ["p1"]}' if letter != "a" else '{"approvals": ["secret-choice"]}',
                 "at": at, "replaced": replaced, "sub": (letter.upper() * 64) if letter == "a" else None})
    engine.dispose()


def test_without_the_code_key_a_voting_process_is_not_converted(empty_url, monkeypatch):  # noqa: F811
    monkeypatch.delenv("PBENGINE_CODE_KEY", raising=False)
    migrate(empty_url, "0006_i9_ballots")
    seed(empty_url)
    with pytest.raises(RuntimeError, match="voter-code key"):
        migrate(empty_url, "head")
    engine = get_engine({"sqlalchemy.url": empty_url})
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM ballot WHERE voter_code_id IS NOT NULL")).scalar() == 4
    engine.dispose()


def test_ballots_lose_their_codes_keep_their_slots_while_voting_and_voters_can_still_revote(empty_url):  # noqa: F811
    migrate(empty_url, "0006_i9_ballots")
    seed(empty_url)
    migrate(empty_url, "head", code_key=KEY)
    engine = get_engine({"sqlalchemy.url": empty_url})
    with engine.connect() as connection:
        rows = {r.receipt_hash[0]: r for r in connection.execute(text("SELECT * FROM ballot"))}
        replaced = connection.execute(text("SELECT * FROM replaced_ballot")).all()
        voted = dict(connection.execute(text("SELECT id, voted FROM voter_code")).all())
        columns = set(connection.execute(text("SELECT * FROM ballot")).keys())
    assert sorted(rows) == ["b", "c", "d", "e"]
    assert "voter_code_id" not in columns and "replaced_at" not in columns
    assert rows["b"].slot == slots.slot(KEY, 1, codes.code_hash(KEY, PLAIN[1]))
    assert rows["c"].slot == slots.slot(KEY, 1, codes.code_hash(KEY, PLAIN[2]))
    assert rows["d"].slot is None and rows["e"].slot is None  # paper; a closed vote
    assert all(uuid.UUID(r.id).version == 4 for r in rows.values())
    for row in rows.values():
        at = row.cast_at if isinstance(row.cast_at, dt.datetime) else dt.datetime.fromisoformat(row.cast_at)
        assert at == dt.datetime(2026, 11, 30)
    assert [(r.receipt_hash, r.budget_id, r.submission_hash) for r in replaced] == [("a" * 64, 1, "A" * 64)]
    assert {k: bool(v) for k, v in voted.items()} == {1: True, 2: True, 3: True, 4: False}

    # The voters of the open vote are still found by their code: a new ballot replaces theirs.
    tm = transaction.TransactionManager(explicit=True)
    tm.begin()
    db = get_tm_session(get_session_factory(engine), tm)
    process = db.get(Process, 1)
    budget = db.get(Budget, 1)
    voter = codes.find(db, KEY, process, PLAIN[1])
    assert ballots.current_ballot(db, budget, voter, KEY).receipt_hash == "b" * 64
    cast = ballots.cast(db, budget, voter, {"approvals": ["p1"]}, key=KEY)
    assert cast.replaced
    assert receipts.check_receipt(db, "x").found is False
    assert ballots.count_current(db, budget) == 3
    assert codes.counts(db, process, KEY)["used"] == 2
    tm.abort()
    engine.dispose()


def downgrade(url: str, revision: str) -> None:
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(ROOT / "migrations"))
    engine = get_engine({"sqlalchemy.url": url})
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, revision)
    finally:
        engine.dispose()


def test_the_downgrade_restores_the_columns_not_the_links_and_upgrades_again(empty_url):  # noqa: F811
    migrate(empty_url, "0006_i9_ballots")
    seed(empty_url)
    migrate(empty_url, "head", code_key=KEY)
    downgrade(empty_url, "0006_i9_ballots")
    engine = get_engine({"sqlalchemy.url": empty_url})
    with engine.connect() as connection:
        rows = connection.execute(text(
            "SELECT receipt_hash, voter_code_id, replaced_at, content FROM ballot ORDER BY receipt_hash")).all()
        used = connection.execute(text("SELECT id FROM voter_code WHERE first_used_at IS NOT NULL ORDER BY id")).all()
    engine.dispose()
    assert [r.receipt_hash[0] for r in rows] == ["a", "b", "c", "d", "e"]
    assert all(r.voter_code_id is None for r in rows)
    assert [r.replaced_at is not None for r in rows] == [True, False, False, False, False]
    assert "secret-choice" not in str(rows[0].content)
    assert [u.id for u in used] == [1, 2, 3]
    migrate(empty_url, "head")  # nothing left to link: no key needed

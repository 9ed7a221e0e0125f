"""Revision 0010 (issue 13, districts): existing batches stay for every budget, existing processes unlimited."""

from __future__ import annotations

import datetime as dt

import transaction
from sqlalchemy import inspect, text

from pbengine.models import Budget, CodeBatch, Process, get_engine, get_session_factory, get_tm_session
from pbengine.services import ballots, codes, config_lock, eligibility, slots
from tests.conftest import TEST_SETTINGS
from tests.test_migrations_i9 import empty_url  # noqa: F401 - the fixture (SQLite and PostgreSQL)
from tests.test_migrations_i10 import downgrade, migrate

KEY = TEST_SETTINGS["pbengine.code_key"]
CODE = "ACDE-FGHJ-KMNP"
AT = dt.datetime(2026, 11, 30)


def seed(url: str) -> None:
    """At 0009: a voting process with two budgets, a batch of one code that voted in budget 1."""
    engine = get_engine({"sqlalchemy.url": url})
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO process (id, slug, title, description, currency, phase, allow_revote, translations, "
            "config_fingerprint, created_at) VALUES (1, 'p1', 'P', '', 'EUR', 'voting', true, '{}', '', :at)"),
            {"at": AT})
        for bid in (1, 2):
            connection.execute(text(
                "INSERT INTO budget (id, process_id, slug, name, description, position, amount, ballot_kind, rule, "
                "satisfaction, completion, tie_break) VALUES (:id, 1, :slug, 'B', '', :id, 10000000, "
                "'approval', 'greedy', 'cost', 'none', 'votes')"), {"id": bid, "slug": f"b{bid}"})
            connection.execute(text(
                "INSERT INTO project (id, budget_id, code, title, description, translations, cost, categories, "
                "sdgs, organisation_name, location, image_url) "
                "VALUES (:id, :id, 'p1', 'One', '', '{}', 100, '[]', '[]', '', '', '')"), {"id": bid})
        connection.execute(text("INSERT INTO code_batch (id, process_id, label, size, created_at, downloaded) "
                                "VALUES (1, 1, 'Letters', 1, :at, true)"), {"at": AT})
        digest = codes.code_hash(KEY, CODE)
        connection.execute(text("INSERT INTO voter_code (id, process_id, batch_id, code_hash, reference, voted) "
                                "VALUES (1, 1, 1, :hash, '1-1', false)"), {"hash": digest})
        connection.execute(text(
            "INSERT INTO ballot (id, budget_id, slot, receipt_hash, content, channel, cast_at, entered_by) "
            "VALUES (:id, 1, :slot, :receipt, '{\"approvals\": [\"p1\"]}', 'online', :at, '')"),
            {"id": "a" * 32, "slot": slots.slot(KEY, 1, digest), "receipt": "r" * 64, "at": AT})
    engine.dispose()


def test_existing_batches_vote_everywhere_and_processes_keep_their_fingerprint(empty_url):  # noqa: F811
    migrate(empty_url, "0009_i13_incompatible")
    seed(empty_url)
    migrate(empty_url, "0010_i13_districts")
    migrate(empty_url, "head")  # the models are the newest revision's; later ones only add columns
    engine = get_engine({"sqlalchemy.url": empty_url})
    tm = transaction.TransactionManager(explicit=True)
    tm.begin()
    db = get_tm_session(get_session_factory(engine), tm)
    process = db.get(Process, 1)
    # no limit: the configuration (so its fingerprint) has the entries it had before the revision
    assert process.max_budgets is None
    assert set(config_lock.configuration(process)) == {"process", "currency", "allow_revote", "budgets"}
    assert db.get(CodeBatch, 1).all_budgets is True and db.get(CodeBatch, 1).budgets == []
    voter = codes.find(db, KEY, process, CODE)
    booth = eligibility.booth(db, process, voter, KEY)
    assert [(p.budget.slug, p.voted, p.offered) for p in booth.places] == [("b1", True, True), ("b2", False, True)]
    assert ballots.cast(db, db.get(Budget, 2), voter, {"approvals": ["p1"]}, key=KEY).replaced is False
    tm.commit()
    engine.dispose()


def test_the_downgrade_drops_the_new_table_and_columns_and_keeps_every_ballot(empty_url):  # noqa: F811
    migrate(empty_url, "0009_i13_incompatible")
    seed(empty_url)
    migrate(empty_url, "head")
    engine = get_engine({"sqlalchemy.url": empty_url})
    with engine.begin() as connection:  # a batch for budget 2 only, and a limit
        connection.execute(text("INSERT INTO code_batch_budget (batch_id, budget_id) VALUES (1, 2)"))
        connection.execute(text("UPDATE process SET max_budgets = 1"))
    engine.dispose()
    downgrade(empty_url, "0009_i13_incompatible")
    engine = get_engine({"sqlalchemy.url": empty_url})
    schema = inspect(engine)
    assert "code_batch_budget" not in schema.get_table_names()
    assert "max_budgets" not in {c["name"] for c in schema.get_columns("process")}
    assert "all_budgets" not in {c["name"] for c in schema.get_columns("code_batch")}
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM ballot")).scalar() == 1
        assert connection.execute(text("SELECT count(*) FROM budget")).scalar() == 2
        assert connection.execute(text("SELECT count(*) FROM voter_code")).scalar() == 1
    engine.dispose()
    migrate(empty_url, "head")

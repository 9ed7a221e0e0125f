"""Issue 12's revision 0013 gives budgets their translations, without touching their ballots."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import text

from pbengine.models import get_engine
from tests.test_migrations_i9 import empty_url, migrate  # noqa: F401 - the fixture (SQLite and PostgreSQL)
from tests.test_migrations_i10 import downgrade

AT = dt.datetime(2026, 11, 30, 14, 0)


def seed(url: str) -> None:
    engine = get_engine({"sqlalchemy.url": url})
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO process (id, slug, title, description, currency, phase, allow_revote, translations, "
            "config_fingerprint, created_at) VALUES (1, 'p1', 'P', '', 'EUR', 'voting', true, "
            "'{\"fr\": {\"title\": \"Budget\"}}', '', :at)"), {"at": AT})
        connection.execute(text(
            "INSERT INTO budget (id, process_id, slug, name, description, position, amount, ballot_kind, rule, "
            "satisfaction, completion, tie_break) VALUES (1, 1, 'city', 'City', '', 0, 10000000, "
            "'approval', 'greedy', 'cost', 'none', 'votes')"))
        connection.execute(text(
            "INSERT INTO ballot (id, budget_id, slot, receipt_hash, content, channel, cast_at) "
            "VALUES ('b1', 1, NULL, :r, '{\"approvals\": [\"p1\"]}', 'online', :at)"), {"r": "a" * 64, "at": AT})
    engine.dispose()


def _rows(url: str):
    engine = get_engine({"sqlalchemy.url": url})
    with engine.connect() as connection:
        ballots = connection.execute(text("SELECT id FROM ballot")).all()
        budget = connection.execute(text("SELECT name FROM budget WHERE id = 1")).one()
    engine.dispose()
    return ballots, budget


def test_existing_budgets_get_no_translations_and_keep_their_ballots_both_ways(empty_url):  # noqa: F811
    migrate(empty_url, "0012_i13_auto_phases")
    seed(empty_url)
    migrate(empty_url, "0013_i12_budget_translations")
    engine = get_engine({"sqlalchemy.url": empty_url})
    with engine.connect() as connection:
        translations = connection.execute(text("SELECT translations FROM budget WHERE id = 1")).scalar_one()
        revision = connection.execute(text("SELECT texts_revision FROM process WHERE id = 1")).scalar_one()
    engine.dispose()
    assert translations in ({}, "{}") and revision == 0
    assert [b.id for b in _rows(empty_url)[0]] == ["b1"]
    downgrade(empty_url, "0012_i13_auto_phases")
    ballots, budget = _rows(empty_url)
    assert [b.id for b in ballots] == ["b1"] and budget.name == "City"
    migrate(empty_url, "head")

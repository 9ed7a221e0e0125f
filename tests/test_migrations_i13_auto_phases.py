"""Revision 0012 adds ``process.auto_phases`` (off for every existing process) and drops it plainly."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import inspect, text

from pbengine.models import get_engine
from tests.test_migrations_i9 import empty_url  # noqa: F401 - the fixture (SQLite and PostgreSQL)
from tests.test_migrations_i10 import downgrade, migrate


def _rows(url: str, sql: str) -> list[tuple]:
    engine = get_engine({"sqlalchemy.url": url})
    with engine.connect() as connection:
        rows = [tuple(r) for r in connection.execute(text(sql))]
    engine.dispose()
    return rows


def _columns(url: str, table: str) -> set[str]:
    engine = get_engine({"sqlalchemy.url": url})
    names = {column["name"] for column in inspect(engine).get_columns(table)}
    engine.dispose()
    return names


def test_existing_processes_keep_moving_by_hand_and_the_way_down_keeps_their_budgets(empty_url):  # noqa: F811
    migrate(empty_url, "0011_i13_proposals")
    engine = get_engine({"sqlalchemy.url": empty_url})
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO process (id, slug, title, description, currency, phase, allow_revote, translations, "
            "created_at) VALUES (1, 'p1', 'P', '', 'EUR', 'review', true, '{}', :at)"),
            {"at": dt.datetime(2026, 12, 1)})
        connection.execute(text(
            "INSERT INTO budget (id, process_id, slug, name, description, position, amount, ballot_kind, rule, "
            "satisfaction, completion, tie_break) VALUES (1, 1, 'city', 'City', '', 0, 100, 'approval', 'greedy', "
            "'cost', 'none', 'votes')"))
    engine.dispose()
    assert "auto_phases" not in _columns(empty_url, "process")
    migrate(empty_url, "0012_i13_auto_phases")
    assert "auto_phases" in _columns(empty_url, "process")
    assert _rows(empty_url, "SELECT id, auto_phases FROM process") == [(1, False)]
    downgrade(empty_url, "0011_i13_proposals")
    assert _rows(empty_url, "SELECT id, process_id FROM budget") == [(1, 1)]  # nothing cascaded away
    assert "auto_phases" not in _columns(empty_url, "process")

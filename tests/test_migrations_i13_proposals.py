"""Issue 13's revision 0011: existing proposals get a language, a first revision and no reminder."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import text

from pbengine.models import get_engine
from tests.test_migrations_i9 import empty_url  # noqa: F401 - the fixture (SQLite and PostgreSQL)
from tests.test_migrations_i10 import downgrade, migrate

AT = dt.datetime(2026, 11, 30, 14, 0)


def _seed(url: str) -> None:
    engine = get_engine({"sqlalchemy.url": url})
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO process (id, slug, title, description, currency, phase, allow_revote, translations, "
            "config_fingerprint, created_at) VALUES (1, 'p', 'P', '', 'EUR', 'review', true, '{}', '', :at)"),
            {"at": AT})
        connection.execute(text(
            "INSERT INTO proposal (id, process_id, title, description, estimated_cost, category, sdgs, "
            "organisation_name, location, contact_email, status, public_reason, tracking_hash, created_at) "
            "VALUES (1, 1, 'Repair café', '', 900000, '', '[]', '', '', 'a@example.org', 'changes-requested', "
            "'Which days?', 'h1', :at)"), {"at": AT})
    engine.dispose()


def _proposals(url: str, columns: str):
    engine = get_engine({"sqlalchemy.url": url})
    with engine.connect() as connection:
        rows = connection.execute(text(f"SELECT {columns} FROM proposal ORDER BY id")).all()
    engine.dispose()
    return [tuple(row) for row in rows]


def test_existing_proposals_are_a_first_english_version_without_reminder_and_downgrade_keeps_them(
        empty_url):  # noqa: F811
    migrate(empty_url, "0010_i13_districts")
    _seed(empty_url)
    migrate(empty_url, "0011_i13_proposals")
    assert _proposals(empty_url, "id, status, locale, revision, remind_voting, revised_at") == [
        (1, "changes-requested", "en", 1, False, None)]
    downgrade(empty_url, "0010_i13_districts")
    assert _proposals(empty_url, "id, title, status, public_reason, contact_email") == [
        (1, "Repair café", "changes-requested", "Which days?", "a@example.org")]
    migrate(empty_url, "0011_i13_proposals")
    assert _proposals(empty_url, "locale, revision") == [("en", 1)]

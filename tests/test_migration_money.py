"""Revision 0005_i8_money turns the stored whole-unit amounts into minor units, per process currency."""

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import text

from pbengine.models import get_engine

from .conftest import ROOT, _drop_postgres, _postgres_url


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrate.sqlite'}"
    else:
        url = _postgres_url()
        try:
            yield url
        finally:
            _drop_postgres(url)


def _migrate(url, target, how=command.upgrade):
    config = Config()
    config.set_main_option("script_location", str(ROOT / "migrations"))
    engine = get_engine({"sqlalchemy.url": url})
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        how(config, target)
    engine.dispose()


ROWS = [
    "INSERT INTO process (id, slug, title, description, translations, currency, phase, allow_revote, created_at) "
    "VALUES (1, 'eur', 'E', '', '{}', 'EUR', 'draft', true, '2026-01-01'), "
    "(2, 'yen', 'Y', '', '{}', 'JPY', 'draft', true, '2026-01-01')",
    "INSERT INTO budget (id, process_id, slug, name, description, position, amount, ballot_kind, max_sum_cost, "
    "rule, satisfaction, completion, tie_break) VALUES "
    "(1, 1, 'b', 'B', '', 0, 100000, 'knapsack', 80000, 'greedy', 'cost', 'none', 'votes'), "
    "(2, 2, 'b', 'B', '', 0, 5000, 'approval', NULL, 'greedy', 'cost', 'none', 'votes')",
    "INSERT INTO project (id, budget_id, code, title, description, translations, cost, categories, sdgs, "
    "organisation_name, location, image_url) VALUES "
    "(1, 1, 'p', 'P', '', '{}', 60000, '[]', '[]', '', '', ''), "
    "(2, 2, 'p', 'P', '', '{}', 700, '[]', '[]', '', '', '')",
    "INSERT INTO proposal (id, process_id, title, description, estimated_cost, category, sdgs, organisation_name, "
    "location, contact_email, status, public_reason, tracking_hash, created_at) VALUES "
    "(1, 1, 'T', '', 1234, '', '[]', '', '', '', 'submitted', '', 'h1', '2026-01-01')",
]


def _amounts(url):
    engine = get_engine({"sqlalchemy.url": url})
    with engine.connect() as connection:
        found = {
            "budgets": connection.execute(text("SELECT id, amount, max_sum_cost FROM budget ORDER BY id")).all(),
            "projects": connection.execute(text("SELECT id, cost FROM project ORDER BY id")).all(),
            "proposals": connection.execute(text("SELECT id, estimated_cost FROM proposal ORDER BY id")).all(),
        }
    engine.dispose()
    return {key: [tuple(row) for row in rows] for key, rows in found.items()}


def test_amounts_become_cents_for_euros_and_stay_for_yen(fresh_url):
    _migrate(fresh_url, "0004_i10")
    engine = get_engine({"sqlalchemy.url": fresh_url})
    with engine.begin() as connection:
        for statement in ROWS:
            connection.execute(text(statement))
    engine.dispose()
    _migrate(fresh_url, "head")
    assert _amounts(fresh_url) == {
        "budgets": [(1, 10_000_000, 8_000_000), (2, 5000, None)],
        "projects": [(1, 6_000_000), (2, 700)],
        "proposals": [(1, 123_400)],
    }
    _migrate(fresh_url, "0004_i10", command.downgrade)
    assert _amounts(fresh_url)["budgets"] == [(1, 100_000, 80_000), (2, 5000, None)]

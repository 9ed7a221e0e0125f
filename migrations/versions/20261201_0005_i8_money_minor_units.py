"""money in minor units: every stored amount becomes an integer count of the currency's smallest unit

Budget amounts, knapsack limits, project costs and proposal costs were whole currency units; they
become minor units (cents for EUR: x100; x1 for JPY; x1000 for KWD), as many digits as Babel's
CLDR data gives the process currency (2 for a code Babel does not know), the same rule as
``pbengine.money.minor_digits``. Tallies, comparisons and audit payloads are not touched: they hold
amounts as ``voting_rules`` counts them, in whole units, which is what their digests cover.

Revision ID: 0005_i8_money
Revises: 0004_i10
Create Date: 2026-12-01 08:30:00
"""

from alembic import op
import sqlalchemy as sa
from babel.numbers import get_currency_precision


revision = '0005_i8_money'
down_revision = '0004_i10'
branch_labels = None
depends_on = None


def _factors(connection) -> dict[str, int]:
    currencies = connection.execute(sa.text("SELECT DISTINCT currency FROM process")).scalars()
    return {c: 10 ** get_currency_precision((c or "").upper() or "XXX") for c in currencies}


def _scale(multiply: bool) -> None:
    connection = op.get_bind()
    op_ = "*" if multiply else "/"
    for currency, factor in _factors(connection).items():
        if factor == 1:
            continue
        processes = "SELECT id FROM process WHERE currency = :c"
        budgets = f"SELECT id FROM budget WHERE process_id IN ({processes})"
        for statement in (
            f"UPDATE budget SET amount = amount {op_} :f, max_sum_cost = max_sum_cost {op_} :f "
            f"WHERE process_id IN ({processes})",
            f"UPDATE project SET cost = cost {op_} :f WHERE budget_id IN ({budgets})",
            f"UPDATE proposal SET estimated_cost = estimated_cost {op_} :f WHERE process_id IN ({processes})",
        ):
            connection.execute(sa.text(statement), {"c": currency, "f": factor})


def upgrade():
    _scale(multiply=True)


def downgrade():
    # Back to whole units: amounts with cents lose them (integer division).
    _scale(multiply=False)

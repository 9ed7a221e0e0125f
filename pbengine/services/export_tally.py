"""The audit export's ``tally.csv``: one row per project with the rule's numbers."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from voting_rules.election import amount_text

from ..models import Budget
from .csv_files import csv_bytes
from .translations import TRANSLATED_LOCALES


def exact_amount(value) -> Decimal:
    """A counted amount (int or ``"a/b"`` with a decimal form, like a cost) as an exact decimal."""
    return Decimal(amount_text(Fraction(value)))


def money(fraction_text: str | None) -> Decimal | str:
    if not fraction_text:  # None or ""
        return ""
    value = Decimal(Fraction(fraction_text).numerator) / Decimal(Fraction(fraction_text).denominator)
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


TALLY_COLUMNS = ["budget", "project_id", "name", "cost", "votes", "score", "funded", "selection_order",
                 "greedy_decision", "equal_shares_price_per_supporter", "equal_shares_paid_by_supporters",
                 "equal_shares_supporters", "equal_shares_short_by", "name_fr", "name_es"]


def tally_rows(budget: Budget, payload: dict) -> list[list]:
    explanation = payload.get("explanation") or {}
    greedy = {step["project"]: step for step in explanation.get("order", [])}
    rounds = {r["project"]: r for r in explanation.get("rounds", [])}
    unfunded = {u["project"]: u for u in explanation.get("unfunded", [])}
    order = {pid: i for i, pid in enumerate(payload.get("funded", []), start=1)}
    projects = {p.code: p for p in budget.projects}
    rows = []
    for row in payload.get("projects", []):
        pid = row["id"]
        paid = rounds.get(pid, {}).get("paid", [])
        rows.append([
            budget.slug, pid, projects[pid].title if pid in projects else "", exact_amount(row["cost"]), row["votes"],
            row["score"],
            int(row["funded"]), order.get(pid, ""), greedy.get(pid, {}).get("decision", ""),
            money(rounds[pid]["price_per_supporter"]) if pid in rounds else "",
            money(str(sum((Fraction(p["amount"]) * p["voters"] for p in paid), Fraction(0)))) if paid else "",
            sum(p["voters"] for p in paid) if paid else "",
            money(unfunded[pid]["short_by"]) if pid in unfunded else "",
            *((projects[pid].translated("title", locale) or "") if pid in projects else ""
              for locale in TRANSLATED_LOCALES),
        ])
    return rows


def tally_csv(budget_rows: list[list]) -> bytes:
    return csv_bytes(TALLY_COLUMNS, budget_rows)

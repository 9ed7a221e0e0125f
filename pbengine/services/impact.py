"""What the money does: money and number of funded projects per Sustainable Development Goal and
per organisation type, beside what was on the ballot.

Figures are exact integers in minor units (see :mod:`pbengine.money`). The costs are the ones the
official tally counted (its ``projects`` rows); the goals and organisation types come from the
budget's projects, which are locked from the vote on (``phases.ensure_unlocked``), so the
figures of a published tally never change and may be kept with it (``services.memo``).

A project with several goals counts once for each of its goals: the goal rows add up to more
than the budget's total when projects share goals. Each project has at most one organisation
type, so the organisation rows (with "not given") add up to the total.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass

from ..models import Budget, OrganisationType
from ..money import decimal_text, to_minor

NO_GOAL = 0  # the "goal" of projects that name none
NO_TYPE = ""  # the organisation type of projects that give none


@dataclass(frozen=True)
class Counted:
    """One project as the impact figures need it (``cost`` in minor units)."""

    cost: int
    funded: bool
    sdgs: tuple[int, ...]
    organisation_type: str


@dataclass(frozen=True)
class ImpactRow:
    key: int | str  # a goal number (NO_GOAL: none given) or an organisation type (NO_TYPE: none given)
    funded_projects: int
    funded_amount: int  # minor units
    ballot_projects: int
    ballot_amount: int  # minor units


@dataclass(frozen=True)
class Impact:
    by_goal: tuple[ImpactRow, ...]
    by_organisation_type: tuple[ImpactRow, ...]
    funded_projects: int
    funded_amount: int
    ballot_projects: int
    ballot_amount: int

    def to_json(self) -> dict:
        return {
            "amounts_in": "minor units",
            "funded_projects": self.funded_projects, "funded_amount_minor": self.funded_amount,
            "ballot_projects": self.ballot_projects, "ballot_amount_minor": self.ballot_amount,
            "by_sdg": [_row_json("sdg", row) for row in self.by_goal],
            "by_organisation_type": [_row_json("organisation_type", row) for row in self.by_organisation_type],
        }


def _row_json(name: str, row: ImpactRow) -> dict:
    return {name: row.key if row.key not in (NO_GOAL, NO_TYPE) else None,
            "funded_projects": row.funded_projects, "funded_amount_minor": row.funded_amount,
            "ballot_projects": row.ballot_projects, "ballot_amount_minor": row.ballot_amount}


def _rows(groups: dict, order) -> tuple[ImpactRow, ...]:
    return tuple(ImpactRow(key, *groups[key]) for key in sorted(groups, key=order))


def impact(projects: Iterable[Counted]) -> Impact:
    """The figures of ``projects`` (every project on one ballot), per goal and per organisation type."""
    goals: dict[int, list[int]] = {}
    types: dict[str, list[int]] = {}
    total = [0, 0, 0, 0]

    def add(figures: list[int], project: Counted) -> None:
        figures[2] += 1
        figures[3] += project.cost
        if project.funded:
            figures[0] += 1
            figures[1] += project.cost

    for project in projects:
        add(total, project)
        for goal in sorted(set(project.sdgs)) or [NO_GOAL]:
            add(goals.setdefault(goal, [0, 0, 0, 0]), project)
        add(types.setdefault(project.organisation_type or NO_TYPE, [0, 0, 0, 0]), project)
    type_order = {t.value: i for i, t in enumerate(OrganisationType)}
    return Impact(
        by_goal=_rows(goals, lambda g: (g == NO_GOAL, g)),
        by_organisation_type=_rows(types, lambda t: (t == NO_TYPE, type_order.get(t, len(type_order)), t)),
        funded_projects=total[0], funded_amount=total[1], ballot_projects=total[2], ballot_amount=total[3])


def budget_impact(budget: Budget, payload: dict) -> Impact:
    """The impact figures of ``budget``'s official tally (``payload``: the tally's result JSON)."""
    currency = budget.process.currency
    funded = set(payload.get("funded", []))
    by_code = {p.code: p for p in budget.projects}
    counted = []
    for row in payload.get("projects", []):
        project = by_code.get(row["id"])
        counted.append(Counted(
            cost=to_minor(row["cost"], currency), funded=row["id"] in funded,
            sdgs=tuple(int(s) for s in (project.sdgs or [])) if project else (),
            organisation_type=(project.organisation_type or NO_TYPE) if project else NO_TYPE))
    return impact(counted)


CSV_COLUMNS = ["budget", "dimension", "key", "funded_projects", "funded_amount_minor", "funded_amount",
               "ballot_projects", "ballot_amount_minor", "ballot_amount", "currency"]


def csv_bytes(figures: Iterable[tuple[Budget, Impact]]) -> bytes:
    """``impact.csv``: one row per budget and goal ("sdg", key 1-17, empty: none given) and per budget
    and organisation type ("organisation_type", empty key: none given); amounts in minor units and
    as exact decimal text."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for budget, figure in figures:
        currency = budget.process.currency
        for dimension, rows in (("sdg", figure.by_goal), ("organisation_type", figure.by_organisation_type)):
            for row in rows:
                writer.writerow([budget.slug, dimension, "" if row.key in (NO_GOAL, NO_TYPE) else row.key,
                                 row.funded_projects, row.funded_amount, decimal_text(row.funded_amount, currency),
                                 row.ballot_projects, row.ballot_amount, decimal_text(row.ballot_amount, currency),
                                 currency])
    return out.getvalue().encode("utf-8")


__all__ = ["Counted", "Impact", "ImpactRow", "budget_impact", "csv_bytes", "impact"]

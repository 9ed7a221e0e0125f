"""CSV files for the organizer's spreadsheet: the projects, the proposals and the turnout.

Each file is built from an explicit list of columns; cells a spreadsheet would run as a formula
are quoted (``csv_files.cell``). The proposals file never holds the proposer's contact e-mail nor
the tracking token's hash. The turnout file holds counts only (ballots per budget, day and how
they came in, and the voter codes), never a tally.
"""

from __future__ import annotations

from sqlalchemy import func, select

from ..models import Ballot, Process
from ..money import decimal_text
from .csv_files import csv_bytes as _csv
from .turnout import CHANNELS, KINDS, turnout

PROJECT_COLUMNS = ["budget", "project_id", "title", "cost", "currency", "categories", "sdgs",
                   "organisation_name", "organisation_type", "location", "from_proposal", "description"]
PROPOSAL_COLUMNS = ["proposal", "submitted_on", "status", "title", "estimated_cost", "currency", "category",
                    "sdgs", "organisation_name", "organisation_type", "location", "budget", "public_reason",
                    "description"]
TURNOUT_COLUMNS = ["budget", "day", "online", "paper", "imported", "ballots", "codes_issued", "codes_revoked",
                   "codes_used"]


def _list(values) -> str:
    return "; ".join(str(v) for v in (values or []))


def projects_csv(process: Process) -> bytes:
    """One row per project of every budget of ``process`` (cost as an exact decimal)."""
    currency = process.currency
    return _csv(PROJECT_COLUMNS, (
        [budget.slug, p.code, p.title, decimal_text(p.cost, currency), currency, _list(p.categories),
         _list(p.sdgs), p.organisation_name, p.organisation_type or "", p.location, p.proposal_id or "",
         p.description]
        for budget in process.budgets for p in budget.projects))


def proposals_csv(process: Process) -> bytes:
    """One row per proposal of ``process``; no contact data."""
    currency = process.currency
    slugs: dict[int | None, str] = {b.id: b.slug for b in process.budgets}  # None: a proposal for no budget
    return _csv(PROPOSAL_COLUMNS, (
        [p.id, p.created_at.date().isoformat() if p.created_at else "", p.status, p.title,
         decimal_text(p.estimated_cost, currency), currency, p.category, _list(p.sdgs), p.organisation_name,
         p.organisation_type or "", p.location, slugs.get(p.budget_id, ""), p.public_reason, p.description]
        for p in sorted(process.proposals, key=lambda p: p.id)))


def turnout_csv(db, process: Process, key: str | None) -> bytes:
    """Ballots per budget and day by how they came in, then a ``total`` row per budget; the voter
    codes (issued, revoked, used: for the whole process) on every row."""
    figures = turnout(db, process, key)
    codes = [figures.codes_issued, figures.codes_revoked, figures.codes_used]
    rows = []
    for row in figures.budgets:
        day = func.date(Ballot.cast_at)
        days: dict[str, dict[str, int]] = {}
        for d, channel, n in db.execute(select(day, Ballot.channel, func.count())
                                        .where(Ballot.budget_id == row.budget.id)
                                        .group_by(day, Ballot.channel).order_by(day)):
            found = days.setdefault(str(d), dict.fromkeys(KINDS, 0))
            found[CHANNELS.get(channel, "online")] += n
        for d, found in days.items():
            rows.append([row.budget.slug, d, *(found[k] for k in KINDS), sum(found.values()), *codes])
        rows.append([row.budget.slug, "total", row.online, row.paper, row.imported, row.total, *codes])
    return _csv(TURNOUT_COLUMNS, rows)


__all__ = ["PROJECT_COLUMNS", "PROPOSAL_COLUMNS", "TURNOUT_COLUMNS", "projects_csv", "proposals_csv",
           "turnout_csv"]

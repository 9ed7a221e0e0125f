"""Import a whole budget from a pabulib ``.pb`` file: its projects and its ballots, all or nothing.

How a city recounts a past edition, or brings in ballots collected elsewhere: the file's META
gives the budget (amount, ballot format, rule), PROJECTS its projects, VOTES its ballots. The
ballots come in with channel ``imported`` and no voter code; each gets an anonymous id derived
from the file's voter id (so a re-import gives the same ids), stored where an online ballot
keeps the hash of its receipt. They are written with one bulk insert, and the audit log gets
one event for the whole file: its SHA-256, the number of ballots and a digest of their ids (the
same digest the close seals, over every ballot of the budget, and ``pbengine verify`` checks).
Any problem refuses the whole file; the caller's transaction is then rolled back.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from sqlalchemy import insert

from voting_rules import PabulibError, read_pb
from voting_rules.ballots import limit_breaches
from voting_rules.election import EXCLUSION_RULES, incompatible_text

from ..i18n import _
from ..models import Ballot, Budget, Process
from ..models.voting import cast_day, new_ballot_id
from ..verify import receipts_digest
from . import audit, ballot_errors
from .ballots import normalise_content
from .budgets import add_budget
from .errors import DomainError, InvalidInput
from .import_files import ImportRefused
from .pabulib_tags import read_tags
from .pb_plan import budget_data, meta_minor
from .phases import ensure_unlocked
from .projects import ProjectData, add_project

CHANNEL = "imported"
MAX_BYTES = 200_000_000


@dataclass
class Imported:
    budget: Budget
    projects: int
    ballots: int
    file_sha256: str
    warnings: list[str]


def imported_ballot_id(process: Process, budget_slug: str, voter_id: str) -> str:
    """The anonymous id of an imported ballot (in the receipt-hash column and the export)."""
    return hashlib.sha256(f"pbengine-import:{process.slug}/{budget_slug}:{voter_id}".encode()).hexdigest()


def default_slug(filename: str) -> str:
    stem = re.sub(r"\.pb$", "", filename.rsplit("/", 1)[-1], flags=re.IGNORECASE)
    slug = re.sub(r"[^a-z0-9]+", "-", stem.lower()).strip("-")[:40].strip("-")
    return slug or "imported"


def _content(ballot) -> dict:
    if ballot.points is not None:
        return {"points": dict(ballot.points)}
    if ballot.ranking:
        return {"ranking": list(ballot.ranking)}
    return {"approvals": list(ballot.approvals)}


def import_pb(db, process: Process, filename: str, content: bytes, slug: str | None = None,
              name: str | None = None, actor: str = "") -> Imported:
    """Add the file's budget, projects and ballots to ``process``, or raise on the first problem."""
    ensure_unlocked(process)
    if len(content) > MAX_BYTES:
        raise InvalidInput(_("The file is too large (at most 200 MB)."), field="file")
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput(_("The file is not UTF-8 text."), field="file") from None
    try:
        election = read_pb(text)
    except PabulibError as error:
        raise ImportRefused(error.line_no, error.message) from None
    currency = process.currency
    declared = (election.meta.get("currency") or "").strip().upper()
    if declared and declared != currency:
        raise InvalidInput(_("The file counts in ${file}, this process in ${process}.",
                             mapping={"file": declared, "process": currency}), field="file")
    breaches = limit_breaches(election)
    if breaches:
        first = breaches[0]
        names = election.project_map()
        problem = ballot_errors.message(first, lambda pid: names[pid].name or pid if pid in names else pid,
                                        currency)
        raise InvalidInput(_("${n} ballots of the file break its own limits (first: ballot ${ballot}: "
                             "${problem}); nothing was imported.",
                             mapping={"n": len(breaches), "ballot": first.ballot_id, "problem": problem}),
                           field="file")
    data = budget_data(election, slug or default_slug(filename), "", currency)
    if election.incompatible and data.rule not in EXCLUSION_RULES:
        raise InvalidInput(_("The file names projects that cannot all be carried out (META "
                             "incompatible) but its rule ${rule} cannot keep them apart; only the "
                             "greedy rules can.", mapping={"rule": data.rule}), field="file")
    slug = slug or default_slug(filename)
    title = (name or election.meta.get("subunit") or election.name or slug)[:200]
    budget = add_budget(db, process, budget_data(election, slug, title, currency), actor)
    for project in election.projects:
        # Goals and organisation types as the export writes them (services/pabulib_tags.py).
        categories, goals, organisation = read_tags(project.categories, project.extra.get("target"))
        project_data = ProjectData(code=project.id, title=(project.name or project.id)[:200],
                                   cost=meta_minor(project.cost, currency, f"project {project.id}"),
                                   categories=categories, sdgs=goals, organisation_type=organisation)
        try:
            add_project(db, budget, project_data, actor)
        except DomainError as error:
            raise InvalidInput(_("Project ${id}: ${problem}", mapping={"id": project.id, "problem": error.message}),
                               field="file") from None
    budget.incompatible = incompatible_text(election.incompatible)  # read_pb checked its codes
    day = cast_day()
    rows = [{"id": new_ballot_id(), "budget_id": budget.id,
             "receipt_hash": imported_ballot_id(process, budget.slug, ballot.voter_id),
             "content": normalise_content(budget, _content(ballot)), "channel": CHANNEL, "cast_at": day}
            for ballot in election.ballots]
    if rows:
        # Core executemany on the session's connection (same transaction), no ORM bookkeeping.
        db.connection().execute(insert(Ballot.__table__), rows)
    file_sha256 = hashlib.sha256(content).hexdigest()
    audit.record(db, process, "ballots.imported", {
        "budget": budget.slug, "file": filename.rsplit("/", 1)[-1], "file_sha256": file_sha256,
        "ballots": len(rows), "projects": len(election.projects),
        "ballot_ids_sha256": receipts_digest(row["receipt_hash"] for row in rows)}, actor)
    return Imported(budget, len(election.projects), len(rows), file_sha256, election.warnings)

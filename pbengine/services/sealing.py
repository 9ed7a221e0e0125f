"""The audit chain's commitment to the ballots: one ``ballots.sealed`` event per budget at the close.

A ballot is not a link of the chain (that would record the order of voting, and make every
cast wait for one lock). When voting closes, the chain records for each budget how many
ballots are counted and the SHA-256 of their receipt hashes, sorted, one per line
(``sort | sha256sum`` of the VOTES ids of the exported ``.pb``). The export's ballots can
then be checked to be exactly those: none dropped or added after the close. No
intermediate checkpoint is published: a digest of the ballots up to some moment, checkable
against the final list, would tell which ballots came before it.
"""

from __future__ import annotations

from sqlalchemy import func, select

from ..chain import receipts_digest
from ..models import Ballot, Process, ReplacedBallot
from . import audit

SEALED = "ballots.sealed"


def seal(db, process: Process, actor: str = "") -> None:
    """Record one ``ballots.sealed`` event per budget (the caller holds the process row lock)."""
    for budget in process.budgets:
        counted = db.scalars(select(Ballot.receipt_hash).where(Ballot.budget_id == budget.id)).all()
        replaced = db.scalar(select(func.count()).select_from(ReplacedBallot)
                             .where(ReplacedBallot.budget_id == budget.id))
        audit.record(db, process, SEALED, {"budget": budget.slug, "ballots": len(counted),
                                           "receipts_sha256": receipts_digest(counted), "replaced": replaced},
                     actor)

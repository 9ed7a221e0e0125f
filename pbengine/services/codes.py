"""Voter codes: random, unambiguous, stored only as keyed hashes (HMAC-SHA256)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from sqlalchemy import func, select

from ..i18n import _
from ..models import CodeBatch, Phase, Process, VoterCode
from ..models.meta import utcnow
from . import audit, slots
from .errors import CodeInvalid, InvalidInput, PhaseError

# No 0/O, 1/I/L, 2/Z, 5/S, 8/B: easy to read on paper and to type on a phone. Receipts use it too.
ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
GROUPS, GROUP_SIZE = 3, 4
MAX_BATCH = 100_000


def normalise(code: str) -> str:
    """Upper-case, drop spaces and dashes: ``acde-fghj`` and ``ACDEFGHJ`` are the same code."""
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())


def format_code(raw: str) -> str:
    return "-".join(raw[i:i + GROUP_SIZE] for i in range(0, len(raw), GROUP_SIZE))


def code_hash(key: str, code: str) -> str:
    return hmac.new(key.encode(), normalise(code).encode(), hashlib.sha256).hexdigest()


def new_code() -> str:
    return format_code("".join(secrets.choice(ALPHABET) for _ in range(GROUPS * GROUP_SIZE)))


@dataclass
class GeneratedBatch:
    batch: CodeBatch
    codes: list[tuple[str, str]]  # (reference, plain code): exists only in this object


def generate(db, key: str, process: Process, size: int, label: str, actor: str = "") -> GeneratedBatch:
    if not isinstance(size, int) or size < 1 or size > MAX_BATCH:
        raise InvalidInput(_("Generate between 1 and ${max} codes at once.",
                             mapping={"max": MAX_BATCH}), field="size")
    if not (label or "").strip():
        raise InvalidInput(_("This field is required."), field="label")
    if process.phase in (Phase.CLOSED, Phase.PUBLISHED):
        raise PhaseError(_("Voting is over: no new codes can be issued."))
    batch = CodeBatch(process_id=process.id, label=label.strip(), size=size)
    db.add(batch)
    db.flush()
    plain: list[tuple[str, str]] = []
    rows = []
    seen: set[str] = set()
    while len(plain) < size:
        code = new_code()
        digest = code_hash(key, code)
        if digest in seen:
            continue
        seen.add(digest)
        reference = f"{batch.id}-{len(plain) + 1}"
        plain.append((reference, code))
        rows.append({"process_id": process.id, "batch_id": batch.id, "code_hash": digest,
                     "reference": reference})
    db.execute(VoterCode.__table__.insert(), rows)
    audit.record(db, process, "codes.generated", {"batch": batch.id, "label": batch.label, "size": size},
                 actor)
    return GeneratedBatch(batch, plain)


def find(db, key: str, process: Process, code: str) -> VoterCode:
    """The valid (not revoked) code of ``process``, or :class:`CodeInvalid`."""
    if len(normalise(code)) != GROUPS * GROUP_SIZE:
        raise CodeInvalid(_("A voter code has 12 letters and digits, "
                            "like ACDE-FGHJ-KMNP. Check it and try again."), field="code")
    voter_code = db.scalars(
        select(VoterCode).where(VoterCode.code_hash == code_hash(key, code),
                                VoterCode.process_id == process.id)
    ).first()
    if voter_code is None or voter_code.revoked_at is not None:
        raise CodeInvalid(_("This voter code is not valid for this vote. "
                            "Check it and try again."), field="code")
    return voter_code


def revoke(db, process: Process, reference: str, actor: str = "") -> VoterCode:
    voter_code = db.scalars(
        select(VoterCode).where(VoterCode.process_id == process.id,
                                VoterCode.reference == (reference or "").strip())
    ).first()
    if voter_code is None:
        raise InvalidInput(_("No code has this reference."), field="reference")
    if voter_code.revoked_at is None:
        voter_code.revoked_at = utcnow()
        audit.record(db, process, "code.revoked", {"reference": voter_code.reference}, actor)
    return voter_code


def summary(db, process: Process, key: str | None) -> tuple[dict, list[dict]]:
    """:func:`counts` and :func:`batch_counts` together, finding the codes that voted once."""
    voted = slots.voted_code_ids(db, process, key)
    return counts(db, process, key, voted), batch_counts(db, process, key, voted)


def mark_downloaded(db, batch: CodeBatch) -> None:
    batch.downloaded = True


def counts(db, process: Process, key: str | None, voted: set[int] | None = None) -> dict:
    """How many codes ``process`` has, how many voted and how many are revoked (``key``: the code key,
    which tells from the ballots' slots which codes voted while voting is open; ``voted``: those
    codes' ids, if already known)."""
    total = db.scalar(select(func.count()).select_from(VoterCode).where(VoterCode.process_id == process.id))
    used = len(slots.voted_code_ids(db, process, key) if voted is None else voted)
    revoked = db.scalar(select(func.count()).select_from(VoterCode).where(
        VoterCode.process_id == process.id, VoterCode.revoked_at.is_not(None)))
    return {"total": total, "used": used, "revoked": revoked}


def batch_counts(db, process: Process, key: str | None, voted: set[int] | None = None) -> list[dict]:
    """Each batch of ``process`` with how many of its codes were used and revoked."""
    if voted is None:
        voted = slots.voted_code_ids(db, process, key)
    used: dict[int, int] = {}
    for code_id, batch_id in db.execute(select(VoterCode.id, VoterCode.batch_id)
                                        .where(VoterCode.process_id == process.id)):
        if code_id in voted:
            used[batch_id] = used.get(batch_id, 0) + 1
    revoked = func.count(VoterCode.revoked_at)
    rows = db.execute(
        select(CodeBatch, revoked).outerjoin(VoterCode, VoterCode.batch_id == CodeBatch.id)
        .where(CodeBatch.process_id == process.id).group_by(CodeBatch.id).order_by(CodeBatch.id)
    ).all()
    return [{"batch": batch, "used": used.get(batch.id, 0), "revoked": n_revoked} for batch, n_revoked in rows]

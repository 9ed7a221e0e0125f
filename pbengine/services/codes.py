"""Voter codes: random, unambiguous, stored only as keyed hashes (HMAC-SHA256)."""

from __future__ import annotations

import functools
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import NoReturn

from sqlalchemy import bindparam, func, select

from ..i18n import _
from ..models import Budget, CodeBatch, Phase, Process, VoterCode
from ..models.meta import utcnow
from . import audit, ratelimit, slots
from .errors import CodeInvalid, InvalidInput, PhaseError, VotingClosed
from .phases import voting_open
from .ratelimit import Bucket

# No 0/O, 1/I/L, 2/Z, 5/S, 8/B: easy to read on paper and to type on a phone. Receipts use it too.
ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
GROUPS, GROUP_SIZE = 3, 4
MAX_BATCH = 100_000


def normalise(code: str) -> str:
    """Upper-case, keep letters and digits only: ``acde-fghj`` and ``ACDEFGHJ`` are the same code (and
    receipts, ``services.ballots.receipt_hash``)."""
    upper = (code or "").upper()
    plain = upper.replace("-", "").replace(" ", "")
    # The common case without a character by character loop: the same string when only dashes and spaces go.
    return plain if plain.isalnum() else "".join(ch for ch in upper if ch.isalnum())


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


def batch_budgets(process: Process, budget_ids) -> list[Budget]:
    """The budgets of ``process`` with these ids, or :class:`InvalidInput` naming the field ``budgets``.

    No id, or every budget of the process: ``[]``, a batch for all budgets (also those added later).
    """
    wanted = set(budget_ids or ())
    chosen = [b for b in process.budgets if b.id in wanted]
    if len(chosen) != len(wanted):
        raise InvalidInput(_("Choose budgets of this process."), field="budgets")
    return [] if len(chosen) == len(process.budgets) else chosen


def generate(db, key: str, process: Process, size: int, label: str, actor: str = "",
             budget_ids=None) -> GeneratedBatch:
    """A batch of ``size`` new codes, for the budgets ``budget_ids`` (none: every budget of ``process``)."""
    if not isinstance(size, int) or size < 1 or size > MAX_BATCH:
        raise InvalidInput(_("Generate between 1 and ${max} codes at once.",
                             mapping={"max": MAX_BATCH}), field="size")
    if not (label or "").strip():
        raise InvalidInput(_("This field is required."), field="label")
    if process.phase in (Phase.CLOSED, Phase.PUBLISHED):
        raise PhaseError(_("Voting is over: no new codes can be issued."))
    budgets = batch_budgets(process, budget_ids)
    batch = CodeBatch(process_id=process.id, label=label.strip(), size=size, all_budgets=not budgets,
                      budgets=budgets)
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
    payload = {"batch": batch.id, "label": batch.label, "size": size}
    if budgets:  # only for a batch limited to some budgets: the events of the others are unchanged
        payload["budgets"] = [b.slug for b in budgets]
    audit.record(db, process, "codes.generated", payload, actor)
    return GeneratedBatch(batch, plain)


def _malformed() -> CodeInvalid:
    return CodeInvalid(_("A voter code has 12 letters and digits, "
                         "like ACDE-FGHJ-KMNP. Check it and try again."), field="code")


def _not_valid() -> CodeInvalid:
    return CodeInvalid(_("This voter code is not valid for this vote. "
                         "Check it and try again."), field="code")


_BY_HASH = select(VoterCode).where(VoterCode.code_hash == bindparam("code_hash"),
                                   VoterCode.process_id == bindparam("process_id"))


def find(db, key: str, process: Process, code: str) -> VoterCode:
    """The valid (not revoked) code of ``process``, or :class:`CodeInvalid` (no rate limit: for the
    services and tests; a voter's entry goes through :func:`enter`)."""
    if not well_formed(code):
        raise _malformed()
    voter_code = db.scalars(_BY_HASH, {"code_hash": code_hash(key, code), "process_id": process.id}).first()
    if voter_code is None or voter_code.revoked_at is not None:
        raise _not_valid()
    return voter_code


@functools.cache
def entry_statement(buckets: int):
    """The code and what its ``buckets`` counted, in one SELECT (built once per number of buckets)."""
    return _BY_HASH.add_columns(*ratelimit.counted_columns(buckets))


def enter(db, key: str, process: Process, code: str, buckets: list[Bucket], session_factory) -> VoterCode:
    """A voter's entry of a voter code on the site: the code of ``process`` under the voter-code rate
    limits ``buckets`` (:mod:`pbengine.services.ratelimit`). The API's cast enters the code in its own
    first statement, by the same rules (``services.ballots.cast_with_code``).

    :class:`VotingClosed` when the process is not voting. A code that is malformed, unknown or
    revoked is counted as a failure in every bucket, after the check, then refused with
    :class:`CodeInvalid` (or :class:`TooManyAttempts` once a limit is reached); a valid code
    writes nothing, and is refused alike once a limit is reached, so that a refusal says nothing
    of the code. Identical submissions in flight, and voters sharing an address, never wait on
    one another's counters. One SELECT reads the code and the counters together.

    The caller answers :class:`CodeInvalid` without raising it further, so that the request
    commits: on SQLite the failure is counted in the request's own transaction.
    """
    if not voting_open(process):
        raise VotingClosed(_("Voting is not open for this process."))
    if well_formed(code):
        counters = ratelimit.probe(session_factory, buckets, request_db=db)
        row = db.execute(entry_statement(len(buckets)), {"code_hash": code_hash(key, code), "process_id": process.id,
                                                          **counters.parameters()}).first()
        if row is not None and row[0].revoked_at is None:
            counters.refuse_if_over(row[1:1 + len(buckets)])
            return row[0]
    refuse(db, code, buckets, session_factory)


def well_formed(code: str) -> bool:
    return len(normalise(code)) == GROUPS * GROUP_SIZE


def refuse(db, code: str, buckets: list[Bucket], session_factory) -> NoReturn:
    """Count a failed entry of ``code`` in every bucket (never released), then refuse it: :class:`CodeInvalid`,
    or :class:`TooManyAttempts` when that goes over a limit."""
    ratelimit.reserve(session_factory, buckets, request_db=db)
    raise _not_valid() if well_formed(code) else _malformed()


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

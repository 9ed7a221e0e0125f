"""Casting and replacing ballots; receipts (checking one: :mod:`pbengine.services.receipts`).

A ballot is acknowledged (a receipt shown) only after the transaction that stores it
commits, and at most one ballot exists per voter code and budget: it is stored under the
code's *slot* in the budget, a keyed hash the database cannot reverse (unique, and casts
into one slot are serialised; :mod:`pbengine.services.slots`). No column of a ballot leads
to a voter code. Re-voting overwrites the ballot; of the earlier one only its receipt hash
remains, marked replaced. Ballots keep the day they were cast, not the time.

Ballots are not links of the audit chain: casting takes no lock shared by all voters (only a
shared lock on the process row, so that closing the vote waits for the ballots in flight,
and a lock on the voter code, which also holds the limit of budgets per code,
:mod:`pbengine.services.eligibility`), and the log does not record the order of voting. At the
close the chain commits to each budget's ballots at once (:mod:`pbengine.services.sealing`). A repeat
of one submission returns the stored ballot's receipt (:mod:`pbengine.services.submissions`).
"""

from __future__ import annotations

import functools
import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import Table, and_, bindparam, exists, func, or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ..i18n import _
from ..models import Ballot, Budget, CodeBatch, Phase, Process, ReplacedBallot, VoterCode
from ..models.voting import cast_day, code_batch_budget, new_ballot_id
from . import codes, eligibility, ratelimit, slots
from .ballot_rules import Target, check, target_of
from .ballot_rules import normalise_content as normalise_content  # the ballot checks, where callers import them
from .ballot_rules import rule_projects as rule_projects
from .ballot_rules import to_rule_ballot as to_rule_ballot
from .ballot_rules import validate as validate
from .errors import CodeAlreadyUsed, InvalidInput, SubmissionConflict, VotingClosed
from .phases import voting_open
from .submissions import RECEIPT_ALPHABET, RECEIPT_LENGTH, Submission


def new_receipt() -> str:
    raw = "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(RECEIPT_LENGTH))
    return "-".join(raw[i:i + 4] for i in range(0, RECEIPT_LENGTH, 4))


def receipt_hash(receipt: str) -> str:
    """The anonymous ballot id published in the export: SHA-256 of the normalised receipt."""
    normalised = "".join(ch for ch in (receipt or "").upper() if ch.isalnum())
    return hashlib.sha256(normalised.encode()).hexdigest()


@dataclass
class Cast:
    receipt: str
    receipt_hash: str
    replaced: bool  # this submission replaced the voter's earlier ballot in the budget
    repeated: bool = False  # a repeat of a submission already stored: nothing new was written


def _slot(budget_id: int, voter_code: VoterCode, key: str | None) -> str:
    return slots.slot(slots.require_key(key), budget_id, voter_code.code_hash)


def current_ballot(db, budget: Budget, voter_code: VoterCode, key: str | None) -> Ballot | None:
    """The code's current ballot in ``budget`` (found through its slot: needs the code key)."""
    return db.scalars(select(Ballot).where(Ballot.slot == _slot(budget.id, voter_code, key))).first()


def _guard_columns(dialect: str, batch_id) -> list:
    """The code's advisory lock (PostgreSQL) and whether its batch (``batch_id``) is for the budget."""
    batches = CodeBatch.__table__
    columns = [func.pg_advisory_xact_lock(bindparam("lock")).label("locked")] if dialect == "postgresql" else []
    return columns + [
        select(batches.c.all_budgets).where(batches.c.id == batch_id).scalar_subquery().label("all_budgets"),
        exists().where(code_batch_budget.c.batch_id == batch_id,
                       code_batch_budget.c.budget_id == bindparam("budget_id")).label("in_batch")]


def _guard(dialect: str, with_code: bool):
    """The statement a cast begins with: the phase, re-read under a shared lock on the process row
    (PostgreSQL ``FOR KEY SHARE``); with a voter code, also :func:`_guard_columns`. Built once per dialect."""
    processes = Process.__table__
    columns = [processes.c.phase, *(_guard_columns(dialect, bindparam("batch_id")) if with_code else ())]
    return select(*columns).where(processes.c.id == bindparam("process_id")).with_for_update(read=True, key_share=True)


_GUARDS = {(dialect, with_code): _guard(dialect, with_code)
           for dialect in ("postgresql", "sqlite") for with_code in (False, True)}


def _dialect(db) -> str:
    return "postgresql" if db.get_bind().dialect.name == "postgresql" else "sqlite"


def _lock_parameters(budget_id: int, code_hash: str, key: str | None) -> dict:
    return {"budget_id": budget_id, "lock": slots.lock_number(slots.code_lock(slots.require_key(key), code_hash))}


def _enter_cast(db, target: Target, voter_code: VoterCode | None, key: str | None) -> None:
    """Refuse a cast once voting is over, or with a code whose batch is for other budgets; with a code,
    hold its lock until the transaction ends. One statement.

    Casts do not block one another; closing the vote (``FOR UPDATE``) waits for the casts in
    flight, and a cast that waited for the close sees it: no ballot lands after the seal. One
    code's casts, in every budget, run one after the other (so that a limit of N budgets holds;
    :func:`pbengine.services.slots.lock_number`; SQLite has one writer at a time anyway).
    """
    parameters: dict = {"process_id": target.process_id}
    if voter_code is not None:
        parameters.update(batch_id=voter_code.batch_id, **_lock_parameters(target.budget_id, voter_code.code_hash, key))
    _check_guard(db, target, voter_code, db.execute(_GUARDS[(_dialect(db), voter_code is not None)], parameters).one())


def _check_guard(db, target: Target, voter_code: VoterCode | None, row) -> None:
    if row.phase != Phase.VOTING:
        raise VotingClosed(_("Voting is not open for this process."))
    if voter_code is None or voter_code.batch_id is None or row.all_budgets is None or row.all_budgets:
        return  # a paper ballot, or no batch, or a batch for every budget
    if not row.in_batch:
        eligibility.ensure_eligible(db, target.budget(db), voter_code)  # raises NotEligible, with the batch's budgets


@functools.cache
def _cast_statement(dialect: str, buckets: int):
    """The first statement of an API cast, on the tables (built once per dialect and number of buckets).

    One row per process (none if the process row is gone or its slug changed): its phase, under a
    shared lock on the row (PostgreSQL ``FOR KEY SHARE``), its ``created_at`` and locked fingerprint
    and whether the budget is still its own (``budget_ok``), to check a target the app server kept
    (:mod:`pbengine.services.ballot_rules`); the voter code, if the process has it (an outer join:
    NULL columns otherwise); what the code's rate-limit ``buckets`` counted; the code's advisory
    lock and its batch's eligibility (:func:`_guard_columns`).
    """
    processes, voter_codes, budgets = Process.__table__, VoterCode.__table__, Budget.__table__
    code_row = voter_codes.c.process_id == processes.c.id, voter_codes.c.code_hash == bindparam("code_hash")
    return (select(processes.c.phase, processes.c.created_at, processes.c.config_fingerprint,
                   exists().where(budgets.c.id == bindparam("budget_id"), budgets.c.process_id == processes.c.id,
                                  budgets.c.slug == bindparam("budget_slug")).label("budget_ok"),
                   voter_codes.c.id.label("code_id"), voter_codes.c.batch_id, voter_codes.c.revoked_at,
                   *ratelimit.counted_columns(buckets), *_guard_columns(dialect, voter_codes.c.batch_id))
            .select_from(processes.outerjoin(voter_codes, and_(*code_row)))
            .where(processes.c.id == bindparam("process_id"), processes.c.slug == bindparam("slug"))
            .with_for_update(read=True, key_share=True, of=processes))


def _cast_row(db, target: Target, code_hash: str, key: str, counters: ratelimit.Probe):
    return db.execute(_cast_statement(_dialect(db), len(counters.buckets)), {
        "process_id": target.process_id, "slug": target.process_slug, "budget_slug": target.budget_slug,
        "code_hash": code_hash, **_lock_parameters(target.budget_id, code_hash, key),
        **counters.parameters()}).first()


class TargetOutOfDate(Exception):
    """A target the app server kept must be read again (it is out of date, or a malformed code is
    refused only once the phase is known): nothing was decided or written."""


def cast_with_code(db, target: Target, code: str, content: dict, buckets: list, session_factory,
                   channel: str = "online", locale: str | None = None, submission: Submission | None = None,
                   key: str | None = None) -> Cast:
    """:func:`cast` with the voter code as the voter typed it (the API), under the voter-code rate
    limits ``buckets``, by the rules of :func:`pbengine.services.codes.enter`: the code is entered in
    the statement that begins the cast (:func:`_cast_statement`), so a ballot costs one round trip.
    Raises as both do.

    ``target``: the budget with its rules, read by this request or kept by the app server
    (:mod:`pbengine.services.ballot_rules`). A kept one is checked by that same statement:
    :class:`TargetOutOfDate` if it no longer holds, before anything is decided, and the caller reads
    it again (and the ballot's content with it) and casts again.
    """
    key = slots.require_key(key)
    if target.kept and not codes.well_formed(code):
        raise TargetOutOfDate()  # a malformed code is refused after the phase is known
    if target.phase is not None and target.phase != Phase.VOTING:
        raise VotingClosed(_("Voting is not open for this process."))
    if not codes.well_formed(code):
        codes.refuse(db, code, buckets, session_factory)
    digest = codes.code_hash(key, code)
    counters = ratelimit.probe(session_factory, buckets, request_db=db)
    row = _cast_row(db, target, digest, key, counters)
    if target.kept and not target.current(row):
        raise TargetOutOfDate()
    if row is None or row.phase != Phase.VOTING:
        raise VotingClosed(_("Voting is not open for this process."))
    if row.code_id is None or row.revoked_at is not None:
        codes.refuse(db, code, buckets, session_factory)
    counters.refuse_if_over([getattr(row, f"counted{i}") for i in range(len(buckets))])
    # Not in the session: the fields the checks below read, without loading the code through the ORM.
    voter_code = VoterCode(id=row.code_id, process_id=target.process_id, batch_id=row.batch_id, code_hash=digest)
    _check_guard(db, target, voter_code, row)
    return _store(db, target, voter_code, content, channel, locale, submission, key, "")


def _digests(submission: Submission | None, budget_id: int, voter: str) -> tuple[str | None, str | None]:
    """The submission's stored hash as a first ballot, and as one replacing an earlier ballot.

    Which of the two a stored ballot carries tells a repeat whether it replaced one, and only to
    whoever holds the submission key: the database does not say which ballots are re-votes.
    """
    if submission is None:
        return None, None
    return submission.digest(budget_id, voter), submission.digest(budget_id, voter + "\x1freplacing")


def cast(db, budget: Budget, voter_code: VoterCode | None, content: dict, channel: str = "online",
         locale: str | None = None, submission: Submission | None = None, key: str | None = None,
         entered_by: str = "") -> Cast:
    """Store a ballot for ``voter_code`` (None: a paper ballot entered by an organizer).

    ``key`` is the voter-code key (``settings['pbengine.code_key']``): the ballot is stored under
    the code's slot in the budget (:mod:`pbengine.services.slots`), never with the code. A new
    ballot replaces the code's current one, whose content is dropped (its receipt is kept as
    replaced). With a ``submission``, a repeat of it returns the ballot already stored and its receipt.
    ``entered_by``: the organizer who enters a paper ballot.
    """
    process = budget.process
    if not voting_open(process):
        raise VotingClosed(_("Voting is not open for this process."))
    if voter_code is not None and (voter_code.process_id != process.id or voter_code.revoked_at):
        raise InvalidInput(_("This voter code is not valid for this vote."))
    target = target_of(budget)
    _enter_cast(db, target, voter_code, key)
    return _store(db, target, voter_code, content, channel, locale, submission, key, entered_by)


def _store(db, target: Target, voter_code: VoterCode | None, content: dict, channel: str, locale: str | None,
           submission: Submission | None, key: str | None, entered_by: str) -> Cast:
    """The cast once :func:`_enter_cast` has passed: validate, then store or find the repeat."""
    rules, budget_id = target.rules, target.budget_id
    content = check(rules, content, lambda: target.budget(db), locale)
    slot = _slot(budget_id, voter_code, key) if voter_code is not None else None
    voter = f"code:{voter_code.id}" if voter_code is not None else "paper"
    first, replacing = _digests(submission, budget_id, voter)
    if rules.max_budgets is None:
        # A first ballot, the common case: one INSERT that does nothing if the slot holds a ballot or
        # this submission is stored (unique slot and submission hash); then the checks below find why.
        new = _insert_first(db, budget_id, slot, content, channel, submission, voter, first,
                            entered_by if voter_code is None else "")
        if new is not None:
            return new
    # One query for both: this very submission, if stored already, and the code's current ballot.
    wanted = ([Ballot.submission_hash.in_((first, replacing))] if first else []) + (
        [Ballot.slot == slot] if slot else [])
    found = db.scalars(select(Ballot).where(Ballot.budget_id == budget_id, or_(*wanted))).all() if wanted else []
    stored = next((b for b in found if first and b.submission_hash in (first, replacing)), None)
    if stored is not None:
        assert submission is not None  # only a submission's hash finds a stored ballot
        if stored.content != content:
            raise SubmissionConflict(_("This submission was already recorded with other choices. "
                                       "Reload the ballot and submit it again."))
        return Cast(submission.receipt(budget_id, voter), stored.receipt_hash,
                    stored.submission_hash == replacing, repeated=True)
    current = next((b for b in found if slot and b.slot == slot), None)
    if first and current is not None:  # only a slot with a ballot can have had one replaced
        earlier = db.scalars(select(ReplacedBallot).where(
            ReplacedBallot.budget_id == budget_id, ReplacedBallot.submission_hash.in_((first, replacing)))).first()
        if earlier is not None:  # a repeat of a submission the voter has replaced since
            assert submission is not None  # found by the submission's hash
            return Cast(submission.receipt(budget_id, voter), earlier.receipt_hash,
                        earlier.submission_hash == replacing, repeated=True)
    if voter_code is not None and current is None:  # a new budget for this code (a re-vote is not)
        eligibility.ensure_within_limit(db, target.budget(db), voter_code, key)
    if current is not None and not rules.allow_revote:
        raise CodeAlreadyUsed(_("This voter code has already been used "
                                "for this budget, and this vote does not allow changing a ballot."))
    receipt = submission.receipt(budget_id, voter) if submission is not None else new_receipt()
    digest = replacing if current is not None else first
    if current is not None:
        # Only that its receipt was replaced remains; its content goes with the overwritten row.
        db.add(ReplacedBallot(receipt_hash=current.receipt_hash, budget_id=budget_id,
                              submission_hash=current.submission_hash))
        current.receipt_hash, current.content, current.channel = receipt_hash(receipt), content, channel
        current.submission_hash, current.cast_at = digest, cast_day()
        db.flush()
        return Cast(receipt, current.receipt_hash, True)
    ballot = Ballot(budget_id=budget_id, slot=slot, receipt_hash=receipt_hash(receipt), content=content,
                    channel=channel, submission_hash=digest, entered_by=entered_by if voter_code is None else "")
    db.add(ballot)
    db.flush()
    return Cast(receipt, ballot.receipt_hash, False)


_FIRST_COLUMNS = ("id", "budget_id", "slot", "receipt_hash", "content", "channel", "submission_hash", "cast_at",
                  "entered_by")
# Built once per dialect, on the table (an ORM INSERT costs four times as much CPU): building an INSERT
# and its cache key on every cast cost more than running it. The request's session still commits it
# (``models.session`` marks a Core write as changed).
_BALLOTS = Ballot.__table__
assert isinstance(_BALLOTS, Table)
_INSERT_FIRST = {name: insert(_BALLOTS).values({c: bindparam(c) for c in _FIRST_COLUMNS})
                 .on_conflict_do_nothing().returning(_BALLOTS.c.id)
                 for name, insert in (("postgresql", pg_insert), ("sqlite", sqlite_insert))}


def _insert_first(db, budget_id: int, slot: str | None, content: dict, channel: str, submission: Submission | None,
                  voter: str, digest: str | None, entered_by: str) -> Cast | None:
    """Store a ballot unless its slot already holds one or its submission is stored: the Cast, or None."""
    receipt = submission.receipt(budget_id, voter) if submission is not None else new_receipt()
    digest_of_receipt = receipt_hash(receipt)
    dialect = db.get_bind().dialect.name
    stored = db.execute(_INSERT_FIRST["postgresql" if dialect == "postgresql" else "sqlite"], {
        "id": new_ballot_id(), "budget_id": budget_id, "slot": slot, "receipt_hash": digest_of_receipt,
        "content": content, "channel": channel, "submission_hash": digest, "cast_at": cast_day(),
        "entered_by": entered_by}).first()
    return Cast(receipt, digest_of_receipt, False) if stored is not None else None


def current_contents(db, budget: Budget) -> list[tuple[str, dict]]:
    """``(receipt hash, content)`` of every current ballot: two columns, no ORM objects (a city's
    61,668 ballots load in a fraction of the time)."""
    return [tuple(row) for row in db.execute(
        select(Ballot.receipt_hash, Ballot.content).where(Ballot.budget_id == budget.id).order_by(Ballot.id))]


def paper_counts(db, budget: Budget) -> list[tuple[str, int]]:
    """How many paper ballots each organizer entered in ``budget``, by e-mail."""
    rows = db.execute(select(Ballot.entered_by, func.count()).where(Ballot.budget_id == budget.id,
                                                                   Ballot.channel == "paper")
                      .group_by(Ballot.entered_by).order_by(Ballot.entered_by)).all()
    return [(who, n) for who, n in rows]


def count_current(db, budget: Budget) -> int:
    return db.scalar(select(func.count()).select_from(Ballot).where(Ballot.budget_id == budget.id))


def current_ballots(db, budget: Budget) -> list[Ballot]:
    return list(db.scalars(select(Ballot).where(Ballot.budget_id == budget.id).order_by(Ballot.id)))


def turnout(db, budget: Budget) -> list[tuple[str, int]]:
    """Current ballots per day they were cast (a replaced ballot counts on the day of the new one),
    never any tally."""
    day = func.date(Ballot.cast_at)
    rows = db.execute(select(day, func.count()).where(Ballot.budget_id == budget.id)
                      .group_by(day).order_by(day)).all()
    return [(str(d), n) for d, n in rows]

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

import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import func, or_, select

from ..i18n import _
from ..models import Ballot, Budget, Phase, ReplacedBallot, VoterCode
from ..models.session import statement_engine
from ..models.voting import cast_day, new_ballot_id
from . import cast_statements, codes, eligibility, ratelimit, slots
from .ballot_rules import Target, accepted, check, target_of
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
    return hashlib.sha256(codes.normalise(receipt).encode()).hexdigest()


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
    guard = cast_statements.GUARDS[(_dialect(db), voter_code is not None)]
    _check_guard(db, target, voter_code, db.execute(guard, parameters).one())


def _check_guard(db, target: Target, voter_code: VoterCode | None, row) -> None:
    if row.phase != Phase.VOTING:
        raise VotingClosed(_("Voting is not open for this process."))
    if voter_code is None or voter_code.batch_id is None or row.all_budgets is None or row.all_budgets:
        return  # a paper ballot, or no batch, or a batch for every budget
    if not row.in_batch:
        eligibility.ensure_eligible(db, target.budget(db), voter_code)  # raises NotEligible, with the batch's budgets


@dataclass
class _First:
    """A first ballot for ``cast_statements.entry_and_store``: its row, and its Cast if stored."""

    values: dict
    cast: Cast


def _first_ballot(db, target: Target, code_hash: str, content: dict, channel: str, submission: Submission | None,
                  key: str) -> _First | None:
    """In a budget without a limit of budgets per code, a content the rules accept: the row of the ballot
    as a first one (as :func:`_insert_first` would store it). Otherwise None."""
    if target.rules.max_budgets is not None:
        return None
    normalised = accepted(target.rules, content)
    if normalised is None:
        return None  # refused by the checks after the entry, in their order (:func:`_store`)
    budget_id, voter = target.budget_id, _voter(code_hash)
    digest = submission.digest(budget_id, voter) if submission is not None else None
    values, cast = _first_row(budget_id, slots.slot(key, budget_id, code_hash), normalised, channel, submission,
                              voter, digest, "")
    return _First({**values, "created_at": target.created_at, "fingerprint": target.fingerprint}, cast)


def _cast_parameters(target: Target, code_hash: str, key: str, counters: ratelimit.Probe) -> dict:
    return {"process_id": target.process_id, "slug": target.process_slug, "budget_slug": target.budget_slug,
            "code_hash": code_hash, **_lock_parameters(target.budget_id, code_hash, key), **counters.parameters()}


def _cast_row(db, target: Target, code_hash: str, key: str, counters: ratelimit.Probe):
    statement = cast_statements.entry(_dialect(db), len(counters.buckets))
    return db.execute(statement, _cast_parameters(target, code_hash, key, counters)).first()


def _stored_at_once(db, target: Target, code_hash: str, key: str, counters: ratelimit.Probe, first: _First) -> bool:
    """Whether ``cast_statements.entry_and_store`` stored ``first``, as a transaction of its own on a pooled
    connection (``models.session.statement_engine``: no BEGIN, no COMMIT; on PostgreSQL one round trip, on
    SQLite the write lock held for this statement only). Stored: committed. Not stored: nothing was
    written, and its locks are given back.

    On SQLite, a request whose session has begun already holds the write lock (it read the target
    again): the statement then runs in the request's transaction, committed with it."""
    dialect = _dialect(db)
    limits = {f"limit{i}": bucket.limit for i, bucket in enumerate(counters.buckets)}
    parameters = {**_cast_parameters(target, code_hash, key, counters), **first.values, **limits}
    statement = cast_statements.entry_and_store(dialect, len(counters.buckets))
    if dialect == "sqlite" and db.in_transaction():
        return db.execute(statement, parameters).rowcount == 1
    with statement_engine(db.get_bind()).connect() as connection:
        result = connection.execute(statement, parameters)
        # SQLite: committed as the statement ran to its end (an error of that commit is raised by execute,
        # before the ballot is acknowledged); the rows it stored are counted, none returned.
        return result.rowcount == 1 if dialect == "sqlite" else result.first() is not None


class TargetOutOfDate(Exception):
    """A target the app server kept must be read again (it is out of date, or a malformed code is
    refused only once the phase is known): nothing was decided or written."""


def cast_with_code(db, target: Target, code: str, content: dict, buckets: list, session_factory,
                   channel: str = "online", locale: str | None = None, submission: Submission | None = None,
                   key: str | None = None) -> Cast:
    """:func:`cast` with the voter code as the voter typed it (the API), under the voter-code rate
    limits ``buckets``, by the rules of :func:`pbengine.services.codes.enter`: the code is entered in
    the statement that begins the cast (``cast_statements.entry``). Raises as both do.

    A first ballot (in a budget without a limit of budgets per code, with a content the rules accept) is
    tried first as that statement and its INSERT together, in a transaction of its own
    (``cast_statements.entry_and_store``): it stores and commits the ballot only where every check below
    passes and the slot and the submission are free, in one round trip on PostgreSQL, holding SQLite's
    write lock for that one statement. Where it stored nothing (a ballot in the slot, a repeat, a refusal,
    a kept target out of date) it wrote nothing, and the cast is made as without it, in the request's
    transaction.

    ``target``: the budget with its rules, read by this request or kept by the app server
    (:mod:`pbengine.services.ballot_rules`). A kept one is checked by that same statement:
    :class:`TargetOutOfDate` if it no longer holds, before anything is decided, and the caller reads
    it again (and the ballot's content with it) and casts again.
    """
    key = slots.require_key(key)
    well_formed = codes.well_formed(code)
    if target.kept and not well_formed:
        raise TargetOutOfDate()  # a malformed code is refused after the phase is known
    if target.phase is not None and target.phase != Phase.VOTING:
        raise VotingClosed(_("Voting is not open for this process."))
    if not well_formed:
        codes.refuse(db, code, buckets, session_factory)
    digest = codes.code_hash(key, code)
    counters = ratelimit.probe(session_factory, buckets, request_db=db)
    first = _first_ballot(db, target, digest, content, channel, submission, key)
    if first is not None and _stored_at_once(db, target, digest, key, counters, first):
        return first.cast  # every check below passed in that statement, and the ballot is committed
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


def _voter(code_hash: str) -> str:
    """Who a coded ballot's submission hashes and receipt are for: the code, by its keyed hash (known
    before the code's row is read, so that the ballot can be stored in the statement that reads it)."""
    return f"code-hash:{code_hash}"


def _voters(voter_code: VoterCode | None) -> list[str]:
    """The voter of :func:`_voter` first; then how ballots stored before 2026-12-02 named it (by the
    code's id), so that a repeat of such a submission still finds its ballot and receipt."""
    if voter_code is None:
        return ["paper"]
    return [_voter(voter_code.code_hash)] + ([f"code:{voter_code.id}"] if voter_code.id is not None else [])


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
    voters = _voters(voter_code)
    voter = voters[0]
    if rules.max_budgets is None:
        # A first ballot, the common case: one INSERT that does nothing if the slot holds a ballot or
        # this submission is stored (unique slot and submission hash); then the checks below find why.
        new = _insert_first(db, budget_id, slot, content, channel, submission, voter,
                            submission.digest(budget_id, voter) if submission is not None else None,
                            entered_by if voter_code is None else "")
        if new is not None:
            return new
    first, replacing = _digests(submission, budget_id, voter)
    # This submission's hashes, each with the voter it names and whether it replaced a ballot.
    known = {digest: (name, replaced) for name in voters
             for digest, replaced in zip(_digests(submission, budget_id, name), (False, True), strict=True) if digest}
    # One query for both: this very submission, if stored already, and the code's current ballot.
    wanted = ([Ballot.submission_hash.in_(list(known))] if known else []) + (
        [Ballot.slot == slot] if slot else [])
    found = db.scalars(select(Ballot).where(Ballot.budget_id == budget_id, or_(*wanted))).all() if wanted else []
    stored = next((b for b in found if b.submission_hash in known), None)
    if stored is not None:
        assert submission is not None and stored.submission_hash  # only a submission's hash finds a stored ballot
        if stored.content != content:
            raise SubmissionConflict(_("This submission was already recorded with other choices. "
                                       "Reload the ballot and submit it again."))
        name, replaced = known[stored.submission_hash]
        return Cast(submission.receipt(budget_id, name), stored.receipt_hash, replaced, repeated=True)
    current = next((b for b in found if slot and b.slot == slot), None)
    if known and current is not None:  # only a slot with a ballot can have had one replaced
        earlier = db.scalars(select(ReplacedBallot).where(
            ReplacedBallot.budget_id == budget_id, ReplacedBallot.submission_hash.in_(list(known)))).first()
        if earlier is not None and earlier.submission_hash:  # a repeat of a submission the voter has replaced since
            assert submission is not None  # found by the submission's hash
            name, replaced = known[earlier.submission_hash]
            return Cast(submission.receipt(budget_id, name), earlier.receipt_hash, replaced, repeated=True)
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


def _insert_first(db, budget_id: int, slot: str | None, content: dict, channel: str, submission: Submission | None,
                  voter: str, digest: str | None, entered_by: str) -> Cast | None:
    """Store a ballot unless its slot already holds one or its submission is stored: the Cast, or None."""
    values, cast = _first_row(budget_id, slot, content, channel, submission, voter, digest, entered_by)
    stored = db.execute(cast_statements.INSERT_FIRST[_dialect(db)], values).first()
    return cast if stored is not None else None


def _first_row(budget_id: int, slot: str | None, content: dict, channel: str, submission: Submission | None,
               voter: str, digest: str | None, entered_by: str) -> tuple[dict, Cast]:
    """A first ballot's row (``cast_statements.FIRST_COLUMNS``) and the Cast it acknowledges once stored."""
    receipt = submission.receipt(budget_id, voter) if submission is not None else new_receipt()
    digest_of_receipt = receipt_hash(receipt)
    values = {"id": new_ballot_id(), "budget_id": budget_id, "slot": slot, "receipt_hash": digest_of_receipt,
              "content": content, "channel": channel, "submission_hash": digest, "cast_at": cast_day(),
              "entered_by": entered_by}
    return values, Cast(receipt, digest_of_receipt, False)


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

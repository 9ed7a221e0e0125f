"""Ballots: stored once, replaced (never added) on re-vote, refused when the code is used."""

import pytest
from sqlalchemy import select

from pbengine.models import AuditEvent, Ballot, Phase, VoterCode
from pbengine.services import audit, ballots, codes, receipts, workflow
from pbengine.services.errors import BallotInvalid, CodeAlreadyUsed, CodeInvalid, VotingClosed
from pbengine.services.sealing import receipts_digest
from tests.conftest import TEST_SETTINGS
from tests.helpers import make_budget, make_process

KEY = TEST_SETTINGS["pbengine.code_key"]


@pytest.fixture
def voting(db):
    process = make_process(db)
    budget = make_budget(db, process, max_length=2)
    workflow.move_to(db, process, Phase.PROPOSALS)
    workflow.move_to(db, process, Phase.REVIEW)
    workflow.move_to(db, process, Phase.VOTING)
    batch = codes.generate(db, KEY, process, 3, "test")
    return process, budget, [code for _ref, code in batch.codes]


def test_codes_are_stored_only_as_keyed_hashes(db, voting):
    process, _budget, plain = voting
    stored = db.scalars(select(VoterCode.code_hash)).all()
    assert len(stored) == 3
    for code in plain:
        assert code not in stored and codes.normalise(code) not in stored
        assert codes.code_hash(KEY, code) in stored
        assert codes.code_hash("another-key", code) not in stored
    # Typed in lower case with spaces instead of dashes, a code still works.
    assert codes.find(db, KEY, process, plain[0].lower().replace("-", " "))


def test_wrong_or_revoked_code_is_refused(db, voting):
    process, _budget, plain = voting
    with pytest.raises(CodeInvalid):
        codes.find(db, KEY, process, "AAAA-AAAA-AAAA")
    codes.revoke(db, process, codes.find(db, KEY, process, plain[1]).reference)
    with pytest.raises(CodeInvalid):
        codes.find(db, KEY, process, plain[1])


def test_revote_replaces_the_earlier_ballot_and_the_receipt_says_so(db, voting):
    process, budget, plain = voting
    code = codes.find(db, KEY, process, plain[0])
    first = ballots.cast(db, budget, code, {"approvals": ["p1"]}, key=KEY)
    second = ballots.cast(db, budget, code, {"approvals": ["p2", "p3"]}, key=KEY)
    assert second.replaced and not first.replaced
    current = ballots.current_ballots(db, budget)
    assert [b.content for b in current] == [{"approvals": ["p2", "p3"]}]
    assert receipts.check_receipt(db, first.receipt).replaced
    assert receipts.check_receipt(db, second.receipt).counted
    assert not receipts.check_receipt(db, "NOPE-NOPE-NOPE-NOPE").found
    assert not [e for e in audit.events(db, process) if e.kind.startswith("ballot")]
    workflow.move_to(db, process, Phase.CLOSED, code_key=KEY)
    seal = next(e.payload for e in audit.events(db, process) if e.kind == "ballots.sealed")
    assert (seal["ballots"], seal["replaced"]) == (1, 1)


def test_without_revote_a_used_code_is_refused_and_nothing_is_added(db, voting):
    process, budget, plain = voting
    process.allow_revote = False
    code = codes.find(db, KEY, process, plain[0])
    ballots.cast(db, budget, code, {"approvals": ["p1"]}, key=KEY)
    with pytest.raises(CodeAlreadyUsed):
        ballots.cast(db, budget, code, {"approvals": ["p2"]}, key=KEY)
    assert len(db.scalars(select(Ballot)).all()) == 1


def test_invalid_ballot_names_the_limit_and_stores_nothing(db, voting):
    process, budget, plain = voting
    code = codes.find(db, KEY, process, plain[0])
    with pytest.raises(BallotInvalid) as error:
        ballots.cast(db, budget, code, {"approvals": ["p1", "p2", "p3"]}, key=KEY)
    assert "3" in str(error.value) and "2" in str(error.value)
    with pytest.raises(BallotInvalid):
        ballots.cast(db, budget, code, {"approvals": ["p9"]}, key=KEY)
    assert db.scalars(select(Ballot)).all() == []


def test_no_ballot_outside_the_voting_phase(db, voting):
    process, budget, plain = voting
    code = codes.find(db, KEY, process, plain[0])
    workflow.move_to(db, process, Phase.CLOSED, code_key=KEY)
    with pytest.raises(VotingClosed):
        ballots.cast(db, budget, code, {"approvals": ["p1"]}, key=KEY)


def test_casting_writes_nothing_to_the_log_and_the_close_seals_the_receipt_hashes_never_the_code(db, voting):
    process, budget, plain = voting
    code = codes.find(db, KEY, process, plain[0])
    cast = ballots.cast(db, budget, code, {"approvals": ["p1"]}, key=KEY)
    other = ballots.cast(db, budget, codes.find(db, KEY, process, plain[1]), {"approvals": ["p2"]}, key=KEY)
    before = len(audit.events(db, process))
    assert ballots.receipt_hash(cast.receipt) not in " ".join(str(e.payload) for e in audit.events(db, process))
    workflow.move_to(db, process, Phase.CLOSED, code_key=KEY)
    events = audit.events(db, process)
    seals = [e.payload for e in events[before:] if e.kind == "ballots.sealed"]
    assert [s["budget"] for s in seals] == [b.slug for b in process.budgets]
    mine = next(s for s in seals if s["budget"] == budget.slug)
    assert mine["ballots"] == 2
    assert mine["receipts_sha256"] == receipts_digest([cast.receipt_hash, other.receipt_hash])
    payloads = " ".join(str(e.payload) for e in db.scalars(select(AuditEvent)))
    assert cast.receipt not in payloads and ballots.receipt_hash(cast.receipt) not in payloads
    assert plain[0] not in payloads and code.code_hash not in payloads
    assert audit.verify_chain([audit.as_line(e) for e in events]) == []


def test_the_close_marks_every_code_that_voted_in_chunks_and_erases_the_slots(db, voting, monkeypatch):
    from pbengine.services import slots

    monkeypatch.setattr(slots, "CHUNK", 2)  # PostgreSQL takes at most 65,535 parameters per statement
    process, budget, plain = voting
    for code in plain:
        ballots.cast(db, budget, codes.find(db, KEY, process, code), {"approvals": ["p1"]}, key=KEY)
    assert not any(db.scalars(select(VoterCode.voted)))
    workflow.move_to(db, process, Phase.CLOSED, code_key=KEY)
    assert list(db.scalars(select(VoterCode.voted))) == [True, True, True]
    assert db.scalars(select(Ballot.slot).where(Ballot.slot.is_not(None))).all() == []
    assert codes.counts(db, process, KEY)["used"] == 3

"""A repeat of one submission (same Idempotency-Key) gets the receipt already given, never a second ballot."""

from __future__ import annotations

from sqlalchemy import func, select

from pbengine.models import Ballot, Process, ReplacedBallot
from tests.api.openapi_check import check_response
from tests.helpers import commit

URL = "/api/v1/processes/vote-now/budgets/citywide/ballots"
KEY = "k3y-of-this-submission-0001"


def cast(testapp, code, approvals, key=KEY, status=201):
    response = testapp.post_json(URL, {"voter_code": code, "approvals": approvals},
                                 headers={"Idempotency-Key": key} if key else {}, status=status)
    check_response(response, "POST")
    return response


def ballots(db) -> int:
    """Ballots stored: counted ones and the receipts of replaced ones."""
    commit(db)
    return db.scalar(select(func.count()).select_from(Ballot)) + \
        db.scalar(select(func.count()).select_from(ReplacedBallot))


def test_the_same_submission_sent_three_times_stores_one_ballot_and_answers_the_same_receipt(testapp, db, voting):
    answers = [cast(testapp, voting.codes[0], ["p1"]) for _ in range(3)]
    assert len({a.json["receipt"] for a in answers}) == 1
    assert [a.headers.get("Idempotent-Replayed") for a in answers] == [None, "true", "true"]
    assert ballots(db) == 1
    assert testapp.get(answers[0].json["receipt_url"]).json["counted"] is True


def test_a_repeat_gets_its_receipt_even_when_re_voting_is_not_allowed(testapp, db, voting):
    process = db.scalars(select(Process).where(Process.slug == "vote-now")).one()
    process.allow_revote = False
    commit(db)
    first = cast(testapp, voting.codes[0], ["p1"]).json
    assert cast(testapp, voting.codes[0], ["p1"]).json["receipt"] == first["receipt"]
    # A new submission (another key) is the second ballot the process refuses.
    assert cast(testapp, voting.codes[0], ["p1"], key="another-key-000000001", status=409).json["code"] == \
        "code_already_used"
    assert ballots(db) == 1


def test_the_same_key_with_other_choices_is_refused_and_changes_nothing(testapp, db, voting):
    first = cast(testapp, voting.codes[0], ["p1"]).json
    answer = cast(testapp, voting.codes[0], ["p2"], status=422).json
    assert answer["code"] == "submission_conflict"
    assert ballots(db) == 1
    assert testapp.get(first["receipt_url"]).json["counted"] is True


def test_one_key_sent_by_two_voters_gives_two_ballots_with_unrelated_receipts(testapp, db, voting):
    a = cast(testapp, voting.codes[0], ["p1"]).json
    b = cast(testapp, voting.codes[1], ["p1"]).json
    assert a["receipt"] != b["receipt"] and ballots(db) == 2


def test_new_keys_give_new_ballots_and_the_latest_counts(testapp, db, voting):
    first = cast(testapp, voting.codes[0], ["p1"], key="first-submission-0001").json
    second = cast(testapp, voting.codes[0], ["p2"], key="second-submission-001").json
    assert second["replaced_previous"] is True and first["receipt"] != second["receipt"]
    # A late retry of the first submission answers its own (now replaced) receipt, and adds nothing.
    again = cast(testapp, voting.codes[0], ["p1"], key="first-submission-0001").json
    assert again["receipt"] == first["receipt"] and ballots(db) == 2
    assert again["replaced_previous"] is False
    assert testapp.get(first["receipt_url"]).json["replaced"] is True
    # A retry of the re-vote says, as the first answer did, that it replaced a ballot.
    retried = cast(testapp, voting.codes[0], ["p2"], key="second-submission-001")
    assert retried.headers["Idempotent-Replayed"] == "true"
    assert retried.json["receipt"] == second["receipt"] and retried.json["replaced_previous"] is True
    assert ballots(db) == 2


def test_the_database_holds_neither_the_key_nor_the_receipt(testapp, db, voting):
    answer = cast(testapp, voting.codes[0], ["p1"]).json
    commit(db)
    row = db.scalars(select(Ballot)).one()
    stored = " ".join(str(v) for v in (row.submission_hash, row.receipt_hash, row.content))
    assert KEY not in stored and answer["receipt"] not in stored
    assert answer["receipt"].replace("-", "") not in stored


def test_a_malformed_key_answers_422_in_the_api_shape(testapp, db, voting):
    for key in ("short", "x" * 129, "spaces are not allowed here"):
        answer = cast(testapp, voting.codes[0], ["p1"], key=key, status=422).json
        assert answer["code"] == "invalid_input" and "Idempotency-Key" in answer["errors"]
    assert ballots(db) == 0


def test_a_repeat_of_a_submission_stored_under_the_codes_id_still_gets_its_receipt(testapp, db, voting):
    """Ballots stored before 2026-12-02 name the voter by the code's id in their hashes (the new ones by
    the code's keyed hash, known before its row is read): a repeat of such a submission, and of one
    replaced since, still finds its ballot and its receipt, and stores nothing."""
    from pbengine.models import Budget, VoterCode
    from pbengine.services import codes, slots
    from pbengine.services.ballots import receipt_hash
    from pbengine.services.submissions import Submission
    from tests.export.factory import CODE_KEY

    code_hash = codes.code_hash(CODE_KEY, voting.codes[0])
    voter_code = db.scalars(select(VoterCode).where(VoterCode.code_hash == code_hash)).one()
    budget = db.scalars(select(Budget).where(Budget.slug == "citywide")).one()
    legacy, submission = f"code:{voter_code.id}", Submission(KEY, CODE_KEY)
    receipt = submission.receipt(budget.id, legacy)
    db.add(Ballot(budget_id=budget.id, slot=slots.slot(CODE_KEY, budget.id, code_hash), content={"approvals": ["p1"]},
                  receipt_hash=receipt_hash(receipt), submission_hash=submission.digest(budget.id, legacy),
                  channel="api"))
    commit(db)
    again = cast(testapp, voting.codes[0], ["p1"])
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json["receipt"] == receipt and again.json["replaced_previous"] is False and ballots(db) == 1
    newer = cast(testapp, voting.codes[0], ["p2"], key="newer-submission-0001").json
    assert newer["replaced_previous"] is True and ballots(db) == 2
    late = cast(testapp, voting.codes[0], ["p1"])  # replaced since: its own receipt, nothing added
    assert late.headers["Idempotent-Replayed"] == "true" and late.json["receipt"] == receipt and ballots(db) == 2


def test_a_first_ballot_is_one_statement(testapp, db, voting):
    """The code's entry, the locks, the checks and the INSERT: one statement, a transaction of its own (one
    round trip on PostgreSQL; on SQLite no BEGIN IMMEDIATE, so the write lock is held by that statement
    only, not by the whole request)."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    cast(testapp, voting.codes[0], ["p1"])  # the budget's rules are read once, then kept
    seen: list[str] = []

    def count(_conn, _cursor, statement, *_rest):
        seen.append(statement.split()[0])

    event.listen(Engine, "before_cursor_execute", count)
    try:
        answer = cast(testapp, voting.codes[1], ["p2"], key="second-voter-submission")
    finally:
        event.remove(Engine, "before_cursor_execute", count)
    assert answer.json["replaced_previous"] is False and ballots(db) == 2
    assert seen == (["WITH"] if db.get_bind().dialect.name == "postgresql" else ["INSERT"])

"""A code batch is for some budgets (a district, the citywide pot); a process may allow at most N of them."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from pbengine.models import AuditEvent, Ballot, Budget, CodeBatch, Process, VoterCode
from pbengine.models.voting import code_batch_budget
from pbengine.services import ballots, codes, config_lock, eligibility, slots
from pbengine.services.errors import BudgetLimitReached, InvalidInput, NotEligible
from tests.districts import KEY, districts
from tests.helpers import commit, make_budget, make_process


def _cast(db, made, batch, budget, approvals=("p1",), index=0):
    process = db.get(Process, made.process.id)
    voter = codes.find(db, KEY, process, made.codes[batch][index])
    return ballots.cast(db, db.get(Budget, made.budgets[budget].id), voter, {"approvals": list(approvals)}, key=KEY)


def test_a_district_code_votes_in_its_district_and_the_citywide_pot_but_not_in_another_district(db):
    made = districts(db)
    _cast(db, made, "north", "north")
    _cast(db, made, "north", "town")
    with pytest.raises(NotEligible) as refusal:
        _cast(db, made, "north", "south")
    assert str(refusal.value) == ("Your voter code is not for the budget “South budget”: it was issued for "
                                  "North budget, Town budget.")
    assert refusal.value.status == 403 and refusal.value.code == "not_eligible"
    south = made.budgets["south"].id
    assert db.scalars(select(Ballot).where(Ballot.budget_id == south)).all() == []
    _cast(db, made, "south", "south")  # the South codes do
    with pytest.raises(NotEligible):
        _cast(db, made, "south", "north")


def test_a_code_for_every_budget_votes_everywhere_as_before(db):
    made = districts(db)
    for budget in ("north", "south", "town"):
        assert not _cast(db, made, "all", budget).replaced
    assert _cast(db, made, "all", "south", ("p2",)).replaced  # and re-votes as before
    process = db.get(Process, made.process.id)
    voter = codes.find(db, KEY, process, made.codes["all"][0])
    booth = eligibility.booth(db, process, voter, KEY)
    assert [(p.budget.slug, p.voted, p.offered) for p in booth.places] == [
        ("north", True, True), ("south", True, True), ("town", True, True)]


def test_at_most_n_budgets_and_replacing_a_ballot_is_not_another_budget(db):
    made = districts(db, max_budgets=2)
    _cast(db, made, "all", "north")
    _cast(db, made, "all", "town")
    with pytest.raises(BudgetLimitReached) as refusal:
        _cast(db, made, "all", "south")
    assert refusal.value.status == 409 and "at most 2 of its budgets" in str(refusal.value)
    assert _cast(db, made, "all", "north", ("p2", "p3")).replaced  # a re-vote, not a third budget
    assert _cast(db, made, "all", "south", index=1).replaced is False  # another code has its own count
    process = db.get(Process, made.process.id)
    voter = codes.find(db, KEY, process, made.codes["all"][0])
    booth = eligibility.booth(db, process, voter, KEY)
    assert booth.voted == 2
    assert [p.budget.slug for p in booth.offered] == ["north", "town"]
    assert [p.budget.slug for p in booth.limit_reached] == ["south"]
    assert len(db.scalars(select(Ballot)).all()) == 3


def test_the_limit_and_the_district_apply_together(db):
    made = districts(db, max_budgets=1)
    _cast(db, made, "north", "town")
    process = db.get(Process, made.process.id)
    voter = codes.find(db, KEY, process, made.codes["north"][0])
    booth = eligibility.booth(db, process, voter, KEY)
    assert [(p.budget.slug, p.reason) for p in booth.places] == [
        ("north", eligibility.LIMIT_REACHED), ("south", eligibility.NOT_ELIGIBLE), ("town", "")]
    with pytest.raises(NotEligible):  # not its district: said first, whatever the count
        _cast(db, made, "north", "south")
    with pytest.raises(BudgetLimitReached):
        _cast(db, made, "north", "north")


def test_casting_writes_nothing_about_the_code_and_counts_by_slots(db):
    made = districts(db, max_budgets=2)

    def code_rows():
        return sorted(tuple(r) for r in db.execute(select(VoterCode.__table__)).all())

    def batch_rows():
        return sorted(tuple(r) for r in db.execute(select(code_batch_budget)).all())

    before = code_rows(), batch_rows()
    _cast(db, made, "north", "north")
    _cast(db, made, "north", "town")
    commit(db)
    assert (code_rows(), batch_rows()) == before
    process = db.get(Process, made.process.id)
    voter = codes.find(db, KEY, process, made.codes["north"][0])
    stored = set(db.scalars(select(Ballot.slot)))
    assert stored == {slots.slot(KEY, made.budgets[b].id, voter.code_hash) for b in ("north", "town")}
    # what the casts lock is keyed like a slot, and stored nowhere
    assert slots.code_lock(KEY, voter.code_hash) not in stored | {voter.code_hash}


def test_a_batch_for_every_budget_ticked_is_for_all_budgets_and_a_foreign_budget_is_refused(db):
    process = make_process(db)
    north = make_budget(db, process, slug="north")
    town = make_budget(db, process, slug="town")
    other = make_budget(db, make_process(db, slug="elsewhere"), slug="north")
    every = codes.generate(db, KEY, process, 1, "every", budget_ids=[north.id, town.id]).batch
    assert every.all_budgets and every.budgets == []
    some = codes.generate(db, KEY, process, 1, "north", budget_ids=[north.id]).batch
    assert not some.all_budgets and some.budgets == [north]
    with pytest.raises(InvalidInput) as refusal:
        codes.generate(db, KEY, process, 1, "foreign", budget_ids=[north.id, other.id])
    assert refusal.value.field == "budgets"
    events = db.scalars(select(AuditEvent.payload).where(AuditEvent.kind == "codes.generated",
                                                         AuditEvent.process_id == process.id)).all()
    assert [e.get("budgets") for e in events] == [None, ["north"]]


def test_a_batch_whose_budgets_were_deleted_votes_nowhere_rather_than_everywhere(db):
    process = make_process(db)
    north = make_budget(db, process, slug="north")
    make_budget(db, process, slug="town")
    batch = codes.generate(db, KEY, process, 1, "north", budget_ids=[north.id])
    db.delete(north)  # a draft budget deleted after its codes were printed
    commit(db)
    process = db.get(Process, process.id)
    assert [b.slug for b in process.budgets] == ["town"]
    assert db.get(CodeBatch, batch.batch.id).all_budgets is False
    voter = codes.find(db, KEY, process, batch.codes[0][1])
    with pytest.raises(NotEligible) as refusal:
        eligibility.ensure_eligible(db, process.budgets[0], voter)
    assert "nor for any other budget" in str(refusal.value)


def test_the_limit_is_at_least_one_budget(db):
    with pytest.raises(InvalidInput) as refusal:
        make_process(db, max_budgets=0)
    assert refusal.value.field == "max_budgets"
    process = make_process(db, max_budgets=2)
    make_budget(db, process)
    assert config_lock.configuration(process)["max_budgets"] == 2
    unlimited = make_process(db, slug="unlimited")
    assert "max_budgets" not in config_lock.configuration(unlimited)  # fingerprints without a limit unchanged

"""Automatic phase moves: due processes move (with the checks of a move by hand), others stay; the log says so."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from pbengine.models import Ballot, Budget, Phase, Process
from pbengine.services import audit, ballots, codes, schedule
from tests.helpers import commit, make_budget, make_process
from tests.site.voting import move

KEY = "test-code-key"
DAY = dt.date(2027, 3, 1)
DATES = {"proposals_start": dt.date(2027, 1, 10), "proposals_end": dt.date(2027, 2, 10),
         "voting_start": dt.date(2027, 3, 1), "voting_end": dt.date(2027, 3, 21)}


def _process(db, slug, phases=(), auto=True, **dates):
    process = make_process(db, slug=slug, auto_phases=auto, **(DATES | dates))
    make_budget(db, process)
    return move(db, process, *phases)


def _tick(db, process, today):
    process = db.get(Process, process.id, with_for_update=True)
    return schedule.tick(db, process, today, KEY)


def test_the_dates_say_which_move_is_due_when():
    process = Process(phase="draft", auto_phases=True, **DATES)
    expected = [(Phase.PROPOSALS, dt.date(2027, 1, 10)), (Phase.REVIEW, dt.date(2027, 2, 11)),
                (Phase.VOTING, dt.date(2027, 3, 1)), (Phase.CLOSED, dt.date(2027, 3, 22))]
    for target, day in expected:
        assert schedule.next_automatic(process) == schedule.Planned(target, day)
        assert not schedule.is_due(process, day - dt.timedelta(days=1)) and schedule.is_due(process, day)
        process.phase = target.value
    assert schedule.next_automatic(process) is None  # publication is by hand
    assert schedule.next_automatic(Process(phase="draft", auto_phases=False, **DATES)) is None
    assert schedule.next_automatic(Process(phase="draft", auto_phases=True)) is None  # no date


def test_tick_moves_a_due_process_leaves_the_others_and_is_idempotent(db):
    due = _process(db, "due", ("proposals", "review"))
    not_yet = _process(db, "not-yet", ("proposals", "review"), voting_start=dt.date(2027, 3, 2))
    by_hand = _process(db, "by-hand", ("proposals", "review"), auto=False)
    commit(db)
    assert schedule.candidates(db) == [due.id, not_yet.id]

    outcome = _tick(db, due, DAY)
    assert (outcome.moved, outcome.problem) == ([Phase.VOTING], None)
    assert _tick(db, not_yet, DAY).moved == []
    commit(db)
    phases = {p.slug: p.phase for p in db.scalars(select(Process))}
    assert phases == {"due": "voting", "not-yet": "review", "by-hand": "review"}
    # The same move as by hand: the configuration's fingerprint is locked, and the log records the date.
    process = db.get(Process, due.id)
    assert process.config_fingerprint
    event = audit.events(db, process)[-1]
    assert (event.kind, event.actor) == ("phase.changed", "pbengine tick")
    assert event.payload["from"] == "review" and event.payload["to"] == "voting"
    assert event.payload["scheduled"] == "2027-03-01" and event.payload["fingerprint"] == process.config_fingerprint
    assert audit.verify_chain([audit.as_line(e) for e in audit.events(db, process)]) == []

    # Running it again the same day (or the next) changes nothing and records nothing.
    count = len(audit.events(db, process))
    assert _tick(db, due, DAY).moved == [] and _tick(db, due, DAY + dt.timedelta(days=1)).moved == []
    commit(db)
    assert len(audit.events(db, db.get(Process, due.id))) == count
    assert db.get(Process, by_hand.id).phase == "review"


def test_a_process_whose_dates_have_passed_catches_up_one_recorded_move_at_a_time(db):
    process = _process(db, "late")
    outcome = _tick(db, process, dt.date(2027, 3, 5))
    assert outcome.moved == [Phase.PROPOSALS, Phase.REVIEW, Phase.VOTING]
    moves = [(e.payload["to"], e.payload["scheduled"]) for e in audit.events(db, db.get(Process, process.id))
             if e.kind == "phase.changed"]
    assert moves == [("proposals", "2027-01-10"), ("review", "2027-02-11"), ("voting", "2027-03-01")]


def test_a_move_the_process_is_not_ready_for_is_refused_on_schedule_too(db):
    empty = make_process(db, slug="empty", auto_phases=True, **DATES)
    make_budget(db, empty, projects={})
    empty = move(db, empty, "proposals", "review")
    ready = _process(db, "ready", ("proposals", "review"))
    commit(db)
    count = len(audit.events(db, db.get(Process, empty.id)))
    outcome = _tick(db, empty, DAY)
    assert outcome.moved == [] and "has no projects on its ballot" in str(outcome.problem)
    assert schedule.blocked_by(db, db.get(Process, empty.id)) is not None
    assert _tick(db, ready, DAY).moved == [Phase.VOTING]
    commit(db)
    assert db.get(Process, empty.id).phase == "review" and db.get(Process, ready.id).phase == "voting"
    assert len(audit.events(db, db.get(Process, empty.id))) == count


def test_closing_on_schedule_seals_the_ballots_and_erases_their_slots(db):
    process = _process(db, "closing", ("proposals", "review", "voting"))
    (_ref, plain), = codes.generate(db, KEY, process, 1, "desk").codes
    budget = db.get(Budget, process.budgets[0].id)
    ballots.cast(db, budget, codes.find(db, KEY, process, plain), {"approvals": ["p1"]}, key=KEY)
    commit(db)
    assert _tick(db, process, DATES["voting_end"]).moved == []  # the last day of voting is still voting
    outcome = _tick(db, process, DATES["voting_end"] + dt.timedelta(days=1))
    assert outcome.moved == [Phase.CLOSED]
    commit(db)
    assert db.get(Process, process.id).phase == "closed"
    assert db.scalars(select(Ballot.slot)).all() == [None]
    kinds = [e.kind for e in audit.events(db, db.get(Process, process.id))]
    assert kinds[-2:] == ["phase.changed", "ballots.sealed"]
    assert _tick(db, process, dt.date(2028, 1, 1)).moved == []  # publication stays by hand

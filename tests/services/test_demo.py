"""The demo gives a newcomer every page with data: an open vote and a published edition."""

import datetime as dt

from pbengine.models import Phase
from pbengine.services import ballots, codes, demo, schedule, tallies
from tests.conftest import TEST_SETTINGS


def test_demo_loads_an_open_vote_and_a_published_edition(db):
    assert demo.is_empty(db)
    loaded = demo.load(db, TEST_SETTINGS["pbengine.code_key"])
    assert loaded.current.phase == Phase.VOTING
    assert loaded.previous.phase == Phase.PUBLISHED
    assert len(loaded.current.budgets) == 3
    assert sum(len(b.projects) for b in loaded.current.budgets) >= 12
    for budget in loaded.previous.budgets:
        tally = tallies.official_tally(db, budget)
        assert tally.frozen and tally.result["funded"]
    total = sum(len(ballots.current_ballots(db, b)) for b in loaded.current.budgets)
    assert total >= 300
    # The printed sample codes really let a resident vote.
    voter_code = codes.find(db, TEST_SETTINGS["pbengine.code_key"], loaded.current, loaded.sample_codes[0])
    key = TEST_SETTINGS["pbengine.code_key"]
    assert all(ballots.current_ballot(db, b, voter_code, key) is None for b in loaded.current.budgets)
    assert not demo.is_empty(db)


def test_the_demo_issues_codes_per_district_with_the_town_wide_pot(db):
    from pbengine.services import eligibility

    key = TEST_SETTINGS["pbengine.code_key"]
    loaded = demo.load(db, key)
    assert list(loaded.samples) == ["North district letters", "South district letters"]
    for label, district, other in (("North district letters", "north", "south"),
                                   ("South district letters", "south", "north")):
        voter_code = codes.find(db, key, loaded.current, loaded.samples[label][0])
        booth = eligibility.booth(db, loaded.current, voter_code, key)
        assert [p.budget.slug for p in booth.offered] == [district, "town"]
        assert [p.budget.slug for p in booth.not_eligible] == [other]
    # every ballot of the current edition was cast by a code of its budget's batch: both districts voted
    assert all(ballots.count_current(db, b) > 50 for b in loaded.current.budgets)


def test_the_demo_dates_agree_with_its_phases(db):
    today = dt.date(2031, 5, 20)
    loaded = demo.load(db, TEST_SETTINGS["pbengine.code_key"], today=today)
    current, previous = loaded.current, loaded.previous
    assert current.proposals_start < current.proposals_end < current.voting_start <= today <= current.voting_end
    assert current.auto_phases and schedule.next_automatic(current) == schedule.Planned(
        Phase.CLOSED, current.voting_end + dt.timedelta(days=1))
    assert not schedule.is_due(current, today)  # `pbengine tick` leaves it open today
    assert previous.voting_end < today - dt.timedelta(days=300) and not previous.auto_phases

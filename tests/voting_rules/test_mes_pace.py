"""How few runs and checks the add1 completion needs, and how it paces its range checks.

That the outcome is pabutools' own is tested in ``test_mes_completion.py``; these tests count
the work (runs and checks are counted, not timed, so every tally takes the same steps).
"""

from __future__ import annotations

from fractions import Fraction

import pytest
from test_mes_completion import mes

from tests.conftest import SHARED_PABULIB
from voting_rules import Ballot, BallotFormat, Election, Project, read_pb
from voting_rules.rules import mes_range
from voting_rules.rules.mes_fast import GroupedMES
from voting_rules.rules.mes_range import complete


def test_a_project_one_voter_backs_is_reached_without_a_run_per_unit():
    # 7 voters share 100,000; only v1 backs the 60,000 project: the share must rise by 50,000
    # units before v1 alone can pay for it, which pabutools' loop does in 50,000 runs.
    projects = [Project("A", 60_000), Project("B", 30_000), Project("C", 10_000)]
    ballots = [Ballot("v1", approvals=("A", "B"))] + [
        Ballot(f"v{i}", approvals=("B", "C")) for i in range(2, 8)]
    election = Election(100_000, projects, BallotFormat(), ballots)
    result = mes(election, "add1")
    assert sorted(result.funded) == ["A", "B", "C"]
    assert Fraction(result.explanation["final_share"]) == Fraction(100_000, 7) + 50_000
    assert result.explanation["mes_runs"] + result.explanation["mes_checks"] < 100


def test_the_completion_says_each_check_before_it_runs_so_a_deadline_can_stop_it():
    # a comparison stops a rule at its next progress message: checks, which may take as
    # long as runs, each get one, before they start
    engine = GroupedMES({"A": 60_000, "B": 30_000, "C": 10_000},
                        [({"A": 60_000, "B": 30_000}, 1), ({"B": 30_000, "C": 10_000}, 6)], lambda p: p)

    class Stop(Exception):
        pass

    def progress(message: str) -> None:
        if message.startswith("equal shares: checking"):
            raise Stop

    with pytest.raises(Stop):
        complete(engine, Fraction(100_000, 7), 100_000, progress=progress)
    assert engine.runs == 1 and engine.checks == 0


def test_checks_that_keep_failing_at_many_runs_cost_are_spaced_out(monkeypatch):
    # Where a range check costs several runs and fails (loose bounds on some district files),
    # checking after every few runs spent more on failed checks than the runs they were to
    # skip: the runs between two failed checks now do RUNS_PER_FAILED_CHECK times their work.
    projects = {f"P{i}": 100 * (i + 1) for i in range(6)}
    ballots = [({"P0": 100, "P1": 200}, 3), ({"P2": 300, "P3": 400}, 2), ({"P4": 500, "P5": 600}, 1)]
    failed = []

    def costly_failure(checked, run, share):
        checked.checks += 1
        checked.work += 40 * (checked.work // max(1, checked.runs))  # about 40 runs' worth of work
        failed.append(share)
        return False

    monkeypatch.setattr(mes_range, "holds", costly_failure)
    engine = GroupedMES(projects, ballots, lambda p: p)
    complete(engine, Fraction(1), 10_000)
    assert engine.runs > 200
    # a failed check costing ~40 runs is followed by ~160 runs without one (after 1, 3, 9, 27, 81)
    assert engine.checks <= 5 + engine.runs // 100
    gaps = [b - a for a, b in zip(failed, failed[1:], strict=False)]
    assert max(gaps) >= 150


def test_a_block_member_is_bounded_by_the_members_that_may_come_before_it():
    # Toulouse 2024 (183 projects): where projects of nearly equal price share voters, a range
    # check bounded each one's price as if every other project of its block had been bought
    # first (459 runs and checks); a project whose lowest price is above another's highest
    # cannot come before it, which proves more ranges and leaves fewer runs (about 420).
    election = read_pb(SHARED_PABULIB / "France_Toulouse_2024.pb")
    result = mes(election, "add1")
    assert result.explanation["mes_runs"] + result.explanation["mes_checks"] < 440

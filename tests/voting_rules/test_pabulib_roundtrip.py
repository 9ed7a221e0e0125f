"""write_pb writes files that pabutools' own parser reads back unchanged."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pbview import pabutools_view, shared

from voting_rules import Ballot, BallotFormat, Election, Project, read_pb, write_pb

SMALL_FILES = [
    "France_Toulouse_2024.pb",
    "Poland_Czestochowa_2024.pb",
    "Poland_Swiecie_2023.pb",
    "Poland_Warszawa_2017_Nadwisle.pb",
    "Poland_Warszawa_2020_Praga-Poludnie.pb",
    "Poland_Wieliczka_2023_Green_Budget.pb",
    "Switzerland_Zurich_D10.pb",
]


@pytest.mark.parametrize("name", SMALL_FILES)
def test_rewritten_shared_file_parses_to_the_same_instance_and_profile(name, tmp_path):
    out = tmp_path / name
    write_pb(read_pb(shared(name)), out)
    assert pabutools_view(out) == pabutools_view(shared(name))


def test_written_file_reads_back_to_the_same_election(tmp_path):
    election = read_pb(shared("Switzerland_Zurich_D10.pb"))
    again = read_pb(write_pb(election))
    assert again.projects == election.projects
    assert again.ballots == election.ballots
    assert again.ballot_format == election.ballot_format


def test_write_with_result_adds_votes_and_selected_columns():
    from voting_rules import TallyParams, compute

    election = read_pb(shared("Poland_Warszawa_2017_Nadwisle.pb"))
    result = compute(election, TallyParams("greedy"))
    again = read_pb(write_pb(election, result=result))
    assert {p.id for p in again.projects if p.extra["selected"] == "1"} == set(result.funded)
    assert {p.id: int(p.extra["votes"]) for p in again.projects} == result.votes


text = st.text(alphabet="abcXYZ ;,\"'éł-_0123456789", max_size=12)


@st.composite
def elections(draw, kind):
    n = draw(st.integers(1, 6))
    projects = [
        Project(f"p{i}", draw(st.integers(0, 10_000)), name=draw(text).strip(),
                categories=tuple(sorted(draw(st.sets(st.sampled_from(["green", "youth"]))))))
        for i in range(n)
    ]
    ids = [p.id for p in projects]
    ballots = []
    for v in range(draw(st.integers(0, 12))):
        chosen = draw(st.lists(st.sampled_from(ids), unique=True, max_size=n))
        extra = {"age": str(draw(st.integers(16, 99)))} if draw(st.booleans()) else {}
        if kind == "cumulative":
            ballot = Ballot(f"v{v}", points={p: draw(st.integers(1, 5)) for p in chosen},
                            extra=extra)
        elif kind == "ranking":
            ballot = Ballot(f"v{v}", ranking=tuple(chosen), extra=extra)
        else:
            ballot = Ballot(f"v{v}", approvals=tuple(chosen), extra=extra)
        ballots.append(ballot)
    fmt = {
        "approval": BallotFormat("approval", max_length=draw(st.none() | st.integers(1, 6))),
        "knapsack": BallotFormat("knapsack", max_sum_cost=draw(st.integers(1, 50_000))),
        "cumulative": BallotFormat("cumulative", max_sum_points=draw(st.integers(1, 30))),
        "ranking": BallotFormat("ranking", max_length=n, rank_length=n),
    }[kind]
    return Election(budget=draw(st.integers(1, 50_000)), projects=projects,
                    ballot_format=fmt, ballots=ballots, currency="EUR",
                    meta={"description": draw(text).strip(), "rule": "greedy"})


@pytest.mark.parametrize("kind", ["approval", "knapsack", "cumulative", "ranking"])
def test_generated_elections_round_trip_through_pabutools(kind, tmp_path):
    @settings(max_examples=40, deadline=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(elections(kind))
    def check(election):
        out = tmp_path / "gen.pb"
        write_pb(election, out)
        view = pabutools_view(out)
        assert view["budget"] == election.budget
        assert view["projects"] == sorted(
            (p.id, p.cost, frozenset(p.categories)) for p in election.projects)
        expected = []
        for b in election.ballots:
            if kind == "cumulative":
                content = dict(b.points)
            elif kind == "ranking":
                content = list(b.ranking)
            else:
                content = frozenset(b.approvals)
            expected.append((content, {"voter_id": b.voter_id, **b.extra}))
        assert [(content, meta) for _, content, meta in view["ballots"]] == expected
        # and our reader gives back exactly what was written
        again = read_pb(out)
        assert again.ballots == election.ballots
        assert again.projects == election.projects
        assert again.ballot_format == election.ballot_format
        # writing is canonical: a second round trip gives identical text
        assert write_pb(again) == out.read_text(encoding="utf-8")

    check()

"""Each ballot-format limit: the edge is accepted, one past it is rejected."""

import pytest

from voting_rules import Ballot, BallotError, BallotErrorCode, BallotFormat, Project, validate_ballot

PROJECTS = [Project(f"p{i}", 100 * i) for i in range(1, 7)]  # p1..p6 cost 100..600
BUDGET = 1000


def check(fmt, ballot):
    validate_ballot(fmt, ballot, PROJECTS, BUDGET)


CASES = [
    # (format, accepted ballot, rejected ballot, message)
    (BallotFormat("approval", max_length=3), Ballot("v12", approvals=("p1", "p2", "p3")),
     Ballot("v12", approvals=("p1", "p2", "p3", "p4")),
     "ballot v12: 4 projects ticked, at most 3 allowed"),
    (BallotFormat("approval", min_length=2), Ballot("v1", approvals=("p1", "p2")),
     Ballot("v1", approvals=("p1",)), "ballot v1: 1 project ticked, at least 2 required"),
    (BallotFormat("knapsack", max_sum_cost=500), Ballot("v2", approvals=("p2", "p3")),
     Ballot("v2", approvals=("p2", "p4")), "ballot v2: total cost 600 exceeds the limit 500"),
    (BallotFormat("knapsack"), Ballot("v3", approvals=("p4", "p6")),
     Ballot("v3", approvals=("p5", "p6")), "ballot v3: total cost 1100 exceeds the limit 1000"),
    (BallotFormat("cumulative", max_sum_points=10), Ballot("v4", points={"p1": 6, "p2": 4}),
     Ballot("v4", points={"p1": 6, "p2": 5}), "ballot v4: 11 points given, at most 10 allowed"),
    (BallotFormat("cumulative", max_points_per_project=5), Ballot("v5", points={"p3": 5}),
     Ballot("v5", points={"p3": 7}), "ballot v5: 7 points on project p3, at most 5 per project"),
    (BallotFormat("cumulative", min_sum_points=2), Ballot("v6", points={"p3": 2}),
     Ballot("v6", points={"p3": 1}), "ballot v6: 1 point given, at least 2 required"),
    (BallotFormat("ranking", max_length=3, rank_length=3),
     Ballot("v7", ranking=("p1", "p2", "p3")), Ballot("v7", ranking=("p1", "p2", "p3", "p4")),
     "ballot v7: 4 projects ranked, at most 3 allowed"),
    (BallotFormat("ranking", min_length=3, max_length=3, rank_length=3),
     Ballot("v8", ranking=("p1", "p2", "p3")), Ballot("v8", ranking=("p1", "p2")),
     "ballot v8: 2 projects ranked, at least 3 required"),
]


@pytest.mark.parametrize(("fmt", "ok", "bad", "message"), CASES)
def test_limit_accepts_the_edge_and_rejects_one_past_it(fmt, ok, bad, message):
    check(fmt, ok)
    with pytest.raises(BallotError) as err:
        check(fmt, bad)
    assert str(err.value) == message
    assert err.value.ballot_id == bad.voter_id


def test_unknown_project_is_named():
    with pytest.raises(BallotError) as err:
        check(BallotFormat("approval"), Ballot("v12", approvals=("p1", "p9")))
    assert str(err.value) == "ballot v12: project p9 is not on this budget"
    assert err.value.project_id == "p9"


def test_project_ranked_twice_is_rejected():
    with pytest.raises(BallotError, match="project p2 appears more than once"):
        check(BallotFormat("ranking", rank_length=3), Ballot("v1", ranking=("p2", "p1", "p2")))


def test_points_must_be_whole_and_not_negative():
    fmt = BallotFormat("cumulative", max_sum_points=10)
    with pytest.raises(BallotError, match="negative points on project p1"):
        check(fmt, Ballot("v1", points={"p1": -1}))
    with pytest.raises(BallotError, match="must be a whole number"):
        check(fmt, Ballot("v1", points={"p1": 1.5}))


def test_ballot_shape_must_match_the_format():
    with pytest.raises(BallotError, match="expects points"):
        check(BallotFormat("cumulative"), Ballot("v1", approvals=("p1",)))
    with pytest.raises(BallotError, match="expects ticked projects"):
        check(BallotFormat("approval"), Ballot("v1", ranking=("p1",)))


def test_ballot_error_is_a_value_error_carrying_the_limit():
    with pytest.raises(ValueError) as err:
        check(BallotFormat("approval", max_length=1), Ballot("v1", approvals=("p1", "p2")))
    assert err.value.limit == 1


# (format, refused ballot, code, project, limit, other parameters): one per check of validate_ballot.
CODES = [
    (BallotFormat("cumulative"), Ballot("v", approvals=("p1",)), "wrong_format", None, None,
     {"expected": "cumulative"}),
    (BallotFormat("ranking", rank_length=3), Ballot("v", ranking=("p1", "", "p3")), "ranking_gap", None, None,
     {"place": 2, "later": 3}),
    (BallotFormat("approval"), Ballot("v", approvals=("p9",)), "unknown_project", "p9", None, {}),
    (BallotFormat("approval"), Ballot("v", approvals=("p1", "p1")), "duplicate_project", "p1", None, {}),
    (BallotFormat("approval", max_length=1), Ballot("v", approvals=("p1", "p2")), "too_many", None, 1,
     {"count": 2}),
    (BallotFormat("approval", min_length=2), Ballot("v", approvals=("p1",)), "too_few", None, 2, {"count": 1}),
    (BallotFormat("ranking", rank_length=1), Ballot("v", ranking=("p1", "p2")), "too_many_ranked", None, 1,
     {"count": 2}),
    (BallotFormat("knapsack", max_sum_cost=250), Ballot("v", approvals=("p1", "p2")), "over_cost_limit",
     None, 250, {"total": 300}),
    (BallotFormat("cumulative"), Ballot("v", points={"p1": 1.5}), "points_not_whole", "p1", None,
     {"points": 1.5}),
    (BallotFormat("cumulative"), Ballot("v", points={"p1": -1}), "negative_points", "p1", 0, {"points": -1}),
    (BallotFormat("cumulative", max_points_per_project=5), Ballot("v", points={"p2": 6}),
     "too_many_points_on_project", "p2", 5, {"points": 6}),
    (BallotFormat("cumulative", min_points=2), Ballot("v", points={"p2": 1}), "too_few_points_on_project",
     "p2", 2, {"points": 1}),
    (BallotFormat("cumulative", max_sum_points=10), Ballot("v", points={"p1": 6, "p2": 5}), "too_many_points",
     None, 10, {"total": 11}),
    (BallotFormat("cumulative", min_sum_points=3), Ballot("v", points={"p1": 2}), "too_few_points", None, 3,
     {"total": 2}),
]


@pytest.mark.parametrize(("fmt", "bad", "code", "project_id", "limit", "params"), CODES)
def test_each_check_raises_its_code_with_its_parameters(fmt, bad, code, project_id, limit, params):
    with pytest.raises(BallotError) as err:
        check(fmt, bad)
    assert err.value.code == code
    assert (err.value.project_id, err.value.limit, err.value.params) == (project_id, limit, params)
    assert str(err.value).startswith("ballot v: ")  # the English sentence stays, for the command line


def test_every_code_has_a_check_above():
    assert {case[2] for case in CODES} == set(BallotErrorCode)


@pytest.mark.parametrize("fmt", [
    BallotFormat("approval", min_length=1, max_length=5),
    BallotFormat("knapsack", max_sum_cost=900),
    BallotFormat("cumulative", max_sum_points=10, max_points_per_project=5, min_sum_points=1),
    BallotFormat("ranking", min_length=3, max_length=3, rank_length=3),
])
def test_format_survives_meta_round_trip(fmt):
    assert BallotFormat.from_meta(fmt.to_meta()) == fmt


def test_choose_one_is_approval_of_at_most_one():
    fmt = BallotFormat.from_meta({"vote_type": "choose-1"})
    assert (fmt.kind, fmt.max_length) == ("approval", 1)


def test_unknown_ballot_kind_is_refused():
    with pytest.raises(ValueError, match="unknown ballot kind 'stars'"):
        BallotFormat("stars")

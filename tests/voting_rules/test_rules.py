"""Rules on small hand-built elections whose outcomes are known by hand."""

import dataclasses
import hashlib
import json
from fractions import Fraction

import pytest
from pabutools.election import Cardinality_Sat, Cost_Sat, parse_pabulib
from pabutools.rules import greedy_utilitarian_welfare

from voting_rules import (
    RULES,
    Ballot,
    BallotFormat,
    Election,
    Project,
    TallyParams,
    TallyResult,
    compare,
    compute,
    election_digest,
    params_from_meta,
    read_pb,
    write_pb,
)


def approval(budget, costs, ballots):
    projects = [Project(pid, cost) for pid, cost in costs.items()]
    return Election(budget, projects, BallotFormat("approval"),
                    [Ballot(f"v{i}", approvals=tuple(b)) for i, b in enumerate(ballots)])


# A: 3 votes, cost 100. B, C: 2 votes, cost 30 each. Budget 100.
CARD = approval(100, {"A": 100, "B": 30, "C": 30}, [["A", "B"], ["A", "C"], ["A", "B", "C"]])


def test_greedy_orders_by_votes_not_votes_per_cost():
    assert compute(CARD, TallyParams("greedy")).funded == ["A"]
    assert compute(CARD, TallyParams("greedy", satisfaction="cardinality")).funded == ["B", "C"]


def test_greedy_agrees_with_pabutools_cost_sat_and_not_cardinality_sat(tmp_path):
    path = tmp_path / "card.pb"
    write_pb(CARD, path)
    instance, profile = parse_pabulib(str(path))
    profile.instance = instance
    cost = greedy_utilitarian_welfare(instance, profile, sat_class=Cost_Sat)
    card = greedy_utilitarian_welfare(instance, profile, sat_class=Cardinality_Sat)
    assert sorted(p.name for p in cost) == compute(CARD, TallyParams("greedy")).funded
    assert sorted(p.name for p in card) != compute(CARD, TallyParams("greedy")).funded


def test_greedy_skips_what_does_not_fit_and_no_skip_stops():
    e = approval(100, {"A": 60, "B": 50, "C": 40}, [["A", "B", "C"], ["A", "B"], ["A"]])
    assert compute(e, TallyParams("greedy")).funded == ["A", "C"]
    assert compute(e, TallyParams("greedy-no-skip")).funded == ["A"]


def test_greedy_threshold_excludes_low_scores():
    e = approval(100, {"A": 60, "B": 40}, [["A", "B"], ["A"]])
    assert compute(e, TallyParams("greedy-threshold", threshold=2)).funded == ["A"]
    assert compute(e, TallyParams("greedy-threshold", threshold=1)).funded == ["A", "B"]


def test_project_without_support_is_never_funded():
    e = approval(1000, {"A": 10, "Z": 10}, [["A"]])
    assert compute(e, TallyParams("greedy")).funded == ["A"]


def test_cumulative_greedy_orders_by_points():
    projects = [Project("A", 50), Project("B", 50)]
    ballots = [Ballot("v1", points={"B": 4}), Ballot("v2", points={"A": 2}),
               Ballot("v3", points={"A": 1})]
    e = Election(50, projects, BallotFormat("cumulative", max_sum_points=5), ballots)
    result = compute(e, TallyParams("greedy"))
    assert result.funded == ["B"]  # 4 points from one voter beat 3 points from two
    assert result.scores == {"A": 3, "B": 4}
    assert result.votes == {"A": 2, "B": 1}


def test_ranking_scores_k_points_for_first_place():
    projects = [Project(p, 10) for p in "ABC"]
    ballots = [Ballot("v1", ranking=("A", "B", "C")), Ballot("v2", ranking=("C", "B"))]
    e = Election(10, projects, BallotFormat("ranking", max_length=3, rank_length=3), ballots)
    assert compute(e, TallyParams("greedy")).scores == {"A": 3, "B": 4, "C": 4}


# --- tie-breaking -----------------------------------------------------------------

TIE = approval(100, {"p2": 60, "p10": 50, "p3": 60}, [["p2", "p10", "p3"]])


@pytest.mark.parametrize(("chain", "first"), [
    (("lower-cost", "id"), "p10"),
    (("higher-cost", "id"), "p2"),
    (("higher-cost", "lottery:x"), None),
    (("id",), "p2"),
])
def test_tie_break_chain_decides_the_first_project(chain, first):
    funded = compute(TIE, TallyParams("greedy", tie_break=chain)).funded
    if first is None:  # lottery between the two 60s: sha256 decides
        first = min(["p2", "p3"], key=lambda p: hashlib.sha256(f"x:{p}".encode()).hexdigest())
    assert funded[0] == first


def test_tie_break_votes_prefers_more_supporters_at_equal_points():
    projects = [Project("A", 50), Project("B", 50)]
    ballots = [Ballot("v1", points={"A": 4}), Ballot("v2", points={"B": 2}),
               Ballot("v3", points={"B": 2})]
    e = Election(50, projects, BallotFormat("cumulative", max_sum_points=5), ballots)
    assert compute(e, TallyParams("greedy")).funded == ["B"]
    assert compute(e, TallyParams("greedy", tie_break=("id",))).funded == ["A"]


def test_lottery_is_deterministic_and_depends_on_the_seed():
    projects = {f"p{i}": 10 for i in range(12)}
    e = approval(10, projects, [list(projects)])
    winners = {seed: compute(e, TallyParams("greedy", tie_break=(f"lottery:{seed}",))).funded
               for seed in ("a", "b", "c", "d")}
    again = compute(e, TallyParams("greedy", tie_break=("lottery:a",))).funded
    assert again == winners["a"]
    expected = min(projects, key=lambda p: hashlib.sha256(f"a:{p}".encode()).hexdigest())
    assert winners["a"] == [expected]
    assert len({tuple(w) for w in winners.values()}) > 1


# --- equal shares -----------------------------------------------------------------

# Budget 100, three voters with 100/3 each. A (50) by all: each pays 50/3.
# B (30) by v0, v1: each pays 15 of their 50/3. C (25) by v2, who has 50/3 left.
MES = approval(100, {"A": 50, "B": 30, "C": 25}, [["A", "B"], ["A", "B"], ["A", "C"]])


def test_equal_shares_explains_prices_payments_and_shortfall():
    result = compute(MES, TallyParams("equal-shares", completion="none"))
    ex = result.explanation
    assert result.funded == ["A", "B"]
    assert ex["budget_per_voter"] == "100/3"
    a, b = ex["rounds"]
    assert a == {"project": "A", "cost": 50, "price_per_supporter": "50/3",
                 "paid": [{"amount": "50/3", "voters": 3}], "money_left": "50"}
    assert b["price_per_supporter"] == "15"
    assert b["paid"] == [{"amount": "15", "voters": 2}]
    assert b["money_left"] == "20"
    assert ex["unfunded"] == [{"project": "C", "cost": 25, "supporters": 1,
                               "supporters_money_left": "50/3", "short_by": "25/3"}]


def test_equal_shares_greedy_completion_funds_what_still_fits():
    result = compute(MES, TallyParams("equal-shares", completion="add1-greedy"))
    assert set(result.funded) == {"A", "B"}  # C (25) no longer fits in 100 - 80
    e = approval(120, {"A": 50, "B": 30, "C": 25}, [["A", "B"], ["A", "B"], ["A", "C"]])
    assert "C" in compute(e, TallyParams("equal-shares", completion="add1-greedy")).funded


def test_comparison_keeps_the_outcome_more_voters_prefer():
    # greedy funds the 3-vote project X (cost 90); equal shares funds Y and Z,
    # which serve two voters each out of three
    e = approval(90, {"X": 90, "Y": 45, "Z": 45},
                 [["X", "Y"], ["X", "Z"], ["X", "Y"], ["Z"]])
    result = compute(e, TallyParams("equal-shares-comparison", completion="none"))
    comp = result.explanation["comparison"]
    assert comp["greedy_funded"] == ["X"]
    kept = comp["kept"]
    expected = comp["greedy_funded"] if kept == "greedy" else comp["equal_shares_funded"]
    assert result.funded == expected
    assert comp["voters_preferring_equal_shares"] + comp["voters_preferring_greedy"] <= 4


def test_every_rule_stays_within_budget_and_result_json_round_trips():
    for name in RULES:
        params = TallyParams(name, threshold=1 if name == "greedy-threshold" else None)
        result = compute(MES, params)
        assert result.spent <= MES.budget
        data = json.loads(json.dumps(result.to_json()))
        back = TallyResult.from_json(data)
        assert back.funded == result.funded and back.params == params
        assert back.share_of_voters_with_a_funded_project == \
            result.share_of_voters_with_a_funded_project


def test_result_records_digest_and_exact_shares():
    result = compute(MES, TallyParams("greedy"))
    # The digest covers what the count depends on: the same election written and read back
    # (descriptive META, ballot order) keeps it; one changed ballot changes it.
    assert len(result.digest) == 64
    assert election_digest(read_pb(write_pb(MES))) == result.digest
    reordered = dataclasses.replace(MES, ballots=list(reversed(MES.ballots)), meta={"description": "other"})
    assert election_digest(reordered) == result.digest
    changed = dataclasses.replace(MES, ballots=[dataclasses.replace(MES.ballots[0], approvals=())] + MES.ballots[1:])
    assert election_digest(changed) != result.digest
    assert result.share_of_voters_with_a_funded_project == Fraction(1)
    assert "." not in json.dumps(result.to_json()["explanation"])


def test_compare_lists_every_rule_with_exact_shares():
    rows = compare(MES)
    assert [r["rule"] for r in rows] == [r for r in RULES if r != "greedy-threshold"]
    greedy = rows[0]
    assert greedy["share_of_budget_spent"] == "4/5"
    assert greedy["average_satisfaction"] == str(Fraction(80 + 80 + 50, 300))


# --- parameters ---------------------------------------------------------------------

@pytest.mark.parametrize(("field", "value"), [
    ("rule", "borda"), ("satisfaction", "happiness"), ("completion", "add2"),
    ("tie_break", ("coin",)),
])
def test_bad_parameter_names_the_value_and_the_allowed_ones(field, value):
    with pytest.raises(ValueError) as err:
        TallyParams(**{field: value})
    assert repr(value if field != "tie_break" else value[0]) in str(err.value)
    assert "allowed" in str(err.value)


@pytest.mark.parametrize(("meta_rule", "rule", "completion"), [
    ("greedy", "greedy", "add1-greedy"),
    ("greedy-no-skip", "greedy-no-skip", "add1-greedy"),
    ("equalshares/add1", "equal-shares", "add1"),
    ("equalshares/add1-comparison", "equal-shares-comparison", "add1-overspend"),
    ("unknown", "greedy", "add1-greedy"),
])
def test_meta_rule_names_map_to_engine_rules(meta_rule, rule, completion):
    params = params_from_meta({"rule": meta_rule})
    assert (params.rule, params.completion) == (rule, completion)


def test_meta_greedy_threshold_takes_its_threshold():
    params = params_from_meta({"rule": "greedy-threshold", "min_project_score_threshold": "200"})
    assert params.threshold == 200


def test_params_json_round_trip():
    params = TallyParams("equal-shares", "cardinality", "add1", ("lottery:7", "id"))
    assert TallyParams.from_json(json.dumps(params.to_json())) == params


def test_overspend_equal_shares_stops_when_every_supported_project_fits():
    # Raising the shares can never overspend here: the rule must still finish, funding both.
    from voting_rules import Ballot, BallotFormat, Election, Project, TallyParams, compute

    election = Election(budget=60_000, projects=[Project("a", 32_000), Project("b", 25_000), Project("c", 1_000)],
                        ballot_format=BallotFormat(kind="approval"),
                        ballots=[Ballot(f"v{i}", approvals=("a",) if i % 2 else ("a", "b")) for i in range(10)])
    for rule in ("equal-shares-add1-overspend", "equal-shares-comparison"):
        result = compute(election, TallyParams(rule=rule, completion="add1-overspend"))
        assert sorted(result.funded) == ["a", "b"]


def test_compare_stops_at_its_deadline_and_says_which_rules_it_did_not_count():
    import time

    from voting_rules import Ballot as B
    from voting_rules import BallotFormat, Election, Project, compare

    election = Election(100, [Project("a", 60), Project("b", 40)], BallotFormat(),
                        [B("v1", approvals=("a",)), B("v2", approvals=("a", "b"))])
    late = compare(election, deadline=time.monotonic() - 1)
    assert late and all(row["not_computed"] == "time" and "funded" not in row for row in late)
    on_time = compare(election, deadline=time.monotonic() + 3600)
    assert [row["rule"] for row in on_time] == [row["rule"] for row in late]
    assert all("not_computed" not in row and row["funded"] for row in on_time)


# -- incompatible projects ----------------------------------------------------------------------

def _site_election(**kwargs) -> Election:
    # A and B target the same site: at most one of them can be built
    projects = [Project("A", 40), Project("B", 30), Project("C", 30)]
    ballots = [Ballot("v1", approvals=("A", "B")), Ballot("v2", approvals=("A", "B", "C")),
               Ballot("v3", approvals=("B", "C"))]
    return Election(100, projects, BallotFormat(), ballots, **kwargs)


def test_greedy_skips_a_project_incompatible_with_one_already_funded_and_says_why():
    plain = compute(_site_election(), TallyParams("greedy"))
    assert plain.funded == ["B", "C", "A"]
    kept = compute(_site_election(incompatible=(frozenset({"A", "B"}),)), TallyParams("greedy"))
    assert kept.funded == ["B", "C"]
    decisions = {step["project"]: step["decision"] for step in kept.explanation["order"]}
    assert decisions["A"] == "skipped: cannot be carried out beside B"
    assert kept.digest != plain.digest  # the groups are part of what the count depends on


def test_a_comparison_with_incompatible_projects_runs_only_the_rules_that_keep_them_apart():
    election = _site_election(incompatible=(frozenset({"A", "B"}),))
    assert {row["rule"] for row in compare(election)} == {"greedy", "greedy-no-skip"}


def test_the_tie_break_chain_not_the_solver_decides_between_equally_good_utilitarian_sets():
    # any two of the three projects give the same total satisfaction: the chain (votes equal,
    # costs equal, then ids) keeps A and B, however the projects are listed
    ballots = [Ballot(f"v{i}", approvals=(p,)) for i, p in enumerate("AABBCC")]
    for listed in ("ABC", "CBA", "BCA"):
        election = Election(100, [Project(p, 50) for p in listed], BallotFormat(), ballots)
        result = compute(election, TallyParams("utilitarian"))
        assert sorted(result.funded) == ["A", "B"], listed
        assert result.explanation["optimal_sets"] == 3

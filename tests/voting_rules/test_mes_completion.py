"""The fast add1 completions give exactly pabutools' outcome, and points count as satisfaction.

The reference is pabutools itself: ``method_of_equal_shares(..., voter_budget_increment=1)``
for ``add1`` (its own one-unit loop), and for the overspend variant a loop of pabutools runs
at every share, which is the variant's definition. Elections are generated (hypothesis) and
taken from ../shared/pabulib where pabutools' loop finishes within a minute.
"""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pabutools.election import (
    Additive_Cardinal_Sat,
    ApprovalBallot,
    ApprovalProfile,
    CardinalBallot,
    Cardinality_Sat,
    CardinalProfile,
    Cost_Sat,
    Instance,
)
from pabutools.election import Project as PbProject
from pabutools.rules import method_of_equal_shares

from tests.conftest import SHARED_PABULIB
from voting_rules import Ballot, BallotFormat, Election, Project, TallyParams, compute, read_pb
from voting_rules.convert import tie_breaking_rule
from voting_rules.rules import Context
from voting_rules.rules.mes_fast import GroupedMES
from voting_rules.rules.mes_range import complete, holds

TIE = ("votes", "lower-cost", "id")


def pabutools_election(election: Election):
    """The election as plain pabutools objects (one ballot per voter, no collapsing)."""
    projects = {p.id: PbProject(p.id, p.cost) for p in election.projects}
    instance = Instance(projects.values(), budget_limit=election.budget)
    if election.ballot_format.kind == "cumulative":
        profile = CardinalProfile(instance=instance)
        for b in election.ballots:
            profile.append(CardinalBallot({projects[p]: v for p, v in b.points.items() if v > 0}))
        return instance, profile, Additive_Cardinal_Sat
    profile = ApprovalProfile(instance=instance)
    for b in election.ballots:
        profile.append(ApprovalBallot(projects[p] for p in b.approvals))
    return instance, profile, Cost_Sat


def pabutools_add1(election: Election, sat_class=None, overspend: bool = False) -> list[str]:
    """pabutools' own answer for the add1 completion (and the Wieliczka overspend variant)."""
    instance, profile, default_sat = pabutools_election(election)
    sat_class = sat_class or default_sat
    tie = tie_breaking_rule(TIE, Context(election).votes)
    if not overspend:
        alloc = method_of_equal_shares(instance, profile, sat_class=sat_class, tie_breaking=tie,
                                       voter_budget_increment=1)
        return [p.name for p in alloc]
    supported = {p for b in election.ballots for p in b.supported()}
    n = profile.num_ballots()
    share, previous = Fraction(election.budget, n), None
    while True:
        run = Instance(instance, budget_limit=share * n)
        alloc = [p.name for p in method_of_equal_shares(run, profile, sat_class=sat_class,
                                                        tie_breaking=tie)]
        if sum(election.project_map()[p].cost for p in alloc) > election.budget:
            return previous
        if supported <= set(alloc):
            return alloc
        share, previous = share + 1, alloc


def mes(election: Election, completion: str, satisfaction: str = "cost"):
    return compute(election, TallyParams("equal-shares", satisfaction=satisfaction,
                                         completion=completion, tie_break=TIE))


# -- generated elections ------------------------------------------------------------------

@st.composite
def elections(draw, kind: str):
    n_projects = draw(st.integers(2, 6))
    # a few distinct costs, so that ties between projects of equal price happen
    costs = draw(st.lists(st.sampled_from([10, 20, 30, 45, 60, 100]), min_size=n_projects,
                          max_size=n_projects))
    projects = [Project(f"p{i}", c) for i, c in enumerate(costs)]
    ids = [p.id for p in projects]
    n_voters = draw(st.sampled_from([1, 2, 3, 7, 25]))
    ballots = []
    for v in range(n_voters):
        chosen = draw(st.lists(st.sampled_from(ids), min_size=1, max_size=n_projects, unique=True))
        if kind == "cumulative":
            points = {p: draw(st.integers(1, 5)) for p in chosen}
            ballots.append(Ballot(f"v{v}", points=points))
        else:
            ballots.append(Ballot(f"v{v}", approvals=tuple(chosen)))
    budget = draw(st.sampled_from([50, 100, 150, 400]))
    fmt = BallotFormat(kind="cumulative", max_sum_points=30) if kind == "cumulative" else BallotFormat()
    return Election(budget=budget, projects=projects, ballot_format=fmt, ballots=ballots)


QUICK = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@QUICK
@given(elections("approval"))
def test_add1_is_pabutools_one_unit_loop_on_approval_ballots(election):
    assert mes(election, "add1").funded == pabutools_add1(election)


@QUICK
@given(elections("approval"))
def test_add1_with_cardinality_satisfaction_is_pabutools_loop(election):
    expected = pabutools_add1(election, Cardinality_Sat)
    assert mes(election, "add1", satisfaction="cardinality").funded == expected


@QUICK
@given(elections("cumulative"))
def test_add1_counts_the_points_as_pabutools_additive_cardinal_sat(election):
    assert mes(election, "add1").funded == pabutools_add1(election)


@QUICK
@given(elections("approval"))
def test_overspend_variant_is_a_loop_of_pabutools_runs(election):
    assert mes(election, "add1-overspend").funded == pabutools_add1(election, overspend=True)


@QUICK
@given(elections("approval"), st.booleans())
def test_a_tally_and_its_comparison_search_once_for_both_add1_loops(election, overspend_first):
    # Both loops stop at the first unit that overspends, so the plain one's search tells where the
    # overspending one stops, or where it goes on from (the comparison needs both, in either order).
    import voting_rules.rules.mes as mes_module

    searches = []
    search = mes_module.complete

    def counted(*args, **kwargs):
        searches.append((kwargs["overspend"], search(*args, **kwargs)))
        return searches[-1][1]

    order = ["add1-overspend", "add1"] if overspend_first else ["add1", "add1-overspend"]
    context = Context(election)
    mes_module.complete = counted
    try:
        shared = {c: compute(election, TallyParams("equal-shares", completion=c, tie_break=TIE), context=context)
                  for c in order}
    finally:
        mes_module.complete = search
    assert shared["add1"].funded == pabutools_add1(election)
    assert shared["add1-overspend"].funded == pabutools_add1(election, overspend=True)
    for completion, result in shared.items():
        alone = mes(election, completion)
        assert result.explanation["final_share"] == alone.explanation["final_share"]
    if overspend_first or searches[0][1].overspent:
        assert len(searches) == 1
    else:  # plain add1 stopped on a complete outcome: the other loop went on from its share
        assert len(searches) == 2 and searches[1][0]
        assert Fraction(shared["add1"].explanation["final_share"]) <= Fraction(
            shared["add1-overspend"].explanation["final_share"])


# -- what a resident would notice ------------------------------------------------------------

def test_moving_points_between_projects_changes_the_outcome_as_pabutools_does():
    projects = [Project("A", 60), Project("B", 60)]
    fmt = BallotFormat(kind="cumulative", max_sum_points=10)

    def election(first_points: int):
        ballots = [Ballot("v1", points={"A": first_points, "B": 10 - first_points}),
                   Ballot("v2", points={"A": 5, "B": 5})]
        return Election(budget=100, projects=projects, ballot_format=fmt, ballots=ballots)

    heavy_a, heavy_b = election(9), election(1)
    assert mes(heavy_a, "none").funded == ["A"]
    assert mes(heavy_b, "none").funded == ["B"]
    for e in (heavy_a, heavy_b):
        instance, profile, sat = pabutools_election(e)
        expected = method_of_equal_shares(instance, profile, sat_class=sat,
                                          tie_breaking=tie_breaking_rule(TIE, Context(e).votes))
        assert mes(e, "none").funded == [p.name for p in expected]
    assert mes(heavy_a, "none").satisfaction == "points"


def test_rankings_count_positional_points_first_place_counting_most():
    projects = [Project("A", 60), Project("B", 60)]
    fmt = BallotFormat(kind="ranking", rank_length=2)
    first_a = [Ballot("v1", ranking=("A", "B")), Ballot("v2", ranking=("A", "B")),
               Ballot("v3", ranking=("B", "A"))]
    result = compute(Election(100, projects, fmt, first_a),
                     TallyParams("equal-shares", completion="none", tie_break=TIE))
    assert result.funded == ["A"] and result.satisfaction == "rank-points"


# -- real elections ---------------------------------------------------------------------------

# every shared file on which pabutools' own loop finishes within a minute (bench/tally.py)
@pytest.mark.parametrize("name", ["Poland_Warszawa_2017_Nadwisle.pb", "Poland_Swiecie_2023.pb",
                                  "Switzerland_Zurich_D10.pb", "Poland_Warszawa_2017_Grochow_Kinowa.pb",
                                  "Poland_Wieliczka_2023_Green_Budget.pb", "Poland_Czestochowa_2024.pb",
                                  "Poland_Katowice_2023.pb"])
def test_add1_on_real_files_is_pabutools_one_unit_loop(name):
    election = read_pb(SHARED_PABULIB / name)
    assert mes(election, "add1").funded == pabutools_add1(election)


# -- the certificate that skips shares ------------------------------------------------------

@st.composite
def districted(draw, kind: str = "approval"):
    """Two districts with their own projects and one city-wide project: purchases in different
    districts share no voter, so their order changes with the share while the outcome does not."""
    projects = [Project(f"d{d}p{j}", draw(st.sampled_from([10, 20, 30, 45, 60, 100])))
                for d in range(2) for j in range(3)]
    projects.append(Project("city", draw(st.sampled_from([30, 60, 100]))))
    projects.append(Project("city2", draw(st.sampled_from([20, 45]))))
    ballots = []
    for d in range(2):
        ids = [f"d{d}p{j}" for j in range(3)] + ["city", "city2"]
        for _ in range(draw(st.sampled_from([2, 3, 5, 8]))):
            chosen = draw(st.lists(st.sampled_from(ids), min_size=1, max_size=4, unique=True))
            name = f"v{len(ballots)}"
            if kind == "cumulative":
                ballots.append(Ballot(name, points={p: draw(st.integers(1, 4)) for p in chosen}))
            else:
                ballots.append(Ballot(name, approvals=tuple(chosen)))
    fmt = BallotFormat(kind="cumulative", max_sum_points=30) if kind == "cumulative" else BallotFormat()
    return Election(budget=150, projects=projects, ballot_format=fmt, ballots=ballots)


def grouped(election: Election) -> GroupedMES:
    """The fast engine on the election's ballots (satisfaction: cost, or the points given)."""
    costs = {p.id: p.cost for p in election.projects}
    ballots = [(dict(b.points) if b.points else {p: costs[p] for p in b.approvals}, 1)
               for b in election.ballots]
    return GroupedMES(costs, ballots, lambda p: p)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(["approval", "cumulative"]).flatmap(districted), st.integers(5, 40),
       st.sampled_from([1, 3, 10, 30]))
def test_a_certified_range_of_shares_funds_the_same_projects_at_every_share_in_it(election, low, width):
    engine = grouped(election)
    run = engine.run(low)
    if holds(engine, run, low + width):
        for share in [Fraction(low) + Fraction(k, 2) for k in range(2 * width + 1)]:
            assert set(engine.run(share).funded) == set(run.funded), share


def test_purchases_in_two_districts_may_swap_places_inside_a_certified_range():
    costs = {"d0p0": 10, "d0p1": 60, "d0p2": 100, "d1p0": 30, "d1p1": 20, "d1p2": 30, "city": 30}
    ballots = [({"d0p2": 100, "d0p0": 10}, 1), ({"d0p2": 100, "d0p0": 10, "city": 30}, 1),
               ({"d1p1": 20}, 1), ({"city": 30, "d1p0": 30, "d1p1": 20}, 2), ({"d1p0": 30}, 1),
               ({"d1p0": 30, "d1p1": 20}, 1), ({"d1p2": 30, "d1p0": 30, "city": 30}, 1)]
    engine = GroupedMES(costs, ballots, lambda p: p)
    orders = {tuple(engine.run(share).funded) for share in range(14, 18)}
    assert orders == {("d1p0", "city", "d1p1", "d0p0"), ("d1p0", "city", "d0p0", "d1p1")}
    assert holds(engine, engine.run(14), 17)


def test_projects_sharing_voters_with_money_are_not_taken_as_independent():
    # at share 21 and 22 the funded projects differ: a block of projects whose supporters
    # overlap must not be priced as if each were bought first
    costs = {"d0p0": 10, "d0p1": 20, "d0p2": 45, "d1p0": 10, "d1p1": 60, "d1p2": 20, "city": 30,
             "city2": 45}
    ballots = [({"d0p2": 2}, 1), ({"city": 3, "d0p2": 4}, 1), ({"d0p0": 10, "d0p1": 20, "d0p2": 45}, 2),
               ({"d1p0": 10, "city2": 45, "city": 30}, 1),
               ({"city": 30, "d1p2": 20, "d1p0": 10, "city2": 45}, 1),
               ({"d1p0": 10, "city": 30, "d1p1": 60, "city2": 45}, 2), ({"city": 30, "d1p0": 10}, 1),
               ({"d1p1": 60, "city": 30, "d1p0": 10}, 2),
               ({"city2": 45, "d1p2": 20, "city": 30, "d1p0": 10}, 1),
               ({"d1p1": 60, "city2": 45, "city": 30, "d1p2": 20}, 2), ({"d1p1": 4, "d1p2": 3}, 1)]
    engine = GroupedMES(costs, ballots, lambda p: p)
    low = engine.run(21)
    differs = [s for s in (Fraction(43, 2), Fraction(22)) if set(engine.run(s).funded) != set(low.funded)]
    assert differs
    assert not holds(engine, low, 22)


def _fresh_prices_checked(monkeypatch) -> list:
    """Make every run and check compare, each round, the prices kept from earlier rounds with
    a fresh pricing of the same projects; returns the list of (kept, fresh) compared."""
    from voting_rules.rules.mes_run import _RunState

    compared: list = []
    choose = _RunState.choose

    def checked(self, heap):
        for pid, kept in list(self.exact.items()):
            del self.exact[pid]
            compared.append((kept, self.price(pid)))
            self.exact[pid] = kept
        return choose(self, heap)

    monkeypatch.setattr(_RunState, "choose", checked)
    return compared


def test_a_price_kept_from_an_earlier_round_is_the_price_found_afresh(monkeypatch):
    # a round prices again only projects some of whose supporters paid since they were priced:
    # Toulouse's districts share few voters, so most prices are kept (runs and range checks)
    compared = _fresh_prices_checked(monkeypatch)
    election = read_pb(SHARED_PABULIB / "France_Toulouse_2024.pb")
    engine = grouped(election)
    start = Fraction(election.budget, len(election.ballots))
    for share in (start, start + 300):
        holds(engine, engine.run(share), share + 3)
    assert len(compared) > 100
    assert all(kept == fresh for kept, fresh in compared)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(st.sampled_from(["approval", "cumulative"]).flatmap(districted))
def test_prices_kept_between_rounds_on_districted_elections(monkeypatch, election):
    compared = _fresh_prices_checked(monkeypatch)
    engine = grouped(election)
    complete(engine, Fraction(election.budget, len(election.ballots)), election.budget)
    assert all(kept == fresh for kept, fresh in compared)


@QUICK
@given(st.sampled_from(["approval", "cumulative"]).flatmap(districted))
def test_add1_on_districted_elections_is_pabutools_one_unit_loop(election):
    assert mes(election, "add1").funded == pabutools_add1(election)


# -- the explanation ---------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["Poland_Swiecie_2023.pb", "Switzerland_Zurich_D10.pb",
                                  "Poland_Warszawa_2017_Grochow_Kinowa.pb", "Poland_Wieliczka_2023_Green_Budget.pb"])
def test_explained_payments_are_pabutools_own(name):
    # the explanation replays the payments from the order pabutools bought in: pabutools' own
    # analytics (every voter's money before and after each purchase) give the same payments
    from collections import Counter

    election = read_pb(SHARED_PABULIB / name)
    ctx = Context(election)
    params = TallyParams("equal-shares", completion="add1")
    result = compute(election, params, context=ctx)
    data = ctx.bridge.satisfaction(result.explanation["satisfaction"])
    share = Fraction(result.explanation["final_share"])
    alloc = method_of_equal_shares(
        Instance(ctx.bridge.instance, budget_limit=share * data.profile.num_ballots()), data.profile,
        sat_profile=data.sat_profile, tie_breaking=tie_breaking_rule(params.tie_break, ctx.votes),
        analytics=True)
    details = alloc.details
    paid, left = [], []
    for it in details.iterations:
        if it.selected_project is None:
            continue
        groups: Counter = Counter()
        for b, a, m in zip(it.voters_budget, it.voters_budget_after_selection,
                           details.voter_multiplicity, strict=True):
            if b != a:
                groups[Fraction(int((b - a).numerator), int((b - a).denominator))] += m
        paid.append(sorted(groups.items(), reverse=True))
        after = sum(b * m for b, m in zip(it.voters_budget_after_selection, details.voter_multiplicity, strict=True))
        left.append(Fraction(int(after.numerator), int(after.denominator)))
    rounds = result.explanation["rounds"]
    explained = [[(Fraction(p["amount"]), p["voters"]) for p in r["paid"]] for r in rounds]
    assert explained == paid and paid
    assert [Fraction(r["money_left"]) for r in rounds] == left
    assert [r["project"] for r in rounds] == [p.name for p in alloc if p.cost > 0]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.fractions(min_value=0, max_value=50).filter(lambda m: m > 0),
                          st.integers(1, 4)), min_size=1, max_size=12),
       st.sampled_from([1, 7, 30]), st.integers(1, 400))
def test_pricing_without_sorting_is_the_scan_from_the_poorest(groups, sat, cost):
    # a project every supporter gets ``sat`` from: the passes over poor groups give the price
    # (or None) that the scan from the poorest up gives, which pabutools' own loop computes
    from pabutools.fractions import frac

    from voting_rules.rules.mes_fast import _Group
    from voting_rules.rules.mes_price import _price, _uniform_price
    from voting_rules.rules.mes_run import _Slot

    slots = [_Slot(_Group(frozenset([i]), {"p": ((sat, mult),)}), frac(money))
             for i, (money, mult) in enumerate(groups)]
    sat_left = sum(sat * mult for _, mult in groups)
    expected = _price(frac(cost), [(frac(m), sat, mult) for m, mult in groups], True, sat_left)
    assert _uniform_price(frac(cost), slots, "p", sat, sat_left) == expected

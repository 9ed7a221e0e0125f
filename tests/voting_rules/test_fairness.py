"""Fairness figures come from pabutools' analysis module and are exact."""

from fractions import Fraction

from voting_rules import Ballot, BallotFormat, Election, Project, TallyParams, TallyResult, compute

# Budget 100: a (40) and b (60) are funded by greedy, c (50) is not.
PROJECTS = [Project("a", 40), Project("b", 60), Project("c", 50)]
BALLOTS = [("a", "b"), ("a",), ("b",), ("c",), ("a", "c"), ("b",)]


def _election(ballots=BALLOTS):
    return Election(budget=100, projects=PROJECTS, ballot_format=BallotFormat("approval"),
                    ballots=[Ballot(f"v{i}", approvals=a) for i, a in enumerate(ballots)])


def test_share_with_a_funded_project_and_the_money_histogram_are_exact():
    result = compute(_election(), TallyParams(rule="greedy"))
    assert result.funded == ["a", "b"]
    figures = result.fairness
    # 5 of 6 voters support a or b: exactly 5/6, not 0.833...
    assert figures["share_of_voters_with_a_funded_project"] == Fraction(5, 6)
    assert result.share_of_voters_with_a_funded_project == Fraction(5, 6)
    bins = [(b["above"], b["up_to"], b["voters"], b["share"]) for b in figures["money_for_supported_projects"]]
    # money per voter: ab 100, a 40, b 60, c 0, ac 40, b 60
    assert bins == [(None, 0, 1, Fraction(1, 6)), (0, 25, 0, 0), (25, 50, 2, Fraction(1, 3)),
                    (50, 75, 2, Fraction(1, 3)), (75, 100, 1, Fraction(1, 6))]


def test_fairness_is_written_exactly_in_the_tally_json_and_read_back():
    data = compute(_election(), TallyParams(rule="greedy")).to_json()
    assert data["fairness"]["share_of_voters_with_a_funded_project"] == "5/6"
    assert data["fairness"]["money_for_supported_projects"][0] == {"above": None, "up_to": 0, "voters": 1,
                                                                   "share": "1/6"}
    assert data["fairness"]["computed_by"] == "pabutools.analysis"
    assert TallyResult.from_json(data).to_json() == data


def test_no_ballots_gives_zero_shares_not_an_error():
    figures = compute(_election([]), TallyParams(rule="greedy")).fairness
    assert figures["share_of_voters_with_a_funded_project"] == 0
    assert [b["voters"] for b in figures["money_for_supported_projects"]] == [0] * 5


def test_the_money_histogram_is_pabutools_cost_sat_s_on_real_files():
    """The histogram is measured with the dict-backed cost satisfaction Equal Shares uses: on real
    files it gives exactly the bins pabutools' own ``Cost_Sat`` gives."""
    from pabutools.election import Cost_Sat

    from tests.voting_rules.pbview import SHARED as shared
    from voting_rules import read_pb
    from voting_rules.convert import Bridge
    from voting_rules.fairness import funded_support_profile, money_histogram
    for name in ("Poland_Swiecie_2023.pb", "Switzerland_Zurich_D10.pb", "Poland_Warszawa_2017_Grochow_Kinowa.pb"):
        election = read_pb(shared / name)
        funded = compute(election, TallyParams(rule="greedy")).funded
        bridge = Bridge(election)
        profile = funded_support_profile(bridge, funded)
        assert money_histogram(bridge, funded, profile) == money_histogram(bridge, funded, profile, Cost_Sat), name


def test_rules_sharing_a_context_get_the_figures_and_digest_each_would_get_alone():
    # a tally and its comparison share one context, which computes the digest once and the
    # figures once per funded set: each rule's figures are still those of its own funded set
    from voting_rules.rules import Context

    # greedy funds X (three votes); equal shares funds Y and Z
    election = Election(budget=90, projects=[Project("X", 90), Project("Y", 45), Project("Z", 45)],
                        ballot_format=BallotFormat("approval"),
                        ballots=[Ballot(f"v{i}", approvals=a) for i, a in
                                 enumerate([("X", "Y"), ("X", "Z"), ("X", "Y"), ("Z",)])])
    ctx = Context(election)
    rules = ["greedy", "equal-shares", "greedy-no-skip", "utilitarian", "phragmen"]
    shared = [compute(election, TallyParams(rule=name), context=ctx) for name in rules]
    alone = [compute(election, TallyParams(rule=name)) for name in rules]
    assert len({frozenset(r.funded) for r in alone}) > 1
    for together, by_itself in zip(shared, alone, strict=True):
        assert together.funded == by_itself.funded
        assert together.fairness == by_itself.fairness
        assert together.digest == by_itself.digest

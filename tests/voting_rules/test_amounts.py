"""Money with cents is read, counted, digested and written exactly (whole currency units)."""

import json
from fractions import Fraction

import pytest

from voting_rules import TallyParams, compute, election_digest, read_pb, write_pb
from voting_rules.election import amount_text, parse_amount
from voting_rules.result import TallyResult

CENTS = """META
key;value
num_projects;3
num_votes;3
budget;100.50
vote_type;approval
max_sum_cost;100,50
PROJECTS
project_id;cost
A;60.25
B;40.25
C;40.26
VOTES
voter_id;vote
1;A,B
2;A,C
3;B
"""


@pytest.mark.parametrize(("raw", "value"), [
    ("12", 12), ("12.00", 12), ("12.50", Fraction(25, 2)), ("12,5", Fraction(25, 2)),
    ("216829.41", Fraction(21682941, 100)), ("0.05", Fraction(1, 20)),
])
def test_amounts_parse_exactly_and_write_back(raw, value):
    parsed = parse_amount(raw)
    assert parsed == value and type(parsed) is type(value)
    assert parse_amount(amount_text(parsed)) == value


@pytest.mark.parametrize("raw", ["-1", "1e3", "12.", ".5", "1.2.3", "", "nan"])
def test_malformed_amounts_are_refused(raw):
    with pytest.raises(ValueError):
        parse_amount(raw)


def test_a_fraction_without_decimal_form_is_not_written_as_an_amount():
    with pytest.raises(ValueError):
        amount_text(Fraction(1, 3))


def test_a_budget_with_cents_is_counted_to_the_cent():
    election = read_pb(CENTS)
    assert election.budget == Fraction(201, 2)
    assert election.ballot_format.kind == "knapsack"
    assert election.ballot_format.max_sum_cost == Fraction(201, 2)
    result = compute(election, TallyParams(rule="greedy"))
    # B (2 votes, 40.25, cheaper: tie-break) then A (2 votes, 60.25) fill 100.50 exactly; C does not fit.
    assert result.funded == ["B", "A"]
    assert result.spent == Fraction(201, 2)
    data = json.loads(json.dumps(result.to_json()))
    assert data["spent"] == "201/2" and data["budget"] == "201/2"
    assert {r["id"]: r["cost"] for r in data["projects"]} == {"A": "241/4", "B": "161/4", "C": "2013/50"}
    assert data["explanation"]["order"][-1]["money_left"] == 0
    back = TallyResult.from_json(data)
    assert back.spent == result.spent and back.costs == result.costs


def test_the_digest_sees_one_cent_and_survives_a_round_trip():
    election = read_pb(CENTS)
    text = write_pb(election)
    assert "budget;100.50" not in text and "budget;100.5" in text
    assert "A;60.25" in text
    assert election_digest(read_pb(text)) == election_digest(election)
    assert election_digest(read_pb(CENTS.replace("C;40.26", "C;40.27"))) != election_digest(election)


def test_whole_amounts_keep_the_digest_they_had():
    """Digests recorded before amounts could have cents (integers in the canonical JSON) still match."""
    import hashlib

    whole = read_pb(CENTS.replace("100.50", "100").replace("100,50", "100")
                    .replace("60.25", "60").replace("40.25", "40").replace("40.26", "41"))
    assert isinstance(whole.budget, int) and all(isinstance(p.cost, int) for p in whole.projects)
    old = {"budget": 100, "vote_type": "approval", "rank_points": None,
           "projects": [["A", 60], ["B", 40], ["C", 41]],
           "ballots": [["1", ["A", "B"], [], []], ["2", ["A", "C"], [], []], ["3", ["B"], [], []]]}
    body = json.dumps(old, separators=(",", ":"), ensure_ascii=False)
    assert election_digest(whole) == hashlib.sha256(body.encode()).hexdigest()


@pytest.mark.parametrize(("completion", "funded", "spent"), [
    ("none", ["B"], "161/4"), ("add1", ["B", "A"], "201/2"), ("add1-greedy", ["B", "A"], "201/2")])
def test_equal_shares_counts_costs_with_cents_exactly(completion, funded, spent):
    # add1 raises each share by one whole euro: 100.50 / 3 voters, then 101.50 / 3, ...
    result = compute(read_pb(CENTS), TallyParams(rule="equal-shares", completion=completion))
    data = json.loads(json.dumps(result.to_json()))
    assert data["funded"] == funded and data["spent"] == spent
    assert [r["cost"] for r in data["explanation"]["rounds"]] == [{"A": "241/4", "B": "161/4"}[p] for p in funded]

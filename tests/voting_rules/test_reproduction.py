"""The rule each file's META names reproduces the projects the city funded."""

import pytest

from voting_rules import compare, compute, params_from_meta, read_pb

from pbview import shared

WITH_SELECTED = [
    ("Poland_Warszawa_2017_Nadwisle.pb", "greedy"),
    ("Poland_Swiecie_2023.pb", "equal-shares"),
    ("Poland_Wieliczka_2023_Green_Budget.pb", "equal-shares-comparison"),
    ("Poland_Warszawa_2020_Praga-Poludnie.pb", "greedy"),
    ("Poland_Czestochowa_2024.pb", "greedy"),
    ("Poland_Katowice_2023.pb", "greedy-threshold"),
    ("Poland_Warszawa_2026.pb", "greedy-threshold"),
    ("Poland_Krakow_2024.pb", "greedy"),
    ("Poland_Wroclaw_2015_150_-_500.pb", "greedy-no-skip"),
]


@pytest.mark.parametrize(("name", "rule"), WITH_SELECTED)
def test_meta_rule_reproduces_the_selected_column(name, rule):
    election = read_pb(shared(name))
    params = params_from_meta(election.meta)
    assert params.rule == rule
    result = compute(election, params)
    selected = {p.id for p in election.projects if p.extra["selected"] == "1"}
    assert set(result.funded) == selected
    assert result.spent <= election.budget


def test_wieliczka_voters_preferred_equal_shares_to_greedy():
    election = read_pb(shared("Poland_Wieliczka_2023_Green_Budget.pb"))
    result = compute(election, params_from_meta(election.meta))
    comparison = result.explanation["comparison"]
    assert comparison["kept"] == "equal-shares"
    assert comparison["voters_preferring_equal_shares"] > comparison["voters_preferring_greedy"]
    assert set(comparison["greedy_funded"]) != set(result.funded)


def test_swiecie_equal_shares_rounds_account_for_every_funded_project():
    election = read_pb(shared("Poland_Swiecie_2023.pb"))
    result = compute(election, params_from_meta(election.meta))
    rounds = result.explanation["rounds"]
    assert [r["project"] for r in rounds] == result.funded
    assert all(r["paid"] for r in rounds)


@pytest.mark.parametrize("name", ["Switzerland_Zurich_D10.pb", "France_Toulouse_2024.pb"])
def test_files_without_selected_load_tally_and_compare(name):
    election = read_pb(shared(name))
    result = compute(election, params_from_meta(election.meta))
    assert result.funded and result.spent <= election.budget
    rows = compare(election)
    assert {row["rule"] for row in rows} >= {"greedy", "equal-shares", "phragmen", "utilitarian"}
    for row in rows:
        assert row["spent"] <= election.budget

"""Official tallies, and the side-by-side comparison kept with them."""

from pbengine.models import Phase
from pbengine.services import ballots, codes, tallies, workflow
from tests.conftest import TEST_SETTINGS
from tests.helpers import make_budget, make_process
from voting_rules import RULES

KEY = TEST_SETTINGS["pbengine.code_key"]


def _closed_with_ballots(db, **settings):
    process = make_process(db)
    budget = make_budget(db, process, amount=100, projects={"p1": 60, "p2": 40, "p3": 50})
    for name, value in settings.items():  # set before the vote opens: from then on they are locked
        setattr(budget, name, value)
    for phase in (Phase.PROPOSALS, Phase.REVIEW, Phase.VOTING):
        workflow.move_to(db, process, phase)
    batch = codes.generate(db, KEY, process, 4, "test")
    for (_ref, code), approvals in zip(batch.codes, [["p1"], ["p1", "p2"], ["p1", "p3"], ["p2"]], strict=True):
        ballots.cast(db, budget, codes.find(db, KEY, process, code), {"approvals": approvals}, key=KEY)
    workflow.move_to(db, process, Phase.CLOSED, code_key=KEY)
    return process, budget


def test_comparison_lists_every_rule_and_is_kept_with_the_official_tally(db):
    process, budget = _closed_with_ballots(db)
    assert tallies.comparison(db, budget) == []  # nothing computed yet
    tally = tallies.compute_budget(db, budget)
    assert tally.comparison  # computed with the tally, by the POST that computes it
    rows = tallies.comparison(db, budget)
    assert {row["rule"] for row in rows} == set(RULES) - {"greedy-threshold"}
    assert tally.comparison == rows
    greedy = next(row for row in rows if row["rule"] == "greedy")
    assert greedy["funded"] == ["p1", "p2"]  # 3 votes, then 2; p3 (1 vote) no longer fits


def test_recomputing_replaces_the_official_tally(db):
    process, budget = _closed_with_ballots(db)
    first = tallies.compute_budget(db, budget)
    second = tallies.compute_budget(db, budget)
    assert not first.official and second.official
    assert tallies.official_tally(db, budget) is second


def test_every_comparison_row_uses_the_budgets_own_settings(db):
    process, budget = _closed_with_ballots(db, satisfaction="cardinality", completion="none",
                                           tie_break="lower-cost,id", rule="greedy-threshold", threshold=2)
    tallies.compute_budget(db, budget)
    rows = tallies.comparison(db, budget)
    # greedy-threshold is kept (the budget has a threshold); only the rule differs between rows
    assert {row["rule"] for row in rows} == set(RULES)
    for row in rows:
        assert {k: v for k, v in row["params"].items() if k != "rule"} == {
            "satisfaction": "cardinality", "completion": "none",
            "tie_break": ["lower-cost", "id"], "threshold": 2}
    threshold = next(row for row in rows if row["rule"] == "greedy-threshold")
    assert "p3" not in threshold["funded"]  # one vote, below the threshold of 2


def test_reading_the_comparison_never_computes_it(db):
    process, budget = _closed_with_ballots(db)
    tally = tallies.compute_budget(db, budget)
    tally.comparison = None  # a tally kept before comparisons were computed with it
    assert tallies.comparison(db, budget) == []
    assert tally.comparison is None


def test_phragmen_is_refused_for_points_and_rankings_with_a_reason(db):
    import pytest

    from pbengine.services.errors import InvalidInput

    process = make_process(db)
    for kind, extra in (("cumulative", {"max_sum_points": 10}), ("ranking", {"rank_length": 3})):
        with pytest.raises(InvalidInput) as refused:
            make_budget(db, process, slug=kind, kind=kind, rule="phragmen", **extra)
        assert refused.value.field == "rule"
        assert "ticked projects only" in refused.value.message
    assert make_budget(db, process, slug="ticks", kind="approval", rule="phragmen").rule == "phragmen"


def test_a_comparison_out_of_time_lists_the_rules_not_computed_and_keeps_the_official_tally(db):
    process, budget = _closed_with_ballots(db)
    tally = tallies.compute_budget(db, budget, comparison_seconds=0)
    assert tally.result["funded"]  # the official rule always runs to the end
    rows = tallies.comparison(db, budget)
    assert {row["rule"] for row in rows} == set(RULES) - {"greedy-threshold"}
    assert all(row["not_computed"] == "time" and "funded" not in row for row in rows)


def test_computing_again_in_the_console_keeps_the_rows_a_full_comparison_counted(db):
    # `pbengine compute` counts every rule; the console's button computing the results again
    # afterwards, with no time left for the comparison, must not lose those rows
    process, budget = _closed_with_ballots(db)
    full = tallies.compute_budget(db, budget, comparison_seconds=None)
    assert full.comparison and all("funded" in row for row in full.comparison)
    db.flush()
    db.expire_all()  # read back from the database, as a later request would
    again = tallies.compute_budget(db, budget, comparison_seconds=0)
    assert again.official and not full.official
    assert again.comparison == full.comparison
    # rows of a tally that counted other input are never taken
    again.input_digest = "0" * 64
    other = tallies.compute_budget(db, budget, comparison_seconds=0)
    assert all(row["not_computed"] == "time" for row in other.comparison)


def test_the_comparison_has_what_the_official_tally_left_of_the_request(db, monkeypatch):
    # the deadline counts from the start of the computation: an official rule that used the
    # whole allowance leaves no time for the comparison, so the request still ends in time
    process, budget = _closed_with_ballots(db)
    clock = [1000.0]
    monkeypatch.setattr(tallies.time, "monotonic", lambda: clock[0])
    official = tallies.compute

    def slow(*args, **kwargs):
        result = official(*args, **kwargs)
        clock[0] += tallies.COMPARISON_SECONDS + 1
        return result

    monkeypatch.setattr(tallies, "compute", slow)
    tally = tallies.compute_budget(db, budget)
    assert tally.result["funded"]
    assert all(row["not_computed"] == "time" for row in tallies.comparison(db, budget))
    clock[0] = 1000.0
    monkeypatch.setattr(tallies, "compute", official)  # a fast official rule: every row is counted
    tallies.compute_budget(db, budget)
    assert all("funded" in row for row in tallies.comparison(db, budget))


def test_the_console_says_which_rules_were_not_compared_in_time(testapp, db):
    from tests.console.support import login_as
    from tests.helpers import commit

    process, budget = _closed_with_ballots(db)
    tallies.compute_budget(db, budget, comparison_seconds=0)
    commit(db)
    login_as(testapp, db, is_admin=True)
    page = testapp.get(f"/console/processes/{process.id}/results")
    cells = [td.get_text(" ", strip=True) for td in page.html.select("table.comparison td")]
    assert cells and all(c.startswith("Not computed: it was still counting") for c in cells)
    # and says how to get them: the command that computes without a web request's limit
    assert all(f"pbengine compute production.ini {process.slug} computes these results again" in c for c in cells)

"""Published results: funded projects, money spent, the rule in plain words, and why each project."""

from pbengine.services import tallies
from tests.helpers import commit
from tests.site.voting import move, open_vote, tick, vote

# Five voters: three like p1+p3, two like p2. Budget 100 000; p1 40 000, p2 30 000, p3 50 000.
BALLOTS = [("p1", "p3"), ("p1", "p3"), ("p1", "p3"), ("p2",), ("p2",)]


def _published(testapp, db, rule="equal-shares", **fields):
    process, _budgets, codes = open_vote(db, n_codes=len(BALLOTS), rule=rule, **fields)
    for code, choice in zip(codes, BALLOTS, strict=True):
        testapp.reset()
        vote(testapp, code, lambda form, choice=choice: tick(form, *choice))
    process = move(db, process, "closed")
    tallies.compute_all(db, process)
    move(db, process, "published")
    commit(db)
    return testapp.get("/p/town-2027/results")


def test_results_are_not_shown_before_publication(testapp, db):
    open_vote(db)
    page = testapp.get("/p/town-2027/results", status=404)
    assert "The results are not published yet." in page.text


def test_equal_shares_results_show_funded_projects_money_and_why(testapp, db):
    page = _published(testapp, db)
    text = page.text
    assert "Method of Equal Shares" in text
    assert "5 voters" in text
    assert "Each voter&#39;s share of the budget" in text or "Each voter's share of the budget" in text
    assert "Counted for each voter: the money spent on the projects they support." in text
    # Funded by equal shares, with what each supporter paid.
    assert "Funded by equal shares, in round 1" in text
    assert "supporters paid" in text
    assert "% of voters supported at least one funded project" in text
    assert 'role="img"' in text and "<title" in text and "<desc" in text
    assert "town-2027-export.zip" in text


def test_an_unfunded_project_says_how_much_support_it_lacked(testapp, db):
    # p3 alone costs 90 000: with a 100 000 budget, five voters have 20 000 each.
    page = _published(testapp, db, projects={"p1": 40_000, "p2": 30_000, "p3": 90_000})
    assert "Not funded: its 3 supporters had" in page.text
    assert "less than its cost of €90,000" in page.text


def test_greedy_results_explain_the_order_and_the_money_left(testapp, db):
    page = _published(testapp, db, rule="greedy", projects={"p1": 40_000, "p2": 30_000, "p3": 70_000})
    text = page.text
    assert "Most votes first" in text
    assert "Funded: it was number 1 in order of votes" in text
    assert "Not funded: it was number 2 in order of votes, but only €60,000 was left" in text


def test_results_chart_is_an_accessible_svg_image(testapp, db):
    _published(testapp, db)
    chart = testapp.get("/p/town-2027/results/citywide.svg")
    assert chart.content_type == "image/svg+xml"
    assert chart.text.startswith("<?xml")
    assert 'role="img"' in chart.text and "Votes per project: Citywide" in chart.text
    assert "funded" in chart.text


def test_a_completion_that_raised_the_share_shows_the_start_and_the_final_share(testapp, db):
    # From 20 000 each, p1 and p2 are funded and p3's three supporters have 20 000 left between
    # them: p3 (25 000) still fits in the budget, so the completion raises every share until they
    # can pay for it, at 21 667 (the first whole unit above 21 666.67).
    page = _published(testapp, db, projects={"p1": 40_000, "p2": 30_000, "p3": 25_000},
                      completion="add1")
    text = page.text.replace("&#39;", "'")
    assert ("Each voter's share of the budget: €20,000 (the budget divided by the number of "
            "voters), raised to €21,667 by the completion") in text


def test_the_rule_text_says_what_the_budgets_own_completion_did(testapp, db):
    with_greedy = _published(testapp, db, completion="add1-greedy").text
    assert ("Money left at the end is used by raising the shares, then for the projects with most votes "
            "that still fit.") in with_greedy


def test_without_a_completion_the_rule_text_promises_none(testapp, db):
    page = _published(testapp, db, completion="none").text
    assert "Method of Equal Shares" in page
    assert "Money left at the end is used" not in page

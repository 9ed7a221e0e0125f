"""The data the browser tests run against: one process open for voting with a budget of each
ballot format, and one process with published results."""

from __future__ import annotations

from pbengine.models import get_session_factory
from pbengine.services import ballots, codes, projects, tallies, workflow
from tests.conftest import TEST_SETTINGS
from tests.helpers import make_budget, make_process, minor

KEY = TEST_SETTINGS["pbengine.code_key"]
PROJECTS = {"p1": 40_000, "p2": 30_000, "p3": 50_000}
# Long titles (as the issue found them clipped), in English and Polish, with goals and organisation types.
LONG = [("s1", "Community solar cooperative on the roofs of the north district schools and the sports hall",
         60_000, [7, 13], "cooperative"),
        ("s2", "Spółdzielnia socjalna: naprawa rowerów i warsztaty zawodowe dla młodzieży z Nowej Huty",
         30_000, [4, 8], "social-enterprise"),
        ("s3", "REPAIR CAFÉ WORKSHOPS WITH MAMMOTH WARDROBES", 5_000, [12], "association"),
        ("s4", "Ogrody społeczne przy przedszkolach — zrównoważonego rozwoju", 40_000, [2, 11], None)]


def build(engine) -> dict:
    session = get_session_factory(engine)()
    with session.begin():
        voting = make_process(session, slug="vote-2027", title="Riverside SSE budget 2027")
        make_budget(session, voting, slug="approval", name="Approval pot", kind="approval", max_length=2)
        make_budget(session, voting, slug="knapsack", name="Knapsack pot", kind="knapsack", max_sum_cost=80_000)
        make_budget(session, voting, slug="cumulative", name="Points pot", kind="cumulative", max_sum_points=10,
                    max_points_per_project=6)
        make_budget(session, voting, slug="ranking", name="Ranking pot", kind="ranking", rank_length=2)
        for phase in ("proposals", "review", "voting"):
            workflow.move_to(session, voting, phase)
        plain = [code for _ref, code in codes.generate(session, KEY, voting, 40, "browser").codes]

        published = make_process(session, slug="results-2027", title="Hillside SSE budget 2027")
        budget = make_budget(session, published, slug="citywide", name="Citywide", projects=PROJECTS)
        for phase in ("proposals", "review", "voting"):
            workflow.move_to(session, published, phase)
        result_codes = [code for _ref, code in codes.generate(session, KEY, published, 5, "results").codes]
        for code, choice in zip(result_codes, (["p1", "p3"], ["p1", "p3"], ["p1"], ["p2"], ["p2"]), strict=True):
            ballots.cast(session, budget, codes.find(session, KEY, published, code), {"approvals": choice}, key=KEY)
        receipt = ballots.cast(session, budget, codes.find(session, KEY, published, result_codes[0]),
                               {"approvals": ["p1", "p3"]}, key=KEY).receipt
        workflow.move_to(session, published, "closed", code_key=KEY)
        tallies.compute_all(session, published)
        workflow.move_to(session, published, "published")
        project_id = budget.projects[0].id

        long = make_process(session, slug="long-2027", title="Nowa Huta SSE budget 2027")
        pot = make_budget(session, long, slug="district", name="District pot for the social economy",
                          projects={})
        for code, title, cost, goals, org in LONG:
            projects.add_project(session, pot, projects.ProjectData(
                code=code, title=title, cost=minor(cost, long), sdgs=goals, organisation_type=org))
        for phase in ("proposals", "review", "voting"):
            workflow.move_to(session, long, phase)
        long_codes = [code for _ref, code in codes.generate(session, KEY, long, 6, "long").codes]
        for code, choice in zip(long_codes, (["s1", "s2"], ["s1", "s3"], ["s1"], ["s2", "s4"], ["s4"], ["s3"]),
                                strict=True):
            ballots.cast(session, pot, codes.find(session, KEY, long, code), {"approvals": choice}, key=KEY)
        workflow.move_to(session, long, "closed", code_key=KEY)
        tallies.compute_all(session, long)
        workflow.move_to(session, long, "published")
    session.close()
    return {"codes": plain, "receipt": receipt, "project_id": project_id}

"""Process home, project list with filters and search, and a project's page."""

from pbengine.services import projects
from tests.helpers import commit, make_budget, make_process


def _process(db, phase="voting"):
    process = make_process(db)
    process.voting_start = __import__("datetime").date(2027, 3, 1)
    energy = make_budget(db, process, slug="energy", projects={})
    youth = make_budget(db, process, slug="youth", projects={})
    projects.add_project(db, energy, projects.ProjectData(
        code="solar", title="Solar roof", cost=40_000_00, categories=["energy"], sdgs=[7, 13],
        organisation_name="SunCoop", organisation_type="cooperative", location="North school",
        description="Panels owned by residents.", image_url="https://example.org/solar.jpg"))
    projects.add_project(db, energy, projects.ProjectData(
        code="repair", title="Repair café", cost=8_000_00, categories=["recycling"], sdgs=[12]))
    projects.add_project(db, youth, projects.ProjectData(
        code="jobs", title="Youth jobs workshop", cost=20_000_00, categories=["jobs"], sdgs=[8],
        description="Training for young women in carpentry."))
    process.phase = phase
    process.translations = {"fr": {"title": "Budget ESS de la ville 2027"}}
    commit(db)
    return process


def test_process_home_says_what_you_can_do_in_this_phase(testapp, db):
    _process(db)
    page = testapp.get("/p/town-2027")
    assert "Voting open" in page.text
    assert "Vote with the voter code you received." in page.text
    assert "2027-03-01" in page.text
    assert 'href="http://localhost/p/town-2027/vote"' in page.text


def test_process_home_in_proposals_phase_links_to_the_proposal_form(testapp, db):
    _process(db, phase="proposals")
    page = testapp.get("/p/town-2027")
    assert "Propose a project for your neighbourhood." in page.text
    assert "/p/town-2027/propose" in page.text and "/p/town-2027/vote" not in page.text


def test_process_texts_follow_the_chosen_language(testapp, db):
    _process(db)
    page = testapp.get("/p/town-2027", headers={"Accept-Language": "fr"})
    assert "Budget ESS de la ville 2027" in page.text


def test_projects_are_listed_and_filtered(testapp, db):
    _process(db)
    base = "/p/town-2027/projects"
    assert testapp.get(base).text.count('class="card project-card"') == 3
    assert "3 projects found" in testapp.get(base).text
    by_budget = testapp.get(base, {"budget": "youth"}).text
    assert "Youth jobs workshop" in by_budget and "Solar roof" not in by_budget
    assert "Repair café" in testapp.get(base, {"category": "recycling"}).text
    assert "1 project found" in testapp.get(base, {"sdg": "13"}).text
    costs = testapp.get(base, {"min_cost": "10000", "max_cost": "30000"}).text
    assert "Youth jobs workshop" in costs and "Solar roof" not in costs and "Repair café" not in costs
    search = testapp.get(base, {"q": "carpentry WOMEN"}).text
    assert "Youth jobs workshop" in search and "1 project found" in search


def test_a_nonsense_filter_is_ignored_not_an_error(testapp, db):
    _process(db)
    assert "3 projects found" in testapp.get("/p/town-2027/projects", {"min_cost": "cheap", "sdg": "x"}).text


def test_project_page_shows_its_facts_and_image_with_alt_text(testapp, db):
    process = _process(db)
    project_id = next(p.id for b in process.budgets for p in b.projects if p.code == "solar")
    page = testapp.get(f"/p/town-2027/projects/{project_id}")
    for text in ("Solar roof", "€40,000", "SunCoop", "Cooperative", "North school",
                 "Affordable and clean energy", "Climate action", "Panels owned by residents."):
        assert text in page.text
    assert 'alt="Picture of the project Solar roof"' in page.text


def test_a_project_of_another_process_is_not_found(testapp, db):
    _process(db)
    other = make_process(db, slug="other")
    budget = make_budget(db, other)
    other.phase = "voting"
    commit(db)
    testapp.get(f"/p/town-2027/projects/{budget.projects[0].id}", status=404)

"""Residents who read the site in French or Spanish read the organizers' texts in their language;
where a text was not translated, the original is shown marked with its language."""

from __future__ import annotations

import csv
import html
import io
import json
import re

import pytest

from pbengine.models import Phase, Process, Proposal, ProposalStatus
from pbengine.services import demo, export, proposals, tallies, translations
from tests.conftest import TEST_SETTINGS
from tests.helpers import commit, make_budget, make_process
from tests.site.voting import enter_code, move, review, submit_review, tick

KEY = TEST_SETTINGS["pbengine.code_key"]


def english_strings() -> set[str]:
    """Every text the demo's organizers wrote in English: titles, names, descriptions, categories."""
    found = set()
    for year in (2026, 2027):
        found.add(f"Valverde SSE participatory budget {year}")
    found.add("Residents of Valverde propose and choose local social and solidarity economy projects")
    for _slug, name, *_rest in demo.BUDGETS:
        found.add(name)
    found |= set(demo.BUDGET_DESCRIPTIONS.values())
    for rows in demo.PROJECTS.values():
        for _code, title, _cost, categories, _sdgs, _type, org in rows:
            found.add(title)
            found.add(demo.DESCRIPTION["en"].format(title=title, org=org))
            found |= set(categories)
    return found


def page_text(body: str) -> str:
    """What a reader (or a screen reader) gets: the text, and the attributes read aloud."""
    spoken = " ".join(re.findall(r'(?:alt|aria-label|title)="([^"]*)"', body))
    without_tags = re.sub(r"<[^>]+>", " ", re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", body, flags=re.S))
    # one space between words: a chart's title wrapped over lines reads as one title
    return " ".join(html.unescape(without_tags + " " + spoken).split())


def english_left(body: str) -> list[str]:
    text = page_text(body)
    return sorted(s for s in english_strings() if re.search(rf"(?<![\w-]){re.escape(s)}(?![\w-])", text))


def marked_english(body: str) -> list[str]:
    """The elements marked as English, but the page itself and the language menu's "English"."""
    body = body.replace('<option value="en" lang="en"', "<option").replace('<html lang="en">', "<html>")
    return re.findall(r'<[^>]*\blang="en"[^>]*>', body)


def _private_proposal(db, process: Process) -> str:
    """A resident's proposal to the demo's open edition, and the token of its status page."""
    token = "t" * 24
    db.add(Proposal(process_id=process.id, title="Bancs solidaires", description="Des bancs.", estimated_cost=100_00,
                    category="", organisation_name="", location="", contact_email="", status=ProposalStatus.SUBMITTED,
                    public_reason="", tracking_hash=proposals.tracking_hash(token)))
    db.flush()
    return token


@pytest.mark.parametrize("locale", ["fr", "es"])
def test_french_and_spanish_pages_of_the_demo_show_no_english_organizer_content(testapp, db, locale):
    loaded = demo.load(db, KEY)
    current, previous = loaded.current, loaded.previous
    token = _private_proposal(db, current)
    commit(db)
    testapp.set_cookie("_LOCALE_", locale)
    pages: dict[str, str] = {}

    def visit(url, response=None):
        response = response if response is not None else testapp.get(url)
        assert response.status_int == 200, url
        assert f'lang="{locale}"' in response.text or url.endswith(".svg"), url
        pages[url] = response.text
        return response

    visit("/")
    for process in (db.get(Process, current.id), db.get(Process, previous.id)):
        slug = process.slug
        visit(f"/p/{slug}")
        visit(f"/p/{slug}/projects")
        visit(f"/p/{slug}/projects?category=energy")
        visit(f"/p/{slug}/projects?budget=north&q=solaire")
        for budget in process.budgets:
            for project in budget.projects:
                visit(f"/p/{slug}/projects/{project.id}")
    slug = current.slug
    visit(f"/p/{slug}/proposal/{token}")
    # the results of last year's edition: tables, chart, impact, and each chart as an image
    results = visit(f"/p/{previous.slug}/results")
    assert "<svg" in results.text and "impact-sdg-north" in results.text
    for budget in ("north", "south", "town"):
        visit(f"/p/{previous.slug}/results/{budget}.svg")
    # voting in this year's edition: the booth, each ballot, the review, the receipt, its check
    # codes are per district: a South code for the South ballot, then a North one for the others
    for label, budgets in (("South district letters", ("south",)), ("North district letters", ("north", "town"))):
        testapp.reset()  # a new visitor of the booth, in the same language
        testapp.set_cookie("_LOCALE_", locale)
        visit(f"/p/{slug}/vote", enter_code(testapp, loaded.samples[label][0], slug=slug).maybe_follow())
        for budget in budgets:
            visit(f"/p/{slug}/vote/{budget}")
    form = testapp.get(f"/p/{slug}/vote/north").forms["ballot-form"]
    checked = visit(f"/p/{slug}/vote/north/review", review(tick(form, "N1", "N2")))
    receipt = visit(f"/p/{slug}/vote/north/receipt", submit_review(checked).follow())
    code = re.search(r'data-receipt="([A-Z0-9-]+)"', receipt.text).group(1)
    form = testapp.get("/receipt").forms["receipt-form"]
    form["receipt"] = code
    visit("/receipt?checked", form.submit())
    assert demo.PROJECT_TRANSLATIONS[locale]["N1"] in page_text(checked.text)

    left = {url: english_left(body) for url, body in pages.items()}
    assert {url: found for url, found in left.items() if found} == {}
    # the translations are what the pages show
    north = demo.BUDGET_TRANSLATIONS[locale]["north"][0]
    assert north in page_text(pages[f"/p/{slug}"]) and north in page_text(receipt.text)
    assert demo.CATEGORY_TRANSLATIONS[locale]["energy"] in page_text(pages[f"/p/{slug}/projects"])
    assert demo.PROJECT_TRANSLATIONS[locale]["T4"] in page_text(pages[f"/p/{previous.slug}/results/town.svg"])
    assert marked_english("".join(pages.values())) == []  # nothing fell back to the original


def test_the_demo_export_carries_the_translations_beside_the_original_names(db):
    loaded = demo.load(db, KEY)
    files = export.build(db, loaded.previous)
    rows = list(csv.DictReader(io.StringIO(files["tally.csv"].decode())))
    n1 = next(r for r in rows if r["project_id"] == "N1")
    assert n1["name"] == "Rooftop solar cooperative for the North estate"
    assert n1["name_fr"] == demo.PROJECT_TRANSLATIONS["fr"]["N1"]
    assert n1["name_es"] == demo.PROJECT_TRANSLATIONS["es"]["N1"]
    result = json.loads(files["result.json"])
    north = result["budgets"][0]
    assert north["name"] == "North district" and north["translations"]["es"]["name"] == "Distrito Norte"
    assert north["project_translations"]["N2"]["fr"]["title"] == "Café réparation et bibliothèque d'outils"
    assert result["process"]["category_names"]["energy"] == {"fr": "énergie", "es": "energía"}
    # the pabulib files keep the original names: auditors recount on them
    assert b"Rooftop solar cooperative for the North estate" in files["north.pb"]
    assert demo.PROJECT_TRANSLATIONS["fr"]["N1"].encode() not in files["north.pb"]


def _process_with_a_french_budget_name(db):
    process = make_process(db)
    budget = make_budget(db, process, name="Citywide pot", projects={"p1": 40_000, "p2": 30_000})
    budget.description = "Projects for the whole city."
    p1, p2 = budget.projects
    translations.set_translation(p1, "fr", "title", "Projet un")
    p1.categories, p2.categories = ["energy"], ["energy", "food"]
    translations.set_category_translation(process, "energy", "fr", "énergie")
    return process, budget


def test_an_untranslated_text_falls_back_to_the_original_marked_with_its_language(testapp, db):
    process, budget = _process_with_a_french_budget_name(db)
    p1, p2 = budget.projects
    move(db, process, Phase.PROPOSALS)
    commit(db)
    fr = {"Accept-Language": "fr"}
    page = testapp.get(f"/p/{process.slug}", headers=fr)
    assert '<h3><span lang="en">Citywide pot</span></h3>' in page.text
    assert '<p lang="en">Projects for the whole city.</p>' in page.text
    listing = testapp.get(f"/p/{process.slug}/projects", headers=fr)
    assert ">Projet un</a>" in listing.text  # translated: no lang mark
    assert '<span lang="en">Project p2</span>' in listing.text
    assert re.search(r'<option value="energy"\s*>énergie</option>', listing.text)
    assert re.search(r'<option value="food"\s*lang="en">food</option>', listing.text)
    project = testapp.get(f"/p/{process.slug}/projects/{p2.id}", headers=fr)
    assert 'énergie, <span lang="en">food</span>' in project.text
    # an English page is the original, with nothing marked
    english = testapp.get(f"/p/{process.slug}/projects", headers={"Accept-Language": "en"})
    assert marked_english(english.text) == [] and "Project p1" in english.text


def test_results_mark_an_untranslated_title_in_the_table_and_the_chart(testapp, db):
    from tests.site.voting import open_vote

    process, (budget,), codes_ = open_vote(db, projects={"p1": 40_000, "p2": 30_000})
    translations.set_translation(db.get(type(budget), budget.id).projects[0], "fr", "title", "Projet un")
    commit(db)
    enter_code(testapp, codes_[0])
    form = testapp.get(f"/p/{process.slug}/vote/citywide").forms["ballot-form"]
    submit_review(review(tick(form, "p1", "p2")))
    process = move(db, process, Phase.CLOSED)
    tallies.compute_all(db, process)
    move(db, process, Phase.PUBLISHED)
    commit(db)
    page = testapp.get(f"/p/{process.slug}/results", headers={"Accept-Language": "fr"})
    assert '<span lang="en">Project p2</span>' in page.text and ">Projet un</a>" in page.text
    assert re.search(r'<text [^>]*lang="en">Project p2</text>', page.text)
    assert not re.search(r'<text [^>]*lang="en">Projet un</text>', page.text)


def test_a_translation_corrected_after_publication_shows_on_the_results_at_once(testapp, db):
    loaded = demo.load(db, KEY)
    commit(db)
    fr = {"Accept-Language": "fr"}
    url = f"/p/{loaded.previous.slug}/results"
    assert "Coopérative solaire sur les toits de la cité Nord" in testapp.get(url, headers=fr).text
    project = next(p for b in db.get(Process, loaded.previous.id).budgets for p in b.projects if p.code == "N1")
    translations.set_translation(project, "fr", "title", "Coopérative solaire des toits du Nord")
    commit(db)
    page = testapp.get(url, headers=fr).text
    assert "Coopérative solaire des toits du Nord" in page and "sur les toits de la cité Nord" not in page
    listing = testapp.get(f"/p/{loaded.previous.slug}/projects", headers=fr).text
    assert "Coopérative solaire des toits du Nord" in listing

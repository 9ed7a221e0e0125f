"""Every user-visible string exists in English, French and Spanish.

Two guarantees:

- the catalogs are complete: every message Babel extracts from the current sources (the same
  extraction as ``make messages``) has a non-empty, non-fuzzy French and Spanish translation with
  the same placeholders, and the compiled ``.mo`` files match the ``.po`` files;
- the pages are translated: a representative page of each kind, on the site and in the console,
  rendered in French and in Spanish, says so in ``<html lang>`` and shows no English sentence of
  the catalog.
"""

from __future__ import annotations

import gettext
import html
import re
from functools import cache
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from pbengine.models import Process, Role
from pbengine.services import codes, proposals, tallies
from tests.conftest import TEST_SETTINGS
from tests.console.support import login_as
from tests.helpers import commit, make_budget, make_process
from tests.site.voting import SLUG, ballot_form, enter_code, move, open_vote, review, submit_review, tick, vote

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "pbengine"
LOCALES = PACKAGE / "locale"
LANGUAGES = ("fr", "es")
PLACEHOLDER = re.compile(r"\$\{\w+\}|%\(\w+\)s")


def _catalog(lang: str):
    with (LOCALES / lang / "LC_MESSAGES" / "pbengine.po").open("rb") as f:
        return read_po(f, locale=lang)


@cache
def _extracted() -> dict[str | tuple[str, ...], str]:
    """Every message of the sources (singular or (singular, plural)) and where it was found."""
    with (ROOT / "babel.cfg").open() as f:
        method_map, options_map = parse_mapping_cfg(f)
    found = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(PACKAGE, method_map, options_map):
        message = tuple(message) if isinstance(message, (list, tuple)) else message
        found.setdefault(message, f"pbengine/{filename}:{lineno}")
    return found


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_message_of_the_sources_is_translated_with_the_same_placeholders(lang):
    catalog = _catalog(lang)
    problems = []
    for message, where in sorted(_extracted().items(), key=lambda item: str(item[0])):
        key = message[0] if isinstance(message, tuple) else message
        entry = catalog.get(key)
        if entry is None:
            problems.append(f"{where}: missing from {lang}: {message!r} (run `make messages`, then translate)")
            continue
        sources = message if isinstance(message, tuple) else (message,)
        strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        if entry.fuzzy or not all(s and s.strip() for s in strings):
            problems.append(f"{where}: untranslated or fuzzy in {lang}: {message!r}")
            continue
        if isinstance(message, tuple) and len(strings) != catalog.num_plurals:
            problems.append(f"{where}: {lang} needs {catalog.num_plurals} plural forms: {message!r}")
        expected = sorted(PLACEHOLDER.findall(sources[0]))
        for text in strings:
            if sorted(PLACEHOLDER.findall(text)) != expected:
                problems.append(f"{where}: placeholders differ in {lang}: {sources[0]!r} -> {text!r}")
    assert not problems, "\n".join(problems)


def test_the_extraction_finds_the_strings_of_python_code_and_of_templates():
    found = _extracted()
    assert "Skip to content" in found  # layout.jinja2
    assert ("%(n)s vote", "%(n)s votes") in found  # a {% trans %} block with {% pluralize %}
    assert "Tick every project you support." in found  # pbengine/labels.py
    assert len(found) > 400


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_compiled_catalog_matches_its_po_file(lang):
    mo = LOCALES / lang / "LC_MESSAGES" / "pbengine.mo"
    assert mo.exists(), f"{mo} is missing: run `make install`"
    with mo.open("rb") as f:
        compiled = gettext.GNUTranslations(f)
    stale = []
    for entry in _catalog(lang):
        if not entry.id:
            continue
        if isinstance(entry.id, tuple):
            ok = compiled.ngettext(entry.id[0], entry.id[1], 1) == entry.string[0]
        else:
            ok = compiled.gettext(entry.id) == entry.string
        if not ok:
            stale.append(entry.id)
    assert not stale, f"{mo} is older than its .po file (run `make install`): {stale[:5]}"


# -- pages -------------------------------------------------------------------------------------------


@cache
def _english_fragments(lang: str) -> tuple[str, ...]:
    """Pieces of English msgids (between placeholders) of more than three words, not kept in ``lang``."""
    fragments = set()
    for entry in _catalog(lang):
        if not entry.id:
            continue
        sources = entry.id if isinstance(entry.id, tuple) else (entry.id,)
        translated = " ".join(entry.string if isinstance(entry.string, tuple) else (entry.string,))
        for source in sources:
            for piece in PLACEHOLDER.split(source):
                piece = piece.strip(" .,:;()")
                if len(piece.split()) > 3 and piece not in translated:
                    fragments.add(piece)
    return tuple(sorted(fragments))


def assert_translated(page, lang: str) -> None:
    body = page.text
    where = page.request.url
    if page.content_type == "text/html":
        assert f'<html lang="{lang}">' in body, f"{where}: not served in {lang}"
    # Uninterpolated placeholders would show; the counters' templates for vote.js are data attributes.
    visible = re.sub(r'\sdata-[\w-]+="[^"]*"', "", body)
    assert "${" not in visible and "%(" not in visible, f"{where}: a placeholder was left in the page"
    text = " ".join(html.unescape(body).split())
    leaks = [fragment for fragment in _english_fragments(lang) if fragment in text]
    assert not leaks, f"{where} in {lang} shows English: {leaks}"


def forget_language(testapp) -> None:
    """Drop the language cookie: it would take precedence over Accept-Language."""
    for cookie in list(testapp.cookiejar):
        if cookie.name == "_LOCALE_":
            testapp.cookiejar.clear(cookie.domain, cookie.path, cookie.name)


def check_get(testapp, url: str, status: int = 200) -> None:
    """GET ``url`` in each language (the browser's Accept-Language) and check it is translated."""
    forget_language(testapp)
    for lang in LANGUAGES:
        assert_translated(testapp.get(url, headers={"Accept-Language": lang}, status=status), lang)


def test_site_pages_of_a_process_taking_proposals_are_translated(testapp, db):
    process = make_process(db)
    make_budget(db, process, slug="north", name="North")
    make_budget(db, process, slug="youth", name="Youth")
    move(db, process, "proposals")
    commit(db)
    project = db.get(Process, process.id).budgets[0].projects[0]
    for url in ("/", f"/p/{SLUG}", f"/p/{SLUG}/projects", f"/p/{SLUG}/projects?q=none",
                f"/p/{SLUG}/projects/{project.id}", f"/p/{SLUG}/propose", "/receipt"):
        check_get(testapp, url)
    check_get(testapp, "/no/such/page", status=404)

    for lang in LANGUAGES:
        testapp.set_cookie("_LOCALE_", lang)
        form = testapp.get(f"/p/{SLUG}/propose").forms["propose-form"]
        form["title"] = ""
        refused = form.submit(status=422)  # the form again, with its errors
        assert_translated(refused, lang)
        form = refused.forms["propose-form"]
        form["title"] = "Solar roofs"
        form["description"] = "Panels on the school."
        form["estimated_cost"] = "12000"
        assert_translated(form.submit(status=303).follow(), lang)  # the private status page


def _four_formats(db):
    """A process open for voting with one budget of each ballot format, and voter codes."""
    process = make_process(db)
    make_budget(db, process, slug="approval", kind="approval", max_length=2)
    make_budget(db, process, slug="knapsack", kind="knapsack")
    make_budget(db, process, slug="cumulative", kind="cumulative", max_sum_points=10, max_points_per_project=6)
    make_budget(db, process, slug="ranking", kind="ranking", rank_length=2)
    move(db, process, "proposals", "review", "voting")
    generated = codes.generate(db, TEST_SETTINGS["pbengine.code_key"], process, 4, "test")
    commit(db)
    return [code for _reference, code in generated.codes]


FILL = {
    "approval": lambda form: tick(form, "p1"),
    "knapsack": lambda form: tick(form, "p1", "p2"),
    "cumulative": lambda form: form.set("points-p1", "4") or form,
    "ranking": lambda form: form.set("rank-1", "p2") or form,
}


def test_voting_pages_of_every_ballot_format_are_translated(testapp, db):
    voter_codes = _four_formats(db)
    check_get(testapp, f"/p/{SLUG}/vote")  # asks for the voter code
    for lang, code in zip(LANGUAGES, voter_codes, strict=False):
        testapp.reset()
        testapp.set_cookie("_LOCALE_", lang)
        assert_translated(enter_code(testapp, "WRONG-CODE-0000"), lang)  # the refusal beside the field
        enter_code(testapp, code)
        assert_translated(testapp.get(f"/p/{SLUG}/vote"), lang)  # the list of budgets
        for kind, fill in FILL.items():
            form = ballot_form(testapp, kind)
            assert_translated(form.response, lang)
            reviewed = review(fill(form))
            assert_translated(reviewed, lang)
        receipt_page = submit_review(reviewed).follow()
        assert_translated(receipt_page, lang)
        receipt = re.search(r'data-receipt="([^"]+)"', receipt_page.text).group(1)
        assert_translated(testapp.get(f"/p/{SLUG}/vote/approval"), lang)  # "you already voted"
        form = testapp.get("/receipt").forms["receipt-form"]
        form["receipt"] = receipt
        assert_translated(form.submit(), lang)


def test_published_results_and_the_receipt_check_are_translated(testapp, db):
    process, _budgets, voter_codes = open_vote(db, n_codes=3, rule="equal-shares")
    receipt_page = None
    for code, choice in zip(voter_codes, (("p1", "p3"), ("p1",), ("p2",)), strict=True):
        testapp.reset()
        receipt_page = vote(testapp, code, lambda form, choice=choice: tick(form, *choice))
    receipt = re.search(r'data-receipt="([^"]+)"', receipt_page.text).group(1)
    process = move(db, process, "closed")
    tallies.compute_all(db, process)
    move(db, process, "published")
    commit(db)
    testapp.reset()
    check_get(testapp, f"/p/{SLUG}/results")
    check_get(testapp, f"/p/{SLUG}/results/citywide.svg")
    check_get(testapp, f"/p/{SLUG}")
    for lang in LANGUAGES:
        testapp.set_cookie("_LOCALE_", lang)
        form = testapp.get("/receipt").forms["receipt-form"]
        form["receipt"] = receipt
        assert_translated(form.submit(), lang)  # counted, with its anonymous id in the published list


def test_console_pages_are_translated_through_a_whole_process(testapp, db):
    check_get(testapp, "/console/login")
    process = make_process(db)
    budgets = [make_budget(db, process, slug=kind, kind=kind, max_sum_points=10 if kind == "cumulative" else None,
                           rank_length=2 if kind == "ranking" else None)
               for kind in ("approval", "cumulative", "ranking")]
    move(db, process, "proposals")
    proposal, _token = proposals.submit(db, db.get(Process, process.id), proposals.ProposalData(
        title="Solar roofs", description="Panels on the school.", estimated_cost=12_000))
    commit(db)
    login_as(testapp, db, is_admin=True, roles=[(db.get(Process, process.id), Role.OWNER)])
    base = f"/console/processes/{process.id}"
    first = f"{base}/budgets/{budgets[0].id}"
    for url in ("/console", "/console/processes/new", "/console/organizers", base, f"{base}/edit",
                f"{base}/roles", f"{base}/audit", f"{base}/budgets/new", first, f"{first}/edit",
                f"{first}/projects/new", f"{first}/projects/import", f"{base}/proposals",
                f"{base}/proposals/{proposal.id}", f"{base}/codes", f"{base}/turnout", f"{base}/results"):
        check_get(testapp, url)

    for lang in LANGUAGES:
        testapp.set_cookie("_LOCALE_", lang)
        form = testapp.get(f"{first}/edit").forms["budget-form"]
        form["amount"] = "0"
        assert_translated(form.submit(status=422), lang)  # the budget form with its error
        form = testapp.get(f"{base}/codes").forms["codes-form"]
        form["size"] = "2"
        form["label"] = "letters"
        form["format"] = "print"
        assert_translated(form.submit(), lang)  # the only page that shows the codes

    move(db, process, "review", "voting")
    commit(db)
    for budget in budgets:
        check_get(testapp, f"{base}/budgets/{budget.id}/paper")
    check_get(testapp, f"{first}/edit")  # locked
    move(db, process, "closed")
    commit(db)
    # The confirmation is flashed in the language of the request that computed.
    testapp.post(f"{base}/results", {"csrf_token": testapp.get_csrf_token(f"{base}/results")},
                 headers={"Accept-Language": LANGUAGES[0]}, status=303)
    check_get(testapp, f"{base}/results")  # results of every rule, ready to publish
    check_get(testapp, base)


def test_the_public_proposals_and_the_proposers_edit_form_are_translated(testapp, db):
    process = make_process(db)
    make_budget(db, process, slug="north", name="North")
    move(db, process, "proposals")
    proposal, token = proposals.submit(db, db.get(Process, process.id), proposals.ProposalData(
        title="Solar roofs", description="Panels.", estimated_cost=1_200_000, contact_email="sun@example.org"))
    proposals.request_changes(db, proposal, "Which school?")
    commit(db)
    for url in (f"/p/{SLUG}/proposals", f"/p/{SLUG}/proposal/{token}"):
        check_get(testapp, url)
    for lang in LANGUAGES:
        testapp.set_cookie("_LOCALE_", lang)
        form = testapp.get(f"/p/{SLUG}/proposal/{token}").forms["revise-form"]
        form["estimated_cost"] = "0"
        assert_translated(form.submit(status=422), lang)  # the edit form again, with its error


def test_only_the_languages_the_ini_offers_are_negotiated_and_listed(settings, session_factory):
    from pbengine import main
    from tests.helpers import TestApp

    app = TestApp(main({}, **dict(settings, **{"pyramid.available_languages": "en fr"})))
    page = app.get("/", headers={"Accept-Language": "es"})
    assert page.html.html["lang"] == "en"
    assert "Español" not in page.text and "Français" in page.text
    assert app.get("/", headers={"Accept-Language": "fr"}).html.html["lang"] == "fr"
    app.post("/language", {"language": "es", "csrf_token": app.get_csrf_token("/")}, status=303)
    assert app.get("/").html.html["lang"] == "en"

"""Public pages under HTTP caching, and published results kept in memory: same pages, 304s, no writes."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from pbengine.models import Budget, Process, RateCounter, Tally, WebSession
from pbengine.services import results, tallies
from pbengine.services.memo import Memo
from tests.helpers import commit
from tests.site.test_results import _published
from tests.site.voting import move, open_vote, tick, vote

URL = "/p/town-2027/results"


def _funded_line(page) -> str:
    return re.search(r"<li>(\d+ projects? funded)</li>", page.text).group(1)


def test_the_results_page_has_an_etag_and_a_revalidation_gets_a_304(testapp, db):
    page = _published(testapp, db)
    assert page.headers["Cache-Control"] == "private, no-cache"  # it holds the visitor's CSRF token
    assert {"Accept-Language", "Cookie"} <= {v.strip() for v in page.headers["Vary"].split(",")}
    again = testapp.get(URL, headers={"If-None-Match": page.headers["ETag"]}, status=304)
    assert again.body == b""
    french = testapp.get(URL + "?_LOCALE_=fr", headers={"If-None-Match": page.headers["ETag"]}, status=200)
    assert french.headers["ETag"] != page.headers["ETag"]
    assert "Résultats" in french.text


def test_a_published_page_shows_the_process_s_new_title_and_changes_its_etag(testapp, db):
    page = _published(testapp, db)
    process = db.scalars(select(Process)).one()
    process.title = "Renamed budget 2027"  # a process's texts can still be edited after publication
    commit(db)
    renamed = testapp.get(URL, headers={"If-None-Match": page.headers["ETag"]}, status=200)
    assert "Renamed budget 2027" in renamed.text
    assert _funded_line(renamed) == _funded_line(page)


def test_a_new_official_tally_is_shown_with_its_own_figures(testapp, db):
    page = _published(testapp, db)
    assert _funded_line(page) == "2 projects funded"
    # Publication freezes the tally and cannot be undone; a new official tally (as a re-publication
    # would make) is another key: the page shows it, never the figures kept for the old one.
    old = db.scalars(select(Tally).where(Tally.official.is_(True))).one()
    data = dict(old.result, funded=old.result["funded"][:1])
    old.official = False
    db.add(Tally(budget_id=old.budget_id, rule=old.rule, params=old.params, pabutools_version=old.pabutools_version,
                 input_digest=old.input_digest, result=data, official=True, frozen=True))
    commit(db)
    assert _funded_line(testapp.get(URL)) == "1 project funded"


def test_only_a_published_tally_is_kept(testapp, db):
    process, _budgets, codes = open_vote(db, n_codes=1)
    vote(testapp, codes[0], lambda form: tick(form, "p1"))
    process = move(db, process, "closed")
    tallies.compute_all(db, process)
    commit(db)
    memo = Memo()
    budget = db.scalars(select(Budget)).one()
    assert results.published_result(db, budget, "en", memo).funded
    assert len(memo) == 0  # computed, not published: it may still be computed again
    move(db, process, "published")
    commit(db)
    first = results.published_result(db, budget, "en", memo)
    assert len(memo) == 1 and results.published_result(db, budget, "en", memo) is first
    assert results.published_result(db, budget, "fr", memo) is not first


def test_the_chart_is_public_and_revalidated(testapp, db):
    _published(testapp, db)
    chart = testapp.get(URL + "/citywide.svg")
    assert chart.headers["Cache-Control"] == "public, max-age=3600"
    testapp.get(URL + "/citywide.svg", headers={"If-None-Match": chart.headers["ETag"]}, status=304)


def test_static_files_are_public_with_an_etag_and_revalidated(testapp):
    css = testapp.get("/static/site.css")
    assert css.headers["Cache-Control"] == "public, max-age=3600"
    testapp.get("/static/site.css", headers={"If-None-Match": css.headers["ETag"]}, status=304)
    testapp.get("/static/site.css", headers={"If-Modified-Since": css.headers["Last-Modified"]}, status=304)


def _writes(db) -> tuple[int, int]:
    commit(db)
    return (db.scalar(select(func.count()).select_from(WebSession)),
            db.scalar(select(func.count()).select_from(RateCounter)))


def test_public_pages_and_a_known_receipt_write_nothing(testapp, db):
    process, _budgets, codes = open_vote(db, n_codes=1)
    page = vote(testapp, codes[0], lambda form: tick(form, "p1"))
    receipt = re.search(r'data-receipt="([A-Z0-9-]+)"', page.text).group(1)
    process = move(db, process, "closed")
    tallies.compute_all(db, process)
    move(db, process, "published")
    testapp.reset()
    before = _writes(db)
    for path in ("/p/town-2027/projects", URL, URL + "/citywide.svg", "/receipt", "/static/site.css"):
        answer = testapp.get(path)
        assert "pbsession" not in answer.headers.get("Set-Cookie", "")
    form = testapp.get("/receipt").forms["receipt-form"]
    form["receipt"] = receipt
    assert "state-counted" in form.submit().text
    assert _writes(db) == before
    form = testapp.get("/receipt").forms["receipt-form"]
    form["receipt"] = "ACDE-FGHJ-KMNP-QRTU"
    assert "Unknown receipt" in form.submit().text
    assert _writes(db) == (before[0], before[1] + 1)  # an unknown receipt is counted (rate limit)


def test_a_locked_process_s_project_list_keeps_each_filter_apart(testapp, db):
    open_vote(db)  # voting: the projects are locked, their list is kept per filter and language
    for _ in range(2):
        assert "3 projects found" in testapp.get("/p/town-2027/projects").text
        found = testapp.get("/p/town-2027/projects", {"q": "p2"}).text
        assert "1 project found" in found and "Project p2" in found and "Project p1" not in found
        assert "2 projects found" in testapp.get("/p/town-2027/projects", {"max_cost": "45000"}).text
        assert "3 projets trouvés" in testapp.get("/p/town-2027/projects", {"_LOCALE_": "fr"}).text


def test_a_published_results_section_and_its_chart_are_laid_out_once(testapp, db, monkeypatch):
    """The chart's labels are wrapped (text measured character by character) once per published tally
    and language: a city's results page does not lay out its 83 bars again on every request."""
    import pbengine.views.results as view

    _published(testapp, db)
    laid_out = []
    real = view.chart_rows

    def counting(outcomes):
        laid_out.append(len(outcomes))
        return real(outcomes)

    monkeypatch.setattr(view, "chart_rows", counting)
    first = testapp.get(URL + "?_LOCALE_=es")
    for _ in range(3):
        assert testapp.get(URL + "?_LOCALE_=es").text.count("<svg") == first.text.count("<svg")
    assert len(laid_out) == 1

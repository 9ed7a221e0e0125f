"""The public home page, the language switch and the error pages."""

from tests.helpers import commit, make_process


def test_home_lists_public_processes_but_not_drafts(testapp, db):
    make_process(db, slug="draft-one", title="Hidden draft")
    visible = make_process(db, slug="open-one", title="Open budget")
    visible.phase = "proposals"
    commit(db)
    page = testapp.get("/")
    assert "Open budget" in page.text
    assert "Hidden draft" not in page.text


def test_language_follows_browser_then_switch(testapp):
    page = testapp.get("/", headers={"Accept-Language": "fr-FR,fr;q=0.9"})
    assert '<html lang="fr">' in page.text
    token = testapp.get_csrf_token("/")
    testapp.post("/language", {"language": "es", "came_from": "/", "csrf_token": token}, status=303)
    assert '<html lang="es">' in testapp.get("/").text


def test_unknown_page_is_a_404_page_not_a_traceback(testapp):
    page = testapp.get("/p/no-such-process", status=404)
    assert "Page not found" in page.text


def test_form_without_csrf_token_is_refused(testapp):
    page = testapp.post("/language", {"language": "fr", "came_from": "/"}, status=400)
    assert "expired" in page.text


def test_pages_carry_security_headers_and_vote_pages_are_not_cached(testapp):
    page = testapp.get("/")
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert testapp.get("/console/login").headers["Cache-Control"] == "no-store"

"""Receipts: groups that never break, and one page (printable, downloadable) with every receipt of
a visit to the booth, kept in the voter's browser only."""

from __future__ import annotations

import re

from sqlalchemy import select

from pbengine.models import WebSession
from tests.site.voting import SLUG, open_vote, tick, vote

RECEIPT = re.compile(r"[A-Z0-9]{4}(-[A-Z0-9]{4})+")


def _shown(page) -> str:
    return page.html.select_one(".receipt-code code").get_text(strip=True)


def test_a_receipt_code_breaks_only_between_groups(testapp, db):
    _process, _budgets, codes = open_vote(db)
    page = vote(testapp, codes[0], lambda form: tick(form, "p1"))
    code = page.html.select_one(".receipt-code code")
    groups = [span.get_text() for span in code.select("span.group")]
    assert len(groups) == 4 and all(re.fullmatch(r"[A-Z0-9]{4}", g) for g in groups)
    assert "-".join(groups) == _shown(page) == code["data-receipt"]
    # a line may break only at the <wbr> after each hyphen, never inside a group
    assert str(code).count("-<wbr/>") == 3 or str(code).count("-<wbr>") == 3
    css = testapp.get("/static/site.css").text
    assert ".receipt-code .group { white-space: nowrap; }" in css
    assert "break-all" not in css.split(".receipt-code code", 1)[1].split("}", 1)[0]


def test_one_page_holds_every_receipt_of_the_visit_and_downloads_as_text(testapp, db):
    _process, _budgets, codes = open_vote(db, budgets=3)
    receipts = {}
    enter = codes[0]
    for budget in ("pot1", "pot3"):
        page = vote(testapp, enter, lambda form: tick(form, "p1"), budget=budget)
        enter = None
        receipts[budget] = _shown(page)
    assert "All the receipts of this visit on one page (2)" in page.text
    page = testapp.get(f"/p/{SLUG}/my-receipts")
    assert page.headers["Cache-Control"] == "no-store"
    shown = [c.get_text(strip=True) for c in page.html.select(".receipt-code code")]
    assert shown == [receipts["pot1"], receipts["pot3"]]
    assert "Pot1" in page.text and "Pot3" in page.text and "Pot2" not in page.text
    text = testapp.get(f"/p/{SLUG}/my-receipts.txt")
    assert text.content_disposition == f'attachment; filename="receipts-{SLUG}.txt"'
    assert f"Pot1: {receipts['pot1']}" in text.text and f"Pot3: {receipts['pot3']}" in text.text
    assert "http://localhost/receipt" in text.text
    # A new ballot in a budget replaces its receipt there.
    page = vote(testapp, None, lambda form: tick(form, "p2"), budget="pot1")
    again = testapp.get(f"/p/{SLUG}/my-receipts")
    assert [c.get_text(strip=True) for c in again.html.select(".receipt-code code")] == [_shown(page), receipts["pot3"]]
    assert "It replaces your earlier ballot in this budget" in again.text


def test_the_receipts_are_never_stored_on_the_server(testapp, db):
    _process, _budgets, codes = open_vote(db, budgets=2)
    first = _shown(vote(testapp, codes[0], lambda form: tick(form, "p1"), budget="pot1"))
    second = _shown(vote(testapp, None, lambda form: tick(form, "p1"), budget="pot2"))
    db.expire_all()
    stored = " ".join(repr(row) for row in db.execute(select(WebSession)).all())
    assert first not in stored and second not in stored
    assert first.replace("-", "") not in stored


def test_leaving_the_booth_or_a_new_voter_forgets_the_receipts(testapp, db):
    _process, _budgets, codes = open_vote(db, n_codes=2)
    vote(testapp, codes[0], lambda form: tick(form, "p1"))
    assert testapp.get(f"/p/{SLUG}/my-receipts").html.select(".receipt-code")
    leave = testapp.get(f"/p/{SLUG}/vote").forms["leave-form"]
    leave.submit().follow()
    page = testapp.get(f"/p/{SLUG}/my-receipts")
    assert not page.html.select(".receipt-code") and "No receipt is kept in this browser" in page.text
    vote(testapp, codes[0], lambda form: tick(form, "p1"))
    assert len(testapp.get(f"/p/{SLUG}/my-receipts").html.select(".receipt-code")) == 1
    # Another voter enters a code on the same browser (say the session had ended): nothing of the first.
    token = testapp.get_csrf_token("/receipt")
    testapp.post(f"/p/{SLUG}/vote", {"csrf_token": token, "code": codes[1]}, status=303)
    assert not testapp.get(f"/p/{SLUG}/my-receipts").html.select(".receipt-code")


def test_a_forged_receipts_cookie_shows_nothing_and_fails_nothing(testapp, db):
    open_vote(db)
    for value in ("not-base64!", "W1siY2l0eXdpZGUiLCI8c2NyaXB0PiIsMF1d", "e30"):
        testapp.set_cookie("pbreceipts", value)
        page = testapp.get(f"/p/{SLUG}/my-receipts")
        assert page.status_int == 200 and not page.html.select(".receipt-code")
        assert "<script>" not in page.text


def test_the_receipts_page_is_translated(testapp, db):
    _process, _budgets, codes = open_vote(db)
    vote(testapp, codes[0], lambda form: tick(form, "p1"))
    fr = testapp.get(f"/p/{SLUG}/my-receipts", headers={"Accept-Language": "fr"})
    es = testapp.get(f"/p/{SLUG}/my-receipts", headers={"Accept-Language": "es"})
    assert "Vos reçus" in fr.text and "Sus recibos" in es.text

"""Receipts: shown once after voting; anyone can check whether a receipt's ballot is counted."""

import re

from pbengine.services import tallies
from pbengine.services.ballots import receipt_hash
from tests.helpers import commit
from tests.site.voting import SLUG, move, open_vote, tick, vote


def _receipt_of(page) -> str:
    return re.search(r'data-receipt="([A-Z0-9-]+)"', page.text).group(1)


def check(testapp, receipt: str, status=200):
    form = testapp.get("/receipt").forms["receipt-form"]
    form["receipt"] = receipt
    return form.submit(status=status)


def test_the_receipt_is_shown_once(testapp, db):
    _process, _budgets, codes = open_vote(db)
    page = vote(testapp, codes[0], lambda form: tick(form, "p1"))
    assert re.fullmatch(r"[A-Z0-9]{4}(-[A-Z0-9]{4}){3}", _receipt_of(page))
    again = testapp.get(f"/p/{SLUG}/vote/citywide/receipt")
    assert "receipt-code" not in again.text
    assert "A receipt is shown only once" in again.text
    assert again.headers["Cache-Control"] == "no-store"


def test_a_counted_receipt_is_reported_counted(testapp, db):
    _process, _budgets, codes = open_vote(db)
    receipt = _receipt_of(vote(testapp, codes[0], lambda form: tick(form, "p1")))
    page = check(testapp, receipt.lower().replace("-", " "))
    assert "Counted: this ballot is in the count of Citywide" in page.text
    assert receipt_hash(receipt) not in page.text  # the anonymous id appears only after publication


def test_a_replaced_receipt_is_reported_replaced(testapp, db):
    _process, _budgets, codes = open_vote(db, allow_revote=True)
    first = _receipt_of(vote(testapp, codes[0], lambda form: tick(form, "p1")))
    second = _receipt_of(vote(testapp, None, lambda form: tick(form, "p2")))
    assert "Replaced: this ballot for Citywide was replaced" in check(testapp, first).text
    assert "Counted:" in check(testapp, second).text


def test_an_unknown_receipt_is_reported_unknown(testapp, db):
    open_vote(db)
    page = check(testapp, "ACDE-FGHJ-KMNP-QRTU")
    assert "Unknown receipt" in page.text


def test_an_empty_receipt_is_refused_with_a_message(testapp, db):
    page = check(testapp, "  ", status=422)
    assert "Enter the receipt you received when you voted." in page.text


def test_after_publication_the_check_gives_the_anonymous_id_of_the_export(testapp, db):
    process, _budgets, codes = open_vote(db)
    receipt = _receipt_of(vote(testapp, codes[0], lambda form: tick(form, "p1")))
    process = move(db, process, "closed")
    tallies.compute_all(db, process)
    move(db, process, "published")
    commit(db)
    page = check(testapp, receipt)
    assert "Counted:" in page.text
    assert receipt_hash(receipt) in page.text

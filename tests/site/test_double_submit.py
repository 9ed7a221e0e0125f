"""Sending the ballot summary twice (double click, resend after a timeout) shows the same receipt once stored."""

from __future__ import annotations

import re

import pytest

from tests.site.voting import ballot_form, count_ballots, enter_code, open_vote, review, submit_review, tick

RECEIPT = re.compile(r"[ACDEFGHJKMNPQRTUVWXY34679]{4}(?:-[ACDEFGHJKMNPQRTUVWXY34679]{4}){3}")


def receipt_of(page) -> str:
    match = RECEIPT.search(page.text)
    assert match, page.text
    return match.group(0)


@pytest.mark.parametrize("allow_revote", [True, False])
def test_the_summary_sent_twice_stores_one_ballot_and_shows_the_same_receipt(testapp, db, allow_revote):
    _process, _budgets, codes = open_vote(db, kind="approval", allow_revote=allow_revote, max_length=2)
    enter_code(testapp, codes[0])
    summary = review(tick(ballot_form(testapp), "p1", "p3"))
    first = receipt_of(submit_review(summary).follow())
    # The browser sends the same summary again: no error page, no "already used", the same receipt.
    second = receipt_of(submit_review(summary).follow())
    assert first == second
    assert count_ballots(db) == 1
    form = testapp.get("/receipt").forms["receipt-form"]
    form["receipt"] = first
    assert "state-counted" in form.submit().text


def test_a_new_summary_is_a_new_submission(testapp, db):
    _process, _budgets, codes = open_vote(db, kind="approval", allow_revote=True, max_length=2)
    enter_code(testapp, codes[0])
    first = receipt_of(submit_review(review(tick(ballot_form(testapp), "p1"))).follow())
    second = receipt_of(submit_review(review(tick(ballot_form(testapp), "p2"))).follow())
    assert first != second
    assert count_ballots(db) == 2 and count_ballots(db, current_only=True) == 1

"""Helpers for the citizen-site tests: a process open for voting, voter codes, filling ballots."""

from __future__ import annotations

from sqlalchemy import func, select

from pbengine.models import Ballot, Process, ReplacedBallot
from pbengine.services import ballots, codes, tallies, workflow
from tests.conftest import TEST_SETTINGS
from tests.helpers import commit, make_budget, make_process

SLUG = "town-2027"


def move(db, process, *phases):
    """Move ``process`` through ``phases`` (reloaded: a commit detaches the factories' objects)."""
    process = db.get(Process, process.id)
    for phase in phases:
        workflow.move_to(db, process, phase, code_key=TEST_SETTINGS["pbengine.code_key"])
    return process


def vote_and_count(db, process, ballot_list):
    """Open the vote of ``process``, cast each list of approvals in its first budget with a fresh
    voter code, close the vote and compute every tally; returns the process (reloaded)."""
    key = TEST_SETTINGS["pbengine.code_key"]
    process = move(db, process, "proposals", "review", "voting")
    batch = codes.generate(db, key, process, len(ballot_list), "test")
    for (_ref, code), approvals in zip(batch.codes, ballot_list, strict=True):
        ballots.cast(db, process.budgets[0], codes.find(db, key, process, code), {"approvals": approvals}, key=key)
    process = move(db, process, "closed")
    tallies.compute_all(db, process)
    return process


def open_vote(db, kind="approval", n_codes=3, allow_revote=True, projects=None, budgets=1, **fields):
    """A process in the voting phase with ``budgets`` budgets of ``kind``; returns (process, budgets, codes)."""
    process = make_process(db, allow_revote=allow_revote)
    made = [make_budget(db, process, slug=f"pot{i + 1}" if budgets > 1 else "citywide", kind=kind,
                        projects=projects, **fields) for i in range(budgets)]
    move(db, process, "proposals", "review", "voting")
    generated = codes.generate(db, TEST_SETTINGS["pbengine.code_key"], process, n_codes, "test")
    commit(db)
    return process, made, [code for _reference, code in generated.codes]


def enter_code(testapp, code, slug=SLUG):
    form = testapp.get(f"/p/{slug}/vote").forms["code-form"]
    form["code"] = code
    return form.submit(status="*")


def ballot_form(testapp, budget="citywide", slug=SLUG):
    return testapp.get(f"/p/{slug}/vote/{budget}").forms["ballot-form"]


def tick(form, *project_codes):
    for box in form.fields.get("approvals", []):
        box.checked = box._value in project_codes
    return form


def review(form, status=200):
    return form.submit("action", value="review", status=status)


def submit_review(page, status=303):
    return page.forms["review-form"].submit("action", value="submit", status=status)


def count_ballots(db, current_only=False) -> int:
    """Ballots stored: counted ones, and (unless ``current_only``) the receipts of replaced ones."""
    commit(db)
    counted = db.scalar(select(func.count()).select_from(Ballot))
    if current_only:
        return counted
    return counted + db.scalar(select(func.count()).select_from(ReplacedBallot))


def vote(testapp, code, fill, budget="citywide"):
    """Enter ``code`` (None: already entered), fill the ballot with ``fill(form)``, review and submit.

    Returns the receipt page."""
    if code is not None:
        enter_code(testapp, code)
    page = review(fill(ballot_form(testapp, budget)))
    return submit_review(page).follow()

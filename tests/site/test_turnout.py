"""Turnout against the voter codes issued, online / paper / imported: in the console while voting,
on the public results page once published (and not before)."""

from __future__ import annotations

from pbengine.models import Process, Role
from pbengine.services import ballots, codes, tallies
from pbengine.services.turnout import turnout
from tests.conftest import TEST_SETTINGS
from tests.console.support import login_as
from tests.helpers import commit, make_budget, make_process
from tests.site.voting import move

KEY = TEST_SETTINGS["pbengine.code_key"]


def _voting(db, codes_issued=10, online=4, paper=2, revoke=1):
    process = make_process(db)
    make_budget(db, process, rule="greedy")
    process = move(db, process, "proposals", "review", "voting")
    batch = codes.generate(db, KEY, process, codes_issued, "letters")
    budget = process.budgets[0]
    for _ref, code in batch.codes[:online]:
        ballots.cast(db, budget, codes.find(db, KEY, process, code), {"approvals": ["p1"]}, key=KEY)
    # a re-vote counts once
    ballots.cast(db, budget, codes.find(db, KEY, process, batch.codes[0][1]), {"approvals": ["p2"]}, key=KEY)
    for _ in range(paper):
        ballots.cast(db, budget, None, {"approvals": ["p3"]}, channel="paper", entered_by="desk@example.org")
    for ref, _code in batch.codes[-revoke:] if revoke else []:
        codes.revoke(db, process, ref)
    commit(db)
    return db.get(Process, process.id)


def _rows(page):
    table = page.html.find(id="turnout-channels")
    return {tr.th.get_text(strip=True): [td.get_text(strip=True) for td in tr.find_all("td")]
            for tr in table.tbody.find_all("tr")}


def test_turnout_counts_codes_used_against_valid_codes_and_splits_online_and_paper(db):
    process = _voting(db)
    figures = turnout(db, process, KEY)
    assert (figures.codes_issued, figures.codes_revoked, figures.codes_valid, figures.codes_used) == (10, 1, 9, 4)
    row = figures.budgets[0]
    assert (row.online, row.paper, row.imported, row.total) == (4, 2, 0, 6)


def test_the_console_turnout_page_shows_codes_and_the_split(testapp, db):
    process = _voting(db)
    login_as(testapp, db, roles=[(process, Role.OWNER)])
    page = testapp.get(f"/console/processes/{process.id}/turnout")
    assert "4 of the 9 valid voter codes were used to vote online (44 %)." in page.text
    assert "10 codes were issued, 1 of them revoked." in page.text
    assert _rows(page) == {"Citywide": ["4", "2", "0", "6", "44 %"]}
    page = testapp.get(f"/console/processes/{process.id}/turnout", headers={"Accept-Language": "fr"})
    assert "Sur papier" in page.text and "4 des 9 codes de vote valides" in page.text


def test_the_results_page_shows_turnout_once_published_only(testapp, db):
    process = _voting(db)
    assert testapp.get("/p/town-2027/results", status=404).html.find(id="turnout-channels") is None
    process = move(db, process, "closed")
    tallies.compute_all(db, process)
    move(db, process, "published")
    commit(db)
    page = testapp.get("/p/town-2027/results")
    assert "4 of the 9 valid voter codes were used to vote online (44 %)." in page.text
    assert _rows(page) == {"Citywide": ["4", "2", "0", "6", "44 %"]}
    page = testapp.get("/p/town-2027/results", headers={"Accept-Language": "es"})
    assert "En papel" in page.text


def test_imported_ballots_count_apart_and_no_codes_is_said_plainly(testapp, db):
    from pbengine.services import pb_import
    from tests.services.test_pb_import import SMALL

    process = make_process(db)
    pb_import.import_pb(db, process, "old-town.pb", SMALL.encode())
    process = move(db, process, "proposals", "review", "voting", "closed")
    tallies.compute_all(db, process)
    move(db, process, "published")
    commit(db)
    page = testapp.get("/p/town-2027/results")
    assert "No voter code was issued." in page.text
    assert _rows(page) == {"Old town": ["0", "0", "4", "4", "–"]}


def test_the_published_turnout_is_counted_once_and_follows_a_code_revoked_after_publication(testapp, db):
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    process = _voting(db)
    process = move(db, process, "closed")
    tallies.compute_all(db, process)
    move(db, process, "published")
    commit(db)
    assert "4 of the 9 valid voter codes" in testapp.get("/p/town-2027/results").text

    counted = []  # the statements counting ballots, on any engine (the app has its own)

    def seen(_conn, _cursor, statement, *_args):
        if "GROUP BY ballot.channel" in statement:
            counted.append(statement)

    event.listen(Engine, "before_cursor_execute", seen)
    try:
        for _ in range(3):
            assert "4 of the 9 valid voter codes" in testapp.get("/p/town-2027/results").text
        assert counted == []  # the ballots are not counted again on every request

        # a code revoked after publication is an audit event: the page shows it at once
        process = db.get(Process, process.id)
        codes.revoke(db, process, _first_ref(db, process))
        commit(db)
        assert "4 of the 8 valid voter codes" in testapp.get("/p/town-2027/results").text
        assert len(counted) == 1  # counted again, once (one budget)
    finally:
        event.remove(Engine, "before_cursor_execute", seen)


def _first_ref(db, process):
    from sqlalchemy import select

    from pbengine.models import VoterCode

    return db.scalars(select(VoterCode.reference).where(VoterCode.process_id == process.id,
                                                        VoterCode.revoked_at.is_(None))
                      .order_by(VoterCode.id)).first()

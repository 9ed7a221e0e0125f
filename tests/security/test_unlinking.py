"""A database dump, taken while voting or after the close, joins no ballot to a voter code.

The voters cast through the API (with idempotency keys) and the site (with sessions), one
re-votes, one never votes, an organizer enters a paper ballot. Then every table is read as
a dump would (``SELECT *``, the database's own row order) and searched for anything that
leads from a ballot to a code: a shared value, a value one can compute from the code's row
with any key found in the dump, a time, an order.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid

import pytest
from sqlalchemy import inspect, text

from pbengine.cli import main
from pbengine.models import Budget, Phase, Process
from pbengine.services import ballots, codes, export, slots, tallies, workflow
from pbengine.services.ballots import receipt_hash
from tests.conftest import TEST_SETTINGS
from tests.helpers import commit, rank_correlation
from tests.site.voting import SLUG, enter_code, open_vote, review, submit_review, tick

KEY = TEST_SETTINGS["pbengine.code_key"]
BUDGETS = ("pot1", "pot2", "pot3")
# The content of the ballot that is replaced: no other ballot has it.
REPLACED = ["p1", "p2", "p3"]


def api_cast(testapp, code, budget, approvals, n):
    response = testapp.post_json(f"/api/v1/processes/{SLUG}/budgets/{budget}/ballots",
                                 {"voter_code": code, "approvals": approvals},
                                 headers={"Idempotency-Key": f"submission-key-{n:06d}-{budget}"}, status=201)
    return response.json["receipt_hash"]


def cell(value) -> str:
    if isinstance(value, (bytes, memoryview)):
        return bytes(value).hex()
    if isinstance(value, (dict, list)):
        return json.dumps(value, sort_keys=True)
    return "" if value is None else str(value)


def dump(engine) -> dict[str, list[dict]]:
    """Every row of every table, in the order the database gives them (no ORDER BY), as a dump has them."""
    with engine.connect() as connection:
        names = inspect(connection).get_table_names()
        return {name: [dict(row._mapping) for row in connection.execute(text(f'SELECT * FROM "{name}"'))]
                for name in names}


def strings(tables, skip=()) -> set[str]:
    return {cell(v) for name, rows in tables.items() if name not in skip for row in rows for v in row.values()
            if cell(v)}


def derivations(code_row, budget_ids, keys) -> set[str]:
    """What anyone holding the dump can compute from a code's row: its values, their hashes, and the
    slot formula (the source is public) under every string of the dump taken as a key."""
    values = {cell(code_row["id"]), code_row["code_hash"], code_row["reference"]}
    out = set(values)
    for value in values:
        out.add(hashlib.sha256(value.encode()).hexdigest())
    for budget_id in budget_ids:
        message = "\x1f".join(("ballot-slot", str(budget_id), code_row["code_hash"]))
        out.add(hashlib.sha256(message.encode()).hexdigest())
        for key in keys:
            out.add(slots.slot(key, budget_id, code_row["code_hash"]))
    return out


@pytest.fixture
def vote(db, testapp):
    """Eight codes, three budgets; seven voters cast in a known order, one re-votes, one abstains."""
    process, budgets, plain = open_vote(db, n_codes=8, budgets=3)
    before = dump(db.get_bind())["voter_code"]
    order: list[tuple[str, str]] = []  # (budget slug, receipt hash) in the order of casting
    choices = (["p1"], ["p2"], ["p3"], ["p1", "p3"], ["p2", "p3"], ["p1", "p2"])
    n = 0
    for i, code in enumerate(plain[2:7]):  # through the API
        for j, budget in enumerate(BUDGETS):
            content = REPLACED if (i, budget) == (0, "pot1") else choices[(i + j) % len(choices)]
            n += 1
            order.append((budget, api_cast(testapp, code, budget, content, n)))
    n += 1
    order.append(("pot1", api_cast(testapp, plain[2], "pot1", ["p3"], n)))  # the re-vote
    replaced_hash = order.pop(0)[1]
    for code in plain[:2]:  # through the site, with a session
        enter_code(testapp, code)
        for budget in BUDGETS:
            page = submit_review(review(tick(testapp.get(f"/p/{SLUG}/vote/{budget}").forms["ballot-form"], "p2")))
            receipt = page.follow().html.select_one(".receipt-code code").text
            order.append((budget, receipt_hash(receipt)))
        testapp.get(f"/p/{SLUG}/vote").forms["leave-form"].submit(status=303)
    paper = ballots.cast(db, db.get(Budget, budgets[1].id), None, {"approvals": ["p1", "p2"]}, channel="paper",
                         entered_by="mod@example.org")
    order.append(("pot2", paper.receipt_hash))
    commit(db)
    return process, budgets, plain, before, order, replaced_hash


def check_no_link(tables, refs, engine_name, budgets, replaced_hash, closed):
    ballot_rows, code_rows = tables["ballot"], tables["voter_code"]
    assert len(ballot_rows) == 7 * 3 + 1 and len(code_rows) == 8  # and one paper ballot
    budget_ids = [b.id for b in budgets]
    keys = strings(tables) | {""}
    # The formula is right: with the code key (a setting, in no table) the slots are the codes'.
    online = {slots.slot(KEY, b, row["code_hash"]) for row in code_rows for b in budget_ids}
    stored_slots = {row["slot"] for row in ballot_rows if row["slot"] is not None}
    assert stored_slots <= online and len(stored_slots) == (0 if closed else 21)
    assert KEY not in keys

    ballot_values = {cell(row[c]) for row in ballot_rows for c in ("id", "slot", "receipt_hash", "submission_hash")}
    ballot_values.discard("")
    for name, rows in tables.items():
        if name == "ballot":
            continue
        for row in rows:
            for value in row.values():
                assert not any(v in cell(value) for v in ballot_values), f"{name} holds a ballot's value"
    for code_row in code_rows:
        derived = derivations(code_row, budget_ids, keys)
        for row in ballot_rows:
            for column, value in row.items():
                if column != "budget_id":  # a budget's id, shared by every ballot of the budget
                    assert cell(value) not in derived, f"ballot.{column} derives from voter code {code_row['id']}"
        if closed:  # after the close, not even the key leads from a code to anything in the dump
            mine = {slots.slot(KEY, b, code_row["code_hash"]) for b in budget_ids}
            assert not mine & strings(tables)

    # No foreign key from a ballot (counted or replaced) to a code, or from anywhere to a code.
    assert refs["ballot"] == {"budget"} and refs["replaced_ballot"] == {"budget"}
    assert all("voter_code" not in referred for name, referred in refs.items() if name != "voter_code")

    # Ids: random (uuid4), not numbers in any order; times: the day only; no time on a code.
    assert all(uuid.UUID(row["id"]).version == 4 for row in ballot_rows)
    cast_times = [row["cast_at"] for row in ballot_rows]
    cast_times = [t if isinstance(t, dt.datetime) else dt.datetime.fromisoformat(t) for t in cast_times]
    assert all(t.time() == dt.time(0) for t in cast_times)
    assert all(row["revoked_at"] is None for row in code_rows) and "first_used_at" not in code_rows[0]

    # The replaced ballot: its receipt hash, marked replaced; its content is nowhere.
    assert [r["receipt_hash"] for r in tables["replaced_ballot"]] == [replaced_hash]
    assert json.dumps(REPLACED) not in " ".join(strings(tables))
    assert not any(set(REPLACED) <= set(_approvals(row["content"])) for row in ballot_rows)

    # Row order: SQLite keeps the order of the random ids (PostgreSQL: see the test with 300 ballots).
    if engine_name == "sqlite":
        ids = [row["id"] for row in ballot_rows]
        assert ids == sorted(ids)


def _approvals(content) -> list[str]:
    content = json.loads(content) if isinstance(content, str) else content
    return content.get("approvals", [])


def foreign_keys(engine) -> dict[str, set[str]]:
    """Each table with the tables its foreign keys refer to."""
    inspector = inspect(engine)
    return {name: {fk["referred_table"] for fk in inspector.get_foreign_keys(name)}
            for name in inspector.get_table_names()}


def test_a_dump_while_voting_and_after_the_close_joins_no_ballot_to_a_voter_code(db, vote):
    process, budgets, plain, before, order, replaced_hash = vote
    engine = db.get_bind()
    refs = foreign_keys(engine)
    voting = dump(engine)
    assert voting["web_session"], "the site's voters left sessions in the dump"
    # Casting wrote nothing about the codes: their rows are exactly as before the vote.
    assert voting["voter_code"] == before
    assert codes.counts(db, process, KEY)["used"] == 7
    check_no_link(voting, refs, engine.dialect.name, budgets, replaced_hash, closed=False)
    cast_order = [h for _budget, h in order]
    if engine.dialect.name == "sqlite":  # PostgreSQL lists rows in the order written until the close
        assert [row["receipt_hash"] for row in voting["ballot"]] != cast_order

    workflow.move_to(db, db.get(Process, process.id), Phase.CLOSED, code_key=KEY)
    commit(db)
    closed = dump(engine)
    check_no_link(closed, refs, engine.dialect.name, budgets, replaced_hash, closed=True)
    assert [row["receipt_hash"] for row in closed["ballot"]] != cast_order
    # The codes that voted are marked, all at once, with no time; the one that did not is not.
    voted = {row["reference"]: row["voted"] for row in closed["voter_code"]}
    assert sorted(bool(v) for v in voted.values()) == [False] + [True] * 7
    assert codes.counts(db, db.get(Process, process.id), KEY)["used"] == 7
    # Every acknowledged receipt is counted (the re-vote's earlier one is only marked replaced).
    assert {row["receipt_hash"] for row in closed["ballot"]} == set(cast_order)


def test_the_export_orders_receipts_by_hash_whatever_the_cast_order_and_verifies(db, vote, tmp_path, capsys):
    process, _budgets, _plain, _before, order, replaced_hash = vote
    process = db.get(Process, process.id)
    workflow.move_to(db, process, Phase.CLOSED, code_key=KEY)
    tallies.compute_all(db, process)
    workflow.move_to(db, process, Phase.PUBLISHED)
    commit(db)
    files = export.build(db, db.get(Process, process.id))
    everything_else = b"".join(content for name, content in files.items() if not name.endswith(".pb"))
    for budget in BUDGETS:
        cast_order = [h for b, h in order if b == budget]
        listed = [line.split(";")[0] for line in files[f"{budget}.pb"].decode().split("VOTES\n")[1].splitlines()[1:]]
        # The export's order is a function of the set of receipts alone: sorted by hash.
        assert listed == sorted(cast_order)
        assert listed != cast_order  # (the cast order of this test is not sorted)
        # No other file names a ballot, in any order.
        assert not any(h.encode() in everything_else for h in cast_order)
    assert replaced_hash.encode() not in b"".join(files.values())
    folder = export.write_folder(files, tmp_path / "export")
    assert main(["verify", str(folder)]) == 0
    assert capsys.readouterr().out.strip() == "MATCH"
    # In the database too, the ballots no longer come in the order of casting.
    rows = dump(db.get_bind())["ballot"]
    assert [row["receipt_hash"] for row in rows] != [h for _budget, h in order]


def test_after_the_close_the_row_order_says_nothing_of_the_cast_order(db):
    """300 ballots cast one after the other: in the dump after the close, a ballot's place and its
    place in the casting order are uncorrelated. (PostgreSQL writes the rewritten rows in the order
    of their random ids into whatever free space the table has: the order is not exact, but it
    owes nothing to the casting.)"""
    process, budgets, plain = open_vote(db, n_codes=300)
    budget = db.get(Budget, budgets[0].id)
    cast_order = [ballots.cast(db, budget, codes.find(db, KEY, process, code), {"approvals": ["p1"]},
                               key=KEY).receipt_hash for code in plain]
    commit(db)
    workflow.move_to(db, db.get(Process, process.id), Phase.CLOSED, code_key=KEY)
    commit(db)
    listed = [row["receipt_hash"] for row in dump(db.get_bind())["ballot"]]
    assert sorted(listed) == sorted(cast_order)
    assert abs(rank_correlation(listed, cast_order)) < 0.3  # |rho| of a random order: about 0.06

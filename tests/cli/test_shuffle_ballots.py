"""`pbengine shuffle-ballots`: while voting, the ballots are rewritten in the order of their random ids."""

from __future__ import annotations

from sqlalchemy import text

from pbengine.cli import main
from pbengine.models import Budget
from pbengine.services import ballots, codes
from tests.cli.test_db_commands import _ini
from tests.conftest import TEST_SETTINGS
from tests.helpers import commit, rank_correlation
from tests.site.voting import open_vote

KEY = TEST_SETTINGS["pbengine.code_key"]


def stored(engine) -> list[tuple[str, str, str | None]]:
    """(id, receipt hash, slot) of every ballot, in the order the database gives them (a dump's)."""
    with engine.connect() as connection:
        return [tuple(r) for r in connection.execute(text("SELECT id, receipt_hash, slot FROM ballot"))]


def test_shuffle_ballots_rewrites_them_in_id_order_and_voters_can_still_revote(db, db_url, tmp_path, monkeypatch,
                                                                               capsys):
    process, budgets, plain = open_vote(db, n_codes=200)
    cast_order = []
    for code in plain:
        voter = codes.find(db, KEY, process, code)
        cast_order.append(ballots.cast(db, db.get(Budget, budgets[0].id), voter, {"approvals": ["p1"]},
                                       key=KEY).receipt_hash)
    commit(db)
    engine = db.get_bind()
    before = stored(engine)
    monkeypatch.setenv("PBENGINE_DATABASE_URL", db_url)
    monkeypatch.setenv("PBENGINE_CODE_KEY", KEY)
    assert main(["shuffle-ballots", _ini(tmp_path)]) == 0
    out = capsys.readouterr().out
    after = stored(engine)
    assert sorted(after) == sorted(before)  # the same ballots, slots kept
    assert abs(rank_correlation([row[1] for row in after], cast_order)) < 0.3  # a random order: about 0.07
    if engine.dialect.name == "sqlite":
        assert [row[0] for row in after] == sorted(row[0] for row in after)
        assert "nothing to do" in out
    else:
        assert "town-2027: 200 ballots rewritten" in out
    # The slots still find each voter's ballot: a re-vote replaces it.
    voter = codes.find(db, KEY, process, plain[0])
    again = ballots.cast(db, db.get(Budget, budgets[0].id), voter, {"approvals": ["p2"]}, key=KEY)
    assert again.replaced and ballots.count_current(db, db.get(Budget, budgets[0].id)) == 200

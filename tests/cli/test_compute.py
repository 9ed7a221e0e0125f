"""`pbengine compute INI PROCESS`: the console's computation, with every rule of the comparison."""

from sqlalchemy import func, select

from pbengine.cli import main
from pbengine.cli.db import _settings, session_scope
from pbengine.models import AuditEvent, Tally
from pbengine.services import tallies
from tests.cli.test_db_commands import _ini
from tests.helpers import make_budget, make_process
from tests.services.test_tallies import _closed_with_ballots
from voting_rules import RULES


def _setup(tmp_path):
    ini = _ini(tmp_path)
    assert main(["initdb", ini]) == 0
    with session_scope(_settings(ini)) as db:
        process, budget = _closed_with_ballots(db)
        # what the console's button keeps when its request has no time left for the comparison
        tallies.compute_budget(db, budget, comparison_seconds=0)
        slug = process.slug
        make_budget(db, make_process(db, slug="still-drafting"), projects={"a": 10})  # not voted yet
    return ini, slug


def _official_rows(ini):
    with session_scope(_settings(ini)) as db:
        tally = db.scalars(select(Tally).where(Tally.official.is_(True))).one()
        return tally.rule, tally.result["funded"], tally.comparison


def test_compute_keeps_an_official_tally_with_every_rule_compared(tmp_path, capsys):
    ini, slug = _setup(tmp_path)
    rule, funded, rows = _official_rows(ini)
    assert rows and all(row.get("not_computed") == "time" for row in rows)
    capsys.readouterr()
    assert main(["compute", ini, slug]) == 0
    out, err = capsys.readouterr()
    assert f"budget 'citywide': {rule}, {len(funded)} projects funded" in out
    assert f"computed 1 official tally of '{slug}' with every rule compared" in out
    assert "pbengine: citywide: building the pabutools profile" in err
    again_rule, again_funded, rows = _official_rows(ini)
    assert (again_rule, again_funded) == (rule, funded)  # the same ballots, the same outcome
    assert {row["rule"] for row in rows} == set(RULES) - {"greedy-threshold"}
    assert all("funded" in row and "not_computed" not in row for row in rows)
    greedy = next(row for row in rows if row["rule"] == "greedy")
    assert greedy["funded"] == ["p1", "p2"]
    for row in rows:
        assert f"{row['rule']:<30} {len(row['funded']):>6}" in out
    with session_scope(_settings(ini)) as db:
        event = db.scalars(select(AuditEvent).where(AuditEvent.kind == "tally.computed")
                           .order_by(AuditEvent.id.desc())).first()
        assert event.actor == "command line"


def test_compute_errors_exit_2_with_one_clear_line_and_change_nothing(tmp_path, capsys):
    ini, slug = _setup(tmp_path)
    capsys.readouterr()
    cases = [
        (["compute", ini, "no-such-process"], "no process with the address 'no-such-process'"),
        (["compute", ini, slug, "--budget", "nowhere"], f"process '{slug}' has no budget with the address 'nowhere'"),
        (["compute", str(tmp_path / "nope.ini"), slug], "no such configuration file"),
        (["compute", ini, "still-drafting"], "still-drafting: Results can be computed once voting is closed "
                                             "and until they are published; nothing was computed"),
    ]
    for argv, message in cases:
        assert main(argv) == 2, argv
        out, err = capsys.readouterr()
        assert out == "" and message in err and err.count("\n") == 1 and "Traceback" not in err
    with session_scope(_settings(ini)) as db:
        assert db.scalar(select(func.count()).select_from(Tally)) == 1

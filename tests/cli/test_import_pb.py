"""`pbengine import-pb INI PROCESS FILE.pb`: exit codes, messages, all or nothing."""

from sqlalchemy import func, select

from pbengine.cli import main
from pbengine.cli.db import _settings, session_scope
from pbengine.models import Ballot, Budget
from pbengine.services import processes
from tests.cli.test_db_commands import _ini
from tests.services.test_pb_import import SMALL


def _setup(tmp_path):
    ini = _ini(tmp_path)
    assert main(["initdb", ini]) == 0
    with session_scope(_settings(ini)) as db:
        processes.create_process(db, processes.ProcessData(slug="old-town", title="Old town"))
    path = tmp_path / "old-town-2024.pb"
    path.write_text(SMALL, encoding="utf-8")
    return ini, path


def _counts(ini):
    with session_scope(_settings(ini)) as db:
        return db.scalar(select(func.count()).select_from(Budget)), db.scalar(select(func.count()).select_from(Ballot))


def test_import_pb_loads_the_budget_and_says_what_it_did(tmp_path, capsys):
    ini, path = _setup(tmp_path)
    capsys.readouterr()
    assert main(["import-pb", ini, "old-town", str(path)]) == 0
    out, err = capsys.readouterr()
    assert out.startswith("imported budget 'old-town-2024' into 'old-town': 3 projects, 4 ballots (channel imported)")
    assert "warning: line 20: voter 2 names project A 2 times; counted once" in err
    assert _counts(ini) == (1, 4)
    # The same file again: the budget address is taken; nothing more is written.
    assert main(["import-pb", ini, "old-town", str(path)]) == 2
    err = capsys.readouterr().err
    assert "Another budget of this process has this address. (slug); nothing was imported" in err
    assert _counts(ini) == (1, 4)


def test_import_pb_errors_exit_2_with_one_clear_line(tmp_path, capsys):
    ini, path = _setup(tmp_path)
    bad = tmp_path / "bad.pb"
    bad.write_text(SMALL.replace("B;400.25", "B;lots"), encoding="utf-8")
    capsys.readouterr()
    cases = [
        (["import-pb", ini, "no-such-process", str(path)], "no process with the address 'no-such-process'"),
        (["import-pb", ini, "old-town", str(tmp_path / "missing.pb")], "cannot read the file"),
        (["import-pb", ini, "old-town", str(bad)],
         "Line 15: cost 'lots' of project B is not an amount; nothing was imported"),
        (["import-pb", str(tmp_path / "nope.ini"), "old-town", str(path)], "no such configuration file"),
    ]
    for argv, message in cases:
        assert main(argv) == 2, argv
        out, err = capsys.readouterr()
        assert out == "" and message in err and err.count("\n") == 1 and "Traceback" not in err
    assert _counts(ini) == (0, 0)

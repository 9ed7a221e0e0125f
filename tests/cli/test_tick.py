"""`pbengine tick INI`: cron makes the due automatic moves, reports a refused one, and is idempotent."""

from __future__ import annotations

import datetime as dt

from pbengine.cli import main
from pbengine.models import Process
from pbengine.services import audit
from tests.cli.test_db_commands import _ini
from tests.conftest import TEST_SETTINGS
from tests.helpers import commit, make_budget, make_process
from tests.site.voting import move

DATES = {"proposals_start": dt.date(2027, 1, 10), "proposals_end": dt.date(2027, 2, 10),
         "voting_start": dt.date(2027, 3, 1), "voting_end": dt.date(2027, 3, 21)}


def test_tick_moves_due_processes_reports_refusals_and_does_nothing_twice(db, db_url, tmp_path, monkeypatch,
                                                                           capsys):
    due = make_process(db, slug="due", auto_phases=True, **DATES)
    make_budget(db, due)
    move(db, due, "proposals", "review")
    empty = make_process(db, slug="empty", auto_phases=True, **DATES)
    make_budget(db, empty, projects={})
    move(db, empty, "proposals", "review")
    manual = make_process(db, slug="manual", **DATES)
    make_budget(db, manual)
    commit(db)
    monkeypatch.setenv("PBENGINE_DATABASE_URL", db_url)
    monkeypatch.setenv("PBENGINE_CODE_KEY", TEST_SETTINGS["pbengine.code_key"])
    ini = _ini(tmp_path)

    assert main(["tick", ini, "--date", "2027-03-01"]) == 1  # one refusal: cron mails it
    out, err = capsys.readouterr()
    assert out == "due: moved to voting\n"
    assert err == "empty: not moved to voting: Budget “Citywide” has no projects on its ballot.\n"
    db.expire_all()
    assert [db.get(Process, p.id).phase for p in (due, empty, manual)] == ["voting", "review", "draft"]
    events = audit.events(db, db.get(Process, due.id))
    assert events[-1].payload["scheduled"] == "2027-03-01"

    assert main(["tick", ini, "--date", "2027-03-01"]) == 1
    out, _err = capsys.readouterr()
    assert out == ""  # nothing moved again
    assert len(audit.events(db, db.get(Process, due.id))) == len(events)


def test_tick_with_nothing_due_says_so_and_refuses_bad_input(db, db_url, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("PBENGINE_DATABASE_URL", db_url)
    ini = _ini(tmp_path)
    assert main(["tick", ini, "--date", "2027-03-01"]) == 0
    assert capsys.readouterr().out == "2027-03-01: no phase change is due\n"
    assert main(["tick", ini, "--date", "1 March"]) == 2
    assert "--date: not a date (YYYY-MM-DD)" in capsys.readouterr().err
    text = open(ini).read().replace("[app:main]\n", "[app:main]\npbengine.timezone = Mars/Olympus\n", 1)
    open(ini, "w").write(text)
    assert main(["tick", ini]) == 2
    assert "unknown time zone 'Mars/Olympus'" in capsys.readouterr().err
    open(ini, "w").write("\n".join(line for line in text.splitlines() if not line.startswith("pbengine.code_key")))
    monkeypatch.delenv("PBENGINE_CODE_KEY", raising=False)
    assert main(["tick", ini, "--date", "2027-03-01"]) == 2
    assert "pbengine.code_key is missing" in capsys.readouterr().err


def test_the_app_refuses_to_start_with_an_unknown_time_zone(settings):
    import pytest

    from pbengine import main as app
    from pbengine.settings import ConfigurationError

    with pytest.raises(ConfigurationError, match="pbengine.timezone: unknown time zone 'Mars/Olympus'"):
        app({}, **dict(settings, **{"pbengine.timezone": "Mars/Olympus"}))
    assert app({}, **dict(settings, **{"pbengine.timezone": "Europe/Paris"})) is not None

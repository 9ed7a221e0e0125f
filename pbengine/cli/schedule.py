"""``pbengine tick INI``: make the automatic phase changes that are due (run it from cron).

Only processes whose organizers turned on "Move to the next phase automatically" are moved,
each in its own transaction, with the same checks as a move in the console
(``services/schedule.py``). Exit status 0 when every due move was made, 1 when one was refused
(the line says why: cron mails it), 2 for bad input.
"""

from __future__ import annotations

import datetime as dt
import sys


def _fail(message: str) -> int:
    print(f"pbengine: {message}", file=sys.stderr)
    return 2


def tick(args) -> int:
    from pbengine.cli.db import _settings
    from pbengine.models import Process, get_engine, get_session_factory
    from pbengine.models.session import write_engine
    from pbengine.services import schedule

    try:
        settings = _settings(args.ini)
    except FileNotFoundError as error:
        return _fail(str(error))
    if not settings.get("pbengine.code_key"):  # closing a vote marks the codes that voted with it
        return _fail("setting pbengine.code_key is missing (set it in the ini file or PBENGINE_CODE_KEY)")
    zone = settings.get("pbengine.timezone") or "UTC"
    if args.date:
        try:
            today = dt.date.fromisoformat(args.date)
        except ValueError:
            return _fail(f"--date: not a date (YYYY-MM-DD): {args.date}")
    else:
        try:
            today = schedule.today_in(zone)
        except ValueError:
            return _fail(f"pbengine.timezone: unknown time zone {zone!r} (an IANA name like Europe/Paris)")
    engine = get_engine(settings)
    factory = get_session_factory(write_engine(engine))
    refused = moved = 0
    try:
        with factory() as db, db.begin():
            ids = schedule.candidates(db)
        for process_id in ids:  # one process per transaction: a refusal elsewhere does not undo this one
            with factory() as db, db.begin():
                process = db.get(Process, process_id, with_for_update=True)  # two ticks at once take turns
                if process is None:
                    continue
                outcome = schedule.tick(db, process, today, settings["pbengine.code_key"])
            for target in outcome.moved:
                moved += 1
                print(f"{outcome.slug}: moved to {target.value}")
            if outcome.problem is not None:
                refused += 1
                print(f"{outcome.slug}: not moved to {schedule.next_automatic(process).target.value}: "
                      f"{outcome.problem}", file=sys.stderr)
    finally:
        engine.dispose()
    if not moved and not refused:
        print(f"{today.isoformat()}: no phase change is due")
    return 1 if refused else 0


def register(subparsers) -> None:
    p = subparsers.add_parser("tick", help="make the automatic phase changes that are due (run it from cron, "
                              "e.g. every 10 minutes)")
    p.add_argument("ini", help="configuration file, e.g. production.ini")
    p.add_argument("--date", default="", help="act as on this day (YYYY-MM-DD) instead of today in "
                   "pbengine.timezone")
    p.set_defaults(func=tick)

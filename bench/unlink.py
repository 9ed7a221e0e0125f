"""What the ballot slots cost at city size: the console's code counts while voting, and the close.

Usage: ``python bench/unlink.py [--database URL] [--codes 20000] [--budgets 3]``. Default
database: a new SQLite file in a temporary folder; a PostgreSQL server URL creates (and drops)
a scratch database there, as ``bench/city.py`` does.

1. a process with ``--budgets`` budgets and ``--codes`` voter codes, voting open;
2. every code has a ballot in every budget, stored as a cast stores it (under its slot), in
   one bulk insert (casting them one by one is ``bench/cast.py``'s business);
3. times ``codes.counts`` (the console's codes page: while voting, which codes voted is found
   from the slots, one HMAC per code and budget), then the close (seal, mark the codes that
   voted, erase the slots, rewrite the ballots in random order), then ``codes.counts`` again.

Prints figures; asserts only that the counts are right.
"""

from __future__ import annotations

import argparse
import secrets
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.city import KEY, scratch_database, session, settings_for  # noqa: E402


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default=None)
    parser.add_argument("--codes", type=int, default=20_000)
    parser.add_argument("--budgets", type=int, default=3)
    args = parser.parse_args(argv)

    from sqlalchemy import insert, select

    from pbengine.models import Ballot, Phase, Process, VoterCode
    from pbengine.models.voting import cast_day
    from pbengine.services import budgets, codes, processes, projects, slots, workflow
    from pbengine.services.budgets import BudgetData
    from pbengine.services.processes import ProcessData
    from pbengine.services.projects import ProjectData

    with tempfile.TemporaryDirectory() as folder:
        url, drop = scratch_database(args.database, Path(folder))
        try:
            engine, factory = session(settings_for(url))
            print(f"{engine.dialect.name}: {args.codes:,} codes x {args.budgets} budgets "
                  f"= {args.codes * args.budgets:,} ballots", flush=True)
            with factory() as db, db.begin():
                process = processes.create_process(db, ProcessData(slug="city", title="City", currency="EUR"))
                for b in range(args.budgets):
                    budget = budgets.add_budget(db, process, BudgetData(slug=f"pot{b}", name=f"Pot {b}",
                                                                          amount=10_000_000, ballot_kind="approval"))
                    projects.add_project(db, budget, ProjectData(code="p1", title="One", cost=100_000))
                for phase in (Phase.PROPOSALS, Phase.REVIEW, Phase.VOTING):
                    workflow.move_to(db, process, phase)
                codes.generate(db, KEY, process, args.codes, "letters")
            with factory() as db, db.begin():
                process = db.scalars(select(Process)).one()
                hashes = db.scalars(select(VoterCode.code_hash)).all()
                day = cast_day()
                rows = [{"id": secrets.token_hex(16), "budget_id": budget.id,
                         "slot": slots.slot(KEY, budget.id, code_hash), "receipt_hash": secrets.token_hex(32),
                         "content": {"approvals": ["p1"]}, "channel": "online", "cast_at": day}
                        for budget in process.budgets for code_hash in hashes]
                db.connection().execute(insert(Ballot.__table__), rows)
            with factory() as db, db.begin():
                process = db.scalars(select(Process)).one()
                started = time.perf_counter()
                used = codes.counts(db, process, KEY)["used"]
                print(f"  codes.counts while voting (from the slots)     {time.perf_counter() - started:7.2f} s",
                      flush=True)
                assert used == args.codes, used
            with factory() as db, db.begin():
                process = db.scalars(select(Process)).one()
                started = time.perf_counter()
                workflow.move_to(db, process, Phase.CLOSED, code_key=KEY)
                db.flush()
                print(f"  close: seal, mark voted, erase slots, reorder  {time.perf_counter() - started:7.2f} s",
                      flush=True)
            with factory() as db, db.begin():
                process = db.scalars(select(Process)).one()
                started = time.perf_counter()
                used = codes.counts(db, process, KEY)["used"]
                print(f"  codes.counts after the close (marked)          {time.perf_counter() - started:7.2f} s",
                      flush=True)
                assert used == args.codes, used
                assert db.scalar(select(Ballot.slot).where(Ballot.slot.is_not(None)).limit(1)) is None
            engine.dispose()
        finally:
            drop()
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""``pbengine compute INI PROCESS``: the console's "compute the results", without a web request's time limit.

The console computes the official tally of every budget and compares every rule on the same
ballots in one request, so it stops comparing after :data:`~pbengine.services.tallies.COMPARISON_SECONDS`
(the rows still counting then say "not computed"). On a city-size vote the Equal Shares rows
need longer; this command, run on the server, computes and keeps the same tallies with every row
of the comparison, and the console then shows them.
"""

from __future__ import annotations

import sys
import time

from .counting import print_comparison
from .db import _fail, _settings, process_at, session_scope


def compute(args) -> int:
    """Compute the official tallies of a closed process with the whole comparison (exit 2 on any problem)."""
    from pbengine.formatting import units
    from pbengine.services import tallies
    from pbengine.services.errors import DomainError

    def progress(message: str) -> None:
        print(f"pbengine: {message}", file=sys.stderr, flush=True)

    try:
        settings = _settings(args.ini)
    except FileNotFoundError as error:
        return _fail(str(error))
    started = time.perf_counter()
    try:
        with session_scope(settings) as db:
            process = process_at(db, args.process)
            if process is None:
                return _fail(f"no process with the address {args.process!r}")
            budgets = [b for b in process.budgets if args.budget in (None, b.slug)]
            if not budgets:
                return _fail(f"process {args.process!r} has no budget with the address {args.budget!r}")
            done = []
            for budget in budgets:
                def told(message: str, slug: str = budget.slug) -> None:
                    progress(f"{slug}: {message}")

                tally = tallies.compute_budget(db, budget, actor="command line", comparison_seconds=None,
                                               progress=told)
                done.append((budget.slug, tally.rule, dict(tally.result), list(tally.comparison or []),
                             process.currency))
    except DomainError as error:
        return _fail(f"{args.process}: {str(error).rstrip('.')}; nothing was computed")
    except ValueError as error:  # a configuration the rule cannot run (voting_rules' message)
        return _fail(f"{args.process}: the results could not be computed: {str(error).rstrip('.')}; "
                     "nothing was computed")
    for slug, rule, result, rows, currency in done:
        print(f"budget {slug!r}: {rule}, {len(result['funded'])} projects funded, "
              f"{units(result['spent'], currency, 'en')} spent of {units(result['budget'], currency, 'en')}")
        print_comparison(rows)
    print(f"computed {len(done)} official {'tally' if len(done) == 1 else 'tallies'} of {args.process!r} "
          f"with every rule compared in {time.perf_counter() - started:.1f} s; the console shows them")
    return 0


def register(subparsers) -> None:
    p = subparsers.add_parser("compute", help="compute the official results of a closed process, comparing every "
                              "rule without the console's time limit")
    p.add_argument("ini")
    p.add_argument("process", metavar="PROCESS", help="the process's address (slug)")
    p.add_argument("--budget", metavar="SLUG", help="only this budget (default: every budget of the process)")
    p.set_defaults(func=compute)

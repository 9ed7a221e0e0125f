"""Where one API cast's CPU goes: pbengine's app called in-process (no waitress), cProfile with a CPU clock.

Usage: ``python bench/cast_profile.py [--db sqlite] [--casts 400] [--tree DIR] [--sort cumulative]``.
A fresh database (``tests.stress.harness``), the app with ``DIR``'s production.ini settings (default:
this tree), 50 casts of warm-up, then ``--casts`` profiled ones; prints the CPU per cast, the
statements counted on the engine per cast, and the profile's top 60. Profiled times are about
2.5 times the real CPU: compare them with each other, or with ``--tree`` another source tree's.
"""

from __future__ import annotations

import argparse
import collections
import configparser
import cProfile
import json
import pstats
import secrets
import sys
import tempfile
import time
from pathlib import Path

WARMUP = 50


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="sqlite")
    parser.add_argument("--casts", type=int, default=400)
    parser.add_argument("--tree", type=Path, default=Path(__file__).resolve().parents[1])
    parser.add_argument("--sort", default="cumulative")
    parser.add_argument("--callees", help="also print the callees of the functions matching this pattern")
    args = parser.parse_args()
    sys.path.insert(0, str(args.tree))
    from sqlalchemy import event
    from webob import Request

    from pbengine import main as make_app
    from tests.stress.harness import CODE_KEY, ballot_path, drop_database, new_database, seed

    url = new_database(args.db, Path(tempfile.mkdtemp()))
    try:
        seeded = seed(url, args.casts + WARMUP)
        ini = configparser.ConfigParser(interpolation=None)
        ini.read(args.tree / "production.ini")
        settings = {k: v for k, v in ini["app:main"].items() if k != "use"}
        settings.update({"pbengine.secret": "bench-secret", "pbengine.code_key": CODE_KEY, "sqlalchemy.url": url})
        app = make_app({}, **settings)
        statements: collections.Counter = collections.Counter()
        event.listen(app.registry["dbengine"], "before_cursor_execute",
                     lambda _c, _cur, statement, *_rest: statements.update([statement.split()[0]]))
        path = ballot_path(seeded.slug, "citywide")

        def cast(i: int, code: str) -> None:
            body = json.dumps({"voter_code": code, "approvals": ["p1", "p3"] if i % 2 else ["p2"]}).encode()
            answer = Request.blank(path, method="POST", body=body, environ={"REMOTE_ADDR": "127.0.0.1"}, headers={
                "Content-Type": "application/json", "Idempotency-Key": secrets.token_urlsafe(16)}).get_response(app)
            assert answer.status_int == 201, answer.text

        for i, code in enumerate(seeded.codes[:WARMUP]):
            cast(i, code)
        statements.clear()
        profile = cProfile.Profile(time.process_time)
        start = time.process_time()
        profile.enable()
        for i, code in enumerate(seeded.codes[WARMUP:]):
            cast(i, code)
        profile.disable()
        n = args.casts
        print(f"{args.db}: {n} casts, {(time.process_time() - start) / n * 1000:.2f} ms of CPU per cast (profiled), "
              f"statements per cast: {', '.join(f'{k} {v / n:g}' for k, v in statements.most_common())}")
        stats = pstats.Stats(profile).sort_stats(args.sort)
        stats.print_stats(60)
        if args.callees:
            stats.print_callees(args.callees)
        app.registry["dbengine"].dispose()
    finally:
        drop_database(url)


if __name__ == "__main__":
    main()

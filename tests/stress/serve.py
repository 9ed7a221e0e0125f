"""Serve pbengine with waitress on 127.0.0.1 and a free port; print the port, then serve.

Usage: ``python -m tests.stress.serve DATABASE_URL [THREADS]`` (from the repository root).
Used by the stress tests; the settings are the test ones (rate limits included: only wrong codes
count, so load from one address is never taken for guessing; every API answer validated).
``bench/cast.py`` serves with production.ini's settings instead.
"""

from __future__ import annotations

import sys

from waitress.server import create_server


def main(argv: list[str]) -> None:
    from pbengine import main as make_app
    from tests.conftest import TEST_SETTINGS

    url = argv[0]
    threads = int(argv[1]) if len(argv) > 1 else 8
    # The pool as production.ini sizes it: no connection opened and dropped per request under load.
    settings = dict(TEST_SETTINGS, **{"sqlalchemy.url": url, "retry.attempts": "3",
                                      "sqlalchemy.pool_size": "10", "sqlalchemy.max_overflow": "10"})
    server = create_server(make_app({}, **settings), host="127.0.0.1", port=0, threads=threads,
                           connection_limit=200, channel_timeout=30)
    print(server.effective_port, flush=True)
    server.run()


if __name__ == "__main__":
    main(sys.argv[1:])

"""Apps with their own settings, and real waitress servers for the concurrent tests."""

from __future__ import annotations

import threading

import pytest
from waitress.server import create_server

from tests.helpers import TestApp


@pytest.fixture
def make_app(settings, session_factory):
    """``make_app(**overrides)``: a TestApp on an app with these settings (same database)."""

    def make(remote_addr="198.51.100.7", **overrides):
        from pbengine import main

        return TestApp(main({}, **dict(settings, **overrides)), extra_environ={"REMOTE_ADDR": remote_addr})

    return make


@pytest.fixture
def servers(settings, session_factory):
    """``servers(n)``: n app servers, each with its own engine and waitress, on one database; their URLs."""
    running = []

    def start(n: int) -> list[str]:
        from pbengine import main

        urls = []
        for _ in range(n):
            own = {k: v for k, v in settings.items() if k != "dbengine"}
            app = main({}, **own, **{"sqlalchemy.pool_size": "10"})
            server = create_server(app, host="127.0.0.1", port=0, threads=8)
            thread = threading.Thread(target=server.run, daemon=True)
            thread.start()
            running.append((server, thread, app))
            urls.append(f"http://127.0.0.1:{server.effective_port}")
        return urls

    yield start
    for server, thread, app in running:
        server.close()
        thread.join(timeout=5)
        app.registry["dbengine"].dispose()

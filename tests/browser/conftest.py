"""A live server (waitress, in a thread, on SQLite) and headless Chromium for the browser tests.

Without Chromium these tests are skipped, except under CI (``CI=true``) where that fails the run.

The browser tests use only SQLite: they exercise the pages, not the database.
"""

from __future__ import annotations

import itertools
import os
import threading
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--no-first-run", "--disable-sync"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

# Locally a missing browser skips these tests; under CI (CI=true) each of them fails (see `browser`).
if not os.path.exists(CHROMIUM) and not os.environ.get("CI"):
    pytest.skip(f"{CHROMIUM} is missing (make browser installs it): browser tests skipped",
                allow_module_level=True)
if not os.environ.get("CI"):
    pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")

pytestmark = pytest.mark.browser


@pytest.fixture(scope="session")
def live_engine(tmp_path_factory):
    from pbengine.models import get_engine
    from tests.conftest import upgrade

    url = f"sqlite:///{tmp_path_factory.mktemp('browser') / 'browser.sqlite'}"
    upgrade(url)
    engine = get_engine({"sqlalchemy.url": url})
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def live_data(live_engine):
    from tests.browser.data import build

    return build(live_engine)


@pytest.fixture(scope="session")
def live_server(live_engine, live_data):
    from waitress.server import create_server

    from pbengine import main
    from tests.conftest import TEST_SETTINGS

    settings = dict(TEST_SETTINGS, **{"sqlalchemy.url": str(live_engine.url), "dbengine": live_engine,
                                      "pbengine.code_failures_per_minute": "50"})
    server = create_server(main({}, **settings), host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.effective_port}"
    server.close()


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing under CI (make browser installs it)", pytrace=False)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def nojs_page(browser):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture(scope="session")
def voter_codes(live_data):
    """A fresh voter code for each test that votes."""
    return itertools.chain(live_data["codes"])


@pytest.fixture(scope="session")
def artifacts():
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS

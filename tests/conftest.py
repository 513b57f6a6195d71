"""Fixtures shared by every test folder, and the markers that make the offline subset.

``pytest -m "not lab and not netns and not postgres"`` runs without the lab, root or PostgreSQL;
the markers come from the fixtures a test uses (``tests/markers.py``) or are set in the test module.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Generator

import pytest

# Bytecode caches (``__pycache__``, ignored by git) even where PYTHONDONTWRITEBYTECODE is set:
# without them pytest rewrites every test module's assertions again on each run (about 2 s of CPU)
# and each of the dozens of ``auditor`` processes the suite starts compiles the project's modules
# again (about 0.25 s each). Set KYOJIN_TEST_KEEP_DONTWRITEBYTECODE=1 to leave the setting alone.
if os.environ.get("PYTHONDONTWRITEBYTECODE") and not os.environ.get(
    "KYOJIN_TEST_KEEP_DONTWRITEBYTECODE"
):
    sys.dont_write_bytecode = False
    del os.environ["PYTHONDONTWRITEBYTECODE"]  # for the processes the tests start

from tests import storefiles
from tests.markers import FIXTURE_MARKS, running_has, set_running

# A real PostgreSQL server (store tests and anything else that claims PostgreSQL): tests/postgres.py
from tests.postgres import postgres_database_url, postgres_server_url  # noqa: F401

# One headless Chromium per test process, a fresh browser context per test: tests/report/chromium.py
from tests.report.chromium import chromium_browser  # noqa: F401

# Fresh SQLite stores are copies of one migrated template per process (tests/storefiles.py).
storefiles.install(real_migrations=lambda: running_has("real_migrations"))


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark tests by fixture use before ``-m`` deselects (tryfirst: before the mark plugin)."""
    for item in items:
        names = set(getattr(item, "fixturenames", ()))
        for fixture, markers in FIXTURE_MARKS.items():
            if fixture in names:
                for marker in markers:
                    if item.get_closest_marker(marker) is None:
                        item.add_marker(marker)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(
    item: pytest.Item, nextitem: pytest.Item | None
) -> Generator[None, object, object]:
    """Let :func:`tests.markers.require` see which test is running."""
    set_running(item)
    try:
        return (yield)
    finally:
        set_running(None)

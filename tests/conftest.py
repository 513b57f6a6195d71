"""Fixtures shared by every test folder, and the markers that make the offline subset.

``pytest -m "not lab and not netns and not postgres"`` runs without the lab, root or PostgreSQL;
the markers come from the fixtures a test uses (``tests/markers.py``) or are set in the test module.
"""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Generator
from pathlib import Path

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

# Cyclic GC every 10,000 net allocations instead of 700: a test process holds a large heap (every
# test module, the product, pydantic schemas) that each older-generation pass walks again, and the
# default thresholds spent 5.0 of 32 s of CPU in the collector on tests/{checks,platforms,policy,
# analysis,store,offline} (2.6 s with these; peak RSS unchanged). The collector still runs; tests
# that measure memory call gc.collect() themselves. Set in the test processes only (not the
# product, not the processes the tests start).
gc.set_threshold(10_000, 10, 10)


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


# Files whose tests start real processes (the daemon, ``auditor`` commands killed mid-run) or a
# real Chromium ("@browser": every file marked ``browser``): a few tests, each taking seconds.
# ``-n 2 --dist loadfile`` hands files out in collection order, so these go first, slowest first,
# and the many quick files fill in behind them. Left at the end (where xdist's count-based order
# puts them: they have the fewest tests), one worker would run them alone while the other idles.
FIRST_FILES: tuple[str, ...] = (
    "tests/daemon/test_daemon_notify_restart.py",
    "tests/daemon/",
    "@browser",
    "tests/distributed/test_daemon_distributed.py",
    "tests/store/test_store_crash.py",
    "tests/cli/test_run_interrupted.py",
    "tests/analysis/test_compact_differential.py",
)
_ROOT = Path(__file__).resolve().parent.parent


def _first_rank(item: pytest.Item) -> int:
    """Position of the item's file in :data:`FIRST_FILES` (``len(FIRST_FILES)``: not listed)."""
    if item.get_closest_marker("browser") is not None:
        return FIRST_FILES.index("@browser")
    path = item.path.resolve()
    where = path.relative_to(_ROOT).as_posix() if path.is_relative_to(_ROOT) else ""
    return next(
        (rank for rank, prefix in enumerate(FIRST_FILES) if where.startswith(prefix)),
        len(FIRST_FILES),
    )


class _FirstFilesFirst:
    """Put the files of :data:`FIRST_FILES` first, each file kept whole and in its own order.

    A stable sort of what every worker collected identically, so all workers agree on the order
    (xdist requires it); trylast: after the marking above and ``-m`` deselection. Left out when
    ``--failed-first``/``--new-first`` asked for an order of their own.
    """

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(
        self, config: pytest.Config, items: list[pytest.Item]
    ) -> None:
        if getattr(config.option, "failedfirst", False) or getattr(
            config.option, "newfirst", False
        ):
            return
        ranks: dict[Path, int] = {}
        for item in items:  # a file's rank is its first test's (one marked file is one unit)
            ranks.setdefault(item.path, _first_rank(item))
        items.sort(key=lambda item: ranks[item.path])


def pytest_configure(config: pytest.Config) -> None:
    """Order files heavy-first and keep that order under ``--dist loadfile``.

    pytest-xdist (3.6+) would otherwise reorder files by their number of tests, which puts the
    slow few-test files last (``--no-loadscope-reorder`` says the same on the command line).
    """
    config.pluginmanager.register(_FirstFilesFirst(), "kyojin-first-files")
    if getattr(config.option, "loadscopereorder", None) is not None:
        config.option.loadscopereorder = False


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

"""Markers that say what a test needs beyond this process, and a guard that keeps them honest.

``tests/conftest.py`` marks a test from the fixtures it uses (``FIXTURE_MARKS``). Helpers that start
something themselves (an SNMP agent, the emulated SSH devices, Chromium) or read
``../shared/realdata`` call :func:`require`, so a test that uses them without its marker fails with
a message instead of silently slowing down or breaking the offline subset.
"""

from __future__ import annotations

import pytest

# Fixture name -> markers of every test that uses it (directly or through another fixture).
FIXTURE_MARKS: dict[str, tuple[str, ...]] = {
    # The example city lab (snmpsim agents, fakenos SSH CLIs): tests/lab, tests/daemon conftests.
    "running_lab": ("lab",),
    "daemon_lab": ("lab",),
    # Single agents started for the collector tests (tests/collect).
    "snmpd": ("lab",),
    "snmpsim_lab": ("lab",),
    "fakenos_lab": ("lab",),
    "snmpsim_recordings": ("lab", "realdata"),
    "snmpsim_fidelity": ("lab",),
    # The PostgreSQL test server (tests/postgres.py).
    "postgres_server_url": ("postgres",),
    "postgres_database_url": ("postgres",),
    # Distributed collection (tests/distributed/conftest.py): Redis, Celery workers, a scaled lab.
    "redis_server": ("celery",),
    "celery_cluster": ("celery", "postgres", "lab"),
    "scaled_lab": ("lab",),
    # RabbitMQ as the broker (tests/distributed/test_rabbitmq.py).
    "rabbitmq_server": ("celery",),
    "rabbitmq_cluster": ("celery", "postgres", "lab"),
    "tier_lab": ("lab",),
    "tier_cluster": ("celery", "postgres", "lab"),
    "fresh_tier_cluster": ("celery", "postgres", "lab"),
    # Network namespaces (root).
    "netns_lab": ("netns",),
    # Headless Chromium (tests/report/chromium.py).
    "chromium_browser": ("browser",),
}

_running: pytest.Item | None = None


def set_running(item: pytest.Item | None) -> None:
    """Called by tests/conftest.py around each test (setup, call and teardown)."""
    global _running
    _running = item


def running_has(marker: str) -> bool:
    """Whether the running test carries ``marker`` (False outside a test)."""
    item = _running
    return item is not None and item.get_closest_marker(marker) is not None


def require(marker: str, what: str) -> None:
    """Fail the running test unless it carries ``marker``; a no-op outside a test (collection)."""
    item = _running
    if item is not None and item.get_closest_marker(marker) is None:
        pytest.fail(
            f"{item.nodeid} uses {what} but is not marked {marker!r}: add "
            f"`pytestmark = pytest.mark.{marker}` (or @pytest.mark.{marker}), or list its fixture "
            "in tests/markers.py FIXTURE_MARKS",
            pytrace=False,
        )

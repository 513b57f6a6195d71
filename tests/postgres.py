"""A real PostgreSQL server for the tests, started by ``scripts/postgres-test-server.sh``.

``postgres_server_url`` (session): ``$KYOJIN_PG_URL`` when set, otherwise a throwaway server on a
free loopback port that is stopped (and its directory deleted) at the end of the session. When the
server cannot start the tests that need it are skipped, except under ``CI=true`` where that is a
failure. ``fresh_postgres_database`` / ``fresh_postgres_schema`` give a test its own database or
schema, dropped afterwards.
"""

from __future__ import annotations

import os
import socket
import subprocess
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.markers import require

SERVER_SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "postgres-test-server.sh"


def _free_loopback_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _unavailable(message: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def postgres_server_url() -> Iterator[str]:
    require("postgres", "the PostgreSQL test server")
    given = os.environ.get("KYOJIN_PG_URL")
    if given:
        yield given
        return
    port = _free_loopback_port()
    env = {
        **os.environ,
        "KYOJIN_PG_PORT": str(port),
        "KYOJIN_PG_DIR": f"/tmp/kyojin-pg-{port}-{os.getpid()}",
    }
    try:
        started = subprocess.run(
            [str(SERVER_SCRIPT), "start"], env=env, capture_output=True, text=True, timeout=300
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        _unavailable(f"PostgreSQL test server did not start: {exc}")
    if started.returncode != 0:
        subprocess.run([str(SERVER_SCRIPT), "stop"], env=env, capture_output=True, timeout=60)
        _unavailable(f"PostgreSQL test server did not start: {started.stderr.strip()[-2000:]}")
    try:
        yield started.stdout.strip().splitlines()[-1]
    finally:
        subprocess.run([str(SERVER_SCRIPT), "stop"], env=env, capture_output=True, timeout=60)


@contextmanager
def fresh_postgres_database(server_url: str) -> Iterator[str]:
    """A new, empty database on the test server; dropped (even with open connections) afterwards."""
    name = f"t_{uuid.uuid4().hex[:16]}"
    admin = create_engine(
        make_url(server_url).set(database="postgres"), isolation_level="AUTOCOMMIT"
    )
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


@contextmanager
def fresh_postgres_schema(server_url: str) -> Iterator[str]:
    """A new, empty schema (first on the search path of the returned URL); dropped afterwards.

    Cheaper than a database (milliseconds instead of a file copy), so per-test isolation stays fast.
    """
    name = f"t_{uuid.uuid4().hex[:16]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE SCHEMA "{name}"'))
        try:
            url = make_url(server_url).update_query_dict({"options": f"-csearch_path={name}"})
            yield url.render_as_string(hide_password=False)
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
    finally:
        admin.dispose()


@pytest.fixture
def postgres_database_url(postgres_server_url: str) -> Iterator[str]:
    with fresh_postgres_database(postgres_server_url) as url:
        yield url

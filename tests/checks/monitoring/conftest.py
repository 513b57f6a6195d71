"""The real store the monitoring tests record their runs in: SQLite, and PostgreSQL when marked."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from auditor.store import Store
from tests.postgres import fresh_postgres_schema


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """An upgraded, empty store per test; each test runs once per database."""
    if request.param == "sqlite":
        with Store(f"sqlite:///{tmp_path / 'auditor.db'}") as opened:
            opened.upgrade()
            yield opened
        return
    server_url = request.getfixturevalue("postgres_server_url")
    with fresh_postgres_schema(server_url) as url, Store(url) as opened:
        opened.upgrade()
        yield opened

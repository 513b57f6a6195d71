"""A real SQLite store populated through the Store API, shared by the report tests of a module."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from auditor.store import Store
from tests.report.city import City, populate


@pytest.fixture(scope="module")
def stored_city(tmp_path_factory: pytest.TempPathFactory) -> Iterator[City]:
    path: Path = tmp_path_factory.mktemp("report-store") / "auditor.db"
    with Store(f"sqlite:///{path}") as store:
        store.upgrade()
        yield populate(store)

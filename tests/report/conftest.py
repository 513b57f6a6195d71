"""A real SQLite store populated through the Store API, shared by the report tests of a module."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest

from auditor.store import Store
from tests.report.city import City, populate
from tests.storefiles import prepared_copy


@pytest.fixture(scope="module")
def stored_city(tmp_path_factory: pytest.TempPathFactory) -> Iterator[City]:
    """Each module its own store: a copy of the city populated once per process."""
    path: Path = tmp_path_factory.mktemp("report-store") / "auditor.db"
    recorded = prepared_copy("report-city", populate, path)
    with Store(f"sqlite:///{path}") as store:
        store.upgrade()
        yield dataclasses.replace(
            recorded,
            store=store,
            policy=recorded.policy.model_copy(deep=True),
            run_ids=list(recorded.run_ids),
        )

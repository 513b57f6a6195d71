"""The schema comes from Alembic only, matches the models, and ships inside the package."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from auditor.store import SchemaNotCurrent, Store, upgrade
from auditor.store.migrate import head_revision
from auditor.store.models import Base
from auditor.store.url import sqlite_path

TABLES = {
    "alembic_version",
    "collection_errors",
    "devices",
    "event_chain",
    "evidence",
    "finding_events",
    "findings",
    "notification_outbox",
    "run_evidence",
    "run_matrices",
    "run_results",
    "runs",
    "snapshots",
}


def test_upgrade_creates_every_table_and_is_repeatable(store_url: str) -> None:
    upgrade(store_url)
    upgrade(store_url)
    with Store(store_url) as store:
        assert store.schema_is_current()
        assert set(inspect(store.engine).get_table_names()) == TABLES


def test_the_migrations_match_the_models(store: Store) -> None:
    with store.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == []


def test_a_new_database_is_not_current_until_upgraded(store_url: str) -> None:
    path = sqlite_path(store_url)
    if path is not None:
        path.parent.mkdir(parents=True)
    with Store(store_url) as store:
        assert not store.schema_is_current()
    assert head_revision() == "0014_tenants"


def test_using_a_store_that_was_never_upgraded_says_to_run_db_upgrade(store_url: str) -> None:
    path = sqlite_path(store_url)
    if path is not None:
        path.parent.mkdir(parents=True)
    with Store(store_url) as store, pytest.raises(SchemaNotCurrent, match="auditor db upgrade"):
        store.list_runs()

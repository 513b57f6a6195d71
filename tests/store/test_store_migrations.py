"""The schema comes from Alembic only, matches the models, and ships inside the package."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from auditor.store import SchemaNotCurrent, Store, migrate, upgrade
from auditor.store.engine import make_engine
from auditor.store.migrate import head_revision
from auditor.store.models import Base
from auditor.store.url import sqlite_path
from tests.store.helpers import day, finding, run_once

# Every fresh store here runs the Alembic chain itself (not the template copy, tests/storefiles.py).
pytestmark = pytest.mark.real_migrations

TABLES = {
    "alembic_version",
    "chain_checkpoint",
    "collection_errors",
    "device_collections",
    "devices",
    "event_chain",
    "evidence",
    "finding_events",
    "findings",
    "imported_bundles",
    "notification_outbox",
    "run_evidence",
    "result_set_rows",
    "result_sets",
    "run_matrices",
    "run_result_sets",
    "runs",
    "snapshots",
    "web_sessions",
    "web_users",
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
    assert head_revision() == "0016_result_sets"


def test_the_head_read_from_the_version_files_is_alembics(tmp_path: Path) -> None:
    """The start-up check reads the head without Alembic; it must be the head Alembic migrates
    to, and a store at head is left alone while an older one is still migrated."""
    assert migrate._head_from_version_files() == migrate.alembic_head_revision()
    url = f"sqlite:///{tmp_path / 'auditor.db'}"
    upgrade(url, "0015_tenants")
    engine = make_engine(url)
    try:
        assert migrate.current_revision(engine) == "0015_tenants"
        migrate.upgrade_engine(engine)
        assert migrate.current_revision(engine) == migrate.alembic_head_revision()
        with engine.connect() as connection:
            assert "result_sets" in inspect(connection).get_table_names()
        migrate.upgrade_engine(engine)  # at head: nothing to do, nothing changed
        assert migrate.current_revision(engine) == migrate.alembic_head_revision()
    finally:
        engine.dispose()


def test_using_a_store_that_was_never_upgraded_says_to_run_db_upgrade(store_url: str) -> None:
    path = sqlite_path(store_url)
    if path is not None:
        path.parent.mkdir(parents=True)
    with Store(store_url) as store, pytest.raises(SchemaNotCurrent, match="auditor db upgrade"):
        store.list_runs()


PRE_TENANT_DUMP = Path(__file__).parent / "data" / "pre_tenants_0011.sql"
PRE_TENANT_HEAD = "ba89c7c85662b45ca372e7be6560fd13cf0ab8b5052eaf917f4e420475df8483"


def test_a_store_from_before_tenants_upgrades_into_the_default_tenant(tmp_path: Path) -> None:
    """A real store written by the release before tenants (0011, dumped as SQL): after the upgrade its
    rows are the ``default`` city's, its chain verifies with the same head, and a second city
    can be audited into it without touching the first."""
    database = tmp_path / "auditor.db"
    connection = sqlite3.connect(database)
    connection.executescript(PRE_TENANT_DUMP.read_text(encoding="utf-8"))
    connection.close()
    url = f"sqlite:///{database}"
    with Store(url) as store:
        assert not store.schema_is_current()
        store.upgrade()
        assert store.schema_is_current()
        result = store.verify()
        assert result.ok, result
        assert (result.head_hash, result.events_checked) == (PRE_TENANT_HEAD, 8)
        statuses = sorted(f.status.value for f in store.list_findings())
        assert statuses == ["new", "resolved", "suppressed"]
        assert len(store.manual_exceptions()) == 1
        assert store.latest_snapshots().keys() == {"core-sw1"}
        with store.engine.connect() as raw:
            tenants = raw.execute(text("SELECT DISTINCT tenant FROM finding_events")).all()
            assert tenants == [("default",)]
        with store.for_tenant("second-city") as second:
            run_once(second, [finding("HRD-001", "core-sw1", "line vty 0 4")], at=day(3))
            assert second.verify().ok and second.verify().events_checked == 2
        assert store.verify().head_hash == PRE_TENANT_HEAD
        run_once(store, [finding("HRD-001", "core-sw1", "line vty 0 4")], at=day(4))
        assert store.verify().ok

"""Fresh SQLite stores copied from the per-process template equal stores migrated from empty."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from auditor.store import Store, upgrade


def _lines(sql: str | None) -> list[str]:
    """A statement's lines in order of text: SQLite batch rebuilds by Alembic write a table's
    foreign keys in an order that differs between two migrations of the same chain."""
    return sorted(line.strip().rstrip(",").strip() for line in (sql or "").splitlines())


def _dump(
    path: Path,
) -> tuple[list[tuple[str, str, list[str]]], dict[str, list[tuple[object, ...]]]]:
    """Schema (every table, index and trigger) and every row of every table."""
    with sqlite3.connect(path) as connection:
        schema = [
            (kind, name, _lines(sql))
            for kind, name, sql in connection.execute(
                "SELECT type, name, sql FROM sqlite_master ORDER BY type, name"
            )
        ]
        rows = {
            name: sorted(connection.execute(f'SELECT * FROM "{name}"').fetchall(), key=repr)
            for kind, name, _ in schema
            if kind == "table"
        }
    return schema, rows


def test_a_template_copy_equals_a_store_migrated_from_empty(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KYOJIN_TEST_REAL_MIGRATIONS", "1")
    upgrade(f"sqlite:///{tmp_path / 'migrated.db'}")
    monkeypatch.delenv("KYOJIN_TEST_REAL_MIGRATIONS")
    with Store(f"sqlite:///{tmp_path / 'new' / 'copied.db'}") as store:
        store.upgrade()  # the parent folder is created, as by the real upgrade
        assert store.schema_is_current()
    migrated, copied = _dump(tmp_path / "migrated.db"), _dump(tmp_path / "new" / "copied.db")
    assert len(migrated[0]) > 20 and "alembic_version" in migrated[1]
    assert copied[0] == migrated[0]
    assert copied[1] == migrated[1]


def test_a_store_that_already_has_tables_is_never_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE notes (body TEXT)")
        connection.execute("INSERT INTO notes VALUES ('kept')")
    with Store(f"sqlite:///{path}") as store:
        store.upgrade()
    with sqlite3.connect(path) as connection:
        assert connection.execute("SELECT body FROM notes").fetchall() == [("kept",)]
        assert connection.execute("SELECT count(*) FROM runs").fetchone() == (0,)

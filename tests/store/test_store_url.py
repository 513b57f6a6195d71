"""Where the database is: --db, then AUDITOR_DB_URL, then the state directory."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from auditor.store import Store, resolve_db_url


def test_the_command_line_wins_over_the_environment() -> None:
    url = resolve_db_url("postgresql+psycopg://a@h/db", {"AUDITOR_DB_URL": "sqlite:////x.db"})
    assert url == "postgresql+psycopg://a@h/db"


def test_the_environment_wins_over_the_default() -> None:
    assert resolve_db_url(None, {"AUDITOR_DB_URL": "sqlite:////srv/a.db"}) == "sqlite:////srv/a.db"


def test_the_default_is_the_state_directory() -> None:
    assert resolve_db_url(None, {}) == "sqlite:////var/lib/auditor/auditor.db"
    systemd = {"STATE_DIRECTORY": "/var/lib/auditor-city:/var/lib/other"}
    assert resolve_db_url(None, systemd) == "sqlite:////var/lib/auditor-city/auditor.db"


def test_a_plain_path_means_a_sqlite_file(tmp_path: Path) -> None:
    assert resolve_db_url(str(tmp_path / "a.db"), {}) == f"sqlite:///{tmp_path / 'a.db'}"


def test_plain_postgresql_urls_use_psycopg_3() -> None:
    assert resolve_db_url("postgres://u@h:5432/d", {}) == "postgresql+psycopg://u@h:5432/d"


def test_sqlite_files_run_in_wal_mode_with_foreign_keys(tmp_path: Path) -> None:
    with Store(resolve_db_url(str(tmp_path / "state" / "auditor.db"), {})) as store:
        store.upgrade()
        with store.engine.connect() as connection:
            pragmas = {
                name: connection.execute(text(f"PRAGMA {name}")).scalar()
                for name in ("journal_mode", "synchronous", "foreign_keys", "busy_timeout")
            }
    assert pragmas == {
        "journal_mode": "wal",
        "synchronous": 2,
        "foreign_keys": 1,
        "busy_timeout": 15000,
    }


def test_a_store_opens_a_plain_file_path(tmp_path: Path) -> None:
    with Store(str(tmp_path / "plain.db")) as store:
        store.upgrade()
        assert store.url == f"sqlite:///{tmp_path / 'plain.db'}"
        assert (tmp_path / "plain.db").exists()

"""Alembic, driven from code: the migrations ship inside the package, no alembic.ini is read."""

from __future__ import annotations

from importlib.resources import as_file, files

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection, Engine

from auditor.store.engine import WRITE_OPTION, make_engine, unavailable_on_connection_errors
from auditor.store.url import sqlite_path


def _config() -> Config:
    config = Config()
    location = files("auditor.store") / "migrations"
    with as_file(location) as path:  # a real directory for a normal (non-zip) install
        config.set_main_option("script_location", str(path))
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    with unavailable_on_connection_errors(engine), engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade_engine(engine: Engine, revision: str = "head") -> None:
    """Migrate the database behind ``engine`` to ``revision`` in one transaction."""
    path = sqlite_path(engine.url.render_as_string(hide_password=False))
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    config = _config()
    with unavailable_on_connection_errors(engine), engine.connect() as connection:
        connection.execution_options(**{WRITE_OPTION: True})
        sqlite = connection.dialect.name == "sqlite"
        # SQLite rebuilds a table to change its keys; with foreign keys enforced, dropping a
        # referenced table counts violations that re-creating it does not undo. So they are off
        # for the migration (the pragma only works outside a transaction) and every reference is
        # checked before the commit instead.
        if sqlite:
            _sqlite_foreign_keys(connection, enabled=False)
        try:
            with connection.begin():
                config.attributes["connection"] = connection
                command.upgrade(config, revision)
                if sqlite:
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
                    if broken:
                        raise RuntimeError(f"migration left broken references: {broken[:5]}")
        finally:
            if sqlite:
                _sqlite_foreign_keys(connection, enabled=True)


def _sqlite_foreign_keys(connection: Connection, *, enabled: bool) -> None:
    dbapi = connection.connection.driver_connection
    assert dbapi is not None
    dbapi.execute(f"PRAGMA foreign_keys = {'ON' if enabled else 'OFF'}")


def upgrade(url: str, revision: str = "head") -> None:
    """Create or migrate the store at ``url`` to the newest schema."""
    engine = make_engine(url)
    try:
        upgrade_engine(engine, revision)
    finally:
        engine.dispose()

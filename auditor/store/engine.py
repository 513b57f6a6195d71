"""Engine construction and the error translation every store transaction goes through.

SQLite: WAL so that readers (the CLI, reports) never block the daemon's writer; ``synchronous=FULL``
because a finished audit run is evidence and must survive a power cut, not only a crash, and the
store commits a handful of large transactions per run, so one extra fsync per commit costs nothing
measurable; ``foreign_keys=ON``; ``busy_timeout`` so that two writers wait rather than fail at once.
The driver's own transaction handling is switched off and the store issues ``BEGIN IMMEDIATE`` for
writes: a deferred transaction that later upgrades to a write lock cannot be retried by SQLite and
fails with "database is locked" without waiting.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from auditor.store.errors import SchemaNotCurrent, StoreUnavailable

WRITE_OPTION = "kyojin_write"
"""Connection execution option that makes SQLite take the write lock at BEGIN."""

DEFAULT_BUSY_TIMEOUT_MS = 15_000


def make_engine(url: str, *, busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS) -> Engine:
    """An Engine for ``url``; connects lazily (nothing touches the database here)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(parsed)
        _configure_sqlite(engine, busy_timeout_ms)
        return engine
    return create_engine(
        parsed,
        pool_pre_ping=True,
        connect_args={"connect_timeout": max(1, busy_timeout_ms // 1000)},
    )


def _configure_sqlite(engine: Engine, busy_timeout_ms: int) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # the "begin" hook below issues BEGIN
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = FULL")
            cursor.execute("PRAGMA foreign_keys = ON")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        if connection.get_execution_options().get(WRITE_OPTION):
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            connection.exec_driver_sql("BEGIN")


_MISSING_SCHEMA_SQLSTATES = frozenset({"42P01", "42703"})  # undefined table / column
_MISSING_SCHEMA_SQLITE = ("no such table", "no such column", "has no column named")


@contextmanager
def unavailable_on_connection_errors(engine: Engine) -> Iterator[None]:
    """Turn "locked", "busy" and "connection lost" into :class:`StoreUnavailable`.

    A missing table is not a passing condition worth retrying: it becomes
    :class:`SchemaNotCurrent` so the operator is told to run ``auditor db upgrade``.
    """
    try:
        yield
    except DBAPIError as exc:
        if _is_missing_schema(exc):
            raise SchemaNotCurrent(
                f"{_describe(engine, exc)}; run `auditor db upgrade` to create or migrate it"
            ) from exc
        if isinstance(exc, OperationalError | InterfaceError) or exc.connection_invalidated:
            raise StoreUnavailable(_describe(engine, exc)) from exc
        raise


def _is_missing_schema(exc: DBAPIError) -> bool:
    if getattr(exc.orig, "sqlstate", None) in _MISSING_SCHEMA_SQLSTATES:
        return True
    message = str(exc.orig).lower()
    return _is_sqlite_error(exc) and any(text in message for text in _MISSING_SCHEMA_SQLITE)


def _is_sqlite_error(exc: DBAPIError) -> bool:
    return type(exc.orig).__module__.startswith("sqlite3")


def _describe(engine: Engine, exc: DBAPIError) -> str:
    where = engine.url.render_as_string(hide_password=True)
    reason = str(exc.orig).strip().splitlines()[0] if exc.orig is not None else type(exc).__name__
    return f"findings store unavailable ({where}): {reason}"

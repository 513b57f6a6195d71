"""Fresh SQLite stores from a template: the Alembic chain runs once per test process, not per test.

(:func:`prepared_copy` does the same for a store with content: recorded once, copied per test.)

Migrating an empty SQLite file to head costs about 0.13 s of CPU (ten migrations, several of them
rebuilding tables in batch mode); the offline subset creates a few hundred fresh stores. So
:func:`install` wraps ``upgrade_engine`` (the one function every upgrade path of the product reaches:
``Store.upgrade``, ``migrate.upgrade``, the CLI's ``--db`` stores, the daemon): when it is asked for
head on a file-backed SQLite database that holds no table yet, the database is first filled with a
page-for-page copy (SQLite's backup API) of a template that the real ``upgrade_engine`` migrated
from empty in this process. The real ``upgrade_engine`` then still runs on it and finds it at head
(its cheap revision check, as for any store opened a second time), so nothing is migrated twice.

The migrations themselves stay tested: the template is built by them, and tests marked
``real_migrations`` (tests/store/test_store_migrations.py) or run with
``KYOJIN_TEST_REAL_MIGRATIONS=1`` migrate every fresh file for real. PostgreSQL, in-memory SQLite,
a non-empty database and any other revision always take the real path.
"""

from __future__ import annotations

import atexit
import os
import shutil
import sqlite3
import tempfile
from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from typing import TypeVar, cast

from sqlalchemy.engine import Engine

import auditor.store.migrate as migrate
import auditor.store.repository as repository
from auditor.store import Store
from auditor.store.engine import make_engine
from auditor.store.url import sqlite_path

UpgradeEngine = Callable[..., None]
T = TypeVar("T")

_original: UpgradeEngine | None = None
_template: sqlite3.Connection | None = None
_real_migrations: Callable[[], bool] = lambda: False  # noqa: E731  (set by install)


def _template_connection(original: UpgradeEngine) -> sqlite3.Connection:
    """The migrated template of this process (built on first use by the real migrations)."""
    global _template
    if _template is None:
        folder = Path(tempfile.mkdtemp(prefix="kyojin-store-template-"))
        atexit.register(shutil.rmtree, folder, True)
        path = folder / "auditor.db"
        engine = make_engine(f"sqlite:///{path}")
        try:
            original(engine)
        finally:
            engine.dispose()  # the last connection checkpoints the WAL into the file
        _template = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
    return _template


def _is_empty(dbapi: sqlite3.Connection) -> bool:
    return int(dbapi.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]) == 0


def _upgrade_engine(engine: Engine, revision: str = "head") -> None:
    original = _original
    assert original is not None
    if revision == "head" and not _real_migrations():
        path = sqlite_path(engine.url.render_as_string(hide_password=False))
        if path is not None:
            _fill_from_template(engine, path, original)
    original(engine, revision)


def _fill_from_template(engine: Engine, path: Path, original: UpgradeEngine) -> None:
    """Copy the template into the database behind ``engine`` if it has no table yet.

    Anything unexpected (a directory that cannot be created, a file that is not a database) is left
    to the real upgrade, which reports it the way the product does.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with engine.connect() as connection:
            dbapi = connection.connection.driver_connection
            assert isinstance(dbapi, sqlite3.Connection)
            if _is_empty(dbapi):
                _template_connection(original).backup(dbapi)
    except Exception:  # the real upgrade below decides what the error is
        return


def install(real_migrations: Callable[[], bool]) -> None:
    """Route fresh SQLite upgrades through the template (once per process; idempotent)."""
    global _original, _real_migrations
    _real_migrations = lambda: bool(  # noqa: E731
        os.environ.get("KYOJIN_TEST_REAL_MIGRATIONS") or real_migrations()
    )
    if _original is not None:
        return
    _original = migrate.upgrade_engine
    # Store.upgrade() imported it by name; migrate.upgrade() looks it up at call time.
    assert getattr(repository, "upgrade_engine") is _original, "Store.upgrade moved"  # noqa: B009
    setattr(repository, "upgrade_engine", _upgrade_engine)  # noqa: B010
    migrate.upgrade_engine = _upgrade_engine


_prepared: dict[object, tuple[Path, object]] = {}


def prepared_copy(key: object, build: Callable[[Store], T], path: Path) -> T:
    """Put at ``path`` a SQLite store holding what ``build`` records, built once per process.

    For inputs many tests only read or each change in their own copy (the example city audited at
    a fixed time): the first call records into a private file, every call copies that file. The
    value ``build`` returns is shared by every caller, so it must be one they do not change.
    """
    if key not in _prepared:
        folder = Path(tempfile.mkdtemp(prefix="kyojin-store-prepared-"))
        atexit.register(shutil.rmtree, folder, True)
        source = folder / "auditor.db"
        with Store(f"sqlite:///{source}") as store:
            store.upgrade()
            _prepared[key] = (source, build(store))
    source, value = _prepared[key]
    path.parent.mkdir(parents=True, exist_ok=True)
    with (
        closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True)) as copy_from,
        closing(sqlite3.connect(path)) as copy_to,
    ):
        copy_from.backup(copy_to)
    return cast(T, value)

"""Alembic, driven from code: the migrations ship inside the package, no alembic.ini is read.

Alembic (with Mako and every SQL dialect it knows) costs about 0.2 s of CPU to import, and a
store that is already at the newest revision needs none of it: :func:`upgrade_engine` reads the
stored revision with a plain query and compares it with the head read from the version files'
``revision``/``down_revision`` lines. Alembic is imported only when there is something to migrate
(or the version files are not a plain chain the cheap reading understands).
"""

from __future__ import annotations

import re
from importlib.resources import as_file, files
from typing import TYPE_CHECKING

from sqlalchemy import column, inspect, select, table
from sqlalchemy.engine import Connection, Engine

from auditor.store.engine import WRITE_OPTION, make_engine, unavailable_on_connection_errors
from auditor.store.url import sqlite_path

if TYPE_CHECKING:
    from alembic.config import Config

_VERSION_TABLE = table("alembic_version", column("version_num"))
_ASSIGNMENT = re.compile(
    r"^(revision|down_revision)\s*(?::[^=\n]*)?=\s*(None|\"([^\"\n]+)\"|'([^'\n]+)')\s*$",
    re.MULTILINE,
)
_head_cache: list[str | None] = []


def _config() -> Config:
    from alembic.config import Config

    config = Config()
    location = files("auditor.store") / "migrations"
    with as_file(location) as path:  # a real directory for a normal (non-zip) install
        config.set_main_option("script_location", str(path))
    return config


def _head_from_version_files() -> str | None:
    """The head of the chain read from the version files without importing Alembic.

    ``None`` when the files are anything but a plain chain of single parents with one head
    (a merge, a branch, an unreadable file): the caller then asks Alembic.
    """
    revisions: set[str] = set()
    parents: set[str] = set()
    with as_file(files("auditor.store") / "migrations" / "versions") as folder:
        for path in sorted(folder.glob("*.py")):
            if path.name == "__init__.py":
                continue
            found: dict[str, str | None] = {}
            for match in _ASSIGNMENT.finditer(path.read_text(encoding="utf-8")):
                found.setdefault(match.group(1), match.group(3) or match.group(4))
            if "revision" not in found or "down_revision" not in found:
                return None
            revision, parent = found["revision"], found["down_revision"]
            if revision is None or revision in revisions:
                return None
            revisions.add(revision)
            if parent is not None:
                parents.add(parent)
    heads = revisions - parents
    if len(heads) != 1 or not parents <= revisions:
        return None
    return heads.pop()


def _cheap_head() -> str | None:
    """:func:`_head_from_version_files`, read once per process (the files ship with the code)."""
    if not _head_cache:
        _head_cache.append(_head_from_version_files())
    return _head_cache[0]


def alembic_head_revision() -> str:
    """The head as Alembic computes it from the scripts (what :func:`head_revision` must equal)."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None
    return head


def head_revision() -> str:
    return _cheap_head() or alembic_head_revision()


def _stored_revision(connection: Connection) -> str | None:
    """The revision in ``alembic_version`` (``None`` for a database without one)."""
    if not inspect(connection).has_table("alembic_version"):
        return None
    versions = [row[0] for row in connection.execute(select(_VERSION_TABLE.c.version_num))]
    return versions[0] if len(versions) == 1 else None


def current_revision(engine: Engine) -> str | None:
    with unavailable_on_connection_errors(engine), engine.connect() as connection:
        return _stored_revision(connection)


def upgrade_engine(engine: Engine, revision: str = "head") -> None:
    """Migrate the database behind ``engine`` to ``revision`` in one transaction.

    A database already at head is left as it is without loading Alembic (the daemon and every
    command open their store this way at start).
    """
    path = sqlite_path(engine.url.render_as_string(hide_password=False))
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    if revision == "head":
        head = _cheap_head()
        if head is not None and current_revision(engine) == head:
            return
    from alembic import command

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

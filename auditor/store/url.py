"""Where the store lives: ``--db``, then ``AUDITOR_DB_URL``, then the state directory's SQLite file."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from sqlalchemy.engine import make_url

DEFAULT_STATE_DIR = Path("/var/lib/auditor")
DB_FILE_NAME = "auditor.db"


def state_dir(environ: Mapping[str, str]) -> Path:
    """systemd's ``$STATE_DIRECTORY`` (first entry if several), else ``/var/lib/auditor``."""
    value = environ.get("STATE_DIRECTORY", "").split(":")[0].strip()
    return Path(value) if value else DEFAULT_STATE_DIR


def resolve_db_url(cli_value: str | None, environ: Mapping[str, str]) -> str:
    """The SQLAlchemy URL to open; a plain file path means a SQLite file at that path."""
    for candidate in (cli_value, environ.get("AUDITOR_DB_URL")):
        if candidate and candidate.strip():
            return normalize_db_url(candidate.strip())
    return sqlite_url(state_dir(environ) / DB_FILE_NAME)


def normalize_db_url(value: str) -> str:
    """Accept file paths and ``postgres(ql)://`` URLs; pin PostgreSQL to the psycopg 3 driver."""
    if "://" not in value:
        return sqlite_url(Path(value))
    scheme, _, rest = value.partition("://")
    if scheme in {"postgres", "postgresql"}:
        value = f"postgresql+psycopg://{rest}"
    make_url(value)  # raises ArgumentError on a malformed URL, before anything connects
    return value


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path.expanduser().resolve()}"


def sqlite_path(url: str) -> Path | None:
    """The file behind a SQLite URL, or None for other databases and in-memory SQLite."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        return None
    if parsed.database == ":memory:" or parsed.database.startswith("file:"):
        return None
    return Path(parsed.database)

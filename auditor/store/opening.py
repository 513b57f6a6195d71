"""Open the store the way every command does: resolve the URL, create the folder, migrate."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Mapping

from sqlalchemy.engine import make_url

from auditor.store.errors import StoreUnavailable
from auditor.store.repository import Store
from auditor.store.tenancy import DEFAULT_TENANT
from auditor.store.url import resolve_db_url, sqlite_path


def open_store(
    db: str | None, environ: Mapping[str, str] | None = None, *, tenant: str = DEFAULT_TENANT
) -> Store:
    """``--db`` / ``AUDITOR_DB_URL`` / the state directory's SQLite file, upgraded to head, for
    ``tenant`` (the CLI resolves it: :func:`auditor.cli.options.tenant`)."""
    env = dict(os.environ if environ is None else environ)
    if env.get("AUDITOR_STATE_DIR") and not env.get("STATE_DIRECTORY"):
        env["STATE_DIRECTORY"] = env["AUDITOR_STATE_DIR"]
    url = resolve_db_url(db, env)
    path = sqlite_path(url)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    store = Store(url, tenant=tenant)
    store.upgrade()
    # A run whose process is gone (killed, crashed) is closed as incomplete here, so `auditor
    # status` and the next run never show a ghost. A read-only database just keeps it.
    with contextlib.suppress(StoreUnavailable):
        store.close_ghost_runs()
    return store


def display_url(url: str) -> str:
    """The URL without its password, for messages and status output."""
    return make_url(url).render_as_string(hide_password=True)

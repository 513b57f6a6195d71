"""Alembic environment: uses the connection handed over by ``auditor.store.migrate``.

Run by hand (developers only) with ``alembic -c auditor/store/migrations/alembic.ini ...`` and
``-x url=sqlite:///path`` to point at a database.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from auditor.store.engine import WRITE_OPTION, make_engine
from auditor.store.models import Base


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    given = context.config.attributes.get("connection")
    if isinstance(given, Connection):
        _run(given)
        return
    url = context.get_x_argument(as_dictionary=True).get("url") or context.config.get_main_option(
        "sqlalchemy.url"
    )
    if not url:
        raise RuntimeError("pass -x url=DATABASE_URL")
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            connection.execution_options(**{WRITE_OPTION: True})
            _run(connection)
            connection.commit()
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise RuntimeError("offline (SQL script) migrations are not supported")
run_migrations_online()

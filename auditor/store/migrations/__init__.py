"""Alembic migrations of the findings store (run them with ``auditor.store.migrate.upgrade``)."""

"""Fixtures shared by every test folder."""

# A real PostgreSQL server (store tests and anything else that claims PostgreSQL): tests/postgres.py
from tests.postgres import postgres_database_url, postgres_server_url  # noqa: F401

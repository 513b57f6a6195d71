"""Alembic revisions (a package only so that setuptools installs it without warnings)."""

"""One warm ``auditor`` runner per test process for the security tests that run the real CLI in
processes of their own (``cli_forker.py``): hostile input files and terminal output."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.security.cli_forker import Forker


@pytest.fixture(scope="session")
def forker() -> Iterator[Forker]:
    with Forker({**os.environ, "AUDITOR_LANG": "en", "COLUMNS": "200"}) as runner:
        yield runner

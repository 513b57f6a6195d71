"""Fixtures: a migrated SQLite store, certificates, and real servers on loopback."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from auditor.store import Store
from auditor.store.outbox import Outbox
from tests.notify.servers import Certs, Rsyslogd, SmtpServer, make_certs

SMTP_USER = "auditor"
SMTP_PASSWORD = "Smtp-Pass-9f3e1c"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(str(tmp_path / "auditor.db")) as opened:
        opened.upgrade()
        yield opened


@pytest.fixture
def outbox(store: Store) -> Outbox:
    return Outbox(store.engine)


@pytest.fixture(scope="session")
def certs(tmp_path_factory: pytest.TempPathFactory) -> Certs:
    return make_certs(tmp_path_factory.mktemp("certs"))


@pytest.fixture
def credentials(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "credentials"
    folder.mkdir()
    (folder / "smtp-password").write_text(SMTP_PASSWORD + "\n", encoding="utf-8")
    (folder / "webhook-secret").write_text("hook-secret-7a7a\n", encoding="utf-8")
    monkeypatch.setenv("CREDENTIALS_DIRECTORY", str(folder))
    return folder


@pytest.fixture
def smtp(certs: Certs) -> Iterator[SmtpServer]:
    server = SmtpServer(certs, user=SMTP_USER, password=SMTP_PASSWORD)
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def rsyslogd(tmp_path_factory: pytest.TempPathFactory, certs: Certs) -> Iterator[Rsyslogd]:
    server = Rsyslogd(tmp_path_factory.mktemp("rsyslog"), certs)
    server.start()
    yield server
    server.stop()

"""Fixtures: a migrated SQLite store, certificates, and real servers on loopback."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from auditor.store import Store, upgrade
from auditor.store.outbox import Outbox
from tests.notify.servers import Certs, Rsyslogd, SmtpServer, make_certs

SMTP_USER = "auditor"
SMTP_PASSWORD = "Smtp-Pass-9f3e1c"


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty store at the newest schema, migrated once per test process (15 migrations)."""
    path = tmp_path_factory.mktemp("notify-store") / "auditor.db"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture
def store(tmp_path: Path, migrated_template: Path) -> Iterator[Store]:
    """A fresh store of its own per test: a copy of the migrated template."""
    path = tmp_path / "auditor.db"
    shutil.copyfile(migrated_template, path)
    with Store(str(path)) as opened:
        opened.upgrade()  # already current: a check, as every command does
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

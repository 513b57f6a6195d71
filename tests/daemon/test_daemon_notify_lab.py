"""The real daemon's notifications against the running lab (issue 21): a device that goes silent
is told once as "stopped answering" and once as "answering again" when it returns; a change
planted in the lab between two audits is told by one mail naming the new critical finding,
before the next run starts."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from auditor.lab.runner import LabState
from tests.daemon.harness import DaemonProcess, Paused, daemon_env, events
from tests.daemon.labfiles import (
    EXAMPLE_LEDGER,
    EXAMPLE_POLICY,
    lab_devices,
    pid_of,
    snmp_only,
    write_inventory,
)
from tests.notify.conftest import SMTP_PASSWORD, SMTP_USER
from tests.notify.daemon_support import notify_toml, outbox_rows, smtp_credentials, subjects
from tests.notify.servers import Certs, SmtpServer, make_certs

pytestmark = pytest.mark.lab

DEVICE_RULE = {"name": "devices", "events": ["device_down", "device_up"], "channels": ["mail"]}


@pytest.fixture(scope="module")
def certs(tmp_path_factory: pytest.TempPathFactory) -> Certs:
    return make_certs(tmp_path_factory.mktemp("certs"))


@pytest.fixture
def smtp(certs: Certs) -> Iterator[SmtpServer]:
    server = SmtpServer(certs, user=SMTP_USER, password=SMTP_PASSWORD)
    server.start()
    yield server
    server.stop()


def _env(tmp_path: Path, inventory: Path, policy: Path, **extra: str) -> dict[str, str]:
    return daemon_env(
        tmp_path,
        policy,
        inventory,
        AUDITOR_LEDGER=str(EXAMPLE_LEDGER),
        CREDENTIALS_DIRECTORY=str(smtp_credentials(tmp_path / "credentials")),
        **extra,
    )


def _kinds(db: Path) -> list[tuple[str, str | None, str]]:
    return [(r["kind"], r["subject"], r["status"]) for r in outbox_rows(db)]


def test_a_silenced_device_is_told_once_as_stopped_and_once_as_answering_again(
    tmp_path: Path, daemon_lab: LabState, smtp: SmtpServer, certs: Certs
) -> None:
    device: dict[str, Any] = next(
        snmp_only(d, timeout=1.0, retries=0)
        for d in lab_devices(daemon_lab)
        if d.get("snmp", {}).get("version") == "v2c"
    )
    name = device["name"]
    inventory = write_inventory(tmp_path / "inventory" / "devices.yaml", [device])
    env = _env(tmp_path, inventory, EXAMPLE_POLICY, AUDITOR_SNMP_INTERVAL_MINUTES="0.02")
    notify_toml(Path(env["AUDITOR_CONFIG"]), mail_port=smtp.port, certs=certs, rules=[DEVICE_RULE])
    db = tmp_path / "state" / "auditor.db"
    daemon = DaemonProcess(env)
    try:
        assert daemon.wait_for(
            lambda: any(r["devices"] == "1/1" for r in events(daemon, "run", kind="poll")),
            timeout=90,
        ), daemon.output()
        assert smtp.behaviour.messages == []  # an answering device is not news

        with Paused(pid_of(daemon_lab, "snmp")):
            assert daemon.wait_for(lambda: len(smtp.behaviour.messages) == 1, timeout=90), (
                daemon.output()
            )
            # Still silent for two more polls: not told again.
            silent_polls = len(events(daemon, "run", kind="poll", devices="0/1"))
            assert daemon.wait_for(
                lambda: len(events(daemon, "run", kind="poll", devices="0/1")) >= silent_polls + 2,
                timeout=90,
            ), daemon.output()
        assert daemon.wait_for(lambda: len(smtp.behaviour.messages) == 2, timeout=90), (
            daemon.output()
        )
        answering = len(events(daemon, "run", kind="poll", devices="1/1"))
        assert daemon.wait_for(
            lambda: len(events(daemon, "run", kind="poll", devices="1/1")) >= answering + 2,
            timeout=90,
        ), daemon.output()
    finally:
        code = daemon.stop()
    assert code == 0, daemon.output()
    told = subjects(smtp.behaviour.messages)
    assert len(told) == 2, told
    assert "機器が応答しません" in told[0] and name in told[0], told
    assert "機器が再び応答しています" in told[1] and name in told[1], told
    assert _kinds(db) == [("device_down", name, "sent"), ("device_up", name, "sent")]

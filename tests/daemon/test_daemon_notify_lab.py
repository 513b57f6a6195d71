"""The real daemon's notifications against the running lab (issue 21): a device that goes silent
is told once as "stopped answering" and once as "answering again" when it returns; a change
planted in the lab between two audits is told by one mail naming the new critical finding,
before the next run starts."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from auditor.lab.runner import LabState, lab_down, lab_up
from auditor.lab.scenario import Scenario, load_example_city
from tests.daemon.harness import DaemonProcess, Paused, daemon_env, events, fields
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


CORE = "myn-core-sw1"


def _core_only(*, telnet: bool) -> Scenario:
    """The example city's My Number core switch alone, accepting Telnet or not (Telnet on a My
    Number tier device is critical: HRD-002, escalated by the zone)."""
    city = load_example_city()
    core = next(d for d in city.devices if d.name == CORE).model_copy(deep=True)
    core.management.telnet_enabled = telnet
    data = city.model_dump()
    data.update(devices=[core.model_dump()], links=[], hosts=[], planted=[], clean=[])
    return Scenario.model_validate(data)


def _lab(state_dir: Path, scenario: Scenario) -> LabState:
    scenario_file = state_dir.parent / f"scenario-{state_dir.name}-{id(scenario)}.json"
    scenario_file.write_text(scenario.model_dump_json(exclude_none=True), encoding="utf-8")
    return lab_up(scenario_file, state_dir)


def _line_index(lines: list[str], name: str, **match: str) -> list[int]:
    found = []
    for index, line in enumerate(lines):
        parsed = fields(line)
        if parsed.get("event") == name and all(parsed.get(k) == v for k, v in match.items()):
            found.append(index)
    return found


def test_a_change_planted_between_two_audits_is_told_by_one_mail_before_the_next_run(
    tmp_path: Path, smtp: SmtpServer, certs: Certs
) -> None:
    lab_dir = tmp_path / "lab"
    lab = _lab(lab_dir, _core_only(telnet=False))
    try:
        env = _env(
            tmp_path,
            Path(lab.inventory_file),
            EXAMPLE_POLICY,
            AUDITOR_SNMP_INTERVAL_MINUTES="600",
            AUDITOR_AUDIT_INTERVAL_MINUTES="0.1",
        )
        rule = {"name": "critical", "events": ["finding"], "channels": ["mail"],
                "min_severity": "critical"}  # fmt: skip
        notify_toml(Path(env["AUDITOR_CONFIG"]), mail_port=smtp.port, certs=certs, rules=[rule])
        db = tmp_path / "state" / "auditor.db"
        daemon = DaemonProcess(env, args=("--audit-now",))
        try:
            # The first audit of the unchanged switch, and whatever it had to tell, delivered.
            assert daemon.wait_for(
                lambda: any(r["devices"] == "1/1" for r in events(daemon, "run", kind="audit")),
                timeout=120,
            ), daemon.output()
            assert daemon.wait_for(
                lambda: all(r["status"] == "sent" for r in outbox_rows(db)), timeout=60
            ), daemon.output()
            baseline = len(smtp.behaviour.messages)
            assert not any("HRD-002" in s for s in subjects(smtp.behaviour.messages))

            # The planted change: the switch comes back accepting Telnet.
            lab_down(lab_dir)
            lab = _lab(lab_dir, _core_only(telnet=True))
            reloads = len(events(daemon, "reloaded"))
            daemon.signal(signal.SIGHUP)  # the lab's ports moved: read its new inventory
            assert daemon.wait_for(lambda: len(events(daemon, "reloaded")) > reloads), (
                daemon.output()
            )
            assert daemon.wait_for(
                lambda: any("HRD-002" in s for s in subjects(smtp.behaviour.messages)),
                timeout=180,
            ), daemon.output()
            # One more audit of the changed switch: the finding is not new any more.
            audits = len(events(daemon, "run", kind="audit", devices="1/1"))
            assert daemon.wait_for(
                lambda: len(events(daemon, "run", kind="audit", devices="1/1")) > audits,
                timeout=120,
            ), daemon.output()
        finally:
            code = daemon.stop()
        assert code == 0, daemon.output()
    finally:
        lab_down(lab_dir)

    new = subjects(smtp.behaviour.messages)[baseline:]
    assert len(new) == 1, new
    assert "HRD-002" in new[0] and CORE in new[0] and "【重大】" in new[0], new
    # Told within the poll interval: delivered after the run that found it recorded its
    # findings and before the daemon started another run.
    lines = list(daemon.lines)
    sent_rows = [r for r in outbox_rows(db) if r["status"] == "sent"]
    assert len(sent_rows) == len(smtp.behaviour.messages)
    starts = _line_index(lines, "run-started")
    enqueued = [i for i in _line_index(lines, "notify-enqueued") if i > starts[0]]
    found_at = max(i for i in enqueued if any(s < i for s in starts))
    run_start = max(s for s in starts if s < found_at)
    following = [s for s in starts if s > run_start]
    delivered = [
        i
        for i in _line_index(lines, "notify-dispatched")
        if i > found_at and int(fields(lines[i]).get("sent", "0")) > 0
    ]
    assert delivered, lines
    assert not following or delivered[0] < following[0], lines[run_start:]

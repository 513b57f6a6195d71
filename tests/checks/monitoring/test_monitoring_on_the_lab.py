"""Monitoring checks across audit runs against the real lab, stored in SQLite and PostgreSQL.

A small city cut from the example city (the My Number core switch and its two access switches)
is started in the lab (snmpsim agents, fakenos SSH CLIs) once per night and audited by the real
collectors and engine into a real store. Between nights the lab's state changes: a link bounces,
a terminal appears on a protected access port and the login banner is edited (night 2), the
switch reboots (night 3), and nothing changes (night 4). The monitoring checks must report
exactly those events from the stored history, on the changed switch only.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from auditor.audit.engine import RunOutcome
from auditor.audit.inputs import load_bundle
from auditor.audit.service import run_audit
from auditor.collect.plan import build_collectors
from auditor.inventory.credentials import resolve_secret
from auditor.lab.runner import lab_down, lab_up
from auditor.lab.scenario import HostDef, Scenario, ScenarioDevice
from auditor.model.findings import Outcome
from auditor.policy.models import RuleSetting
from auditor.rules import Registry, discover
from auditor.store import Store
from auditor.store.records import FindingStatus
from tests.builders import example_city

pytestmark = pytest.mark.lab

REPO = Path(__file__).resolve().parents[3]
CORE, CONTROL, SWITCH = "myn-core-sw1", "myn-edge-sw1", "myn-edge-sw2"
FLAPPING_PORT = "port1.0.2"
INTRUDER = HostDef(
    name="unknown-laptop",
    mac="3c:22:fb:10:0c:99",
    vlan=12,
    device=SWITCH,
    port="port1.0.1",
)
EDITED_BANNER = "許可された職員以外の利用を禁止します (2026-11 改訂)"
REBOOT_UPTIME = 600  # seconds since the switch came back
MONITORING = ("MON-001", "MON-003", "MON-004", "MON-005")


def small_city() -> Scenario:
    """The example city's My Number core and access switches, their cables and terminals."""
    city = example_city()
    kept = {CORE, CONTROL, SWITCH}
    return city.model_copy(
        update={
            "devices": [d.model_copy(deep=True) for d in city.devices if d.name in kept],
            "links": [link for link in city.links if {link.a.device, link.b.device} <= kept],
            "hosts": [host for host in city.hosts if host.device in kept],
            "planted": [],
            "clean": [],
        }
    )


def changed(scenario: Scenario, **update: Any) -> Scenario:
    """A copy of the scenario (revalidated, so derived tables such as the FDB are rebuilt)."""
    data = scenario.model_dump()
    data.update(update)
    return Scenario.model_validate(data)


def with_switch(scenario: Scenario, edit: Callable[[ScenarioDevice], None]) -> Scenario:
    devices = [d.model_copy(deep=True) for d in scenario.devices]
    edit(next(d for d in devices if d.name == SWITCH))
    return changed(scenario, devices=[d.model_dump() for d in devices])


class Nights:
    """One lab state per night: lab up, a full audit into the store, lab down.

    Every ``lab_up`` starts the agents' sysUpTime at the scenario's value, but a real device that
    stays up keeps counting between polls. So each night the scenario's uptimes are set from each
    device's boot time on the test's clock (whole seconds, rounded up so the uptime never goes
    back): only a deliberate reboot makes it smaller.
    """

    def __init__(self, store: Store, workdir: Path) -> None:
        self.store = store
        self.workdir = workdir
        self.registry: Registry = discover()
        self.count = 0
        self.booted: dict[str, float] = {}

    def uptime(self, device: str) -> int:
        return math.ceil(time.monotonic() - self.booted[device])

    def reboot(self, device: str, seconds_ago: int) -> None:
        self.booted[device] = time.monotonic() - seconds_ago

    def audit(self, scenario: Scenario) -> RunOutcome:
        self.count += 1
        scenario = scenario.model_copy(deep=True)
        for device in scenario.devices:
            self.booted.setdefault(device.name, time.monotonic() - device.sys.uptime_seconds)
            device.sys.uptime_seconds = self.uptime(device.name)
        scenario_file = self.workdir / f"night-{self.count}.json"
        scenario_file.write_text(scenario.model_dump_json(exclude_none=True), encoding="utf-8")
        state_dir = self.workdir / "lab"
        state = lab_up(scenario_file, state_dir)
        try:
            inventory_file = Path(state.inventory_file)
            bundle = load_bundle(
                REPO / "policies" / "example-city",
                inventory_file,
                REPO / "inventory" / "example-city" / "ledger.csv",
                self.registry,
            )
            # One bounce within the day is already worth a finding here.
            rules = {**bundle.policy.rules, "MON-004": RuleSetting(parameters={"max_changes": 1})}
            policy = bundle.policy.model_copy(update={"rules": rules})
            inventory_dir = inventory_file.parent

            def resolve(reference: Any) -> str:
                return resolve_secret(reference, base_dir=inventory_dir)

            return run_audit(
                policy=policy,
                inventory=bundle.inventory,
                ledger=bundle.ledger,
                registry=self.registry,
                collectors=build_collectors(policy=policy),
                devices=bundle.inventory.devices,
                resolve_secret=resolve,
                store=self.store,
                scope="full",
                policy_hash=bundle.policy_hash,
            )
        finally:
            lab_down(state_dir)


def monitoring_failures(outcome: RunOutcome) -> set[tuple[str, str | None, str]]:
    return {
        (f.check_id, f.device, f.subject)
        for f in outcome.findings
        if f.outcome is Outcome.FAIL and f.check_id.startswith("MON-")
    }


def test_a_flap_a_new_terminal_a_config_edit_and_a_reboot_in_the_lab_are_found_night_by_night(
    store: Store, tmp_path: Path
) -> None:
    nights = Nights(store, tmp_path)
    first_city = small_city()
    switch_ports = {f"port:{port.name}" for port in first_city.device(SWITCH).ports}
    old_banner = first_city.device(SWITCH).management.banner
    assert old_banner and FLAPPING_PORT in {p.name for p in first_city.device(SWITCH).ports}

    first = nights.audit(first_city)
    assert set(first.covered_devices) == {CORE, CONTROL, SWITCH}
    assert monitoring_failures(first) == set()
    nothing_to_compare = {
        (f.check_id, f.device) for f in first.findings if f.outcome is Outcome.NOT_APPLICABLE
    }
    assert {(check, SWITCH) for check in MONITORING} <= nothing_to_compare

    # Night 2: the flapping port went down and up a minute before the poll (ifLastChange moved
    # on the device clock), an unknown laptop sits on a My Number access port, the banner changed.
    def night_two(device: ScenarioDevice) -> None:
        port = device.port(FLAPPING_PORT)
        assert port is not None
        port.last_change_seconds = nights.uptime(SWITCH) - 60
        device.management.banner = EDITED_BANNER

    second_city = with_switch(
        changed(first_city, hosts=[*first_city.model_dump()["hosts"], INTRUDER.model_dump()]),
        night_two,
    )
    second = nights.audit(second_city)
    assert monitoring_failures(second) == {
        ("MON-001", SWITCH, "running-config"),
        ("MON-004", SWITCH, f"port:{FLAPPING_PORT}"),
        ("MON-005", SWITCH, f"mac:{INTRUDER.mac}"),
    }
    config_change = next(f for f in second.findings if f.check_id == "MON-001")
    diff = config_change.evidence[0].detail
    # AW+ banners are one line (``banner motd TEXT``), IOS ones sit between delimiters.
    assert any(line.startswith("-") and line.endswith(old_banner) for line in diff.splitlines())
    assert any(line.startswith("+") and line.endswith(EDITED_BANNER) for line in diff.splitlines())

    # Night 3: the switch rebooted ten minutes ago; every link came up 30 s after boot.
    nights.reboot(SWITCH, seconds_ago=REBOOT_UPTIME)

    def night_three(device: ScenarioDevice) -> None:
        for port in device.ports:
            port.last_change_seconds = 30

    third_city = with_switch(second_city, night_three)
    third = nights.audit(third_city)
    # Across a reboot MON-004 compares link changes on the wall clock: every link bounced.
    assert monitoring_failures(third) == {("MON-003", SWITCH, "reboot")} | {
        ("MON-004", SWITCH, port) for port in switch_ports
    }

    # Night 4: nothing changed. The reboot, the laptop and the edit are history; the bounces stay
    # within MON-004's 24-hour window.
    fourth = nights.audit(third_city)
    assert monitoring_failures(fourth) == {("MON-004", SWITCH, port) for port in switch_ports}

    stored = {
        (record.check_id, record.subject): record.status
        for record in store.list_findings(device=SWITCH)
        if record.check_id.startswith("MON-") and record.outcome is Outcome.FAIL
    }
    assert stored[("MON-003", "reboot")] is FindingStatus.RESOLVED
    assert stored[("MON-005", f"mac:{INTRUDER.mac}")] is FindingStatus.RESOLVED
    assert stored[("MON-001", "running-config")] is FindingStatus.RESOLVED
    assert stored[("MON-004", f"port:{FLAPPING_PORT}")] in {FindingStatus.NEW, FindingStatus.OPEN}
    for device in (CORE, CONTROL):
        assert not [
            r
            for r in store.list_findings(device=device)
            if r.check_id.startswith("MON-") and r.outcome is Outcome.FAIL
        ]

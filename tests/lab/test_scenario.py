"""The scenario model, the example city and the ground truth derived from it."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from auditor.lab.scenario import (
    Scenario,
    expected_snapshot,
    load_scenario,
)
from auditor.lab.synthetic import synthetic_city


def test_the_example_city_has_about_twenty_devices_in_every_zone(example_city: Scenario) -> None:
    zones = {zone for device in example_city.devices for zone in device.zones}
    assert 18 <= len(example_city.devices) <= 25
    assert {
        "mynumber",
        "lgwan",
        "internet",
        "sanitizer",
        "management",
        "education",
        "public-wifi",
    } <= zones
    platforms = {device.platform for device in example_city.devices}
    assert {
        "cisco_ios",
        "allied_telesis_awplus",
        "yamaha_rtx",
        "fortinet",
        "alaxala_ax",
        "nec_ix",
    } <= platforms
    assert {site.kind for site in example_city.sites} >= {"honcho", "shisho", "hinanjo", "school"}


def test_snmp_credentials_mix_v2c_and_v3_with_sha256(example_city: Scenario) -> None:
    credentials = [device.snmp for device in example_city.devices if device.snmp]
    assert any(c.version == "v2c" for c in credentials)
    assert any(
        c.version == "v3" and c.auth_protocol == "sha" and c.priv_protocol == "aes"
        for c in credentials
    )
    assert any(c.version == "v3" and c.auth_protocol == "sha256" for c in credentials)
    assert any(c.fdb_per_vlan_community for c in credentials)
    assert any(c.encoding == "shift_jis" for c in credentials)


def test_every_planted_violation_names_a_device_of_the_city(example_city: Scenario) -> None:
    names = {device.name for device in example_city.devices}
    assert example_city.planted
    for planted in example_city.planted:
        assert planted.check_ids
        # Ledger-only plants (a NAS row, a classification) and policy evidence items (POL-002)
        # concern no device of the network.
        assert planted.device in names or (
            planted.device is None
            and (planted.subject or "").startswith(("ledger-row:", "evidence:"))
        )
    ids = [planted.id for planted in example_city.planted]
    assert len(ids) == len(set(ids))


def test_nothing_marked_clean_is_also_planted(example_city: Scenario) -> None:
    planted_devices = {planted.device for planted in example_city.planted}
    planted_subjects = {f"{planted.device}:{planted.subject}" for planted in example_city.planted}
    names = {device.name for device in example_city.devices}
    for clean in example_city.clean:
        assert clean.split(":", 1)[0] in names
        if ":" in clean:
            assert clean not in planted_subjects
        else:
            assert clean not in planted_devices


def test_a_host_mac_is_learned_on_its_access_port_and_on_the_uplinks_towards_it(
    example_city: Scenario,
) -> None:
    edge = expected_snapshot(example_city, "lg-edge-sw2")
    core = expected_snapshot(example_city, "lg-core-sw1")
    mac = "00:00:5e:20:14:11"  # pc-somu-01 on lg-edge-sw2 port1.0.1, VLAN 20
    assert (mac, 20, "port1.0.1") in [(e.mac, e.vlan, e.port) for e in edge.fdb]
    assert (mac, 20, "GigabitEthernet1/0/2") in [(e.mac, e.vlan, e.port) for e in core.fdb]


def test_a_vlan_not_carried_by_the_uplink_stays_on_its_switch(example_city: Scenario) -> None:
    core = expected_snapshot(example_city, "lg-core-sw1")
    assert "00:00:5e:30:1f:11" not in {e.mac for e in core.fdb}  # VLAN 31 stops at lg-edge-sw2


def test_lldp_neighbours_are_seen_from_both_ends(example_city: Scenario) -> None:
    for device in example_city.devices:
        for neighbor in expected_snapshot(example_city, device.name).neighbors:
            back = expected_snapshot(example_city, neighbor.remote_name or "").neighbors
            assert (neighbor.remote_port, device.name, neighbor.local_port) in [
                (n.local_port, n.remote_name, n.remote_port) for n in back
            ]


def test_arp_entries_come_from_the_l3_interface_of_the_hosts_subnet(example_city: Scenario) -> None:
    arp = expected_snapshot(example_city, "myn-core-sw1").arp
    assert ("10.10.12.101", "00:00:5e:10:0c:01", "VLAN0012") in [
        (a.ip, a.mac, a.interface) for a in arp
    ]


def test_a_link_to_a_missing_port_is_rejected(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text(
        "name: broken\n"
        "devices:\n"
        "  - {name: sw1, site: x, zones: [lgwan], role: edge, platform: cisco_ios, address: 10.0.0.1,"
        " ports: [{name: Gi1, if_index: 1}]}\n"
        "links:\n"
        "  - {a: {device: sw1, port: Gi1}, b: {device: sw1, port: Gi9}}\n",
        encoding="utf-8",
    )
    with pytest.raises(ValidationError, match="Gi9"):
        load_scenario(broken)


def test_a_synthetic_city_has_exactly_the_requested_devices_and_valid_links() -> None:
    city = synthetic_city(123)
    assert len(city.devices) == 123
    assert len({device.name for device in city.devices}) == 123
    assert city.links and city.hosts
    snapshot = expected_snapshot(city, city.devices[0].name)
    assert snapshot.fdb  # the core learns its edge switches' hosts

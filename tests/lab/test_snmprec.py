"""snmpsim data generated from the scenario: order, encodings and vendor quirks."""

from __future__ import annotations

from pathlib import Path

from auditor.lab.scenario import Scenario
from auditor.lab.snmprec import device_records, port_list, write_device_files


def _oids(lines: list[str]) -> list[tuple[int, ...]]:
    return [tuple(int(part) for part in line.split("|", 1)[0].split(".")) for line in lines]


def test_records_are_sorted_by_numeric_oid_not_by_text(example_city: Scenario) -> None:
    oids = _oids(device_records(example_city, example_city.device("lg-edge-sw2")))
    assert oids == sorted(oids)
    assert len(oids) == len(set(oids))
    text = [".".join(map(str, oid)) for oid in oids]
    assert text != sorted(text)  # lexical order would differ (…2.2.1.10 before …2.2.1.2)


def test_the_shift_jis_device_sends_cp932_octets(example_city: Scenario) -> None:
    device = example_city.device("shisho-rt1")
    port = device.port("lan1")
    assert port is not None and port.alias
    lines = device_records(example_city, device)
    alias_line = next(
        line for line in lines if line.startswith(f"1.3.6.1.2.1.31.1.1.1.18.{port.if_index}|")
    )
    assert alias_line.endswith("|4x|" + port.alias.encode("cp932").hex())


def test_the_cisco_quirk_device_has_no_q_bridge_and_per_vlan_fdb_files(
    example_city: Scenario, tmp_path: Path
) -> None:
    device = example_city.device("lg-core-sw1")
    assert device.snmp is not None and device.snmp.fdb_per_vlan_community
    written = write_device_files(example_city, device, tmp_path, "rei-lgcore-ro")
    main = written[0].read_text(encoding="ascii")
    assert "1.3.6.1.2.1.17.7.1." not in main
    assert "1.3.6.1.4.1.9.9.46.1.3.1.1.4.1.20|" in main  # vtpVlanName of VLAN 20
    vlan20 = tmp_path / "rei-lgcore-ro@20.snmprec"
    assert vlan20 in written
    # chukan-server (00:00:5e:20:c8:0a) on Gi1/0/5 = bridge port 5
    assert "1.3.6.1.2.1.17.4.3.1.2.0.0.94.32.200.10|2|5\n" in vlan20.read_text(encoding="ascii")


def test_port_lists_put_port_one_in_the_top_bit() -> None:
    assert port_list([1], 8) == b"\x80"
    assert port_list([1, 9, 16], 16) == b"\x80\x81"

"""Regression tests for what real agents do that the collector misread (issue 14, items 7-13).

Each ``fixtures/*.snmprec`` reproduces one recorded condition (the recordings themselves are not
ours to publish) and is served by snmpsim like a real agent: endOfMibView at the end of the MIB
view (NX-OS), noSuchInstance/noSuchObject scalars (ALAXALA), PVIDs without VLAN port lists
(ALAXALA), a port untagged in two VLANs (Edgecore), a GBK ``sysLocation`` (Ruijie), vendors by
enterprise number, interface MACs and a CDP-only neighbour table (Cisco IOS).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from auditor.collect.base import CollectionResult
from auditor.collect.snmp import PollOptions, collect_snmp
from auditor.inventory.models import CredentialRef, Device, SnmpSettings
from auditor.model.snapshot import DeviceSnapshot, Interface
from tests.collect.snmp_agents import running_snmpsim, wait_until_answers

FIXTURES = Path(__file__).parent / "fixtures"
NAMES = sorted(path.stem for path in FIXTURES.glob("*.snmprec"))


def _oid(line: str) -> tuple[int, ...]:
    return tuple(int(part) for part in line.split("|", 1)[0].split("."))


@pytest.mark.parametrize("name", NAMES)
def test_every_fixture_is_in_numeric_oid_order(name: str) -> None:
    """snmpsim walks a data file in file order: an unsorted fixture would test nothing."""
    lines = (FIXTURES / f"{name}.snmprec").read_text(encoding="ascii").splitlines()
    oids = [_oid(line) for line in lines if line]
    assert oids == sorted(oids) and len(set(oids)) == len(oids)


@pytest.fixture(scope="module")
def snmpsim_fidelity(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CollectionResult]:
    work = tmp_path_factory.mktemp("fidelity")
    data = work / "data"
    data.mkdir()
    for name in NAMES:
        shutil.copyfile(FIXTURES / f"{name}.snmprec", data / f"{name}.snmprec")
    with running_snmpsim(data, work, NAMES[0]) as port:
        for name in NAMES:
            wait_until_answers(port, name, deadline_seconds=240)
        devices = [
            Device(
                name=name,
                address="127.0.0.1",
                platform="generic",
                snmp=SnmpSettings(
                    version="v2c",
                    port=port,
                    community=CredentialRef(env=f"COMMUNITY_{index}"),
                    timeout=2.0,
                    retries=1,
                ),
            )
            for index, name in enumerate(NAMES)
        ]
        secrets = {f"env:COMMUNITY_{index}": name for index, name in enumerate(NAMES)}
        yield collect_snmp(
            devices,
            lambda reference: secrets[reference.describe()],
            options=PollOptions(concurrency=4, probe_communities=None),
        )


def _snapshot(result: CollectionResult, name: str) -> DeviceSnapshot:
    assert [(e.device, e.kind, e.detail) for e in result.errors if e.device == name] == []
    return result.snapshots[name]


def _roles(snapshot: DeviceSnapshot) -> list[tuple[object, ...]]:
    return [
        (
            i.if_index,
            i.mode,
            i.access_vlan,
            i.allowed_vlans,
            i.native_vlan,
            i.pvid,
            i.untagged_vlans,
        )
        for i in snapshot.interfaces
    ]


def test_no_fixture_fails_collection(snmpsim_fidelity: CollectionResult) -> None:
    assert [(e.device, e.kind, e.detail) for e in snmpsim_fidelity.errors] == []
    assert sorted(snmpsim_fidelity.snapshots) == NAMES


def test_end_of_mib_view_ends_a_walk_instead_of_looking_like_a_loop(
    snmpsim_fidelity: CollectionResult,
) -> None:
    """NX-OS answers endOfMibView past its last object: the Cisco VTP tables are just absent."""
    snapshot = _snapshot(snmpsim_fidelity, "nxos-end-of-mib")
    assert {"vtpVlanTable", "vmMembershipTable", "vlanTrunkPortTable"} <= set(
        snapshot.absent_tables
    )
    assert [
        (i.if_index, i.name, i.if_type, i.admin_up, i.oper_up) for i in snapshot.interfaces
    ] == [
        (83886080, "mgmt0", 6, True, True),
        (436207616, "Ethernet1/1", 6, True, False),
    ]
    assert (snapshot.system.name, snapshot.system.vendor) == ("nx-core-1", "Cisco")


def test_no_such_instance_and_no_such_object_are_unknown_not_empty(
    snmpsim_fidelity: CollectionResult,
) -> None:
    system = _snapshot(snmpsim_fidelity, "alaxala-pvid-only").system
    assert system.name is None  # noSuchInstance
    assert system.contact is None  # noSuchObject
    assert system.location == "honchousha-3F"
    assert system.vendor == "ALAXALA"
    assert system.decoding_notes == []


def test_pvid_without_vlan_port_lists_keeps_each_ports_vlan(
    snmpsim_fidelity: CollectionResult,
) -> None:
    snapshot = _snapshot(snmpsim_fidelity, "alaxala-pvid-only")
    assert _roles(snapshot) == [
        (1, "unknown", None, None, None, 10, None),
        (2, "unknown", None, None, None, 20, None),
        (3, "unknown", None, None, None, 1, None),
    ]
    assert [(v.id, v.name) for v in snapshot.vlans] == [(10, "jyuki"), (20, "naisei")]


def test_a_port_untagged_in_two_vlans_is_an_access_port_of_its_pvid(
    snmpsim_fidelity: CollectionResult,
) -> None:
    """Edgecore: port 1 untagged in 1 and 1006 with PVID 1006; port 3 contradicts its PVID."""
    snapshot = _snapshot(snmpsim_fidelity, "edgecore-multi-untagged")
    assert _roles(snapshot) == [
        (1, "access", 1006, None, None, 1006, [1, 1006]),
        (2, "trunk", None, [1006], 1, 1, [1]),
        (3, "unknown", None, None, None, 1, [1006]),
    ]
    assert snapshot.system.vendor == "Edgecore"


def test_a_gbk_location_is_decoded_as_a_marked_guess(snmpsim_fidelity: CollectionResult) -> None:
    snapshot = _snapshot(snmpsim_fidelity, "ruijie-gbk")
    system = snapshot.system
    assert system.location == "福建省福州市仓山区星网锐捷科技园"
    assert system.vendor == "Ruijie"
    [interface] = snapshot.interfaces
    assert (interface.alias, interface.alias_encoding) == ("核心交换机上联", "gb18030")
    assert system.decoding_notes == [
        "sysLocation: gb18030 (guessed)",
        "ifAlias of Gi0/1: gb18030 (guessed)",
    ]


@pytest.mark.parametrize(
    ("name", "vendor"),
    [
        ("h3c-vendor", "H3C"),
        ("dlink-vendor", "D-Link"),
        ("zte-vendor", "ZTE"),
        ("edgecore-multi-untagged", "Edgecore"),
        ("ruijie-gbk", "Ruijie"),
        ("alaxala-pvid-only", "ALAXALA"),
        ("nxos-end-of-mib", "Cisco"),
    ],
)
def test_the_vendor_comes_from_the_enterprise_number(
    snmpsim_fidelity: CollectionResult, name: str, vendor: str
) -> None:
    assert _snapshot(snmpsim_fidelity, name).system.vendor == vendor


def _macs(interfaces: list[Interface]) -> list[tuple[int | None, str | None]]:
    return [(i.if_index, i.mac) for i in interfaces]


def test_interface_macs_are_collected(snmpsim_fidelity: CollectionResult) -> None:
    assert _macs(_snapshot(snmpsim_fidelity, "nxos-end-of-mib").interfaces) == [
        (83886080, "00:2a:6a:00:00:01"),
        (436207616, "00:2a:6a:00:01:08"),
    ]
    assert _macs(_snapshot(snmpsim_fidelity, "ruijie-gbk").interfaces) == [(1, None)]


def test_cdp_cache_rows_become_cdp_neighbours(snmpsim_fidelity: CollectionResult) -> None:
    snapshot = _snapshot(snmpsim_fidelity, "cisco-cdp-only")
    assert [
        (
            n.local_port,
            n.remote_name,
            n.remote_port,
            n.remote_address,
            n.remote_platform,
            n.protocol,
        )
        for n in snapshot.neighbors
    ] == [
        (
            "Gi1/0/1",
            "core-sw.city.local",
            "GigabitEthernet1/0/24",
            "10.0.0.1",
            "cisco WS-C3850-24T",
            "cdp",
        ),
        ("Gi1/0/2", "nx-core-1(FOX1849G1AB)", "Ethernet1/1", "10.0.0.2", "N5K-C5548UP", "cdp"),
    ]
    assert "cdpCacheTable" not in snapshot.absent_tables
    assert "cdpCacheTable" in _snapshot(snmpsim_fidelity, "edgecore-multi-untagged").absent_tables

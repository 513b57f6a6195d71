"""SEG-003 sees a physical link between tiers that only CDP reports (issue 14, item 12).

The My Number switch's snapshot is built by the real SNMP normalizer from a walk that has a
CISCO-CDP-MIB cache row and no LLDP at all, as on a Cisco shop that runs CDP only.
"""

from __future__ import annotations

from datetime import UTC, datetime

from auditor.model.findings import Severity
from auditor.model.snmp_walk import DeviceWalk
from auditor.platforms import snmp_columns as c
from auditor.platforms.snmp_normalize import normalize_walk
from auditor_checks.segmentation.link_bridges_zones import LinkBridgesZones
from tests.checks.segmentation.city import context, device, run, snapshot, subjects, trunk


def _vlan_bitmap(*vlans: int) -> bytes:
    bitmap = bytearray(128)
    for vlan in vlans:
        bitmap[vlan // 8] |= 0x80 >> (vlan % 8)
    return bytes(bitmap)


def _cdp_only_walk() -> DeviceWalk:
    port = (10101,)
    cache_row = (10101, 4)
    return DeviceWalk(
        device="myn-sw1",
        platform="cisco_ios",
        walks={
            c.SYS_OBJECT_ID: [((0,), "1.3.6.1.4.1.9.1.1208")],
            c.IF_DESCR: [(port, b"GigabitEthernet1/0/1")],
            c.IF_NAME: [(port, b"Gi1/0/1")],
            c.IF_TYPE: [(port, 6)],
            c.CISCO_TRUNK_DYNAMIC_STATUS: [(port, 1)],
            c.CISCO_TRUNK_VLANS_ENABLED: [(port, _vlan_bitmap(10, 99))],
            c.CISCO_TRUNK_NATIVE_VLAN: [(port, 1)],
            c.CDP_CACHE_ADDRESS_TYPE: [(cache_row, 1)],
            c.CDP_CACHE_ADDRESS: [(cache_row, bytes([10, 99, 0, 30]))],
            c.CDP_CACHE_DEVICE_ID: [(cache_row, b"INET-SW1(FOC1234X0AB)")],
            c.CDP_CACHE_DEVICE_PORT: [(cache_row, b"GigabitEthernet1/0/3")],
            c.CDP_CACHE_PLATFORM: [(cache_row, b"cisco WS-C2960X-24TS-L")],
        },
        absent_tables=["lldpRemTable", "lldpLocPortTable"],
    )


def test_a_cdp_only_cable_between_my_number_and_internet_is_reported() -> None:
    myn = normalize_walk(_cdp_only_walk(), collected_at=datetime(2025, 4, 1, tzinfo=UTC))
    assert [(n.local_port, n.remote_name, n.protocol) for n in myn.neighbors] == [
        ("Gi1/0/1", "INET-SW1(FOC1234X0AB)", "cdp")
    ]
    inet = snapshot("inet-sw1", interfaces=[trunk("GigabitEthernet1/0/3", [30, 99])])
    ctx = context(
        [device("myn-sw1", ["mynumber", "management"]), device("inet-sw1", ["internet"])],
        [myn, inet],
    )
    findings = run(LinkBridgesZones(), ctx)
    assert subjects(findings) == [
        ("inet-sw1", "link:GigabitEthernet1/0/3<->myn-sw1:Gi1/0/1"),
        ("myn-sw1", "link:Gi1/0/1<->inet-sw1:GigabitEthernet1/0/3"),
    ]
    assert all(finding.severity == Severity.CRITICAL for finding in findings)

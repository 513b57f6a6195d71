"""Every platform resolves its own address and interface spellings into typed model fields.

Analysis reads ``source_networks``/``destination_networks``, ``Interface.kind``/``svi_vlan`` and
``SystemInfo.device_kind``; these tests pin that the platform layer states them (and leaves
what it cannot resolve unknown rather than guessing).
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from auditor.model.snapshot import Interface
from auditor.model.snmp_walk import DeviceWalk
from auditor.platforms import fortinet, ios_config, yamaha_rtx
from auditor.platforms import snmp_columns as columns
from auditor.platforms.interface_kinds import classify
from auditor.platforms.parts import SnapshotParts
from auditor.platforms.snmp_normalize import device_kind_for_object_id, normalize_interfaces

SALT = b"typed"


def _texts(networks: list | None) -> list[str] | None:
    return None if networks is None else [str(n) for n in networks]


def test_ios_host_wildcard_and_any_become_networks_and_object_groups_stay_unknown() -> None:
    config = "\n".join(
        [
            "ip access-list extended EDGE",
            " 10 permit tcp 10.20.0.0 0.0.255.255 host 10.40.0.20 eq 443",
            " 20 deny ip any any",
            " 30 permit ip 10.0.0.0 0.255.0.255 any",
            " 40 permit ip object-group LGWAN any",
        ]
    )
    facts = ios_config.interpret(config, dialect="cisco_ios", salt=SALT)
    entries = facts.acls["EDGE"].entries
    assert [(_texts(e.source_networks), _texts(e.destination_networks)) for e in entries] == [
        (["10.20.0.0/16"], ["10.40.0.20/32"]),
        (["0.0.0.0/0"], ["0.0.0.0/0"]),
        (None, ["0.0.0.0/0"]),  # a discontiguous wildcard is not one network: unknown
        (None, ["0.0.0.0/0"]),  # an object group the parser does not resolve: unknown
    ]
    assert entries[0].source == "10.20.0.0/16"  # the text stays as evidence


def test_yamaha_filter_ranges_and_lists_become_networks() -> None:
    config = "\n".join(
        [
            "ip filter 100 pass 192.168.1.10-192.168.1.13 * tcp * 443",
            "ip filter 101 reject 10.0.0.0/8,172.16.0.0/12 203.0.113.1 * * *",
            "ip lan1 secure filter in 100 101",
        ]
    )
    parts = yamaha_rtx.parse({yamaha_rtx.CONFIG_COMMAND: config}, salt=SALT)
    entries = [entry for acl in parts.acls for entry in acl.entries]
    assert [(_texts(e.source_networks), _texts(e.destination_networks)) for e in entries] == [
        (["192.168.1.10/31", "192.168.1.12/31"], ["0.0.0.0/0"]),
        (["10.0.0.0/8", "172.16.0.0/12"], ["203.0.113.1/32"]),
    ]


_FORTIGATE = """
config firewall address
    edit "lgwan-net"
        set subnet 10.20.0.0 255.255.0.0
    next
    edit "relay-range"
        set type iprange
        set start-ip 10.40.0.10
        set end-ip 10.40.0.11
    next
    edit "update-site"
        set type fqdn
        set fqdn "update.example.jp"
    next
end
config firewall addrgrp
    edit "relays"
        set member "relay-range" "lgwan-net"
    next
end
config firewall policy
    edit 1
        set srcintf "port1"
        set dstintf "port3"
        set srcaddr "lgwan-net"
        set dstaddr "relays"
        set action accept
        set service "HTTPS"
    next
    edit 2
        set srcintf "port1"
        set dstintf "port2"
        set srcaddr "all"
        set dstaddr "update-site"
        set action accept
        set service "HTTPS"
    next
    edit 3
        set srcintf "port1"
        set dstintf "port2"
        set srcaddr "not-defined"
        set dstaddr "all"
        set service "ALL"
    next
end
"""


def test_fortigate_address_objects_ranges_and_groups_are_resolved() -> None:
    parts, _ = fortinet.interpret_config(_FORTIGATE, salt=SALT)
    resolved = {
        p.policy_id: (_texts(p.source_networks), _texts(p.destination_networks))
        for p in parts.firewall_policies
    }
    assert resolved == {
        "1": (["10.20.0.0/16"], ["10.40.0.10/31", "10.20.0.0/16"]),
        "2": (["0.0.0.0/0"], None),  # an FQDN object is not an address set the auditor knows
        "3": (None, ["0.0.0.0/0"]),  # a name the configuration does not define: unknown
    }
    assert parts.firewall_policies[0].destination_addresses == ["relays"]  # names as evidence
    assert not any("firewall address" in line for line in parts.unparsed_config_lines)


def test_a_fortigate_says_it_is_a_firewall() -> None:
    parts = fortinet.parse({fortinet.CONFIG_COMMAND: _FORTIGATE}, salt=SALT)
    assert parts.system.device_kind == "firewall"
    assert fortinet.PROFILE.device_kind == "firewall"
    assert "system.device_kind" in fortinet.PROFILE.facts
    assert device_kind_for_object_id("1.3.6.1.4.1.12356.101.1.1041") == "firewall"
    assert device_kind_for_object_id("1.3.6.1.4.1.9.1.2494") is None


@pytest.mark.parametrize(
    ("name", "if_type", "expected"),
    [
        ("Vlan20", None, ("svi", 20)),
        ("VLAN0010", 136, ("svi", 10)),
        ("vlan99", None, ("svi", 99)),
        ("Vlanif30", 53, ("svi", 30)),
        ("GigabitEthernet1/0/1", None, ("physical", None)),
        ("port1.0.3", None, ("physical", None)),
        ("lan1", None, ("physical", None)),
        ("GigaEthernet0.1", None, ("subinterface", None)),
        ("Port-channel1", None, ("port_channel", None)),
        ("Loopback0", None, ("loopback", None)),
        ("Tunnel1", None, ("tunnel", None)),
        ("lgwan-link", None, ("other", None)),
        ("Vlan10", 6, ("physical", None)),  # ifType ethernetCsmacd wins over the spelling
        ("l3-if-7", 136, ("svi", None)),  # l3ipvlan without a VLAN in the name
    ],
)
def test_vendor_interface_spellings_become_typed_kinds(
    name: str, if_type: int | None, expected: tuple[str, int | None]
) -> None:
    assert classify(name, if_type) == expected


def test_every_ssh_snapshot_carries_interface_kinds_the_parser_did_not_set() -> None:
    parts = SnapshotParts(
        interfaces=[
            Interface(name="Vlan21"),
            Interface(name="lgwan-vlan", kind="subinterface"),  # the parser's own word wins
        ]
    )
    snapshot = parts.to_snapshot("core", datetime(2026, 1, 1, tzinfo=UTC))
    assert [(i.kind, i.svi_vlan) for i in snapshot.interfaces] == [
        ("svi", 21),
        ("subinterface", None),
    ]


def test_the_snmp_normalizer_sets_kinds_from_iftype_and_name() -> None:
    walk = DeviceWalk(
        device="sw",
        walks={
            columns.IF_NAME: [((10,), b"Gi1/0/1"), ((1020,), b"Vlan20")],
            columns.IF_TYPE: [((10,), 6), ((1020,), 136)],
        },
    )
    interfaces, _ = normalize_interfaces(walk)
    assert [(i.name, i.kind, i.svi_vlan) for i in interfaces] == [
        ("Gi1/0/1", "physical", None),
        ("Vlan20", "svi", 20),
    ]

"""NetworkView: the joins and indexes the segmentation checks rely on."""

from __future__ import annotations

import ipaddress

import pytest

from auditor.analysis.matrix import zone_matrix
from auditor.analysis.network import (
    ANY_SERVICE,
    NetworkView,
    ServiceRange,
    Support,
    policy_networks,
    service_ranges,
)
from auditor.model.services import Service
from auditor.model.snapshot import DeviceSnapshot
from tests.checks.segmentation.city import (
    Acl,
    AclBinding,
    AclEntry,
    ArpEntry,
    FdbEntry,
    Neighbor,
    Route,
    access,
    context,
    device,
    policy,
    snapshot,
    svi,
    trunk,
)

_ANY = ipaddress.ip_network("0.0.0.0/0")


def _view(devices: list, snapshots: list) -> NetworkView:
    return NetworkView.of(context(devices, snapshots))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("any", None),
        ("all", None),
        ("0.0.0.0/0", None),
        ("10.20.0.5", ["10.20.0.5/32"]),
        ("10.20.0.0/16", ["10.20.0.0/16"]),
        ("chukan-server", ["10.20.200.10/32"]),
        ("relay.example.lg.jp", None),
        # Vendor spellings are the platform parsers' job, not the policy's: never resolved here.
        ("host 10.20.0.5", None),
        ("10.20.0.0 0.0.255.255", None),
    ],
)
def test_policy_destinations_become_networks_or_any(text: str, expected: list[str] | None) -> None:
    hosts = {"chukan-server": "10.20.200.10"}
    parsed = policy_networks(text, hosts)
    assert (None if parsed is None else [str(n) for n in parsed]) == expected


@pytest.mark.parametrize(
    ("service", "expected"),
    [
        (Service.any(), ["any"]),
        (Service.of("tcp", 443), ["tcp/443"]),
        (Service.of("udp", (1024, 2048)), ["udp/1024-2048"]),
        (Service.of(6), ["tcp"]),
        (Service.of("tcp", 80, 443), ["tcp/80", "tcp/443"]),
        (Service.of(89), ["89"]),
    ],
)
def test_typed_services_become_one_range_per_port_range(
    service: Service, expected: list[str]
) -> None:
    assert [str(r) for r in service_ranges(service)] == expected


def test_service_coverage_and_overlap() -> None:
    assert ServiceRange.parse("tcp/1-1024").covers(ServiceRange.parse("tcp/443"))
    assert not ServiceRange.parse("tcp/443").covers(ANY_SERVICE)
    assert ANY_SERVICE.covers(ServiceRange.parse("udp/53"))
    assert ServiceRange.parse("tcp").covers(ServiceRange.parse("tcp/22"))
    assert ServiceRange.parse("tcp/443").overlaps(ServiceRange.parse("tcp/400-500"))
    assert not ServiceRange.parse("tcp/443").overlaps(ServiceRange.parse("udp/443"))


def test_lldp_names_resolve_case_insensitively_without_domain_and_links_are_deduplicated() -> None:
    a = snapshot(
        "core-sw1",
        neighbors=[
            Neighbor(local_port="Gi1/0/3", remote_name="EDGE-SW1.city.lg.jp", remote_port="Gi0/24")
        ],
    )
    b = snapshot(
        "edge-sw1",
        neighbors=[Neighbor(local_port="Gi0/24", remote_name="core-sw1", remote_port="Gi1/0/3")],
    )
    view = _view([device("core-sw1", ["lgwan"]), device("edge-sw1", ["lgwan"])], [a, b])
    assert view.resolve_device("Core-SW1") == "core-sw1"
    assert len(view.links) == 1
    link = view.links[0]
    assert (link.device, link.port, link.remote_device, link.remote_port) == (
        "core-sw1",
        "Gi1/0/3",
        "edge-sw1",
        "Gi0/24",
    )
    assert link.seen_from_both_ends
    assert link.subject == "link:Gi1/0/3<->edge-sw1:Gi0/24"
    assert ("edge-sw1", "Gi0/24") in view.transit_ports


def test_a_one_sided_report_without_remote_port_joins_the_known_link() -> None:
    a = snapshot("a", neighbors=[Neighbor(local_port="p1", remote_name="b", remote_port="p2")])
    b = snapshot("b", neighbors=[Neighbor(local_port="p2", remote_name="a")])
    view = _view([device("a", []), device("b", [])], [a, b])
    assert len(view.links) == 1


def test_fdb_entries_on_trunks_are_transit_and_on_access_ports_are_terminals() -> None:
    snap = snapshot(
        "sw",
        interfaces=[access("p1", 20), trunk("p24", [20, 30])],
        fdb=[
            FdbEntry(mac="0000.5e00.0001", vlan=20, port="p1"),
            FdbEntry(mac="00-00-5E-00-00-02", vlan=30, port="p24"),
        ],
    )
    view = _view([device("sw", ["lgwan"])], [snap])
    assert set(view.fdb_by_mac) == {"00:00:5e:00:00:01", "00:00:5e:00:00:02"}
    assert list(view.terminal_sightings()) == ["00:00:5e:00:00:01"]
    assert view.fdb_by_mac["00:00:5e:00:00:02"][0].zone == "internet"


def test_l3_interfaces_arp_and_routes_are_mapped_to_zones() -> None:
    snap = snapshot(
        "core",
        interfaces=[svi("Vlan20", "10.20.0.1/24"), svi("Vlan99", "10.99.0.1/24")],
        arp=[
            ArpEntry(ip="10.20.0.50", mac="00:00:5e:00:00:50", interface="Vlan20"),
            ArpEntry(ip="10.99.0.1", mac="00:1b:54:00:00:01", interface="Vlan99"),
        ],
        routes=[
            Route(prefix="10.30.0.0/16", next_hop="10.20.0.254"),
            Route(prefix="0.0.0.0/0", next_hop="10.20.0.254"),
            Route(prefix="10.20.0.0/24", protocol="connected"),
        ],
    )
    view = _view([device("core", ["lgwan", "management"])], [snap])
    assert [(i.interface, i.zone) for i in view.l3_interfaces["core"]] == [
        ("Vlan20", "lgwan"),
        ("Vlan99", "management"),
    ]
    assert "00:1b:54:00:00:01" in view.own_macs
    assert [
        (str(r.prefix), sorted(r.destination_zones), r.external) for r in view.routes["core"]
    ] == [
        ("10.30.0.0/16", ["internet"], False),
        ("0.0.0.0/0", [], True),
    ]
    assert view.interface_reach("core", "Vlan20") == frozenset(view.zones)
    assert view.zone_of_address("172.16.3.4") == "public-wifi"
    span = view.zones_of_networks([ipaddress.ip_network("10.0.0.0/8")])
    assert span.external and {"mynumber", "lgwan"} <= span.zones


def test_acl_lines_take_their_zones_from_addresses_and_from_the_binding() -> None:
    snap = snapshot(
        "core",
        interfaces=[svi("Vlan21", "10.20.21.1/24")],
        acls=[
            Acl(
                name="IN",
                entries=[
                    AclEntry(
                        sequence=10,
                        action="permit",
                        source="any",
                        destination="10.30.0.0/16",
                        source_networks=["0.0.0.0/0"],
                        destination_networks=["10.30.0.0/16"],
                    ),
                    AclEntry(action="remark", line="remark x"),
                    AclEntry(
                        action="deny",
                        source="any",
                        destination="any",
                        source_networks=["0.0.0.0/0"],
                        destination_networks=["0.0.0.0/0"],
                    ),
                ],
                applied=[AclBinding(interface="Vlan21", direction="in")],
            ),
            Acl(
                name="UNUSED",
                entries=[
                    AclEntry(
                        action="permit",
                        source_networks=["0.0.0.0/0"],
                        destination_networks=["0.0.0.0/0"],
                    )
                ],
            ),
        ],
    )
    view = _view([device("core", ["lgwan"])], [snap])
    rules = view.rules["core"]
    assert [(r.base_subject, r.action) for r in rules] == [
        ("acl:IN:10", "permit"),
        ("acl:IN:30", "deny"),
    ]
    assert rules[0].source_zones == frozenset({"lgwan"})
    assert rules[0].destination_zones == frozenset({"internet"})


def test_support_phrases_name_every_kind_of_evidence() -> None:
    support = Support()
    support.add("config", "ssh", "x")
    support.add("live", "snmp", "y")
    support.add("observed", "traffic", "z")
    assert support.phrase_en() == (
        "supported by configuration (ssh) and live state (snmp) and observed traffic (traffic)"
    )
    assert support.kinds == ("config", "live", "observed")
    assert [ref.source for ref in support.evidence] == ["ssh", "snmp", "traffic"]


def test_the_view_is_rebuilt_when_the_snapshots_are_replaced() -> None:
    ctx = context([device("sw", ["lgwan"])], [snapshot("sw")])
    first = ctx.network_view()
    assert NetworkView.of(ctx) is first
    ctx.snapshots = {"sw": snapshot("sw"), "sw2": snapshot("sw2")}
    assert ctx.network_view() is not first
    assert "_kyojin_network_view" not in vars(ctx)  # an explicit cache, not a patched attribute
    assert policy().zone("lgwan") is not None


def test_ports_of_unknown_mode_are_judged_by_their_vlan_membership() -> None:
    from auditor.model.snapshot import Interface

    snap = snapshot(
        "snmp-only",
        interfaces=[
            Interface(name="1", mode="unknown", access_vlan=20),
            Interface(name="25", mode="unknown", access_vlan=1, allowed_vlans=[1, 20, 30]),
            Interface(name="26", mode="unknown"),
        ],
    )
    view = _view([device("snmp-only", ["lgwan"])], [snap])
    assert view.port_vlans[("snmp-only", "1")].mode == "access"
    assert view.port_vlans[("snmp-only", "25")].mode == "trunk"
    assert ("snmp-only", "25") in view.transit_ports
    assert ("snmp-only", "26") not in view.port_vlans


def test_the_matrix_lists_unfiltered_routing_in_both_directions_once() -> None:
    from auditor.analysis.matrix import zone_matrix

    snap = snapshot(
        "core",
        interfaces=[svi("Vlan20", "10.20.0.1/24"), svi("Vlan30", "10.30.0.1/24")],
        acls=[
            Acl(
                name="X",
                entries=[
                    AclEntry(
                        sequence=10,
                        action="permit",
                        source_networks=["0.0.0.0/0"],
                        destination_networks=["0.0.0.0/0"],
                    )
                ],
                applied=[
                    AclBinding(interface="Vlan20", direction="out"),
                    AclBinding(interface="Vlan20", direction="out"),
                ],
            )
        ],
    )
    matrix = zone_matrix(_view([device("core", ["lgwan", "internet"])], [snap]))
    there = matrix.cell("lgwan", "internet")
    back = matrix.cell("internet", "lgwan")
    assert [e.subject for e in there.permitted] == ["l3:internet+lgwan"]
    assert there.status == "excess"
    assert [e.subject for e in back.permitted] == ["acl:X:10#internet->lgwan"]
    assert matrix.cell("mynumber", "internet").status == "denied"


# A snapshot stored before typed services (schema 1): ACL ports and firewall services as text only.
_OLD_SNAPSHOT = {
    "schema_version": 1,
    "device": "core",
    "collected_at": "2026-11-24T09:00:00+00:00",
    "sources": ["ssh"],
    "interfaces": [
        {"name": "Vlan21", "mode": "routed", "addresses": ["10.20.21.1/24"]},
        {"name": "Vlan31", "mode": "routed", "addresses": ["10.30.0.1/24"]},
    ],
    "acls": [
        {
            "name": "LGWAN-IN",
            "entries": [
                {
                    "sequence": 10,
                    "action": "deny",
                    "protocol": "tcp",
                    "source": "any",
                    "destination": "any",
                    "destination_ports": "eq 443",
                    "line": "deny tcp any any eq 443",
                },
                {
                    "sequence": 20,
                    "action": "permit",
                    "protocol": "tcp",
                    "source": "10.20.21.0/24",
                    "destination": "10.30.0.0/16",
                    "destination_ports": "eq www",
                    "line": "permit tcp 10.20.21.0 0.0.0.255 10.30.0.0 0.0.255.255 eq www",
                },
            ],
            "applied": [{"interface": "Vlan21", "direction": "in"}],
        }
    ],
    "firewall_policies": [{"policy_id": "7", "services": ["HTTPS"], "action": "accept"}],
}


def test_an_old_snapshot_without_typed_services_loads_with_them_unknown() -> None:
    snap = DeviceSnapshot.model_validate(_OLD_SNAPSHOT)
    assert snap.schema_version == 1
    assert [e.service for e in snap.acls[0].entries] == [None, None]
    assert snap.acls[0].entries[1].destination_ports == "eq www"  # raw text kept as evidence
    assert snap.firewall_policies[0].resolved_services is None


def test_unknown_services_permit_everything_and_deny_nothing() -> None:
    snap = DeviceSnapshot.model_validate(_OLD_SNAPSHOT)
    view = _view([device("core", ["lgwan", "internet"])], [snap])
    deny, permit = view.rules["core"][:2]
    assert (deny.action, deny.services_known) == ("deny", False)
    assert (permit.services, permit.services_known) == ((ANY_SERVICE,), False)
    # The unknown deny does not hide the permit, and the permit is judged as every service.
    cell = zone_matrix(view).cells[("lgwan", "internet")]
    assert [(p.subject, p.services) for p in cell.permitted if p.kind == "acl"] == [
        ("acl:LGWAN-IN:20#lgwan->internet", ["any"])
    ]


def test_a_known_deny_of_every_service_hides_a_later_permit() -> None:
    snap = DeviceSnapshot.model_validate(_OLD_SNAPSHOT)
    deny, permit = snap.acls[0].entries
    anywhere = {"source_networks": [_ANY], "destination_networks": [_ANY]}
    snap.acls[0].entries = [
        deny.model_copy(update={"service": Service.any(), **anywhere}),
        permit.model_copy(update={"service": Service.of("tcp", 80)}),
    ]
    view = _view([device("core", ["lgwan", "internet"])], [snap])
    cell = zone_matrix(view).cells[("lgwan", "internet")]
    assert [(p.subject, p.services) for p in cell.permitted if p.kind == "acl"] == []


def test_a_devices_interface_macs_are_its_own_and_never_terminals() -> None:
    port = access("p1", 20).model_copy(update={"mac": "00:1b:54:00:00:aa"})
    snap = snapshot(
        "sw",
        interfaces=[port],
        fdb=[FdbEntry(mac="001b.5400.00aa", vlan=20, port="p1")],
    )
    view = _view([device("sw", ["lgwan"])], [snap])
    assert "00:1b:54:00:00:aa" in view.own_macs
    assert list(view.terminal_sightings()) == []


def test_unknown_addresses_permit_any_address_and_deny_nothing() -> None:
    """Snapshots before schema 3 carry no typed networks: the text is evidence, never parsed."""
    snap = DeviceSnapshot.model_validate(_OLD_SNAPSHOT)
    deny, permit = snap.acls[0].entries
    assert (deny.source_networks, permit.destination_networks) == (None, None)
    snap.acls[0].entries = [
        deny.model_copy(update={"service": Service.any()}),
        permit.model_copy(update={"service": Service.of("tcp", 80)}),
    ]
    view = _view([device("core", ["lgwan", "internet"])], [snap])
    deny_fact, permit_fact = view.rules["core"][:2]
    assert (deny_fact.addresses_known, permit_fact.addresses_known) == (False, False)
    assert permit_fact.destination_networks is None  # "10.30.0.0/16" text is not read
    cell = zone_matrix(view).cells[("lgwan", "internet")]
    assert [(p.subject, p.services) for p in cell.permitted if p.kind == "acl"] == [
        ("acl:LGWAN-IN:20#lgwan->internet", ["tcp/80"])
    ]


def test_typed_networks_narrow_the_zones_of_a_rule() -> None:
    snap = DeviceSnapshot.model_validate(_OLD_SNAPSHOT)
    _, permit = snap.acls[0].entries
    snap.acls[0].entries = [
        permit.model_copy(
            update={
                "service": Service.of("tcp", 80),
                "source_networks": [ipaddress.ip_network("10.20.21.0/24")],
                "destination_networks": [ipaddress.ip_network("10.30.0.0/16")],
            }
        )
    ]
    view = _view([device("core", ["lgwan", "internet"])], [snap])
    fact = view.rules["core"][0]
    assert fact.addresses_known
    assert [str(n) for n in fact.destination_networks or ()] == ["10.30.0.0/16"]
    assert (fact.source_zones, fact.destination_zones) == ({"lgwan"}, {"internet"})

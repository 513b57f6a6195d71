"""SEG-005, SEG-006, SEG-007, SEG-011, SEG-012: routing, ACLs and firewall policies vs the policy."""

from __future__ import annotations

from auditor.model.findings import Severity
from auditor.model.services import Service
from auditor_checks.segmentation.allowed_flow_not_permitted import AllowedFlowNotPermitted
from auditor_checks.segmentation.l3_interface_joins_zones import L3InterfaceJoinsZones
from auditor_checks.segmentation.mynumber_egress import MyNumberEgress
from auditor_checks.segmentation.permit_beyond_policy import PermitBeyondPolicy
from auditor_checks.segmentation.route_joins_zones import RouteJoinsZones
from tests.checks.segmentation.city import (
    Acl,
    AclBinding,
    AclEntry,
    ArpEntry,
    FirewallPolicy,
    Route,
    context,
    device,
    policy,
    run,
    snapshot,
    subjects,
    svi,
)

INET = ["internet", "management"]
ANY = Service.any()


def test_an_lgwan_svi_on_the_internet_core_switch_routes_between_the_tiers() -> None:
    snap = snapshot(
        "inet-core-sw1",
        interfaces=[svi("Vlan21", "10.20.21.254/24"), svi("Vlan30", "10.30.0.1/24")],
        arp=[ArpEntry(ip="10.20.21.101", mac="00:00:5e:20:15:01", interface="Vlan21")],
    )
    findings = run(L3InterfaceJoinsZones(), context([device("inet-core-sw1", INET)], [snap]))
    assert subjects(findings) == [("inet-core-sw1", "l3:internet+lgwan")]
    assert findings[0].severity == Severity.HIGH
    assert "live state (snmp)" in findings[0].message_en


def test_svis_in_separate_vrfs_or_behind_acls_do_not_route_unfiltered() -> None:
    snap = snapshot(
        "core",
        interfaces=[
            svi("Vlan20", "10.20.0.1/24", vrf="LG"),
            svi("Vlan30", "10.30.0.1/24", vrf="NET"),
            svi("Vlan10", "10.10.0.1/24", acl_in="A", acl_out="B"),
            svi("Vlan31", "10.30.31.1/24", acl_in="C", acl_out="D"),
        ],
    )
    assert (
        run(L3InterfaceJoinsZones(), context([device("core", ["lgwan", "internet"])], [snap])) == []
    )


def test_a_firewall_routing_between_its_zones_is_left_to_its_policies() -> None:
    snap = snapshot(
        "fw",
        interfaces=[svi("port1", "10.20.255.3/29"), svi("port2", "10.30.255.1/29")],
        firewall_policies=[
            FirewallPolicy(
                policy_id="99",
                action="deny",
                resolved_services=[ANY],
                source_networks=["0.0.0.0/0"],
                destination_networks=["0.0.0.0/0"],
            )
        ],
    )
    assert (
        run(L3InterfaceJoinsZones(), context([device("fw", ["lgwan", "internet"])], [snap])) == []
    )


def _lgwan_in(*entries: AclEntry) -> list:
    return [
        snapshot(
            "inet-core-sw1",
            interfaces=[svi("Vlan21", "10.20.21.254/24"), svi("Vlan39", "10.30.255.2/29")],
            routes=[Route(prefix="0.0.0.0/0", next_hop="10.30.255.3")],
            acls=[
                Acl(
                    name="LGWAN-IN",
                    entries=list(entries),
                    applied=[AclBinding(interface="Vlan21", direction="in")],
                )
            ],
        )
    ]


def test_a_broad_acl_line_is_a_finding_per_zone_pair_naming_the_line() -> None:
    snaps = _lgwan_in(
        AclEntry(
            sequence=10,
            action="permit",
            protocol="tcp",
            source="10.20.21.0 0.0.0.255",
            destination="host 10.40.0.20",
            service=Service.of("tcp", 443),
            source_networks=["10.20.21.0/24"],
            destination_networks=["10.40.0.20/32"],
        ),
        AclEntry(
            sequence=20,
            action="permit",
            protocol="ip",
            source="10.20.21.0/24",
            service=ANY,
            destination="any",
            line="permit ip 10.20.21.0 0.0.0.255 any",
            source_networks=["10.20.21.0/24"],
            destination_networks=["0.0.0.0/0"],
        ),
    )
    findings = run(PermitBeyondPolicy(), context([device("inet-core-sw1", INET)], snaps))
    by_subject = {f.subject: f for f in findings}
    assert "acl:LGWAN-IN:20#lgwan->internet" in by_subject
    assert "acl:LGWAN-IN:20#lgwan->sanitizer" in by_subject
    assert not any(s.startswith("acl:LGWAN-IN:10") for s in by_subject)
    assert (
        "permit ip 10.20.21.0 0.0.0.255 any"
        in by_subject["acl:LGWAN-IN:20#lgwan->internet"].message_en
    )
    assert by_subject["acl:LGWAN-IN:20#lgwan->mynumber"].severity == Severity.CRITICAL


def test_permits_within_the_policy_and_those_behind_an_earlier_deny_are_fine() -> None:
    snaps = _lgwan_in(
        AclEntry(
            sequence=10,
            action="permit",
            protocol="tcp",
            source="10.20.21.0 0.0.0.255",
            destination="host 10.40.0.20",
            service=Service.of("tcp", 443),
            source_networks=["10.20.21.0/24"],
            destination_networks=["10.40.0.20/32"],
        ),
        AclEntry(
            sequence=20,
            action="deny",
            protocol="ip",
            source="any",
            destination="any",
            service=ANY,
            source_networks=["0.0.0.0/0"],
            destination_networks=["0.0.0.0/0"],
        ),
        AclEntry(
            sequence=30,
            action="permit",
            protocol="ip",
            source="any",
            destination="any",
            service=ANY,
            source_networks=["0.0.0.0/0"],
            destination_networks=["0.0.0.0/0"],
        ),
    )
    assert run(PermitBeyondPolicy(), context([device("inet-core-sw1", INET)], snaps)) == []


def _firewall(*policies: FirewallPolicy) -> list:
    return [
        snapshot(
            "inet-fw1",
            interfaces=[
                svi("port1", "10.20.255.3/29"),
                svi("port2", "10.30.255.1/29"),
                svi("port3", "10.40.0.1/24"),
            ],
            firewall_policies=list(policies),
        )
    ]


def test_a_firewall_policy_accepting_all_lgwan_to_internet_is_broader_than_via_relay() -> None:
    snaps = _firewall(
        FirewallPolicy(
            policy_id="3",
            source_interfaces=["port1"],
            destination_interfaces=["port2"],
            source_addresses=["all"],
            destination_addresses=["all"],
            services=["ALL"],
            resolved_services=[ANY],
            action="accept",
            line="edit 3 ... set service ALL",
            source_networks=["0.0.0.0/0"],
            destination_networks=["0.0.0.0/0"],
        )
    )
    ctx = context(
        [device("inet-fw1", ["lgwan", "internet", "sanitizer"], platform="fortinet")], snaps
    )
    findings = run(PermitBeyondPolicy(), ctx)
    assert subjects(findings) == [("inet-fw1", "fw:3#lgwan->internet")]
    assert "via screen-gw" in findings[0].message_en


def test_firewall_policies_matching_the_flows_produce_no_finding() -> None:
    snaps = _firewall(
        FirewallPolicy(
            policy_id="1",
            source_interfaces=["port1"],
            destination_interfaces=["port3"],
            source_addresses=["10.20.0.0/16"],
            destination_addresses=["mumeika-relay", "10.40.0.20/32"],
            services=["HTTPS"],
            resolved_services=[Service.of("tcp", 443)],
            action="accept",
            source_networks=["10.20.0.0/16"],
            destination_networks=["10.40.0.10/32", "10.40.0.20/32"],
        ),
        FirewallPolicy(
            policy_id="2",
            source_interfaces=["port3"],
            destination_interfaces=["port2"],
            source_addresses=["10.40.0.0/24"],
            destination_addresses=["all"],
            services=["HTTP", "HTTPS"],
            resolved_services=[Service.of("tcp", 80), Service.of("tcp", 443)],
            action="accept",
            source_networks=["10.40.0.0/24"],
            destination_networks=["0.0.0.0/0"],
        ),
        FirewallPolicy(
            policy_id="4",
            source_interfaces=["port1"],
            destination_interfaces=["port2"],
            source_addresses=["all"],
            destination_addresses=["all"],
            services=["ALL"],
            resolved_services=[ANY],
            action="accept",
            enabled=False,
            source_networks=["0.0.0.0/0"],
            destination_networks=["0.0.0.0/0"],
        ),
    )
    ctx = context(
        [device("inet-fw1", ["lgwan", "internet", "sanitizer"], platform="fortinet")], snaps
    )
    assert run(PermitBeyondPolicy(), ctx) == []
    assert run(AllowedFlowNotPermitted(), ctx) == []


def _my_number_core(*entries: AclEntry) -> list:
    return [
        snapshot(
            "myn-core-sw1",
            interfaces=[svi("Gi1/0/3", "10.10.255.1/30"), svi("VLAN0010", "10.10.10.1/24")],
            routes=[Route(prefix="10.20.200.0/24", next_hop="10.10.255.2")],
            acls=[
                Acl(
                    name="MYN-OUT",
                    entries=list(entries),
                    applied=[AclBinding(interface="Gi1/0/3", direction="out")],
                )
            ],
        )
    ]


def test_my_number_https_to_any_lgwan_host_is_critical() -> None:
    snaps = _my_number_core(
        AclEntry(
            sequence=10,
            action="permit",
            protocol="tcp",
            source="10.10.0.0/16",
            destination="10.20.200.10/32",
            service=Service.of("tcp", 443),
            source_networks=["10.10.0.0/16"],
            destination_networks=["10.20.200.10/32"],
        ),
        AclEntry(
            sequence=30,
            action="permit",
            protocol="tcp",
            source="10.10.0.0 0.0.255.255",
            destination="any",
            service=Service.of("tcp", 443),
            source_networks=["10.10.0.0/16"],
            destination_networks=["0.0.0.0/0"],
        ),
        AclEntry(
            sequence=100,
            action="deny",
            protocol="ip",
            source="any",
            destination="any",
            service=ANY,
            source_networks=["0.0.0.0/0"],
            destination_networks=["0.0.0.0/0"],
        ),
    )
    ctx = context([device("myn-core-sw1", ["mynumber", "management"])], snaps)
    findings = run(MyNumberEgress(), ctx)
    assert subjects(findings) == [("myn-core-sw1", "acl:MYN-OUT:30#mynumber->lgwan")]
    assert findings[0].severity == Severity.CRITICAL
    assert "chukan-server" in findings[0].message_en
    assert run(PermitBeyondPolicy(), ctx) == []  # My Number permits are SEG-007's alone


def test_my_number_permits_to_the_listed_destination_and_service_are_fine() -> None:
    snaps = _my_number_core(
        AclEntry(
            sequence=10,
            action="permit",
            protocol="tcp",
            source="10.10.0.0/16",
            destination="host 10.20.200.10",
            service=Service.of("tcp", 443),
            source_networks=["10.10.0.0/16"],
            destination_networks=["10.20.200.10/32"],
        ),
    )
    ctx = context([device("myn-core-sw1", ["mynumber", "management"])], snaps)
    assert run(MyNumberEgress(), ctx) == []


def test_my_number_permit_to_the_listed_host_on_another_service_is_critical() -> None:
    snaps = _my_number_core(
        AclEntry(
            sequence=10,
            action="permit",
            protocol="tcp",
            source="10.10.0.0/16",
            destination="host 10.20.200.10",
            service=Service.of("tcp", (1, 65535)),
            source_networks=["10.10.0.0/16"],
            destination_networks=["10.20.200.10/32"],
        ),
    )
    ctx = context([device("myn-core-sw1", ["mynumber", "management"])], snaps)
    assert [f.subject for f in run(MyNumberEgress(), ctx)] == ["acl:MYN-OUT:10#mynumber->lgwan"]


def test_a_default_route_from_my_number_to_an_internet_router_is_reported() -> None:
    snap = snapshot(
        "myn-core-sw1",
        interfaces=[svi("VLAN0010", "10.10.10.1/24")],
        routes=[Route(prefix="0.0.0.0/0", next_hop="10.30.255.3", protocol="static")],
    )
    findings = run(RouteJoinsZones(), context([device("myn-core-sw1", ["mynumber"])], [snap]))
    assert subjects(findings) == [("myn-core-sw1", "route:0.0.0.0/0#mynumber->internet")]
    assert findings[0].severity == Severity.CRITICAL


def test_an_ospf_route_into_another_zone_is_live_evidence_of_an_adjacency() -> None:
    snap = snapshot(
        "lg-rt",
        interfaces=[svi("ge0", "10.20.255.2/29")],
        routes=[Route(prefix="10.50.0.0/16", next_hop="10.20.255.6", protocol="ospf", vrf="LG")],
    )
    findings = run(RouteJoinsZones(), context([device("lg-rt", ["lgwan"])], [snap]))
    assert [f.subject for f in findings] == ["route:vrf:LG/10.50.0.0/16#lgwan->education"]
    assert "live state" in findings[0].message_en


def test_routes_to_allowed_zones_and_wan_default_routes_are_fine() -> None:
    snap = snapshot(
        "lg-rt1",
        interfaces=[svi("ge0", "192.0.2.2/30"), svi("ge1", "10.20.255.2/29")],
        routes=[
            Route(prefix="0.0.0.0/0", next_hop="192.0.2.1"),
            Route(prefix="10.40.0.0/24", next_hop="10.20.255.3"),
            Route(prefix="10.20.0.0/16", next_hop="10.20.255.1"),
        ],
    )
    assert run(RouteJoinsZones(), context([device("lg-rt1", ["lgwan"])], [snap])) == []


def test_an_allowed_flow_without_any_permit_is_information_not_tied_to_a_device() -> None:
    snaps = _firewall(
        FirewallPolicy(
            policy_id="2",
            source_interfaces=["port3"],
            destination_interfaces=["port2"],
            source_addresses=["10.40.0.0/24"],
            destination_addresses=["all"],
            services=["HTTPS"],
            resolved_services=[Service.of("tcp", 443)],
            action="accept",
            source_networks=["10.40.0.0/24"],
            destination_networks=["0.0.0.0/0"],
        )
    )
    ctx = context(
        [device("inet-fw1", ["lgwan", "internet", "sanitizer"], platform="fortinet")],
        snaps,
        policy_obj=policy(),
    )
    findings = run(AllowedFlowNotPermitted(), ctx)
    assert [(f.device, f.subject, f.severity) for f in findings] == [
        (None, "flow:lgwan->internet", Severity.INFO),
        (None, "flow:lgwan->sanitizer", Severity.INFO),
    ]


def test_no_flow_is_judged_without_any_collected_routing_point() -> None:
    assert run(AllowedFlowNotPermitted(), context([], [])) == []

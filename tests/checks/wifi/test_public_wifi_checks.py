"""WIFI-001 … WIFI-003: the public / shelter Wi-Fi stays apart from administrative zones (4-3-3)."""

from __future__ import annotations

from auditor.model.services import Service
from auditor.model.snapshot import Acl, FirewallPolicy, Route
from auditor_checks.wifi.ap_management_outside_mgmt import PublicWifiApManagement
from auditor_checks.wifi.public_vlan_on_admin_link import PublicWifiVlanOnAdminLink
from auditor_checks.wifi.public_wifi_path_to_admin import PublicWifiPathToAdmin
from tests.checks.hardening._support import context, device, run, snapshot, subjects


def test_a_trunk_carrying_the_shelter_vlan_and_an_lgwan_vlan_is_reported() -> None:
    snap = snapshot(
        "hinanjo-sw1",
        interfaces=[
            {"name": "port1.0.1", "mode": "trunk", "allowed_vlans": [900, 22, 99]},
            {"name": "port1.0.2", "mode": "trunk", "allowed_vlans": [900, 99]},
        ],
    )
    ctx = context([snap], devices=[device("hinanjo-sw1", zones=["public-wifi", "management"])])
    assert subjects(PublicWifiVlanOnAdminLink(), ctx) == ["port:port1.0.1"]


def test_the_shelter_vlan_on_a_device_of_an_administrative_zone_is_reported() -> None:
    snap = snapshot("lg-sw", interfaces=[{"name": "ge5", "mode": "access", "access_vlan": 900}])
    ctx = context([snap], devices=[device("lg-sw", zones=["lgwan", "management"])])
    assert subjects(PublicWifiVlanOnAdminLink(), ctx) == ["vlan:900"]


def test_a_separate_shelter_switch_with_management_only_is_clean() -> None:
    snap = snapshot(
        "ap-sw", interfaces=[{"name": "p2", "mode": "trunk", "allowed_vlans": [900, 99]}]
    )
    ctx = context([snap], devices=[device("ap-sw", zones=["public-wifi", "management"])])
    assert run(PublicWifiVlanOnAdminLink(), ctx) == []


def test_a_router_joining_the_wifi_subnet_and_an_lgwan_subnet_is_a_path() -> None:
    snap = snapshot(
        "hinanjo-rt1",
        interfaces=[
            {"name": "lan1", "mode": "routed", "addresses": ["172.16.0.1/20"]},
            {"name": "lan1.22", "mode": "routed", "addresses": ["10.20.23.1/24"]},
            {"name": "lan2", "mode": "routed", "addresses": ["203.0.113.10/30"]},
        ],
        routes=[
            Route(prefix="0.0.0.0/0", next_hop="203.0.113.9"),
            Route(prefix="10.20.0.0/16", next_hop="10.20.23.254"),
        ],
    )
    assert subjects(PublicWifiPathToAdmin(), context([snap])) == [
        "interface:lan1.22",
        "route:10.20.0.0/16",
    ]


def test_a_wifi_router_with_only_an_internet_route_and_a_vrf_apart_is_clean() -> None:
    snap = snapshot(
        "rt",
        interfaces=[
            {"name": "lan1", "mode": "routed", "addresses": ["172.16.0.1/20"], "vrf": "PUBLIC"},
            {"name": "lan3", "mode": "routed", "addresses": ["10.20.23.1/24"]},
        ],
        routes=[Route(prefix="0.0.0.0/0", next_hop="203.0.113.9", vrf="PUBLIC")],
    )
    assert run(PublicWifiPathToAdmin(), context([snap])) == []


def test_acl_first_match_decides_and_a_permit_into_lgwan_is_reported() -> None:
    def acl(*entries: dict[str, object]) -> Acl:
        return Acl.model_validate(
            {
                "name": "WIFI-IN",
                "entries": list(entries),
                "applied": [{"interface": "lan1", "direction": "in"}],
            }
        )

    deny_first = acl(
        {
            "sequence": 10,
            "action": "deny",
            "source": "172.16.0.0/20",
            "destination": "10.0.0.0/8",
            "source_networks": ["172.16.0.0/20"],
            "destination_networks": ["10.0.0.0/8"],
            "service": {"protocol": "ip"},
        },
        {
            "sequence": 20,
            "action": "permit",
            "source": "any",
            "destination": "any",
            "source_networks": ["0.0.0.0/0"],
            "destination_networks": ["0.0.0.0/0"],
        },
    )
    permit_first = acl(
        {
            "sequence": 10,
            "action": "permit",
            "source": "172.16.0.0/20",
            "destination": "10.20.0.0/16",
            "source_networks": ["172.16.0.0/20"],
            "destination_networks": ["10.20.0.0/16"],
            "line": "permit ip 172.16.0.0 0.0.15.255 10.20.0.0 0.0.255.255",
        },
    )
    interfaces = [{"name": "lan1", "mode": "routed", "addresses": ["172.16.0.1/20"], "vrf": "P"}]
    good = snapshot("rt", interfaces=interfaces, acls=[deny_first])
    assert run(PublicWifiPathToAdmin(), context([good])) == []
    bad = snapshot("rt", interfaces=interfaces, acls=[permit_first])
    assert subjects(PublicWifiPathToAdmin(), context([bad])) == ["acl:WIFI-IN:10"]


def test_a_firewall_policy_accepting_wifi_to_lgwan_is_reported() -> None:
    policies = [
        FirewallPolicy(
            policy_id="5",
            source_interfaces=["wifi"],
            destination_interfaces=["port1"],
            source_addresses=["all"],
            destination_addresses=["10.20.0.0/16"],
            services=["ALL"],
            resolved_services=[Service.any()],
            action="accept",
            source_networks=["0.0.0.0/0"],
            destination_networks=["10.20.0.0/16"],
        ),
        FirewallPolicy(
            policy_id="6",
            source_interfaces=["wifi"],
            destination_interfaces=["wan"],
            source_addresses=["all"],
            destination_addresses=["203.0.113.0/24"],
            services=["ALL"],
            resolved_services=[Service.any()],
            action="accept",
            source_networks=["0.0.0.0/0"],
            destination_networks=["203.0.113.0/24"],
        ),
    ]
    snap = snapshot(
        "fw",
        interfaces=[{"name": "wifi", "mode": "routed", "addresses": ["172.16.0.1/20"], "vrf": "W"}],
        firewall_policies=policies,
    )
    assert subjects(PublicWifiPathToAdmin(), context([snap])) == ["policy:5"]


def test_an_access_point_with_an_address_in_the_client_subnet_is_reported() -> None:
    snap = snapshot(
        "ap1",
        interfaces=[
            {"name": "br99", "mode": "routed", "addresses": ["10.99.0.93/24"]},
            {"name": "br900", "mode": "routed", "addresses": ["172.16.0.2/20"]},
        ],
    )
    ap = device("ap1", zones=["public-wifi", "management"], role="ap", address="10.99.0.93")
    assert subjects(PublicWifiApManagement(), context([snap], devices=[ap])) == ["interface:br900"]
    outside = device("ap1", zones=["public-wifi"], role="ap", address="172.16.0.2")
    assert "address" in subjects(PublicWifiApManagement(), context([snap], devices=[outside]))


def test_an_access_point_managed_in_the_management_zone_is_clean() -> None:
    snap = snapshot(
        "ap1", interfaces=[{"name": "br99", "mode": "routed", "addresses": ["10.99.0.93/24"]}]
    )
    ap = device("ap1", zones=["public-wifi", "management"], role="ap", address="10.99.0.93")
    assert run(PublicWifiApManagement(), context([snap], devices=[ap])) == []

"""Each parser's forwarding facts from configuration text, and what path analysis makes of them.

Synthetic configurations in each vendor's syntax: static NAT / VIP, policy routing, dynamic
protocols and a VRF route leak; then a parsed IOS edge router whose static NAT exposes a My
Number host, and the same router with a route-map on the inside port (answer: unknown).
"""

from __future__ import annotations

from datetime import UTC, datetime

from auditor.analysis.network import NetworkView
from auditor.analysis.reachability.verdicts import reachability
from auditor.model.snapshot import DeviceSnapshot
from auditor.platforms.parts import SnapshotParts
from auditor.platforms.registry import profiles
from tests.checks.segmentation.city import context, device

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)

IOS_EDGE = """\
hostname edge
ip vrf RED
interface GigabitEthernet0/0
 ip address 10.30.0.1 255.255.255.0
 ip access-group OUTSIDE-IN in
 ip nat outside
interface Vlan10
 ip address 10.10.1.1 255.255.255.0
 ip nat inside
{pbr}interface Vlan20
 ip vrf forwarding RED
 ip address 10.20.1.1 255.255.255.0
ip access-list extended OUTSIDE-IN
 10 permit tcp any host 10.30.0.100 eq 443
ip nat inside source static 10.10.1.10 10.30.0.100
ip nat inside source static tcp 10.10.1.11 443 10.30.0.101 8443
{unresolved}ip nat inside source list 1 interface GigabitEthernet0/0 overload
ip route vrf RED 10.30.9.0 255.255.255.0 10.30.0.254 global
router ospf 1
 network 10.10.1.0 0.0.0.255 area 0
router bgp 64512
 neighbor 10.30.0.254 remote-as 64513
"""


def _parse(platform: str, text: str) -> SnapshotParts:
    profile = profiles()[platform]
    return profile.parse({profile.config_command: text}, salt=b"fwd")


def test_ios_static_nat_pbr_dynamic_protocols_and_a_leak() -> None:
    pbr = " ip policy route-map TO-NET\n"
    unresolved = "ip nat inside source static 10.10.1.12 interface GigabitEthernet0/0\n"
    parts = _parse("cisco_ios", IOS_EDGE.format(pbr=pbr, unresolved=unresolved))
    assert parts.nat_rules is not None
    static, forwarded, unresolved, source = parts.nat_rules
    assert (static.kind, static.inside, static.outside) == (
        "static",
        "10.10.1.10/32",
        "10.30.0.100/32",
    )
    assert static.interface == "GigabitEthernet0/0" and static.modelled
    assert (forwarded.protocol, forwarded.inside_port, forwarded.outside_port) == ("tcp", 443, 8443)
    assert not unresolved.modelled  # the outside address is the port's: not resolved
    assert source.kind == "source"
    assert [(p.interface, p.name) for p in parts.policy_routes] == [("Vlan10", "TO-NET")]
    assert parts.routing_protocols == ["bgp", "ospf"]
    (leak,) = [r for r in parts.routes if r.vrf == "RED"]
    assert (leak.prefix, leak.next_hop, leak.next_hop_vrf) == (
        "10.30.9.0/24",
        "10.30.0.254",
        "global",
    )
    assert not [line for line in parts.unparsed_config_lines if "nat" in line or "router" in line]


def test_fortigate_vip_policy_nat_router_policy_and_ospf() -> None:
    text = """\
config firewall vip
    edit "web"
        set extip 203.0.113.20
        set mappedip "10.10.1.20"
        set extintf "port2"
    next
    edit "pool"
        set extip 203.0.113.21
        set mappedip "10.10.1.21-10.10.1.29"
        set extintf "any"
    next
end
config firewall policy
    edit 7
        set srcintf "port1"
        set dstintf "port2"
        set srcaddr "all"
        set dstaddr "all"
        set action accept
        set service "ALL"
        set nat enable
    next
end
config router policy
    edit 1
        set input-device "port1"
        set dst "0.0.0.0/0.0.0.0"
        set gateway 10.30.0.254
        set output-device "port2"
    next
end
config router ospf
    set router-id 10.99.0.31
end
config router bgp
    set as 0
end
"""
    parts = _parse("fortinet", text)
    assert parts.nat_rules is not None
    web, pool, masquerade = parts.nat_rules
    assert (web.kind, web.inside, web.outside, web.interface) == (
        "vip",
        "10.10.1.20/32",
        "203.0.113.20/32",
        "port2",
    )
    assert not pool.modelled and pool.interface is None  # a mapped range is not resolved
    assert masquerade.kind == "source" and "policy 7" in masquerade.line
    assert [(p.interface, p.name) for p in parts.policy_routes] == [("port1", "1")]
    assert parts.routing_protocols == ["ospf"]  # ``set as 0``: BGP not running


def test_yamaha_nat_descriptors_filter_routes_and_ospf() -> None:
    text = """\
ip route default gateway 203.0.113.1
ip route 10.0.0.0/8 gateway 192.168.1.1 filter 1
ip lan2 address 203.0.113.2/30
ip lan2 nat descriptor 1000 2000
nat descriptor type 1000 static
nat descriptor static 1000 1 203.0.113.30=10.10.1.30 1
nat descriptor static 1000 2 203.0.113.40=10.10.1.40 8
nat descriptor type 2000 masquerade
nat descriptor address outer 2000 203.0.113.2
nat descriptor masquerade static 2000 1 10.10.1.31 tcp 443
nat descriptor type 3000 static
nat descriptor static 3000 1 203.0.113.50=10.10.1.50 1
ospf use on
"""
    parts = _parse("yamaha_rtx", text)
    assert parts.nat_rules is not None
    rules = {(r.kind, r.inside, r.outside, r.modelled) for r in parts.nat_rules}
    assert ("static", "10.10.1.30/32", "203.0.113.30/32", True) in rules
    assert ("vip", "10.10.1.31/32", "203.0.113.2/32", True) in rules
    assert ("source", None, None, True) in rules
    assert any(not r.modelled and "10.10.1.40" in r.line for r in parts.nat_rules)  # 8 addresses
    assert not any("10.10.1.50" in r.line for r in parts.nat_rules)  # descriptor 3000 unbound
    assert all(r.interface == "lan2" for r in parts.nat_rules)
    assert [p.name for p in parts.policy_routes] == ["ip route 10.0.0.0/8"]
    assert parts.routing_protocols == ["ospf"]


def test_nec_ix_napt_and_the_ios_like_switches_dynamic_protocols() -> None:
    ix = _parse(
        "nec_ix",
        "hostname ix\ninterface GigaEthernet0.0\n  ip address 203.0.113.2/30\n  ip napt enable\n"
        "  ip napt static GigaEthernet0.0 tcp 10.10.1.60 80\nrouter ospf\n",
    )
    assert ix.nat_rules is not None
    assert [(r.kind, r.modelled) for r in ix.nat_rules] == [("source", True), ("static", False)]
    assert ix.routing_protocols == ["ospf"]
    for platform in ("alaxala_ax", "allied_telesis_awplus"):
        parts = _parse(platform, "hostname sw\nrouter ospf 1\n network 10.0.0.0/8 area 0\n")
        assert parts.routing_protocols == ["ospf"], platform
        assert parts.nat_rules is None, platform  # not read on these platforms: unknown


def _edge_city(pbr: str = "", unresolved: str = "") -> NetworkView:
    parts = _parse("cisco_ios", IOS_EDGE.format(pbr=pbr, unresolved=unresolved))
    parts.routing_protocols = []  # the OSPF/BGP of the fixture are not what this test is about
    snapshot: DeviceSnapshot = parts.to_snapshot("edge", NOW)
    ctx = context([device("edge", ["mynumber", "internet", "lgwan"])], [snapshot])
    return NetworkView.of(ctx)


def test_a_parsed_static_nat_exposes_a_my_number_host_to_the_internet_tier() -> None:
    verdict = reachability(_edge_city(""))[("internet", "mynumber")]
    https = next(r for r in verdict.results if str(r.service) == "tcp/443")
    assert https.status == "reachable" and https.path is not None
    assert "ip nat inside source static 10.10.1.10 10.30.0.100" in (https.path.hops[0].nat or "")
    assert [str(n) for n in https.path.destinations] == ["10.10.1.10/32"]
    assert https.violation is not None


def test_a_parsed_route_map_on_the_inside_port_makes_the_answer_unknown() -> None:
    verdict = reachability(_edge_city(pbr=" ip policy route-map TO-NET\n"))[
        ("mynumber", "internet")
    ]
    assert verdict.status == "unknown"
    assert any("policy-based routing" in gap and "TO-NET" in gap for gap in verdict.gaps)


def test_a_parsed_nat_the_parser_could_not_resolve_makes_the_answer_unknown() -> None:
    """``… static 10.10.1.12 interface Gi0/0``: the outside address is the port's (DHCP maybe)."""
    unresolved = "ip nat inside source static 10.10.1.12 interface GigabitEthernet0/0\n"
    verdict = reachability(_edge_city(unresolved=unresolved))[("internet", "mynumber")]
    assert verdict.status == "unknown"
    assert any("NAT not modelled" in gap for gap in verdict.gaps)


VRF_CORE = """\
hostname core
ip vrf MYN
interface Vlan10
 ip vrf forwarding MYN
 ip address 10.10.1.1 255.255.255.0
interface Vlan30
 ip address 10.30.0.1 255.255.255.0
{leak}"""


def _vrf_city(leak: str) -> NetworkView:
    parts = _parse("cisco_ios", VRF_CORE.format(leak=leak))
    ctx = context([device("core", ["mynumber", "internet"])], [parts.to_snapshot("core", NOW)])
    return NetworkView.of(ctx)


def test_a_parsed_vrf_leak_joins_the_my_number_vrf_to_the_internet_tier() -> None:
    assert reachability(_vrf_city(""))[("mynumber", "internet")].status == "not-reachable"
    leaked = reachability(
        _vrf_city("ip route vrf MYN 10.30.0.0 255.255.0.0 Vlan30 10.30.0.254 global\n")
    )[("mynumber", "internet")]
    https = next(r for r in leaked.results if str(r.service) == "tcp/443")
    assert https.status == "reachable" and https.path is not None
    assert "leaked from vrf global" in (https.path.hops[0].route or "")

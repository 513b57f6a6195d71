"""Forwarding facts (NAT, policy routing, dynamic protocols, VRF leaks) from real configurations.

The expected values are read by hand from the files in ``../shared/realdata/configs`` (the
``.expected.json`` files there predate these facts, so they are written here).
"""

from __future__ import annotations

import pytest

from tests.platforms.realdata_configs import parse_file
from tests.realdata import realdata_dir

pytestmark = pytest.mark.realdata

# file → (platform, routing protocols, NAT rule count (None: not read), policy-route lines, VRF routes (vrf, leak))
Expected = tuple[str, list[str], int | None, list[str], list[tuple[str, str | None]]]
EXPECTED: dict[str, Expected] = {
    # ``router ospf 1`` and ``router bgp 1``
    "batfish_as1core1.cfg": ("cisco_ios", ["bgp", "ospf"], 0, [], []),
    "batfish_as2border1.cfg": ("cisco_ios", ["bgp", "ospf"], 0, [], []),
    # a department router speaking only BGP
    "batfish_as2dept1.cfg": ("cisco_ios", ["bgp"], 0, [], []),
    # ``router ospf 1`` beside ``ip vrf MGMT`` (no static route in the VRF)
    "napalm_show_running_config.txt": ("cisco_ios", ["ospf"], 0, [], []),
    "oxidized_C9200L-24P-4G_17.09.04a.txt": ("cisco_ios", [], 0, [], []),
    # ``ip route vrf Mgmt-intf 0.0.0.0 0.0.0.0 10.41.1.1 250``: in the VRF, not a leak
    "oxidized_C9800-L-F-K9_17.06.05.txt": ("cisco_ios", [], 0, [], [("Mgmt-intf", None)]),
    # only ``config router multicast``: no unicast routing protocol, no VIP, no NAT policy
    "oxidized_FortiGate-91G_7.4.7.txt": ("fortinet", [], 0, [], []),
    "oxidized_FortiGate-501E_vdomHAdown.txt": ("fortinet", [], 0, [], []),
    # AW+ declares no NAT reading: unknown, not "none"
    "pynetworking_x600-48_running_config.txt": ("allied_telesis_awplus", [], None, [], []),
    # four ``ip route … gateway … filter N`` lines choose the gateway per packet
    "tfrtx_static_route_multi_gateway.txt": (
        "yamaha_rtx",
        [],
        0,
        [
            "ip route 172.16.0.0/12 gateway 192.168.1.1 filter 1",
            "ip route 172.16.0.0/12 gateway 192.168.1.2 filter 2",
            "ip route 10.30.0.0/16 gateway 192.168.1.60 weight 5 filter 100",
            "ip route 10.30.0.0/16 gateway 192.168.1.61 weight 10 filter 101",
        ],
        [],
    ),
    # ``ip lan1 nat descriptor 1`` with no ``nat descriptor type 1``: type none, no translation
    "tfrtx_interface_filter_long_list.txt": ("yamaha_rtx", [], 0, [], []),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_forwarding_facts_match_the_hand_read_ones(name: str) -> None:
    platform, protocols, nat_count, policy_lines, vrf_routes = EXPECTED[name]
    path = realdata_dir() / "configs" / platform / name
    parts = parse_file(platform, path)
    assert parts.routing_protocols == protocols
    assert (None if parts.nat_rules is None else len(parts.nat_rules)) == nat_count
    assert [route.line for route in parts.policy_routes] == policy_lines
    assert [(r.vrf, r.next_hop_vrf) for r in parts.routes if r.vrf] == vrf_routes

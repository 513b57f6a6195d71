"""The forwarding-fact parsers never raise on mangled lines, and a bad line never loses the device.

Table-driven: forwarding lines (NAT, static and policy routes, routing processes, VRF leaks) as
the real configurations in ``../shared/realdata/configs`` write them, plus the vendors' NAT forms
the real files lack, are mangled (truncated at every word, an unknown keyword appended, every
number made huge or negative, every address made impossible) and appended to a real
configuration. The parse must not raise, must keep the real file's interfaces and hostname, and
must return the forwarding facts in their types (a bad line is a warning or an unresolved fact).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from auditor.platforms.registry import profile_for
from tests.realdata import realdata_dir

pytestmark = pytest.mark.realdata

# platform → (real base file, forwarding lines: read from the real files where they have them)
CASES: dict[str, tuple[str, list[str]]] = {
    "cisco_ios": (
        "cisco_ios/oxidized_C9800-L-F-K9_17.06.05.txt",
        [
            "ip route 0.0.0.0 0.0.0.0 10.41.2.1",  # real (C9800)
            "ip route vrf Mgmt-intf 0.0.0.0 0.0.0.0 10.41.1.1 250",  # real (C9800)
            "ip route vrf Mgmt-intf 10.0.0.0 255.0.0.0 10.41.1.1 global",
            "ip route vrf Mgmt-intf 10.0.0.0 255.0.0.0 vrf OTHER 10.41.1.1",
            "router ospf 1\n redistribute connected subnets\n network 10.1.1.0 0.0.0.255 area 0",
            "router bgp 2\n neighbor 2.1.2.1 remote-as 2\n neighbor 2.1.2.1 update-source Loopback0",
            "ip nat inside source static 10.1.1.10 198.51.100.10",
            "ip nat inside source static tcp 10.1.1.11 443 198.51.100.11 8443 extendable",
            "ip nat inside source static network 10.1.2.0 198.51.100.0 /24",
            "ip nat inside source list 1 interface GigabitEthernet1 overload",
            "ip nat outside source static 198.51.100.20 10.1.1.20",
            "interface GigabitEthernet9\n ip nat outside\n ip policy route-map PBR\n shutdown",
        ],
    ),
    "fortinet": (
        "fortinet/oxidized_FortiGate-91G_7.4.7.txt",
        [
            'config firewall vip\n    edit "web"\n        set extip 203.0.113.20\n'
            '        set mappedip "10.10.1.20"\n        set extintf "wan1"\n'
            "        set portforward enable\n        set extport 443\n        set mappedport 443\n"
            "    next\nend",
            "config router static\n    edit 1\n        set dst 10.0.0.0 255.0.0.0\n"
            '        set gateway 192.0.2.1\n        set device "wan1"\n    next\nend',
            'config router policy\n    edit 1\n        set input-device "internal"\n'
            "        set gateway 192.0.2.2\n    next\nend",
            "config router ospf\n    set router-id 10.99.0.31\n    config area\n"
            "        edit 0.0.0.0\n        next\n    end\nend",
            "config router bgp\n    set as 65001\n    config neighbor\n"
            '        edit "192.0.2.9"\n            set remote-as 65002\n        next\n    end\nend',
            "config firewall policy\n    edit 7\n        set nat enable\n    next\nend",
        ],
    ),
    "yamaha_rtx": (
        "yamaha_rtx/tfrtx_static_route_multi_gateway.txt",
        [
            "ip route 172.16.0.0/12 gateway 192.168.1.1 filter 1",  # real
            "ip route 10.30.0.0/16 gateway 192.168.1.60 weight 5 filter 100",  # real
            "ip route default gateway pp 1 gateway tunnel 1",
            "nat descriptor type 1 masquerade",
            "nat descriptor address outer 1 203.0.113.2",
            "nat descriptor masquerade static 1 1 192.168.1.10 tcp 8080=80",
            "nat descriptor static 1 2 203.0.113.5=192.168.1.5 1",
            "ip lan2 nat descriptor 1",
            "ospf use on",
        ],
    ),
    "allied_telesis_awplus": (
        "allied_telesis_awplus/pynetworking_x600-48_running_config.txt",
        [
            "ip route 0.0.0.0/0 10.0.0.254",
            "router ospf\n network 10.0.0.0/8 area 0",
            "router bgp 65001\n neighbor 10.0.0.2 remote-as 65002",
        ],
    ),
}


def _mangled(line: str) -> Iterator[str]:
    """Truncations, an unknown keyword, huge/negative numbers, impossible addresses."""
    first, *rest = line.split("\n")
    words = first.split()
    for cut in range(1, len(words)):
        yield "\n".join([" ".join(words[:cut]), *rest])
    yield line + " frobnicate 7"
    yield line.replace("\n", " zork\n", 1) if rest else line + " zork"
    yield re.sub(r"\b\d+\b", "99999999999999999999999", line)
    yield re.sub(r"\b\d+\b", "-1", line)
    yield re.sub(r"\b\d+\.\d+\.\d+\.\d+\b", "999.300.1.1", line)
    yield re.sub(r"\b\d+\.\d+\.\d+\.\d+\b", "10.0.0.0/99", line)
    yield line[: len(line) // 2]


def _cases() -> list[tuple[str, int]]:
    return [
        (platform, index) for platform, (_, lines) in CASES.items() for index in range(len(lines))
    ]


@pytest.mark.parametrize(("platform", "index"), _cases())
def test_mangled_forwarding_lines_never_raise_nor_lose_the_device(
    platform: str, index: int
) -> None:
    base, lines = CASES[platform]
    profile = profile_for(platform)
    assert profile is not None
    real = (realdata_dir() / "configs" / base).read_bytes().decode("utf-8", errors="replace")
    reference = profile.parse({profile.config_command: real}, salt=b"robust")
    for variant in [lines[index], *_mangled(lines[index])]:
        text = real.rstrip("\n") + "\n" + variant + "\n"
        parts = profile.parse({profile.config_command: text}, salt=b"robust")
        assert parts.system.name == reference.system.name, variant
        real_names = {i.name for i in reference.interfaces}
        assert real_names <= {i.name for i in parts.interfaces}, variant
        assert (parts.nat_rules is None) == (reference.nat_rules is None), variant
        for rule in parts.nat_rules or []:
            for port in (rule.inside_port, rule.outside_port):
                assert port is None or 0 < port < 65536, (variant, rule)
        assert all(isinstance(p, str) for p in parts.routing_protocols or [])
        for route in parts.routes:
            assert route.prefix.count("/") == 1, (variant, route)

"""A synthetic city of N devices for benchmarks (``lab scale``).

Devices come in blocks of ten (one L3 core, eight edge switches, one router) per site and zone,
platforms rotate through the six the lab emulates, every edge switch has 24 access ports, two
uplinks, a management SVI and a few hosts, so the data per device looks like the example city's.
Everything is deterministic for a given N, so benchmark runs are comparable.
"""

from __future__ import annotations

from collections.abc import Sequence

from auditor.inventory.models import Platform
from auditor.lab.scenario import (
    HostDef,
    Link,
    LinkEnd,
    Management,
    Port,
    Scenario,
    ScenarioDevice,
    Site,
    SnmpCredential,
    SshCredential,
    SysInfo,
    VlanDef,
)

_ZONES = (
    ("mynumber", 10, "10.10"),
    ("lgwan", 20, "10.20"),
    ("internet", 30, "10.30"),
    ("education", 50, "10.50"),
    ("public-wifi", 900, "172.16"),
)
_PLATFORMS: tuple[Platform, ...] = (
    "cisco_ios",
    "allied_telesis_awplus",
    "alaxala_ax",
    "cisco_ios",
    "allied_telesis_awplus",
    "alaxala_ax",
)
_ROUTER_PLATFORMS: tuple[Platform, ...] = ("yamaha_rtx", "nec_ix", "fortinet")
_SYS = {
    "cisco_ios": ("Cisco IOS Software, C2960X Software, Version 15.2(7)E9", "1.3.6.1.4.1.9.1.1208"),
    "allied_telesis_awplus": (
        "Allied Telesis router/switch, AW+ v5.5.3-0.1",
        "1.3.6.1.4.1.207.1.4.305",
    ),
    "alaxala_ax": ("ALAXALA AX2130S Switching software Ver. 2.7.A", "1.3.6.1.4.1.21839.1.2.25"),
    "yamaha_rtx": ("RTX830 Rev.15.02.30 (Fri Oct 13 09:43:11 2023)", "1.3.6.1.4.1.1182.1.68"),
    "nec_ix": (
        "NEC Portable Internetwork Core Operating System Software, IX2215",
        "1.3.6.1.4.1.119.1.84.18",
    ),
    "fortinet": ("FortiGate-100F v7.2.8,build1639,240313 (GA.M)", "1.3.6.1.4.1.12356.101.1.1041"),
}
BLOCK = 10
HOSTS_PER_EDGE = 4
V3_EVERY = 100


def _port_name(platform: str, number: int) -> str:
    """Vendor-true port names where the renderers' parsers insist on them (AW+ ``portX.Y.Z``:
    the AW+ LLDP parser rejects ``uplink1``); other platforms keep the generic names."""
    if platform == "allied_telesis_awplus":
        return f"port1.0.{number}"
    return f"port{number}"


def _uplink(platform: str, number: int) -> str:
    return (
        _port_name(platform, 24 + number)
        if platform == "allied_telesis_awplus"
        else (f"uplink{number}")
    )


def _downlink(platform: str, number: int) -> str:
    return (
        _port_name(platform, 26 + number)
        if platform == "allied_telesis_awplus"
        else (f"downlink{number}")
    )


def _access_ports(vlan: int, platform: str = "", count: int = 24) -> list[Port]:
    return [
        Port(
            name=_port_name(platform, index),
            if_index=index,
            alias=f"端末 {index}",
            access_vlan=vlan,
            oper_up=index <= HOSTS_PER_EDGE + 4,
        )
        for index in range(1, count + 1)
    ]


def _management_address(index: int) -> str:
    return f"10.99.{index // 250}.{index % 250 + 1}"


def synthetic_city(
    devices: int, *, zones: Sequence[str] | None = None, access_ports: int = 24
) -> Scenario:
    """A deterministic city of exactly ``devices`` devices.

    ``zones`` keeps only those zones' blocks (the distributed tests use the three tiers);
    ``access_ports`` below 24 makes small switches whose SNMP walk is cheap for the agent (the
    1,000-device tests), at least ``HOSTS_PER_EDGE`` so every host keeps its port.
    """
    if devices < 1:
        raise ValueError("a synthetic city needs at least one device")
    chosen = tuple(z for z in _ZONES if zones is None or z[0] in zones)
    if not chosen:
        raise ValueError(f"no synthetic zone among {zones}")
    access_ports = max(HOSTS_PER_EDGE, min(24, access_ports))
    built: list[ScenarioDevice] = []
    links: list[Link] = []
    hosts: list[HostDef] = []
    sites: list[Site] = []
    for index in range(devices):
        block, slot = divmod(index, BLOCK)
        zone, vlan_base, prefix = chosen[block % len(chosen)]
        vlan = vlan_base if zone == "public-wifi" else vlan_base + 1
        third_octet = block // len(chosen) % 250
        site_id = f"site-{block:04d}"
        if slot == 0:
            sites.append(
                Site(id=site_id, kind="shisho", name_ja=f"拠点{block}", name_en=f"Site {block}")
            )
        name = f"s{block:04d}-{'core' if slot == 0 else 'rt' if slot == BLOCK - 1 else 'sw'}{slot}"
        if slot == BLOCK - 1:
            platform = _ROUTER_PLATFORMS[block % len(_ROUTER_PLATFORMS)]
            role = "router"
        else:
            platform = _PLATFORMS[(block + slot) % len(_PLATFORMS)]
            role = "core" if slot == 0 else "edge"
        descr, object_id = _SYS[platform]
        address = _management_address(index)
        management_port = Port(
            name=f"vlan99-{slot}" if platform != "cisco_ios" else "Vlan99",
            if_index=1099,
            if_type=136,
            mode="routed",
            addresses=[f"{address}/16"],
        )
        ports: list[Port]
        if role == "router":
            ports = [
                Port(
                    name="lan1",
                    if_index=1,
                    alias="拠点LAN",
                    mode="routed",
                    addresses=[f"{prefix}.{third_octet}.254/24"],
                ),
                Port(
                    name="lan2",
                    if_index=2,
                    alias="WAN",
                    mode="routed",
                    addresses=[f"192.0.2.{block % 250 + 1}/30"],
                ),
            ]
        else:
            ports = [
                *_access_ports(vlan, platform, access_ports),
                Port(
                    name=_uplink(platform, 1),
                    if_index=25,
                    alias="上位スイッチへ",
                    mode="trunk",
                    allowed_vlans=[vlan, 99],
                ),
                Port(
                    name=_uplink(platform, 2),
                    if_index=26,
                    alias="予備",
                    mode="trunk",
                    allowed_vlans=[vlan, 99],
                    oper_up=False,
                ),
            ]
            if role == "core":
                ports += [
                    Port(
                        name=_downlink(platform, n),
                        if_index=100 + n,
                        alias=f"sw{n} へ",
                        mode="trunk",
                        allowed_vlans=[vlan, 99],
                    )
                    for n in range(1, BLOCK - 1)
                ]
                ports.append(
                    Port(
                        name=f"svi{vlan}",
                        if_index=1000 + vlan % 1000,
                        if_type=136,
                        mode="routed",
                        addresses=[f"{prefix}.{third_octet}.1/24"],
                    )
                )
        ports.append(management_port)
        snmp = (
            SnmpCredential(
                version="v3",
                user="bench",
                auth_protocol="sha",
                auth_key=f"auth-{name}-key",
                priv_protocol="aes",
                priv_key=f"priv-{name}-key",
            )
            if index % V3_EVERY == V3_EVERY - 1
            else SnmpCredential(version="v2c", community=f"bench-{name}")
        )
        device = ScenarioDevice(
            name=name,
            site=site_id,
            zones=[zone, "management"],
            role=role,
            platform=platform,
            address=address,
            sys=SysInfo(
                descr=descr,
                object_id=object_id,
                model=platform,
                serial=f"SN{index:06d}",
                location=f"拠点{block} ラック",
                contact="情報政策課",
            ),
            ports=ports,
            snmp=snmp,
            ssh=SshCredential(username="bench", password=f"pw-{name}"),
            management=Management(
                ntp_servers=["10.99.0.10"],
                syslog_hosts=["10.99.0.10"],
                banner="Authorized access only",
            ),
        )
        built.append(device)
        if role == "edge":
            core = built[index - slot]
            links.append(
                Link(
                    a=LinkEnd(device=core.name, port=_downlink(core.platform, slot)),
                    b=LinkEnd(device=name, port=_uplink(platform, 1)),
                )
            )
            for host_number in range(1, HOSTS_PER_EDGE + 1):
                host_index = index * HOSTS_PER_EDGE + host_number
                mac = f"00:00:5e:{(host_index >> 16) & 0xFF:02x}:{(host_index >> 8) & 0xFF:02x}:{host_index & 0xFF:02x}"
                hosts.append(
                    HostDef(
                        name=f"h{host_index}",
                        mac=mac,
                        ip=f"{prefix}.{third_octet}.{(slot * HOSTS_PER_EDGE + host_number) % 250 + 2}",
                        vlan=vlan,
                        device=name,
                        port=_port_name(platform, host_number),
                    )
                )
    vlans = [VlanDef(id=99, name="管理")] + [
        VlanDef(id=vlan if zone == "public-wifi" else vlan + 1, name=f"{zone}業務")
        for zone, vlan, _ in _ZONES
    ]
    return Scenario(
        name=f"synthetic-{devices}",
        municipality="合成市",
        description=f"lab scale: {devices} devices",
        sites=sites,
        vlans=vlans,
        devices=built,
        links=links,
        hosts=hosts,
    )

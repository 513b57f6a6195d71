"""Cisco IOS show-command output for a scenario device, in the layout ntc-templates expects."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from datetime import datetime, timedelta, timezone

from auditor.lab.cli_render.ios_like import render_config
from auditor.lab.scenario import Scenario, ScenarioDevice, arp_entries, fdb_entries
from auditor.model.snapshot import Route

_SHORT = (
    ("GigabitEthernet", "Gi"),
    ("TenGigabitEthernet", "Te"),
    ("FastEthernet", "Fa"),
    ("Port-channel", "Po"),
)


def short_name(name: str) -> str:
    for long_name, short in _SHORT:
        if name.startswith(long_name):
            return short + name[len(long_name) :]
    return name


def dotted_mac(mac: str) -> str:
    digits = mac.replace(":", "").lower()
    return f"{digits[0:4]}.{digits[4:8]}.{digits[8:12]}"


def render_version(device: ScenarioDevice) -> str:
    sys = device.sys
    days, rest = divmod(sys.uptime_seconds, 86400)
    weeks, days = divmod(days, 7)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    return (
        f"{sys.descr}\n"
        "Technical Support: http://www.cisco.com/techsupport\n"
        "Copyright (c) 1986-2024 by Cisco Systems, Inc.\n\n"
        "ROM: Bootstrap program is IOS boot loader\n"
        f"BOOTLDR: Version {sys.os_version}\n\n"
        f"{device.name} uptime is {weeks} weeks, {days} days, {hours} hours, {minutes} minutes\n"
        "System returned to ROM by power-on\n"
        'System image file is "flash:packages.conf"\n\n'
        f"cisco {sys.model} (ARM64) processor with 1392780K/6147K bytes of memory.\n"
        f"Processor board ID {sys.serial}\n"
        "24 Gigabit Ethernet interfaces\n\n"
        "Configuration register is 0x102\n"
    )


def render_vlan_brief(device: ScenarioDevice, scenario: Scenario) -> str:
    lines = [
        "",
        "VLAN Name                             Status    Ports",
        "---- -------------------------------- --------- -------------------------------",
    ]
    for vlan_id in device.configured_vlans():
        members = [
            short_name(port.name)
            for port in device.ports
            if port.mode == "access" and port.access_vlan == vlan_id
        ]
        lines.append(
            f"{vlan_id:<4} {scenario.vlan_name(vlan_id):<32} active    {', '.join(members)}"
        )
    return "\n".join(lines) + "\n"


def render_interfaces_status(device: ScenarioDevice) -> str:
    lines = ["", "Port         Name               Status       Vlan       Duplex  Speed Type"]
    for port in device.ports:
        if port.mode == "routed" and port.name.lower().startswith(("vlan", "loopback")):
            continue
        status = "disabled" if not port.admin_up else "connected" if port.oper_up else "notconnect"
        vlan = (
            "trunk"
            if port.mode == "trunk"
            else "routed"
            if port.mode == "routed"
            else str(port.access_vlan or 1)
        )
        name = re.sub(r"[^\x20-\x7e]", "", port.alias or "")[:18]
        lines.append(
            f"{short_name(port.name):<12} {name:<18} {status:<12} {vlan:<10} a-full a-1000 10/100/1000BaseTX"
        )
    return "\n".join(lines) + "\n"


def render_lldp_detail(device: ScenarioDevice, scenario: Scenario, *, short: bool = True) -> str:
    blocks: list[str] = []
    for local, remote_device, remote in scenario.neighbors_of(device.name):
        blocks.append(
            "------------------------------------------------\n"
            f"Local Intf: {short_name(local.name) if short else local.name}\n"
            f"Chassis id: {dotted_mac(remote_device.chassis_mac())}\n"
            f"Port id: {remote.name}\n"
            f"Port Description: {remote.alias or remote.name}\n"
            f"System Name: {remote_device.name}\n\n"
            "System Description: \n"
            f"{remote_device.sys.descr}\n\n"
            "Time remaining: 105 seconds\n"
            "System Capabilities: B,R\n"
            "Enabled Capabilities: B\n"
            "Management Addresses:\n"
            f"    IP: {remote_device.address}\n"
            "Auto Negotiation - supported, enabled\n"
            "Physical media capabilities:\n"
            "    1000baseT(FD)\n"
            "Media Attachment Unit type: 30\n"
            "Vlan ID: - not advertised\n"
        )
    total = f"\nTotal entries displayed: {len(blocks)}\n"
    return "\n".join(blocks) + total


def render_arp(device: ScenarioDevice, scenario: Scenario) -> str:
    lines = ["Protocol  Address          Age (min)  Hardware Addr   Type   Interface"]
    for entry in arp_entries(scenario, device.name):
        lines.append(
            f"Internet  {entry.ip:<16} {3:>10}   {dotted_mac(entry.mac)}  ARPA   {entry.interface}"
        )
    return "\n".join(lines) + "\n"


def render_mac_table(device: ScenarioDevice, scenario: Scenario) -> str:
    lines = [
        "          Mac Address Table",
        "-------------------------------------------",
        "",
        "Vlan    Mac Address       Type        Ports",
        "----    -----------       --------    -----",
    ]
    entries = fdb_entries(scenario, device.name)
    for entry in entries:
        lines.append(
            f"{entry.vlan:>4}    {dotted_mac(entry.mac)}    DYNAMIC     {short_name(entry.port or '')}"
        )
    lines.append(f"Total Mac Addresses for this criterion: {len(entries)}")
    return "\n".join(lines) + "\n"


def render_ip_route(routes: list[Route]) -> str:
    lines = [
        "Codes: L - local, C - connected, S - static, R - RIP, M - mobile, B - BGP",
        "       D - EIGRP, EX - EIGRP external, O - OSPF, IA - OSPF inter area ",
        "       * - candidate default, U - per-user static route",
        "",
    ]
    lines.extend(static_route_lines(routes, gap=" " * 4))
    return "\n".join(lines) + "\n"


def static_route_lines(routes: Iterable[Route], *, gap: str) -> list[str]:
    """The gateway line, a blank line and one line a static route, as IOS-like CLIs print them.

    ``gap`` is the run of spaces after the route code, the one place the vendors' layouts differ.
    """
    listed = list(routes)
    default = next((route for route in listed if route.prefix == "0.0.0.0/0"), None)
    lines = [
        f"Gateway of last resort is {default.next_hop} to network 0.0.0.0"
        if default is not None and default.next_hop
        else "Gateway of last resort is not set",
        "",
    ]
    for route in listed:
        network = ipaddress.ip_network(route.prefix)
        code = "S*" if network.prefixlen == 0 else "S "
        via = f"via {route.next_hop}" if route.next_hop else "is directly connected"
        suffix = f", {route.interface}" if route.interface else ""
        lines.append(f"{code}{gap}{network} [1/0] {via}{suffix}")
    return lines


def render_clock(skew_seconds: float, now: datetime | None = None) -> str:
    """``show clock`` as IOS prints it (``09:12:40.123 JST Tue Nov 24 2026``), skewed."""
    jst = timezone(timedelta(hours=9))
    moment = (now or datetime.now(jst)).astimezone(jst) + timedelta(seconds=skew_seconds)
    millis = f"{moment.microsecond // 1000:03d}"
    return moment.strftime("%H:%M:%S.") + millis + " JST " + moment.strftime("%a %b %d %Y") + "\n"


def render(device: ScenarioDevice, scenario: Scenario) -> dict[str, str | bytes]:
    return {
        "show version": render_version(device),
        "show running-config": render_config(device, scenario),
        "show vlan brief": render_vlan_brief(device, scenario),
        "show interfaces status": render_interfaces_status(device),
        "show lldp neighbors detail": render_lldp_detail(device, scenario),
        "show cdp neighbors detail": "% CDP is not enabled\n",
        "show ip arp": render_arp(device, scenario),
        "show mac address-table": render_mac_table(device, scenario),
        "show ip route": render_ip_route(list(device.routes)),
        # Served live by the lab SSH server (ssh_devices); this text is the render-time reading.
        "show clock": render_clock(device.management.clock_skew_seconds),
    }

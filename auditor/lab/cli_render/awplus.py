"""Allied Telesis AW+ show-command output for a scenario device (ntc-templates layout)."""

from __future__ import annotations

from auditor.lab.cli_render.cisco import dotted_mac, static_route_lines
from auditor.lab.cli_render.ios_like import render_config
from auditor.lab.scenario import Scenario, ScenarioDevice, arp_entries, fdb_entries


def render_system(device: ScenarioDevice) -> str:
    sys = device.sys
    return (
        "System Status                                   Mon Apr 06 09:00:00 2026\n\n"
        "Board       ID  Bay   Board Name                         Rev   Serial number\n"
        "--------------------------------------------------------------------------------\n"
        f"Base       467        {sys.model or 'AT-x230':<34} B-0   {sys.serial}\n"
        "--------------------------------------------------------------------------------\n"
        "RAM:  Total: 123860 kB Free: 47472 kB\n"
        "--------------------------------------------------------------------------------\n"
        "Environment Status : Normal\n"
        "Uptime             : 40 days 00:00:00\n\n"
        f"Current software   : x230-{sys.os_version}.rel\n"
        f"Software version   : {sys.os_version}\n\n"
        "System Name\n"
        f" {device.name}\n"
        "System Contact\n\n"
        "System Location\n\n"
    )


def render_vlan_all(device: ScenarioDevice, scenario: Scenario) -> str:
    lines = [
        "VLAN ID  Name            Type    State   Member ports",
        "                                         (u)-Untagged, (t)-Tagged",
        "======= ================ ======= ======= ====================================",
    ]
    for vlan_id in device.configured_vlans():
        members = [
            f"{port.name}({'t' if port.mode == 'trunk' else 'u'})"
            for port in device.ports
            if vlan_id in port.vlan_ids()
        ]
        lines.append(
            f"{vlan_id:<8} {scenario.vlan_name(vlan_id):<16} STATIC  ACTIVE  {' '.join(members)}".rstrip()
        )
    return "\n".join(lines) + "\n"


def render_switchport(device: ScenarioDevice) -> str:
    blocks = []
    for port in device.ports:
        if port.mode == "routed":
            continue
        if port.mode == "trunk":
            tagged = " ".join(str(v) for v in sorted(port.allowed_vlans or []))
            native = str(port.native_vlan) if port.native_vlan is not None else "None"
            blocks.append(
                f"Interface name            : {port.name}\n"
                "Switchport mode           : trunk\n"
                "Ingress filter            : enable\n"
                "Acceptable frame types    : all\n"
                f"Default Vlan              : {native}\n"
                f"Configured Vlans          : {tagged}\n"
            )
        else:
            blocks.append(
                f"Interface name            : {port.name}\n"
                "Switchport mode           : access\n"
                "Ingress filter            : enable\n"
                "Acceptable frame types    : all\n"
                f"Default Vlan              : {port.access_vlan}\n"
                f"Configured Vlans          : {port.access_vlan}\n"
            )
    return "\n".join(blocks)


def render_lldp_detail(device: ScenarioDevice, scenario: Scenario) -> str:
    blocks = ["LLDP Detailed Neighbor Information:", ""]
    for local, remote_device, remote in scenario.neighbors_of(device.name):
        blocks.append(
            f"Local {local.name}:\n"
            "  Neighbors table last updated 0 hrs 10 mins 05 secs ago\n\n"
            "  Chassis ID Type .................. MAC address\n"
            f"  Chassis ID ....................... {dotted_mac(remote_device.chassis_mac())}\n"
            "  Port ID Type ..................... Interface name\n"
            f"  Port ID .......................... {remote.name}\n"
            "  TTL .............................. 120 (secs)\n"
            f"  Port Description ................. {remote.alias or '[not advertised]'}\n"
            f"  System Name ...................... {remote_device.name}\n"
            f"  System Description ............... {remote_device.sys.descr}\n"
            "  System Capabilities - Supported .. Bridge, Router\n"
            "                      - Enabled .... Bridge, Router\n"
            f"  Management Addresses ............. {remote_device.address}\n"
        )
    return "\n".join(blocks)


def render_arp(device: ScenarioDevice, scenario: Scenario) -> str:
    lines = ["IP Address      MAC Address     Interface       Port            Type"]
    for entry in arp_entries(scenario, device.name):
        lines.append(
            f"{entry.ip:<15} {dotted_mac(entry.mac):<15} {entry.interface:<15} port1.0.1       dynamic"
        )
    return "\n".join(lines) + "\n"


def render_mac_table(device: ScenarioDevice, scenario: Scenario) -> str:
    lines = ["VLAN  port             mac            fwd"]
    for entry in fdb_entries(scenario, device.name):
        lines.append(f"{entry.vlan:<5} {entry.port:<16} {dotted_mac(entry.mac)} forward   dynamic")
    return "\n".join(lines) + "\n"


def render_ip_route(device: ScenarioDevice) -> str:
    lines = [
        "Codes: C - connected, S - static, R - RIP, B - BGP",
        "       O - OSPF, D - DHCP, IA - OSPF inter area",
        "       * - candidate default",
        "",
    ]
    lines.extend(static_route_lines(device.routes, gap=" " * 6))
    return "\n".join(lines) + "\n"


def render(device: ScenarioDevice, scenario: Scenario) -> dict[str, str | bytes]:
    return {
        "show system": render_system(device),
        "show running-config": render_config(device, scenario),
        "show vlan all": render_vlan_all(device, scenario),
        "show interface switchport": render_switchport(device),
        "show lldp neighbors detail": render_lldp_detail(device, scenario),
        "show arp": render_arp(device, scenario),
        "show mac address-table": render_mac_table(device, scenario),
        "show ip route": render_ip_route(device),
    }

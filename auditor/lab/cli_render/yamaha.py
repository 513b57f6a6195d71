"""Yamaha RTX output for a scenario device: ``show config`` (Shift_JIS when the device says so)."""

from __future__ import annotations

import ipaddress

from auditor.lab.cli_render.ios_like import fake_hash
from auditor.lab.scenario import Scenario, ScenarioDevice
from auditor.model.snapshot import AclEntry


def _filter_line(number: int, entry: AclEntry) -> str:
    action = "pass" if entry.action == "permit" else "reject"
    source = "*" if entry.source == "any" else entry.source.removesuffix("/32")
    destination = "*" if entry.destination == "any" else entry.destination.removesuffix("/32")
    protocol = "*" if entry.protocol == "ip" else entry.protocol
    ports = "*"
    if entry.destination_ports:
        ports = entry.destination_ports.replace("eq ", "").replace("range ", "").replace(" ", "-")
    if protocol == "*" and ports == "*":
        return f"ip filter {number} {action} {source} {destination} *"
    return f"ip filter {number} {action} {source} {destination} {protocol} * {ports}"


def _gateway(next_hop: str | None, interface: str | None) -> str:
    """``pp1`` / ``tunnel1`` are written ``pp 1`` / ``tunnel 1`` after ``gateway``."""
    if next_hop:
        return next_hop
    name = interface or "null"
    for kind in ("pp", "tunnel"):
        if name.startswith(kind) and name[len(kind) :].isdigit():
            return f"{kind} {name[len(kind) :]}"
    return name


def render_config(device: ScenarioDevice, scenario: Scenario) -> str:
    m = device.management
    sys = device.sys
    encoding = device.ssh.encoding if device.ssh else "utf-8"
    out = [
        f"# {sys.model} {sys.os_version} ({sys.descr.split('(')[-1].rstrip(')') if '(' in sys.descr else ''})",
        f"# MAC Address : {device.chassis_mac()}",
        "# Reporter: Configuration on console",
        f"console character {'ja.sjis' if encoding == 'shift_jis' else 'ja.utf8'}",
        "console lines infinity",
        f"console prompt {device.name}",
        "login password encrypted " + fake_hash("hash", device.name + "login")[:16],
        "administrator password encrypted " + fake_hash("hash", device.name + "admin")[:16],
    ]
    for user in m.local_users:
        if user.password_storage == "plain":  # noqa: S105 (a storage kind)
            out.append(f"login user {user.name} {user.password or device.name}")
        else:
            out.append(
                f"login user {user.name} encrypted {fake_hash('hash', device.name + user.name)[:16]}"
            )
        admin = "on" if (user.privilege or 1) >= 15 else "off"
        out.append(
            f"user attribute {user.name} connection=serial,telnet,remote,ssh administrator={admin}"
        )
    if m.exec_timeout_seconds is not None:
        out.append(f"login timer {m.exec_timeout_seconds}")
    out.append("timezone +09:00")
    gateways: dict[str, list[str]] = {}
    for route in device.routes:
        network = ipaddress.ip_network(route.prefix)
        destination = "default" if network.prefixlen == 0 else str(network)
        gateways.setdefault(destination, []).append(_gateway(route.next_hop, route.interface))
    for destination, hops in gateways.items():
        # One line per prefix: a second ``ip route`` for the same prefix would replace the first.
        out.append(f"ip route {destination} " + " ".join(f"gateway {hop}" for hop in hops))
    numbers: dict[tuple[str, int], int] = {}
    for acl_index, acl in enumerate(device.acls):
        for entry_index in range(len(acl.entries)):
            numbers[(acl.name, entry_index)] = (acl_index + 1) * 1000 + entry_index
    for port in device.ports:
        if port.name.startswith("tunnel"):
            continue
        if port.alias:
            out.append(f'description {port.name} "{port.alias}"')
        for address in port.addresses:
            out.append(f"ip {port.name} address {address}")
        for acl_name, direction in ((port.acl_in, "in"), (port.acl_out, "out")):
            bound = next((a for a in device.acls if a.name == acl_name), None)
            if bound is not None:
                listed = " ".join(str(numbers[(bound.name, i)]) for i in range(len(bound.entries)))
                out.append(f"ip {port.name} secure filter {direction} {listed}")
    for port in device.ports:
        if not port.name.startswith("tunnel"):
            continue
        number = port.name.removeprefix("tunnel")
        out.append(f"tunnel select {number}")
        if port.alias:
            out.append(f" description tunnel {port.alias}")
        out.append(f" ipsec tunnel {100 + int(number)}")
        out.append(f"  ipsec sa policy {100 + int(number)} {number} esp aes-cbc sha-hmac")
        out.append(f"  ipsec ike pre-shared-key {number} text {device.name}-psk-{number}")
        for address in port.addresses:
            out.append(f" ip tunnel address {address}")
        out.append(f" tunnel {'enable' if port.admin_up else 'disable'} {number}")
        out.append("tunnel select none")
    for acl in device.acls:
        for index, entry in enumerate(acl.entries):
            out.append(_filter_line(numbers[(acl.name, index)], entry))
    out.append("telnetd service on" if m.telnet_enabled else "telnetd service off")
    if m.ssh_enabled:
        out += ["sshd service on", "sshd host key generate *"]
        if m.vty_access_class:
            out.append(f"sshd host {m.vty_access_class}")
    out.append("httpd host lan" if m.http_server else "httpd host none")
    for community in m.snmp_communities:
        access = "read-only" if community.access == "ro" else "read-write"
        keyword = "snmp" if community.version == "v1" else "snmpv2c"
        out.append(f"{keyword} community {access} {community.name}")
    if m.snmp_access_class:
        out.append(f"snmpv2c host {m.snmp_access_class}")
    for index, v3_user in enumerate(m.snmp_v3_users, start=1):
        out.append(
            f"snmpv3 usm user {index} {v3_user} group 1 auth sha {device.name}-auth "
            f"priv aes128-cfb {device.name}-priv"
        )
    for host in m.syslog_hosts:
        out.append(f"syslog host {host}")
    if m.login_logging:
        out.append("syslog notice on")  # off by default: logins are not logged without it
    for server in m.ntp_servers:
        out.append(f"schedule at 1 */* 03:00 * ntpdate {server} syslog")
    if m.dns_servers:
        out.append("dns server " + " ".join(m.dns_servers))
    if m.aaa_enabled:
        out.append("radius use on")
    return "\n".join(out) + "\n"


def render_environment(device: ScenarioDevice) -> str:
    sys = device.sys.model_copy(
        update={
            "model": device.sys.model or "RTX1220",
            "os_version": device.sys.os_version or "15.04.04",
            "serial": device.sys.serial or "S0000000",
        }
    )
    revision = (sys.os_version or "").removeprefix("Rev.")
    return (
        f"{sys.model} BootROM Ver.1.04\n"
        f"{sys.model} Rev.{revision} ({sys.descr.split('(')[-1].rstrip(')') if '(' in sys.descr else ''})\n"
        f"  main:  {sys.model} ver=00 serial={sys.serial} MAC-Address={device.chassis_mac()}\n"
        "CPU:   1%(5sec)   1%(1min)   1%(5min)    Memory: 20% used\n"
        "Packet-buffer:   0%(small)   0%(middle)   2%(large)   0%(huge) used\n"
        "Firmware: exec0  Config. file: config0\n"
        "Boot time: 2026/03/01 09:00:00 +09:00\n"
        "Current time: 2026/04/06 09:00:00 +09:00\n"
        "Elapsed time from boot: 36days 00:00:00\n"
        "Security Class: 1, FORGET: ON, TELNET: OFF\n"
        "Inside Temperature(C.): 38\n"
    )


def _route_interface(name: str | None) -> str:
    if not name:
        return "-"
    if name.startswith(("pp", "tunnel")):
        kind = "PP" if name.startswith("pp") else "TUNNEL"
        return f"{kind}[{int(name.removeprefix('pp').removeprefix('tunnel')):02d}]"
    return name.upper()


def render_ip_route(device: ScenarioDevice) -> str:
    lines = ["Destination         Gateway          Interface       Kind  Additional Info."]
    for route in device.routes:
        network = ipaddress.ip_network(route.prefix)
        destination = "default" if network.prefixlen == 0 else str(network)
        gateway = route.next_hop or "-"
        lines.append(
            f"{destination:<19} {gateway:<20} {_route_interface(route.interface):>9}    static  "
        )
    return "\n".join(lines) + "\n"


def render(device: ScenarioDevice, scenario: Scenario) -> dict[str, str | bytes]:
    encoding = device.ssh.encoding if device.ssh else "utf-8"
    config = render_config(device, scenario)
    return {
        "show environment": render_environment(device),
        "show config": config.encode("cp932") if encoding == "shift_jis" else config,
        "show ip route": render_ip_route(device),
    }

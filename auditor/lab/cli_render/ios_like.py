"""Render running configurations for the IOS-like platforms (Cisco, AW+, Alaxala AX, NEC IX).

What is rendered is what the device would print for the scenario: the parsers must read it back
into the same facts (round trip), and planted secrets are really in it (the collector redacts).
"""

from __future__ import annotations

import hashlib
import ipaddress
import re

from auditor.lab.scenario import Port, Scenario, ScenarioDevice
from auditor.model.snapshot import AclEntry
from auditor.platforms.common import format_vlan_list


def fake_hash(kind: str, seed: str) -> str:
    """A stable hash-looking string (the lab never stores real password hashes)."""
    digest = hashlib.sha256(seed.encode("utf-8")).hexdigest()
    if kind == "type9":
        return f"$9${digest[:14]}${digest[14:57]}"
    if kind == "type8":
        return f"$8${digest[:14]}${digest[14:57]}"
    if kind == "type5":
        return f"$1${digest[:4]}${digest[4:26]}"
    if kind == "type7":
        return digest[:16].upper()
    return digest[:32]


def _mask(address: str) -> tuple[str, str]:
    interface = ipaddress.ip_interface(address)
    return str(interface.ip), str(interface.network.netmask)


def interface_keyword(device: ScenarioDevice, port: Port) -> str:
    """The ``interface …`` line for a port in the platform's own spelling."""
    if device.platform == "alaxala_ax":
        match = re.fullmatch(r"VLAN0*(\d+)", port.name)
        if match:
            return f"interface vlan {match.group(1)}"
    return f"interface {port.name}"


def _acl_entry_text(entry: AclEntry, platform: str) -> str:
    if entry.line and platform in {"cisco_ios", "alaxala_ax"}:
        return entry.line
    if entry.action == "remark":
        return f"remark {entry.line}"
    parts = [entry.action, entry.protocol, _operand(entry.source, platform)]
    parts.append(_operand(entry.destination, platform))
    if entry.destination_ports:
        ports = entry.destination_ports
        if "-" in ports:
            low, high = ports.split("-", 1)
            parts.append(f"range {low} {high}")
        elif ports.split()[0] in {"eq", "gt", "lt", "neq", "range"}:
            parts.append(ports)
        else:
            parts.append(f"eq {ports}")
    return " ".join(parts)


def _operand(value: str, platform: str) -> str:
    if value == "any":
        return "any"
    network = ipaddress.ip_network(value, strict=False)
    if network.prefixlen == 32:
        return f"host {network.network_address}"
    if platform == "allied_telesis_awplus":
        return str(network)
    wildcard = ipaddress.ip_address(int(network.hostmask))
    return f"{network.network_address} {wildcard}"


def render_config(device: ScenarioDevice, scenario: Scenario) -> str:
    """``show running-config`` for a Cisco/AW+/AX/NEC device of the scenario."""
    platform = device.platform
    m = device.management
    out: list[str] = []
    if platform == "cisco_ios":
        out += ["Building configuration...", "", "Current configuration : 4242 bytes", "!"]
        out += ["version 17.9", "service timestamps log datetime msec"]
    if platform == "nec_ix":
        out += ["! NEC Portable Internetwork Core Operating System Software", "!"]
    if m.password_encryption and platform != "nec_ix":
        out.append("service password-encryption")
    out.append(
        f'hostname "{device.name}"' if platform == "alaxala_ax" else f"hostname {device.name}"
    )
    out.append("!")
    if platform in {"cisco_ios", "alaxala_ax"} and m.enable_secret_storage:
        storage = m.enable_secret_storage
        if storage in {"type5", "type8", "type9"}:
            out.append(f"enable secret {storage[4:]} {fake_hash(storage, device.name + 'enable')}")
        elif storage == "type7":
            out.append(f"enable password 7 {fake_hash('type7', device.name)}")
        elif storage == "plain":
            out.append(f"enable password {device.name}-enable")
    if m.aaa_enabled:
        out += ["aaa new-model"] if platform == "cisco_ios" else []
        out.append("aaa authentication login default group tacacs+ local")
    for user in m.local_users:
        out.append(
            _user_line(device, user.name, user.privilege, user.password_storage, user.password)
        )
    out.append("!")
    if platform == "allied_telesis_awplus":
        out.append("no service telnet" if not m.telnet_enabled else "service telnet")
        out.append("service http" if m.http_server else "no service http")
        if m.ssh_enabled:
            out += ["service ssh", "ssh server v2only"]
    if platform == "nec_ix":
        if m.ssh_enabled:
            out.append("ssh-server ip enable")
        if m.telnet_enabled:
            out.append("telnet-server ip enable")
        if m.http_server:
            out.append("http-server ip enable")
    if platform in {"cisco_ios", "alaxala_ax"}:
        if m.ssh_enabled:
            out.append(f"ip ssh version {m.ssh_version}")
        out.append("ip http server" if m.http_server else "no ip http server")
        out.append("ip http secure-server" if m.https_server else "no ip http secure-server")
    if platform == "cisco_ios":
        if m.cdp_run is not None:
            out.append("cdp run" if m.cdp_run else "no cdp run")
        if m.lldp_run is not None:
            out.append("lldp run" if m.lldp_run else "no lldp run")
    if m.dhcp_snooping:
        out += ["service dhcp-snooping"] if platform == "allied_telesis_awplus" else []
        out.append("ip dhcp snooping")
    if m.arp_inspection:
        vlans = format_vlan_list(device.configured_vlans()) or "1"
        out.append(
            "arp security"
            if platform == "allied_telesis_awplus"
            else f"ip arp inspection vlan {vlans}"
        )
    for server in m.dns_servers:
        out.append(f"ip name-server {server}")
    out.append("!")
    vlan_ids = device.configured_vlans()
    if vlan_ids and platform == "allied_telesis_awplus":
        out.append("vlan database")
        for vlan_id in vlan_ids:
            out.append(f" vlan {vlan_id} name {scenario.vlan_name(vlan_id)} state enable")
        out.append("!")
    elif vlan_ids and platform in {"cisco_ios", "alaxala_ax"}:
        for vlan_id in vlan_ids:
            name = scenario.vlan_name(vlan_id)
            out += [
                f"vlan {vlan_id}",
                f' name "{name}"' if platform == "alaxala_ax" else f" name {name}",
                "!",
            ]
    for port in device.ports:
        out += _interface_lines(device, port)
        out.append("!")
    for route in device.routes:
        out.append(_route_line(device, route.prefix, route.next_hop, route.interface))
    out.append("!")
    for acl in device.acls:
        if platform == "nec_ix":
            for entry in acl.entries:
                out.append(f"ip access-list {acl.name} {_nec_acl(entry)}")
            continue
        header = (
            f"access-list extended {acl.name}"
            if platform == "allied_telesis_awplus"
            else f"ip access-list extended {acl.name}"
        )
        out.append(header)
        for entry in acl.entries:
            seq = f"{entry.sequence} " if entry.sequence is not None else ""
            out.append(f" {seq}{_acl_entry_text(entry, platform)}")
        out.append("!")
    for community in m.snmp_communities:
        community_acl = community.acl or m.snmp_access_class
        acl_suffix = f" {community_acl}" if community_acl else ""
        if platform == "nec_ix":
            out.append(f"snmp-agent ip community {community.name}{acl_suffix}")
            continue
        name = f'"{community.name}"' if platform == "alaxala_ax" else community.name
        access = community.access.upper() if platform == "cisco_ios" else community.access
        out.append(f"snmp-server community {name} {access}{acl_suffix}")
    if m.snmp_v3_users:
        access = f" access {m.snmp_access_class}" if m.snmp_access_class else ""
        out.append(f"snmp-server group KYOJIN v3 priv{access}")
    for v3_user in m.snmp_v3_users:
        out += [
            f"snmp-server user {v3_user} KYOJIN v3 auth sha {device.name}-auth"
            f" priv aes 128 {device.name}-priv",
        ]
    for host in m.snmp_trap_hosts:
        out.append(f"snmp-server host {host} version 2c {device.name}-trap")
    for server in m.ntp_servers:
        out.append(f"ntp server {server}")
    if m.syslog_hosts and platform == "nec_ix":
        out.append("syslog ip enable")
    for host in m.syslog_hosts:
        if platform == "nec_ix":
            out.append(f"syslog ip host {host}")  # IX sends syslog with ``syslog ip host``
        elif platform == "allied_telesis_awplus":
            out.append(f"log host {host}")
        else:
            out.append(f"logging host {host}")
    if platform == "cisco_ios":
        if m.login_logging:
            out += ["login on-failure log", "login on-success log"]
        if m.config_change_logging:
            out += ["archive", " log config", "  logging enable", "!"]
    if m.banner and platform == "allied_telesis_awplus":
        out.append(f"banner motd {m.banner}")  # AW+ banners run to the end of their line
    elif m.banner:
        out += ["banner login ^C", m.banner, "^C"]
    out.append("!")
    if platform != "nec_ix":
        out += _vty_lines(device)
    out.append("end")
    return "\n".join(out) + "\n"


def _user_line(
    device: ScenarioDevice, name: str, privilege: int | None, storage: str, password: str | None
) -> str:
    platform = device.platform
    seed = f"{device.name}:{name}"
    if platform == "nec_ix":
        role = "administrator" if (privilege or 1) >= 15 else "operator"
        if storage == "plain":
            return f"username {name} password plain {password or seed} {role}"
        return f"username {name} password hash {fake_hash('hash', seed)} {role}"
    priv = f" privilege {privilege}" if privilege is not None else ""
    if storage in {"type5", "type8", "type9"}:
        return f"username {name}{priv} secret {storage[4:]} {fake_hash(storage, seed)}"
    if storage == "type7":
        return f"username {name}{priv} password 7 {fake_hash('type7', seed)}"
    if storage == "hash":
        if platform == "allied_telesis_awplus":
            return f"username {name}{priv} password 8 {fake_hash('type5', seed)}"
        return f"username {name}{priv} password hash {fake_hash('hash', seed)}"
    if storage == "plain":
        return f"username {name}{priv} password 0 {password or seed}"
    return f"username {name}{priv} nopassword"


def _interface_lines(device: ScenarioDevice, port: Port) -> list[str]:
    platform = device.platform
    lines = [interface_keyword(device, port)]
    if port.alias:
        lines.append(f" description {port.alias}")
    svi = port.name.lower().startswith("vlan")
    if port.mode == "routed":
        if (
            platform in {"cisco_ios", "alaxala_ax"}
            and not svi
            and not port.name.lower().startswith(("loopback", "tunnel"))
        ):
            lines.append(" no switchport")
        for address in port.addresses:
            if platform in {"allied_telesis_awplus", "nec_ix"}:
                lines.append(f" ip address {address}")
            else:
                ip, mask = _mask(address)
                lines.append(f" ip address {ip} {mask}")
    elif port.mode == "access":
        lines.append(" switchport mode access")
        if port.access_vlan is not None:
            lines.append(f" switchport access vlan {port.access_vlan}")
    elif port.mode == "trunk":
        lines.append(" switchport mode trunk")
        allowed = port.allowed_vlans or []
        if platform == "allied_telesis_awplus":
            lines.append(f" switchport trunk allowed vlan add {format_vlan_list(allowed)}")
        else:
            lines.append(f" switchport trunk allowed vlan {format_vlan_list(allowed)}")
        if port.native_vlan is not None:
            lines.append(f" switchport trunk native vlan {port.native_vlan}")
    if port.port_security:
        lines.append(" switchport port-security")
    if port.dot1x:
        lines.append(
            " dot1x port-control auto"
            if platform == "allied_telesis_awplus"
            else " dot1x pae authenticator"
        )
    if port.lldp_transmit is not None:
        lines.append(" lldp transmit" if port.lldp_transmit else " no lldp transmit")
    if port.cdp_enabled is not None:
        lines.append(" cdp enable" if port.cdp_enabled else " no cdp enable")
    bindings = [(port.acl_in, "in"), (port.acl_out, "out")]
    for declared in device.acls:
        for applied in declared.applied:
            if (
                applied.interface == port.name
                and (declared.name, applied.direction) not in bindings
            ):
                bindings.append((declared.name, applied.direction))
    for acl, direction in bindings:
        if acl:
            if platform == "nec_ix":
                lines.append(f" ip filter {acl} 1 {direction}")
            else:
                lines.append(f" ip access-group {acl} {direction}")
    if platform == "nec_ix":
        lines.append(" shutdown" if not port.admin_up else " no shutdown")
    elif not port.admin_up:
        lines.append(" shutdown")
    return lines


def _route_line(
    device: ScenarioDevice, prefix: str, next_hop: str | None, interface: str | None
) -> str:
    network = ipaddress.ip_network(prefix)
    if device.platform == "alaxala_ax":  # AX static routes name the next hop only
        hops = [next_hop or interface or ""]
    else:
        hops = [part for part in (interface, next_hop) if part]
    if device.platform == "nec_ix":
        destination = "default" if network.prefixlen == 0 else str(network)
    elif device.platform == "allied_telesis_awplus":
        destination = str(network)
    else:
        destination = f"{network.network_address} {network.netmask}"
    return f"ip route {destination} {' '.join(hops)}"


def _nec_acl(entry: AclEntry) -> str:
    """The IX form (vendor-formats.md §2.3): ``src A sport SPEC dest B dport SPEC``.

    For tcp and udp the ``sport``/``dport`` keywords are always printed (``any`` when open);
    other protocols carry no port keywords. SPEC is ``eq N`` or ``range A B``.
    """
    ported = entry.protocol.lower() in {"tcp", "udp"}
    parts = [entry.action, entry.protocol, "src", entry.source]
    if ported:
        parts += ["sport", "any"]
    parts += ["dest", entry.destination]
    if ported:
        parts += ["dport", _nec_port_spec(entry.destination_ports)]
    return " ".join(parts)


def _nec_port_spec(ports: str | None) -> str:
    if not ports:
        return "any"
    low, _, high = ports.partition("-")
    return f"range {low} {high}" if high else f"eq {low}"


def _vty_lines(device: ScenarioDevice) -> list[str]:
    m = device.management
    lines = ["line vty 0 4"]
    if m.exec_timeout_seconds is not None:
        minutes, seconds = divmod(m.exec_timeout_seconds, 60)
        lines.append(f" exec-timeout {minutes} {seconds}")
    if m.vty_access_class:
        lines.append(f" access-class {m.vty_access_class} in")
    if device.platform in {"cisco_ios", "alaxala_ax"}:
        lines.append(" transport input telnet ssh" if m.telnet_enabled else " transport input ssh")
    lines.append("!")
    return lines

"""FortiGate output for a scenario device: configuration, status, interfaces and routes."""

from __future__ import annotations

import ipaddress

from auditor.lab.scenario import Scenario, ScenarioDevice


def _quoted(values: list[str]) -> str:
    return " ".join(f'"{value}"' for value in values)


def render_config(device: ScenarioDevice, scenario: Scenario) -> str:
    m = device.management
    out = [
        f"#config-version=FG100F-{device.sys.os_version}:opmode=0:vdom=0:user=auditor",
        "config system global",
        f'    set hostname "{device.name}"',
        f"    set admintimeout {max((m.exec_timeout_seconds or 300) // 60, 1)}",
        "    set timezone 60",
    ]
    if m.banner:
        out.append("    set pre-login-banner enable")
    out.append("end")
    if m.banner:
        out += [
            'config system replacemsg admin "pre_admin-disclaimer-text"',
            f'    set buffer "{m.banner}"',
            "end",
        ]
    allow = ["ping"]
    if m.https_server:
        allow.append("https")
    if m.ssh_enabled:
        allow.append("ssh")
    if m.http_server:
        allow.append("http")
    if m.telnet_enabled:
        allow.append("telnet")
    if m.snmp_communities:
        allow.append("snmp")
    out.append("config system interface")
    for port in device.ports:
        out.append(f'    edit "{port.name}"')
        out.append('        set vdom "root"')
        for address in port.addresses[:1]:
            interface = ipaddress.ip_interface(address)
            out.append(f"        set ip {interface.ip} {interface.network.netmask}")
        if port.name == "mgmt" or any(
            ipaddress.ip_interface(a).ip == ipaddress.ip_address(device.address)
            for a in port.addresses
        ):
            out.append(f"        set allowaccess {' '.join(allow)}")
        if port.alias:
            out.append(f'        set alias "{port.alias}"')
        if not port.admin_up:
            out.append("        set status down")
        out.append("        set type physical")
        out.append("    next")
    out.append("end")
    out.append("config system admin")
    for user in m.local_users:
        out.append(f'    edit "{user.name}"')
        profile = "super_admin" if (user.privilege or 1) >= 15 else "prof_admin"
        out.append(f'        set accprofile "{profile}"')
        out.append('        set vdom "root"')
        if m.vty_access_class:
            out.append(f"        set trusthost1 {m.vty_access_class}")
        out.append(
            f"        set password ENC SH2{device.name.encode().hex()}{user.name.encode().hex()}"
        )
        out.append("    next")
    out.append("end")
    out.append("config system snmp community")
    for index, community in enumerate(m.snmp_communities, start=1):
        out += [f"    edit {index}", f'        set name "{community.name}"']
        acl = community.acl or m.snmp_access_class
        if acl:
            out += [
                "        config hosts",
                "            edit 1",
                f"                set ip {acl}",
                "            next",
                "        end",
            ]
        out.append("        set query-v1-status disable")
        out.append("    next")
    out.append("end")
    if m.snmp_v3_users:
        out.append("config system snmp user")
        for v3_user in m.snmp_v3_users:
            out += [
                f'    edit "{v3_user}"',
                "        set security-level auth-priv",
                "        set auth-pwd ENC X1",
                "        set priv-pwd ENC X2",
                "    next",
            ]
        out.append("end")
    out += [
        "config system ntp",
        f"    set ntpsync {'enable' if m.ntp_servers else 'disable'}",
        "    set type custom",
        "    config ntpserver",
    ]
    for index, server in enumerate(m.ntp_servers, start=1):
        out += [f"        edit {index}", f'            set server "{server}"', "        next"]
    out += ["    end", "end"]
    for index, host in enumerate(m.syslog_hosts[:4]):
        suffix = "" if index == 0 else str(index + 1)
        out += [
            f"config log syslogd{suffix} setting",
            "    set status enable",
            f'    set server "{host}"',
            "end",
        ]
    logged = "enable" if m.login_logging and m.config_change_logging else "disable"
    out += ["config log eventfilter", "    set event enable", f"    set system {logged}", "end"]
    if m.dns_servers:
        out.append("config system dns")
        out.append(f"    set primary {m.dns_servers[0]}")
        if len(m.dns_servers) > 1:
            out.append(f"    set secondary {m.dns_servers[1]}")
        out.append("end")
    out.append("config router static")
    for index, route in enumerate(device.routes, start=1):
        network = ipaddress.ip_network(route.prefix)
        out.append(f"    edit {index}")
        if network.prefixlen:
            out.append(f"        set dst {network.network_address} {network.netmask}")
        if route.next_hop:
            out.append(f"        set gateway {route.next_hop}")
        if route.interface:
            out.append(f'        set device "{route.interface}"')
        out.append("    next")
    out.append("end")
    out.extend(_address_objects(device))
    out.append("config firewall policy")
    for policy in device.firewall_policies:
        out.append(f"    edit {policy.policy_id}")
        if policy.name:
            out.append(f'        set name "{policy.name}"')
        out.append(f"        set srcintf {_quoted(policy.source_interfaces)}")
        out.append(f"        set dstintf {_quoted(policy.destination_interfaces)}")
        out.append(f"        set srcaddr {_quoted(policy.source_addresses)}")
        out.append(f"        set dstaddr {_quoted(policy.destination_addresses)}")
        if policy.action == "accept":
            out.append("        set action accept")
        out.append('        set schedule "always"')
        out.append(f"        set service {_quoted(policy.services)}")
        if not policy.enabled:
            out.append("        set status disable")
        out.append("    next")
    out.append("end")
    out.extend(_wireless(device))
    return "\n".join(out) + "\n"


_SECURITY_WORDS = {
    "open": "open",
    "owe": "owe",
    "wep": "wep128",
    "wpa-personal": "wpa-personal",
    "wpa2-personal": "wpa2-only-personal",
    "wpa3-sae": "wpa3-sae",
    "wpa-enterprise": "wpa-enterprise",
    "wpa2-enterprise": "wpa2-only-enterprise",
    "wpa3-enterprise": "wpa3-enterprise",
}


def _wireless(device: ScenarioDevice) -> list[str]:
    """``config wireless-controller vap`` and one FortiAP profile offering the enabled VAPs."""
    if device.wireless is None:
        return []
    out = ["config wireless-controller vap"]
    for network in device.wireless:
        out.append(f'    edit "{network.name}"')
        out.append(f'        set ssid "{network.ssid}"')
        out.append(
            f"        set broadcast-ssid {'disable' if network.broadcast is False else 'enable'}"
        )
        word = _SECURITY_WORDS.get(network.security or "", "wpa2-only-personal")
        if network.captive_portal and word == "open":
            word = "captive-portal"
        out.append(f"        set security {word}")
        if network.security not in (None, "open", "owe"):
            out.append(f"        set encrypt {'TKIP-AES' if network.tkip_allowed else 'AES'}")
        if network.auth_server == "radius":
            out.append("        set auth radius")
            out.append(f"        set radius-server {_quoted(network.radius_servers or [])}")
        elif network.auth_server == "local":
            out.append("        set auth usergroup")
        elif network.security in ("wpa-personal", "wpa2-personal"):
            out.append(f"        set passphrase ENC {network.name.encode().hex()}")
        elif network.security == "wpa3-sae":
            out.append(f"        set sae-password ENC {network.name.encode().hex()}")
        if network.client_isolation is not None:
            state = "enable" if network.client_isolation else "disable"
            out.append(f"        set intra-vap-privacy {state}")
        if network.vlan is not None:
            out.append("        set local-bridging enable")
            out.append(f"        set vlanid {network.vlan}")
        out.append("    next")
    out.append("end")
    offered = [network.name for network in device.wireless if network.enabled]
    out += [
        "config wireless-controller wtp-profile",
        '    edit "FAP231F-default"',
        "        config radio-1",
        "            set band 802.11ax,n,g-only",
        "            set vap-all manual",
        f"            set vaps {_quoted(offered)}",
        "        end",
        "        config radio-2",
        "            set band 802.11ax-5G",
        "            set vap-all manual",
        f"            set vaps {_quoted(offered)}",
        "        end",
        "    next",
        "end",
    ]
    return out


def _address_objects(device: ScenarioDevice) -> list[str]:
    """``config firewall address`` for every address name the policies use (``all`` is built in)."""
    names = dict.fromkeys(
        name
        for policy in device.firewall_policies
        for name in (*policy.source_addresses, *policy.destination_addresses)
        if name != "all"
    )
    if not names:
        return []
    out = ["config firewall address"]
    for name in names:
        network = ipaddress.ip_network(name, strict=False)
        out.append(f'    edit "{name}"')
        out.append(f"        set subnet {network.network_address} {network.netmask}")
        out.append("    next")
    out.append("end")
    return out


def render_status(device: ScenarioDevice) -> str:
    sys = device.sys
    version = (sys.os_version or "").removeprefix("v")
    return (
        f"Version: FortiGate-100F v{version},build1639,240313 (GA.M)\n"
        "Security Level: 1\n"
        "Firmware Signature: certified\n"
        "Virus-DB: 92.02745(2024-04-05 10:00)\n"
        f"Serial-Number: {sys.serial}\n"
        "BIOS version: 05000011\n"
        "Log hard disk: Not available\n"
        f"Hostname: {device.name}\n"
        "Private Encryption: Disable\n"
        "Operation Mode: NAT\n"
        "Current virtual domain: root\n"
        "Max number of virtual domains: 10\n"
        "Virtual domains status: 1 in NAT mode, 0 in TP mode\n"
        "Virtual domain configuration: disable\n"
        "FIPS-CC mode: disable\n"
        "Current HA mode: standalone\n"
        "Branch point: 1639\n"
        "Release Version Information: GA\n"
        "System time: Mon Apr  6 09:00:00 2026\n"
    )


def render_interfaces(device: ScenarioDevice) -> str:
    blocks = []
    for port in device.ports:
        address = ipaddress.ip_interface(port.addresses[0]) if port.addresses else None
        ip = f"{address.ip} {address.network.netmask}" if address else "0.0.0.0 0.0.0.0"
        status = "up" if port.admin_up and port.oper_up else "down"
        blocks.append(
            f"== [ {port.name} ]\n"
            f"name: {port.name}   mode: static    ip: {ip}   status: {status}    "
            "netbios-forward: disable    type: physical   netflow-sampler: disable    "
            "sflow-sampler: disable    src-check: enable    explicit-web-proxy: disable    "
            "explicit-ftp-proxy: disable    proxy-captive-portal: disable    mtu-override: disable    "
            "wccp: disable    drop-overlapped-fragment: disable    drop-fragment: disable"
        )
    return "\n".join(blocks) + "\n"


def render_routes(device: ScenarioDevice) -> str:
    lines = [
        "Codes: K - kernel, C - connected, S - static, R - RIP, B - BGP",
        "       O - OSPF, IA - OSPF inter area",
        "       * - candidate default",
        "",
        "Routing table for VRF=0",
    ]
    for route in device.routes:
        network = ipaddress.ip_network(route.prefix)
        code = "S*" if network.prefixlen == 0 else "S "
        lines.append(f"{code}      {network} [10/0] via {route.next_hop}, {route.interface}")
    return "\n".join(lines) + "\n"


def render(device: ScenarioDevice, scenario: Scenario) -> dict[str, str | bytes]:
    return {
        "get system status": render_status(device),
        "show full-configuration": render_config(device, scenario),
        "get system interface": render_interfaces(device),
        "get system arp": "Address           Age(min)   Hardware Addr      Interface\n",
        "get router info routing-table all": render_routes(device),
    }

"""FortiGate (FortiOS): read-only command list and parser.

ntc-templates parse the ``get …`` commands; no library reads FortiOS configurations, so the
``config … / edit … / set … / next / end`` tree is parsed here. Firewall policies are kept by
source and destination interface (or zone), which is how FortiGate expresses zone-pair rules.
"""

from __future__ import annotations

import ipaddress
import re
import shlex
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from auditor.model.services import Service
from auditor.model.snapshot import (
    ArpEntry,
    DeviceKind,
    FirewallPolicy,
    Interface,
    LocalUser,
    ManagementPlane,
    NatRule,
    PolicyRoute,
    Route,
    SnmpCommunity,
    SystemInfo,
    WirelessNetwork,
    WirelessSecurity,
    mac_or_none,
)
from auditor.platforms.addresses import ANY as ANY_ADDRESS
from auditor.platforms.addresses import Network, network_with_mask, networks_of
from auditor.platforms.common import cidr, prefix_of, textfsm
from auditor.platforms.parts import SnapshotParts
from auditor.platforms.profile import FORWARDING_FACTS, PlatformProfile, marker_detector
from auditor.redact import marker

_UNSET = "0.0.0.0"  # noqa: S104 (FortiOS prints this for "no address", nothing binds to it)
PLATFORM = "fortinet"
NETMIKO_DEVICE_TYPE = "fortinet"
CONFIG_COMMAND = "show full-configuration"
COMMANDS: tuple[str, ...] = (
    "get system status",
    "show full-configuration",
    "get system interface",
    "get system arp",
    "get router info routing-table all",
)
DEVICE_KIND: DeviceKind = "firewall"
FACTS = frozenset(
    {
        "system.name",
        "system.vendor",
        "system.model",
        "system.serial",
        "system.os_version",
        "system.device_kind",
        "management.telnet_enabled",
        "management.ssh_enabled",
        "management.ssh_version",
        "management.http_server",
        "management.https_server",
        "management.snmp_versions",
        "management.snmp_communities",
        "management.snmp_v3_users",
        "management.aaa_enabled",
        "management.local_users",
        "management.password_encryption",
        "management.ntp_servers",
        "management.syslog_hosts",
        "management.banner",
        "management.exec_timeout_seconds",
        "management.vty_access_class",
        "management.snmp_access_class",
        "management.dns_servers",
        "management.login_logging",
        "management.config_change_logging",
        "interfaces.alias",
        "interfaces.access_vlan",
        "interfaces.admin_up",
        "interfaces.oper_up",
        "interfaces.shutdown",
        "interfaces.vrf",
    }
) | (FORWARDING_FACTS - {"forwarding.route_leaks"})
"""What FortiOS states: no enable secret, DHCP snooping or ARP inspection (firewall policies
and trusted hosts take their place). Forwarding: VIPs and ``set nat enable``, ``config router
policy``, OSPF/BGP/RIP; inter-VDOM links are not read as route leaks."""

# Configuration blocks this parser reads; any other top-level block is reported as not understood.
UNDERSTOOD_BLOCKS = frozenset(
    {
        "system global",
        "system interface",
        "system admin",
        "system snmp community",
        "system snmp user",
        "system snmp sysinfo",
        "system ntp",
        "system dns",
        "system replacemsg admin",
        "log syslogd setting",
        "log syslogd2 setting",
        "log syslogd3 setting",
        "log syslogd4 setting",
        "log eventfilter",
        "router static",
        "router policy",
        "router ospf",
        "router bgp",
        "router rip",
        "firewall policy",
        "firewall vip",
        "firewall service custom",
        "firewall service group",
        "firewall address",
        "firewall addrgrp",
        "user radius",
        "user tacacs+",
        "system zone",
        "wireless-controller vap",
        "wireless-controller wtp-profile",
    }
)


@dataclass
class Node:
    """One ``config``/``edit`` level: its ``set`` values and nested tables."""

    settings: dict[str, list[str]] = field(default_factory=dict)
    tables: dict[str, dict[str, Node]] = field(default_factory=dict)
    blocks: dict[str, Node] = field(default_factory=dict)  # ``config x`` without edits
    vdom: str | None = None  # the VDOM a top-level edit was written in (multi-VDOM configs)


PER_VDOM_NUMBERED = frozenset({"firewall policy", "router static", "router policy"})
"""Tables numbered per VDOM: ``edit 1`` in two VDOMs is two entries, kept apart as ``VDOM/1``
for every VDOM but ``root`` (merged by number, one VDOM's policy 1 replaced another's)."""


def _split(value: str) -> list[str]:
    try:
        return shlex.split(value, posix=True)
    except ValueError:
        return value.split()


def parse_config_tree(text: str) -> dict[str, Node]:
    """``config a b`` blocks (top level) → :class:`Node`; edits are in ``node.tables[""]``."""
    root: dict[str, Node] = {}
    stack: list[Node] = []
    names: list[str] = []  # the ``config`` names of ``stack``
    edit_stack: list[Node | None] = []
    vdom: str | None = None  # inside ``config vdom`` / ``edit NAME``: the VDOM being written
    in_vdoms = False
    lines = text.replace("\r\n", "\n").split("\n")
    index = 0
    while index < len(lines):
        line = lines[index].strip()
        index += 1
        if not line or line.startswith("#"):
            continue
        if line.startswith("config "):
            name = line[7:].strip()
            block = Node()
            if not stack:
                if name in {"global", "vdom"}:
                    in_vdoms, vdom = name == "vdom", None
                    continue  # transparent containers (multi-VDOM configurations)
                root.setdefault(name, block)
                block = root[name]
            else:
                parent = edit_stack[-1] or stack[-1]
                parent.blocks[name] = block
            stack.append(block)
            names.append(name)
            edit_stack.append(None)
            continue
        if line.startswith("edit "):
            key = _split(line[5:])[0] if _split(line[5:]) else line[5:]
            if not stack:
                if in_vdoms:
                    vdom = key  # ``edit root`` inside ``config vdom``
                continue
            entry = Node(vdom=vdom if len(stack) == 1 else None)
            if len(stack) == 1 and names[0] in PER_VDOM_NUMBERED and vdom not in (None, "root"):
                key = f"{vdom}/{key}"
            stack[-1].tables.setdefault("", {})[key] = entry
            edit_stack[-1] = entry
            continue
        if line == "next":
            if edit_stack:
                edit_stack[-1] = None
            continue
        if line == "end":
            if stack:
                stack.pop()
                names.pop()
                edit_stack.pop()
            else:
                in_vdoms, vdom = False, None  # the end of ``config vdom`` / ``config global``
            continue
        if line.startswith(("set ", "unset ")) and stack:
            target = edit_stack[-1] or stack[-1]
            words = line.split(None, 2)
            if words[0] == "unset" or len(words) < 2:
                continue
            value = words[2] if len(words) > 2 else ""
            # Multi-line quoted values (certificates, banners) continue until the closing quote.
            while value.count('"') % 2 == 1 and index < len(lines):
                value += "\n" + lines[index]
                index += 1
            target.settings[words[1]] = _split(value) if value else []
    return root


def _edits(root: Mapping[str, Node], name: str) -> dict[str, Node]:
    block = root.get(name)
    return block.tables.get("", {}) if block else {}


def _get(node: Node, key: str, default: str | None = None) -> str | None:
    values = node.settings.get(key)
    return values[0] if values else default


def parse_status(text: str) -> SystemInfo:
    rows = textfsm(PLATFORM, "get system status", text)
    if not rows:
        return SystemInfo()
    row = rows[0]
    version = row.get("version") or ""
    model_match = re.match(r"^(\S+)\s+v?([\d.]+)", version)
    serial = row.get("serial_number") or None
    return SystemInfo(
        name=row.get("hostname") or None,
        vendor="Fortinet",
        model=model_match.group(1) if model_match else None,
        os_version=model_match.group(2) if model_match else version or None,
        serial=serial,
        serials=[serial] if serial else [],
    )


def parse_interface_status(text: str) -> dict[str, Interface]:
    interfaces = {}
    for row in textfsm(PLATFORM, "get system interface", text):
        address = row.get("ip_address") or ""
        mask = row.get("netmask") or ""
        addresses = [cidr(address, mask)] if address and address != _UNSET and mask else []
        status = (row.get("status") or "").lower()
        interfaces[row["name"]] = Interface(
            name=row["name"],
            mode="routed",
            addresses=addresses,
            admin_up=None if not status else status == "up",
        )
    return interfaces


def parse_arp(text: str) -> list[ArpEntry]:
    entries = []
    for row in textfsm(PLATFORM, "get system arp", text):
        mac = mac_or_none(row.get("mac_address"))
        if mac is not None:
            entries.append(
                ArpEntry(ip=row["ip_address"], mac=mac, interface=row.get("interface") or None)
            )
    return entries


def parse_routes(text: str) -> list[Route]:
    kinds = {"S": "static", "C": "connected", "O": "ospf", "B": "bgp", "R": "rip"}
    routes = []
    for row in textfsm(PLATFORM, "get router info routing-table all", text):
        kind = (row.get("type") or "").strip("*")[:1]
        routes.append(
            Route(
                prefix=prefix_of(*row["destination"].split("/")),
                next_hop=row.get("gateway") or None,
                interface=row.get("interface") or None,
                protocol=kinds.get(kind, kind or "other"),
            )
        )
    return routes


def _ipv6_addresses(node: Node) -> list[str]:
    """``config ipv6`` / ``set ip6-address`` plus its ``config ip6-extra-addr`` entries."""
    ipv6 = node.blocks.get("ipv6")
    if ipv6 is None:
        return []
    found = [
        value.lower()
        for value in ipv6.settings.get("ip6-address", [])
        if "/" in value and not value.startswith("::/")
    ]
    extra = ipv6.blocks.get("ip6-extra-addr")
    if extra is not None:
        found.extend(key.lower() for key in extra.tables.get("", {}) if "/" in key)
    return found


def interpret_config(text: str, *, salt: bytes) -> tuple[SnapshotParts, dict[str, Node]]:
    """Read ``show full-configuration`` into snapshot parts."""
    root = parse_config_tree(text)
    parts = SnapshotParts()
    management = ManagementPlane(password_encryption=True)
    global_settings = root.get("system global", Node())
    parts.system.name = _get(global_settings, "hostname")
    timeout = _get(global_settings, "admintimeout", "5")
    management.exec_timeout_seconds = int(timeout) * 60 if timeout and timeout.isdigit() else None
    if _get(global_settings, "admin-ssh-v1") == "enable":
        management.ssh_version = 1
    banner_enabled = _get(global_settings, "pre-login-banner") == "enable"

    telnet = http = https = ssh = False
    for name, node in _edits(root, "system interface").items():
        address = node.settings.get("ip", [])
        addresses = []
        if len(address) >= 2 and address[0] != _UNSET:
            addresses.append(cidr(address[0], address[1]))
        elif len(address) == 1 and "/" in address[0] and not address[0].startswith(_UNSET):
            addresses.append(str(cidr(*address[0].split("/"))))
        addresses.extend(_ipv6_addresses(node))
        access = {value.lower() for value in node.settings.get("allowaccess", [])}
        telnet |= "telnet" in access
        http |= "http" in access
        https |= "https" in access
        ssh |= "ssh" in access
        status = _get(node, "status", "up")
        vlan_id = _get(node, "vlanid")
        interface = Interface(
            name=name,
            alias=_get(node, "alias") or _get(node, "description"),
            mode="routed",
            addresses=addresses,
            vrf=_vdom_table(_get(node, "vdom")),
            shutdown=status == "down",
            admin_up=status != "down",
            access_vlan=int(vlan_id) if vlan_id and vlan_id.isdigit() else None,
        )
        parts.interfaces.append(interface)
    management.telnet_enabled = telnet
    management.http_server = http
    management.https_server = https
    management.ssh_enabled = ssh
    if ssh and management.ssh_version is None:
        management.ssh_version = 2

    users: list[LocalUser] = []
    trusthosts: list[str] = []
    for name, node in _edits(root, "system admin").items():
        profile = _get(node, "accprofile", "") or ""
        password = node.settings.get("password")
        storage: Literal["none", "hash", "plain"] = "none"
        if password:
            storage = "hash" if password[0] == "ENC" else "plain"
        users.append(
            LocalUser(
                name=name,
                privilege=15 if profile == "super_admin" else 1,
                password_storage=storage,
            )
        )
        for key, value in sorted(node.settings.items()):
            if (
                key.startswith("trusthost")
                and value
                and " ".join(value)
                not in {
                    "0.0.0.0 0.0.0.0",
                    "0.0.0.0/0",
                }
            ):
                trusthosts.append(" ".join(value))
        if (
            _get(node, "two-factor", "disable") != "disable"
            or _get(node, "remote-auth") == "enable"
        ):
            management.aaa_enabled = True
    management.local_users = users
    management.vty_access_class = ",".join(dict.fromkeys(trusthosts)) or None

    communities: list[SnmpCommunity] = []
    versions: list[Literal["v1", "v2c", "v3"]] = []
    acls: set[str] = set()
    for node in _edits(root, "system snmp community").values():
        community_name = _get(node, "name")
        if community_name is None or _get(node, "status", "enable") == "disable":
            continue
        hosts = [
            " ".join(host.settings.get("ip", []))
            for host in (node.blocks.get("hosts", Node()).tables.get("", {}).values())
        ]
        acl = hosts[0] if hosts else None
        if acl:
            acls.add(acl)
        v1 = _get(node, "query-v1-status", "enable") == "enable"
        v2 = _get(node, "query-v2c-status", "enable") == "enable"
        if v1 and "v1" not in versions:
            versions.append("v1")
        if v2 and "v2c" not in versions:
            versions.append("v2c")
        communities.append(
            SnmpCommunity(
                name_redacted=marker(community_name, salt=salt),
                access="ro",
                acl=acl,
                version="v2c" if v2 or not v1 else "v1",
            )
        )
    v3_users = list(_edits(root, "system snmp user"))
    if v3_users:
        versions.append("v3")
    management.snmp_communities = communities
    management.snmp_v3_users = v3_users
    management.snmp_versions = versions
    management.snmp_access_class = next(iter(acls)) if len(acls) == 1 else None

    ntp = root.get("system ntp")
    servers: list[str] = []
    if ntp is not None and _get(ntp, "ntpsync", "enable") == "enable":
        for server in ntp.blocks.get("ntpserver", Node()).tables.get("", {}).values():
            server_name = _get(server, "server")
            if server_name:
                servers.append(server_name)
    management.ntp_servers = servers
    syslog: list[str] = []
    for suffix in ("", "2", "3", "4"):
        syslog_node = root.get(f"log syslogd{suffix} setting")
        syslog_server = _get(syslog_node, "server") if syslog_node is not None else None
        if syslog_node is not None and _get(syslog_node, "status") == "enable" and syslog_server:
            syslog.append(syslog_server)
    management.syslog_hosts = syslog
    # ``config log eventfilter``: ``event`` gates all event logs, ``system`` the system events
    # (administrator login/logout and configuration changes). ``show full-configuration`` prints
    # both; a configuration without the block does not say (stays unknown).
    eventfilter = root.get("log eventfilter")
    if eventfilter is not None:
        logged = all(_get(eventfilter, key, "enable") == "enable" for key in ("event", "system"))
        management.login_logging = logged
        management.config_change_logging = logged
    dns = root.get("system dns")
    management.dns_servers = []
    if dns is not None:
        for key in ("primary", "secondary"):
            dns_server = _get(dns, key)
            if dns_server and dns_server != _UNSET:
                management.dns_servers.append(dns_server)
    if "user radius" in root or "user tacacs+" in root:
        management.aaa_enabled = bool(_edits(root, "user radius") or _edits(root, "user tacacs+"))
    if management.aaa_enabled is None:
        management.aaa_enabled = False
    if banner_enabled:
        message = next(
            (node for key, node in root.items() if key.startswith("system replacemsg admin")), None
        )
        text_value = _get(message, "buffer") if message else None
        management.banner = (text_value or "").strip() or "pre-login-banner"
    management.dhcp_snooping = None
    management.arp_inspection = None

    for seq, node in _edits(root, "router static").items():
        if _get(node, "status", "enable") == "disable":
            continue  # a disabled route forwards nothing
        destination = node.settings.get("dst", [_UNSET, _UNSET])
        try:
            prefix = (
                prefix_of(*destination[0].split("/"))
                if len(destination) == 1
                else prefix_of(destination[0], destination[1])
            )
        except (ValueError, TypeError, IndexError) as exc:
            # One unreadable route is a parse warning, never a lost device.
            parts.unparsed_config_lines.append(
                f"config router static / edit {seq} (unreadable: {type(exc).__name__}: {exc})"
            )
            continue
        parts.routes.append(
            Route(
                prefix=prefix,
                next_hop=_get(node, "gateway"),
                interface=_get(node, "device"),
                protocol="static",
                vrf=_vdom_table(node.vdom),
                # ``set blackhole enable``: matching traffic is dropped
                next_hop_kind="null" if _get(node, "blackhole") == "enable" else None,
            )
        )

    services = ServiceBook(root)
    address_book = AddressBook(root)
    vips = _vip_targets(root)
    for policy_id, node in _edits(root, "firewall policy").items():
        action: Literal["accept", "deny"] = "accept" if _get(node, "action") == "accept" else "deny"
        destination_names = node.settings.get("dstaddr", [])
        policy_services = services.resolve(node.settings.get("service", []))
        destination_networks = address_book.resolve_networks(destination_names)
        if destination_names and all(name in vips for name in destination_names):
            destination_networks, policy_services = _through_vips(
                [vips[name] for name in destination_names], policy_services
            )
        parts.firewall_policies.append(
            FirewallPolicy(
                policy_id=policy_id,
                name=_get(node, "name"),
                source_interfaces=node.settings.get("srcintf", []),
                destination_interfaces=node.settings.get("dstintf", []),
                source_addresses=node.settings.get("srcaddr", []),
                destination_addresses=destination_names,
                services=node.settings.get("service", []),
                resolved_services=policy_services,
                source_networks=address_book.resolve(node.settings.get("srcaddr", [])),
                destination_networks=destination_networks,
                destination_fqdns=address_book.fqdns(node.settings.get("dstaddr", [])),
                action=action,
                enabled=_get(node, "status", "enable") != "disable",
                line=_policy_line(policy_id, node),
            )
        )
    if text.strip():  # the configuration was read: no VIP / policy route / protocol = none
        parts.nat_rules = _nat_rules(root)
        parts.policy_routes = _policy_routes(root)
        parts.routing_protocols = _routing_protocols(root)
    parts.management = management
    parts.wireless = parse_wireless(root)
    parts.unparsed_config_lines = [
        f"config {name}"
        for name in root
        if name not in UNDERSTOOD_BLOCKS and not name.startswith("system replacemsg admin")
    ] + parts.unparsed_config_lines  # unreadable entries of understood blocks
    return parts, root


def _nat_rules(root: Mapping[str, Node]) -> list[NatRule]:
    """``config firewall vip`` (an outside address mapped to an inside host) and policies with
    ``set nat enable`` (source NAT behind the egress port)."""
    rules: list[NatRule] = []
    for name, node in _edits(root, "firewall vip").items():
        mapped = node.settings.get("mappedip", [])
        inside = _one_address(mapped[0]) if len(mapped) == 1 else None
        outside = _one_address(_get(node, "extip") or "")
        interface = _get(node, "extintf")
        forwarded = _get(node, "portforward") == "enable"
        external_port = _port(_get(node, "extport")) if forwarded else None
        mapped_port = _port(_get(node, "mappedport")) if forwarded else None
        rules.append(
            NatRule(
                kind="vip",
                inside=inside,
                outside=outside,
                interface=None if interface in (None, "any") else interface,
                protocol=(_get(node, "protocol") or "tcp") if forwarded else None,
                outside_port=external_port,
                inside_port=mapped_port,
                modelled=inside is not None and outside is not None,
                line=f"firewall vip {name}: extip {_get(node, 'extip')} mappedip "
                + " ".join(mapped),
            )
        )
    for policy_id, node in _edits(root, "firewall policy").items():
        if _get(node, "nat") == "enable" and _get(node, "status", "enable") != "disable":
            rules.append(
                NatRule(kind="source", line=f"firewall policy {policy_id}: set nat enable")
            )
    return rules


_VipTarget = tuple[list[Network] | None, Service | None]


def _vip_targets(root: Mapping[str, Node]) -> dict[str, _VipTarget]:
    """VIP name → (the mapped hosts, the one service a port forward passes, else None).

    A policy whose destination is a VIP matches the translated traffic: the mapped host, and
    with ``portforward enable`` only the forwarded protocol and mapped port. Left unresolved,
    the VIP name made the policy "any destination, its own services" — with ``set service
    ALL`` (common on VIP policies) every service into the whole inside zone.
    """
    targets: dict[str, _VipTarget] = {}
    for name, node in _edits(root, "firewall vip").items():
        hosts: list[Network] | None = []
        for value in node.settings.get("mappedip", []):
            one = _one_address(value)
            if one is None or hosts is None:
                hosts = None
                continue
            hosts.append(ipaddress.ip_network(one))
        forwarded: Service | None = None
        if _get(node, "portforward") == "enable":
            protocol = (_get(node, "protocol") or "tcp").lower()
            port = _port(_get(node, "mappedport")) or _port(_get(node, "extport"))
            if protocol in {"tcp", "udp", "sctp"}:
                forwarded = Service.of(protocol, port) if port else Service.of(protocol)  # type: ignore[arg-type]
            elif protocol == "icmp":
                forwarded = Service(protocol="icmp")
        targets[name] = (hosts or None, forwarded)
    return targets


def _through_vips(
    targets: list[_VipTarget], policy_services: list[Service] | None
) -> tuple[list[Network] | None, list[Service] | None]:
    """A VIP-only destination list → (mapped hosts, the policy's services narrowed to the
    forwarded ones when every VIP is a port forward and the policy lets them through)."""
    hosts: list[Network] | None = []
    for mapped, _ in targets:
        hosts = None if mapped is None or hosts is None else hosts + mapped
    forwarded = [service for _, service in targets]
    if any(service is None for service in forwarded):
        return hosts, policy_services
    passing = [
        service
        for service in forwarded
        if service is not None
        and (policy_services is None or any(_covers(s, service) for s in policy_services))
    ]
    return hosts, passing or policy_services


def _covers(outer: Service, inner: Service) -> bool:
    if outer.protocol == "ip":
        return True
    if outer.protocol != inner.protocol:
        return False
    if outer.ports is None:
        return True
    if inner.ports is None:
        return False
    return all(
        any(o.first <= i.first and i.last <= o.last for o in outer.ports) for i in inner.ports
    )


def _port(value: str | None) -> int | None:
    """One port (1–65535); a range or anything else is None (the forward stays unresolved)."""
    if value is None or not value.isdigit() or not 0 < int(value) < 65536:
        return None
    return int(value)


def _one_address(value: str) -> str | None:
    """``a.b.c.d`` or the one-address range ``a.b.c.d-a.b.c.d`` as a /32; else None."""
    first, _, last = value.partition("-")
    try:
        address = ipaddress.ip_address(first)
        if last and ipaddress.ip_address(last) != address:
            return None
    except ValueError:
        return None
    return f"{address}/{address.max_prefixlen}"


def _policy_routes(root: Mapping[str, Node]) -> list[PolicyRoute]:
    """``config router policy``: forwarding chosen by rule, per input interface."""
    routes: list[PolicyRoute] = []
    for seq, node in _edits(root, "router policy").items():
        if _get(node, "status", "enable") == "disable":
            continue
        line = f"router policy {seq}: " + "; ".join(
            f"{key} {' '.join(values)}" for key, values in sorted(node.settings.items())
        )
        devices: list[str | None] = list(node.settings.get("input-device", [])) or [None]
        routes.extend(PolicyRoute(interface=device, name=seq, line=line) for device in devices)
    return routes


def _routing_protocols(root: Mapping[str, Node]) -> list[str]:
    """Dynamic protocols with something configured (``show full-configuration`` prints every
    ``config router`` block with defaults: an OSPF without router-id/areas runs nothing)."""
    configured: list[str] = []
    ospf = root.get("router ospf")
    if ospf is not None and (
        (_get(ospf, "router-id") or _UNSET) != _UNSET
        or any(ospf.blocks.get(b, Node()).tables.get("") for b in ("area", "network"))
    ):
        configured.append("ospf")
    bgp = root.get("router bgp")
    peers = ("neighbor", "neighbor-group", "neighbor-range")
    if (
        bgp is not None
        and (_get(bgp, "as") or "0") not in {"0", "0.0"}
        and any(bgp.blocks.get(b, Node()).tables.get("") for b in peers)
    ):
        configured.append("bgp")  # an AS number without a peer learns no route
    rip = root.get("router rip")
    if rip is not None and rip.blocks.get("network", Node()).tables.get(""):
        configured.append("rip")
    return configured


def _policy_line(policy_id: str, node: Node) -> str:
    keys = ("name", "srcintf", "dstintf", "srcaddr", "dstaddr", "service", "action", "status")
    shown = [
        f"set {key} " + " ".join(f'"{v}"' for v in node.settings[key])
        for key in keys
        if key in node.settings
    ]
    return f"edit {policy_id}: " + "; ".join(shown)


def parse(outputs: Mapping[str, str], *, salt: bytes) -> SnapshotParts:
    """Turn the outputs of :data:`COMMANDS` into snapshot parts."""
    parts, _ = interpret_config(outputs.get(CONFIG_COMMAND, ""), salt=salt)
    status = parse_status(outputs.get("get system status", ""))
    configured_name = parts.system.name
    parts.system = status
    if configured_name:
        parts.system.name = configured_name
    parts.system.device_kind = DEVICE_KIND
    operational = parse_interface_status(outputs.get("get system interface", ""))
    for interface in parts.interfaces:
        seen = operational.get(interface.name)
        if seen is not None and seen.admin_up is not None:
            interface.oper_up = seen.admin_up
    parts.arp = parse_arp(outputs.get("get system arp", ""))
    if "get router info routing-table all" in outputs:
        parts.routes = parse_routes(outputs["get router info routing-table all"])
    return parts


DETECT_MARKERS: tuple[tuple[str, float], ...] = (
    (r"^#config-version=", 0.8),
    (r"^config (?:system|firewall|router|vdom|global)\b", 0.5),
    (r"^\s+edit \S+", 0.2),
    (r"^\s+set \S+", 0.1),
)
"""Lines only this platform's saved configurations contain (weights add up, capped at 1)."""


PROFILE = PlatformProfile(
    platform=PLATFORM,
    netmiko_device_type=NETMIKO_DEVICE_TYPE,
    commands=COMMANDS,
    config_command=CONFIG_COMMAND,
    parse=parse,
    facts=FACTS,
    device_kind=DEVICE_KIND,
    session_preparation=(
        "get system status | grep Virtual",
        "config system console / set output standard",
    ),
    detect=marker_detector(DETECT_MARKERS),
)


# FortiOS predefined service names (used when the configuration does not list them itself).
_PREDEFINED_SERVICES: dict[str, tuple[Service, ...]] = {
    "all": (Service.any(),),
    "all_tcp": (Service.of("tcp"),),
    "all_udp": (Service.of("udp"),),
    "all_icmp": (Service.of("icmp"),),
    "all_icmp6": (Service.of("icmpv6"),),
    "ping": (Service.of("icmp"),),
    "http": (Service.of("tcp", 80),),
    "https": (Service.of("tcp", 443),),
    "web access": (Service.of("tcp", 80), Service.of("tcp", 443)),
    "ssh": (Service.of("tcp", 22),),
    "telnet": (Service.of("tcp", 23),),
    "dns": (Service.of("tcp", 53), Service.of("udp", 53)),
    "ntp": (Service.of("tcp", 123), Service.of("udp", 123)),
    "smtp": (Service.of("tcp", 25),),
    "smtps": (Service.of("tcp", 465),),
    "pop3": (Service.of("tcp", 110),),
    "pop3s": (Service.of("tcp", 995),),
    "imap": (Service.of("tcp", 143),),
    "imaps": (Service.of("tcp", 993),),
    "rdp": (Service.of("tcp", 3389),),
    "snmp": (Service.of("tcp", (161, 162)), Service.of("udp", (161, 162))),
    "syslog": (Service.of("udp", 514),),
    "ftp": (Service.of("tcp", 21),),
    "tftp": (Service.of("udp", 69),),
    "samba": (Service.of("tcp", 139),),
    "smb": (Service.of("tcp", 445),),
    "ldap": (Service.of("tcp", 389),),
    "ldap_udp": (Service.of("udp", 389),),
    "kerberos": (Service.of("tcp", 88), Service.of("udp", 88)),
    "dhcp": (Service.of("udp", (67, 68)),),
    "ms-sql": (Service.of("tcp", 1433), Service.of("tcp", 1434)),
    "mysql": (Service.of("tcp", 3306),),
    "vnc": (Service.of("tcp", 5900),),
}
_PORTRANGE_PROTOCOLS = (
    ("tcp-portrange", "tcp"),
    ("udp-portrange", "udp"),
    ("sctp-portrange", "sctp"),
)


class ServiceBook:
    """Service names of one FortiGate → typed services: custom objects, groups, predefined names."""

    def __init__(self, root: Mapping[str, Node]) -> None:
        self._custom = {
            name.lower(): node for name, node in _edits(root, "firewall service custom").items()
        }
        self._groups = {
            name.lower(): node.settings.get("member", [])
            for name, node in _edits(root, "firewall service group").items()
        }

    def resolve(self, names: list[str]) -> list[Service] | None:
        """Every named service resolved, or ``None`` when any name is unknown (judged as any)."""
        if not names:
            return [Service.any()]  # FortiOS requires a service; a policy without one is unknown
        found: list[Service] = []
        for name in names:
            services = self._lookup(name.lower(), depth=0)
            if services is None:
                return None
            found.extend(services)
        return found

    def _lookup(self, key: str, depth: int) -> list[Service] | None:
        if key in self._custom:
            return _custom_service(self._custom[key])
        if key in self._groups and depth < 8:
            members: list[Service] = []
            for member in self._groups[key]:
                services = self._lookup(member.lower(), depth + 1)
                if services is None:
                    return None
                members.extend(services)
            return members or None
        predefined = _PREDEFINED_SERVICES.get(key)
        return list(predefined) if predefined is not None else None


class AddressBook:
    """Address names of one FortiGate → typed networks: ``firewall address`` objects, groups.

    ``all`` is the predefined any (``0.0.0.0/0``). A geography object or a name the
    configuration does not define is unknown: the whole list resolves to ``None``. FQDN objects
    (``set type fqdn`` + ``set fqdn``, ``set type wildcard-fqdn`` + ``set wildcard-fqdn``) are
    names, not networks: :meth:`fqdns` lists them and :meth:`resolve_networks` leaves them out.
    """

    def __init__(self, root: Mapping[str, Node]) -> None:
        self._objects = dict(_edits(root, "firewall address"))
        self._groups = {
            name: node.settings.get("member", [])
            for name, node in _edits(root, "firewall addrgrp").items()
        }

    def resolve(self, names: list[str]) -> list[Network] | None:
        """Every name as networks; an FQDN object is unknown here (its addresses are not known)."""
        if not names:
            return None
        found: list[Network] = []
        for name in names:
            networks = self._lookup(name, depth=0)
            if networks is None:
                return None
            found.extend(networks)
        return found

    def resolve_networks(self, names: list[str]) -> list[Network] | None:
        """The networks of the non-FQDN names; ``None`` when the list has only FQDN objects (the
        destinations are then :meth:`fqdns`) or a name is unknown."""
        fqdns = self.fqdns(names)
        if fqdns is None:
            return self.resolve(names)
        found: list[Network] = []
        for name in names:
            if self._fqdn_names(name, depth=0):
                continue
            networks = self._lookup(name, depth=0)
            if networks is None:
                return None
            found.extend(networks)
        return found or None

    def fqdns(self, names: list[str]) -> list[str] | None:
        """The FQDN and wildcard-FQDN names these objects stand for; ``None`` when there are none.

        A group is taken apart only when every member is an FQDN object; a group mixing FQDN
        and address objects counts as its networks (and so as unknown)."""
        found: list[str] = []
        for name in names:
            found.extend(self._fqdn_names(name, depth=0) or [])
        return sorted(dict.fromkeys(found)) or None

    def _fqdn_names(self, name: str, depth: int) -> list[str] | None:
        node = self._objects.get(name)
        if node is not None:
            kind = (_get(node, "type", "ipmask") or "").lower()
            value = _get(node, "fqdn") if kind == "fqdn" else None
            if kind == "wildcard-fqdn":
                value = _get(node, "wildcard-fqdn")
            return [value.lower().rstrip(".")] if value else None
        if name in self._groups and depth < 8:
            members = [self._fqdn_names(member, depth + 1) for member in self._groups[name]]
            if members and all(member is not None for member in members):
                return [fqdn for member in members for fqdn in member or []]
        return None

    def _lookup(self, name: str, depth: int) -> list[Network] | None:
        node = self._objects.get(name)
        if node is not None:
            return _address_object(node)
        if name in self._groups and depth < 8:
            members: list[Network] = []
            for member in self._groups[name]:
                networks = self._lookup(member, depth + 1)
                if networks is None:
                    return None
                members.extend(networks)
            return members or None
        return list(ANY_ADDRESS) if name.lower() == "all" else None


def _address_object(node: Node) -> list[Network] | None:
    """One ``firewall address`` entry → networks (type ipmask or iprange); else unknown."""
    kind = (_get(node, "type", "ipmask") or "").lower()
    if kind == "ipmask":
        subnet = node.settings.get("subnet", ["0.0.0.0", "0.0.0.0"])  # noqa: S104 (FortiOS default)
        if len(subnet) == 1 and "/" in subnet[0]:
            return networks_of(subnet[0])
        if len(subnet) != 2:
            return None
        network = network_with_mask(subnet[0], subnet[1])
        return [network] if network is not None else None
    if kind == "iprange":
        start, end = _get(node, "start-ip"), _get(node, "end-ip")
        return networks_of(f"{start}-{end or start}") if start else None
    return None


def _custom_service(node: Node) -> list[Service] | None:
    """One ``firewall service custom`` entry → services; ``None`` when its spelling is unknown."""
    protocol = (_get(node, "protocol", "TCP/UDP/SCTP") or "").upper()
    try:
        if protocol in {"ICMP", "ICMP6"}:
            return [Service(protocol="icmp" if protocol == "ICMP" else "icmpv6")]
        if protocol == "IP":
            number = int(_get(node, "protocol-number", "0") or "0")
            return [Service.any() if number == 0 else Service(protocol=number)]
        if protocol in {"ALL", "ANY"}:
            return [Service.any()]
        if protocol != "TCP/UDP/SCTP":
            return None
        services: list[Service] = []
        for key, name in _PORTRANGE_PROTOCOLS:
            ranges: list[tuple[int, int]] = []
            for item in node.settings.get(key, []):
                destination = item.split(":", 1)[0]  # "dst[:src]"
                low, _, high = destination.partition("-")
                ranges.append((int(low), int(high or low)))
            if ranges:
                services.append(Service.of(name, *ranges))  # type: ignore[arg-type]
        return services or None
    except ValueError:
        return None


# ---------------------------------------------------------------- wireless controller
# ``config wireless-controller vap``: one edit per SSID (VAP). Keys read here are the ones the
# FortiOS CLI reference lists for the VAP table (ssid, broadcast-ssid, security, encrypt, auth,
# radius-server, intra-vap-privacy, vlanid, local-bridging); the VAP carries no EAP method (the
# RADIUS server decides it), so ``eap_methods`` stays unknown.
_SECURITY: Mapping[str, WirelessSecurity] = {
    "open": "open",
    "captive-portal": "open",
    "owe": "owe",
    "wep64": "wep",
    "wep128": "wep",
    "wpa-personal": "wpa-personal",
    "wpa-only-personal": "wpa-personal",
    "wpa2-only-personal": "wpa2-personal",
    "wpa3-sae": "wpa3-sae",
    "wpa3-sae-transition": "wpa3-sae",
    "wpa-enterprise": "wpa-enterprise",
    "wpa-only-enterprise": "wpa-enterprise",
    "wpa2-only-enterprise": "wpa2-enterprise",
    "wpa3-enterprise": "wpa3-enterprise",
    "wpa3-only-enterprise": "wpa3-enterprise",
    "wpa3-enterprise-transition": "wpa3-enterprise",
}
_VAP_EVIDENCE_KEYS = (
    "ssid",
    "broadcast-ssid",
    "security",
    "encrypt",
    "auth",
    "radius-server",
    "intra-vap-privacy",
    "vlanid",
    "local-bridging",
)


def _vap_security(value: str | None) -> tuple[WirelessSecurity | None, bool | None]:
    """FortiOS ``security`` → (mode, captive portal); ``+captive-portal`` variants keep the mode."""
    if value is None:
        return None, None
    base, _, portal = value.partition("+")
    return _SECURITY.get(base, "unknown"), (value == "captive-portal" or portal == "captive-portal")


def _offered_vaps(root: Mapping[str, Node], vaps: Mapping[str, Node]) -> dict[str, bool] | None:
    """Which VAPs a WTP (FortiAP) profile radio offers; None when no profile is configured."""
    profiles = _edits(root, "wireless-controller wtp-profile")
    if not profiles:
        return None
    offered = dict.fromkeys(vaps, False)
    for profile in profiles.values():
        for radio_name, radio in profile.blocks.items():
            if not radio_name.startswith("radio-") or _get(radio, "mode") == "disabled":
                continue
            mode = _get(radio, "vap-all", "enable")
            for name in radio.settings.get("vaps", []):
                offered[name] = True
            for name, vap in vaps.items():
                bridged = _get(vap, "local-bridging") == "enable"
                if mode == "enable" or mode == ("bridge" if bridged else "tunnel"):
                    offered[name] = True
    return offered


def parse_wireless(root: Mapping[str, Node]) -> list[WirelessNetwork] | None:
    """SSIDs of the FortiGate's wireless controller; None when the block is not in the config."""
    if "wireless-controller vap" not in root:
        return None
    vaps = _edits(root, "wireless-controller vap")
    offered = _offered_vaps(root, vaps)
    networks = []
    for name, node in vaps.items():
        security, portal = _vap_security(_get(node, "security"))
        enterprise = security in {"wpa-enterprise", "wpa2-enterprise", "wpa3-enterprise"}
        auth = _get(node, "auth")
        vlan_text = _get(node, "vlanid", "0") or "0"
        vlan = int(vlan_text) if vlan_text.isdigit() and int(vlan_text) > 0 else None
        bridged = _get(node, "local-bridging") == "enable"
        encrypt = (_get(node, "encrypt") or "").upper()
        privacy = _get(node, "intra-vap-privacy")
        networks.append(
            WirelessNetwork(
                name=name,
                ssid=_get(node, "ssid") or name,
                enabled=offered.get(name) if offered is not None else None,
                # Documented default: broadcast-ssid enable.
                broadcast=_get(node, "broadcast-ssid", "enable") != "disable",
                vlan=vlan,
                # A tunnelled VAP is an interface of the FortiGate with the VAP's name.
                interface=name if vlan is None and not bridged else None,
                security=security,
                tkip_allowed=("TKIP" in encrypt) if encrypt and security != "open" else None,
                auth_server=(
                    ("radius" if auth == "radius" else "local" if auth == "usergroup" else None)
                    if enterprise
                    else None
                ),
                radius_servers=(
                    node.settings.get("radius-server", []) if enterprise and auth else None
                ),
                client_isolation=(None if privacy is None else privacy == "enable"),
                captive_portal=portal,
                line=_vap_line(name, node),
            )
        )
    return networks


def _vap_line(name: str, node: Node) -> str:
    shown = [
        f"set {key} " + " ".join(f'"{v}"' for v in node.settings[key])
        for key in _VAP_EVIDENCE_KEYS
        if key in node.settings
    ]
    return f"edit {name}: " + "; ".join(shown)


def _vdom_table(vdom: str | None) -> str | None:
    """The routing table of an interface's VDOM: ``root`` is the default one.

    Every interface names its VDOM, even on a single-VDOM unit; ``config router static`` routes
    carry none, so calling ``root`` a VRF would cut every route off its interfaces.
    """
    return None if vdom is None or vdom == "root" else vdom

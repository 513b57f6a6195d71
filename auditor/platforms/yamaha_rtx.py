"""Yamaha RTX routers: read-only command list and parser.

No library reads Yamaha configurations, so ``show config`` is interpreted here. The configuration
is flat (``ip lan1 address …``) with ``pp select N`` / ``tunnel select N`` contexts; filters are
numbered (``ip filter 100 pass …``) and bound to interfaces as ordered lists
(``ip lan1 secure filter in 100 101``), so each binding becomes one ACL named
``<interface>-secure-filter-<direction>``. Consoles set to ``console character ja.sjis`` print
Shift_JIS; the collector decodes it before it gets here.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from auditor.model.services import PORT_PROTOCOLS, PROTOCOL_NUMBERS, ProtocolName, Service
from auditor.model.snapshot import (
    Acl,
    AclBinding,
    AclEntry,
    Interface,
    LocalUser,
    ManagementPlane,
    NatRule,
    PolicyRoute,
    Route,
    SnmpCommunity,
    SystemInfo,
)
from auditor.platforms.addresses import Network, networks_of
from auditor.platforms.common import prefix_of, textfsm
from auditor.platforms.parts import SnapshotParts
from auditor.platforms.profile import FORWARDING_FACTS, PlatformProfile, marker_detector
from auditor.redact import marker

PLATFORM = "yamaha_rtx"
NETMIKO_DEVICE_TYPE = "yamaha"
CONFIG_COMMAND = "show config"
COMMANDS: tuple[str, ...] = ("show environment", "show config", "show ip route")
FACTS = frozenset(
    {
        "system.name",
        "system.vendor",
        "system.model",
        "system.serial",
        "system.os_version",
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
        "management.enable_secret_storage",
        "management.password_encryption",
        "management.ntp_servers",
        "management.syslog_hosts",
        "management.exec_timeout_seconds",
        "management.vty_access_class",
        "management.snmp_access_class",
        "management.dns_servers",
        "management.login_logging",
        "interfaces.alias",
        "interfaces.admin_up",
        "interfaces.shutdown",
        "interfaces.acl_in",
        "interfaces.acl_out",
    }
) | (FORWARDING_FACTS - {"forwarding.route_leaks"})
"""What RTX routers can state: no banner, DHCP snooping, ARP inspection or switchport facts.
Login logging is ``syslog notice on`` (off by default) with ``syslog info`` not turned off; no
source names a separate switch for configuration-change messages, so that fact stays unknown."""

_IFACE = r"(lan\d+(?:[/.]\d+)?|pp|tunnel|bridge\d+|loopback\d+)"
_BENIGN = re.compile(
    r"^(?:#|console |timezone |date |time |security class|lan type |lan port-mirroring|"
    r"ip lan\d+(?:/\d+)? (?:mtu|proxyarp|intrusion)|dhcp |ipsec auto refresh|ipsec sa policy|"
    r"ipsec ike (?:encryption|group|hash|keepalive|local|remote|nat-traversal|version)|"
    r"ipsec tunnel|pppoe |ppp |pp always-on|pp auth accept|pp auth request|nat |"
    r"ip (?:pp|tunnel) (?:mtu|nat|tcp)|tunnel encapsulation|ip(?:v6)? filter dynamic|"
    r"statistics |operation |schedule at .*(?<!ntpdate)$|sshd host key generate|"
    r"provider |upnp |l2tp |syslog (?:facility|debug|local)|"
    r"ip (?:routing|icmp|source-route|stealth)|sntpd |switch control|ip host |"
    r"ip lan\d+(?:/\d+)? nat descriptor)",
    re.IGNORECASE,
)
_ACTIONS: dict[str, Literal["permit", "deny"]] = {
    "pass": "permit",
    "pass-log": "permit",
    "pass-nolog": "permit",
    "reject": "deny",
    "reject-log": "deny",
    "reject-nolog": "deny",
    "restrict": "deny",
    "restrict-log": "deny",
    "restrict-nolog": "deny",
}


def yamaha_interface(name: str) -> str:
    """``LAN2`` / ``PP[01]`` / ``TUNNEL[1]`` (route table spelling) → ``lan2`` / ``pp1`` / ``tunnel1``."""
    match = re.fullmatch(r"([A-Za-z]+)\[?0*(\d+)\]?(/\d+)?", name.strip())
    if not match:
        return name.strip().lower()
    return f"{match.group(1).lower()}{match.group(2)}{match.group(3) or ''}"


def parse_environment(text: str) -> SystemInfo:
    rows = textfsm("yamaha", "show environment", text)
    if not rows:
        return SystemInfo()
    row = rows[0]
    model = re.search(r"^(\S+)\s+Rev\.", text, re.MULTILINE)
    serial = row.get("serial") or None
    return SystemInfo(
        vendor="Yamaha",
        model=model.group(1) if model else None,
        os_version=row.get("version") or None,
        serial=serial,
        serials=[serial] if serial else [],
    )


def parse_routes(text: str) -> list[Route]:
    routes = []
    for row in textfsm("yamaha", "show ip route", text):
        network = row["network"]
        prefix = (
            "0.0.0.0/0" if network == "default" else f"{network}/{row.get('prefix_length') or 32}"
        )
        next_hop = row.get("nexthop_ip") or ""
        protocol = row.get("protocol", "").lower()
        routes.append(
            Route(
                prefix=prefix,
                next_hop=None if next_hop in {"", "-"} else next_hop,
                interface=yamaha_interface(row["nexthop_if"]) if row.get("nexthop_if") else None,
                protocol="connected" if protocol == "implicit" else protocol or "other",
            )
        )
    return routes


@dataclass
class _Config:
    salt: bytes
    interfaces: dict[str, Interface] = field(default_factory=dict)
    filters: dict[str, AclEntry] = field(default_factory=dict)
    filters6: dict[str, AclEntry] = field(default_factory=dict)
    bindings: list[tuple[str, Literal["in", "out"], list[str]]] = field(default_factory=list)
    bindings6: list[tuple[str, Literal["in", "out"], list[str]]] = field(default_factory=list)
    routes: list[Route] = field(default_factory=list)
    management: ManagementPlane = field(default_factory=ManagementPlane)
    unparsed: list[str] = field(default_factory=list)
    console_character: str | None = None
    prompt: str | None = None  # ``console prompt``: the name RTX administrators give a router
    plain_password: bool = False
    communities: list[SnmpCommunity] = field(default_factory=list)
    v3_users: list[str] = field(default_factory=list)
    users: list[LocalUser] = field(default_factory=list)
    ntp: list[str] = field(default_factory=list)
    syslog: list[str] = field(default_factory=list)
    dns: list[str] = field(default_factory=list)
    syslog_notice: bool = False  # ``syslog notice`` is off by default
    syslog_info: bool = True  # ``syslog info`` is on by default
    versions: set[Literal["v1", "v2c", "v3"]] = field(default_factory=set)
    # Forwarding: NAT descriptors (type, static entries, outer address, bindings), routes chosen
    # by filter (policy routing) and dynamic protocols switched on.
    nat_types: dict[str, str] = field(default_factory=dict)
    nat_outer: dict[str, str] = field(default_factory=dict)
    nat_statics: list[tuple[str, str]] = field(default_factory=list)  # (descriptor, line)
    nat_bindings: list[tuple[str, str, str]] = field(default_factory=list)  # (iface, N, line)
    policy_routes: list[PolicyRoute] = field(default_factory=list)
    protocols: list[str] = field(default_factory=list)
    bgp_peers: bool = False


def _iface(config: _Config, name: str) -> Interface:
    if name not in config.interfaces:
        config.interfaces[name] = Interface(name=name, mode="routed", shutdown=False, admin_up=True)
    return config.interfaces[name]


def interpret_config(text: str, *, salt: bytes) -> _Config:
    """Read ``show config`` into interfaces, filters, routes and management facts."""
    config = _Config(salt=salt)
    management = config.management
    management.telnet_enabled = True  # factory default: telnetd service on, telnetd host lan
    management.ssh_enabled = False
    management.http_server = True  # factory default: httpd host lan
    management.snmp_communities = config.communities
    management.snmp_v3_users = config.v3_users
    management.local_users = config.users
    management.ntp_servers = config.ntp
    management.syslog_hosts = config.syslog
    management.dns_servers = config.dns
    management.aaa_enabled = False
    # No DHCP snooping or ARP inspection on RTX routers: those facts stay unknown (None).
    management.enable_secret_storage = "none"  # noqa: S105 (a storage kind, not a secret)
    context = ""  # "pp1" / "tunnel1" inside ``pp select`` / ``tunnel select``
    header = True  # the ``# RTX… Rev.…`` / ``# MAC Address : …`` comment block at the top
    for raw in text.replace("\r\n", "\n").split("\n"):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if header and raw[:1] in {" ", "\t"} and _HEADER_WRAP.fullmatch(line):
            continue  # a wrapped header line (the MAC address list runs onto the next line)
        header = False
        try:
            understood = _config_line(config, line, context)
        except (ValueError, IndexError, KeyError) as exc:
            config.unparsed.append(f"{line} (unreadable: {type(exc).__name__}: {exc})")
            continue
        if isinstance(understood, str):
            context = understood
        elif not understood:
            config.unparsed.append(line)
    management.password_encryption = not config.plain_password
    management.snmp_versions = sorted(config.versions)
    # Login success/failure messages are NOTICE/INFO-level syslog; NOTICE is off by default.
    management.login_logging = config.syslog_notice and config.syslog_info
    return config


_HEADER_WRAP = re.compile(r"(?:[0-9a-fA-F]{2}(?::[0-9a-fA-F]{2}){5}[, ]*)+")


def _config_line(config: _Config, line: str, context: str) -> bool | str:
    """Apply one line; False when not understood, a string when it changes the context."""
    salt = config.salt
    management = config.management
    words = line.split()
    lowered = line.lower()
    if match := re.match(r"^(pp|tunnel) select (\S+)$", lowered):
        selected = "" if match.group(2) == "none" else f"{match.group(1)}{match.group(2)}"
        if selected:
            _iface(config, selected)
        return selected
    if match := re.match(rf"^ip {_IFACE}\s*(\d*) address (\S+)", lowered):
        name = _context_name(match.group(1), match.group(2), context)
        if match.group(3) not in {"dhcp", "ipcp"}:
            _iface(config, name).addresses.append(match.group(3))
        return True
    if match := re.match(r"^description (\S+)(?: (.+))?$", line):
        target, text_value = match.groups()
        if text_value is None:
            target, text_value = "", target
        if target.lower() in {"pp", "tunnel"} or not re.fullmatch(_IFACE, target.lower()):
            if target.lower() not in {"pp", "tunnel"} and target:
                text_value = f"{target} {text_value}"
            name = context
        else:
            name = target.lower()
        if not name:
            return False
        _iface(config, name).alias = _unquote(text_value)
        return True
    if match := re.match(rf"^(ip|ipv6) {_IFACE}\s*(\d*) secure filter (in|out) (.+)$", lowered):
        name = _context_name(match.group(2), match.group(3), context)
        direction: Literal["in", "out"] = "in" if match.group(4) == "in" else "out"
        # Static filters come first; the numbers after ``dynamic`` name ``ip filter dynamic``
        # entries (stateful return paths), not static filters.
        words_after = match.group(5).split()
        static = (
            words_after[: words_after.index("dynamic")] if "dynamic" in words_after else words_after
        )
        numbers = [n for n in static if n.isdigit()]
        bindings = config.bindings if match.group(1) == "ip" else config.bindings6
        bindings.append((name, direction, numbers))
        return True
    if match := re.match(r"^(ip|ipv6) filter (\d+) (\S+)(?: (.+))?$", line):
        args = (match.group(4) or "").split()
        entry = _filter_entry(
            match.group(2), match.group(3), args, line, ipv6=match.group(1) == "ipv6"
        )
        if entry is None:
            return False
        filters = config.filters if match.group(1) == "ip" else config.filters6
        filters[match.group(2)] = entry
        return True
    if match := re.match(r"^ip route (\S+) gateway (.+)$", lowered):
        # ``ip route P gateway A gateway B …``: one route per gateway (ECMP/failover).
        for gateway in match.group(2).split("gateway"):
            if gateway.strip():
                config.routes.append(_route(match.group(1), gateway.split()))
        if " filter " in f"{match.group(2)} ":
            # The gateway is chosen by ``ip filter`` per packet: policy routing, not modelled.
            config.policy_routes.append(PolicyRoute(name=f"ip route {match.group(1)}", line=line))
        return True
    if forwarding := _forwarding_line(config, line, lowered, context):
        return forwarding
    if match := re.match(r"^(pp|tunnel) (enable|disable) (\S+)$", lowered):
        name = f"{match.group(1)}{match.group(3)}"
        _iface(config, name).shutdown = match.group(2) == "disable"
        _iface(config, name).admin_up = match.group(2) == "enable"
        return True
    if lowered.startswith(("telnetd service ", "telnetd host ")):
        if words[-1].lower() in {"off", "none"}:
            management.telnet_enabled = False
        return True
    if lowered.startswith("sshd service "):
        management.ssh_enabled = words[-1].lower() == "on"
        management.ssh_version = 2 if management.ssh_enabled else None
        return True
    if lowered.startswith("sshd host ") and not lowered.startswith("sshd host key"):
        value = " ".join(words[2:])
        management.vty_access_class = None if value.lower() == "any" else value
        return True
    if lowered.startswith(("httpd host ", "httpd service ")):
        management.http_server = words[-1].lower() not in {"none", "off"}
        return True
    if lowered.startswith("httpsd host "):
        management.https_server = words[-1].lower() != "none"
        return True
    if match := re.match(r"^(snmp|snmpv2c) community (read-only|read-write) (\S+)", line):
        version: Literal["v1", "v2c"] = "v1" if match.group(1) == "snmp" else "v2c"
        config.versions.add(version)
        access: Literal["ro", "rw"] = "ro" if match.group(2) == "read-only" else "rw"
        config.communities.append(
            SnmpCommunity(
                name_redacted=marker(_unquote(match.group(3)), salt=salt),
                access=access,
                version=version,
            )
        )
        return True
    if match := re.match(r"^(snmp|snmpv2c) host (\S+)", lowered):
        host = match.group(2)
        management.snmp_access_class = None if host == "any" else host
        return True
    if match := re.match(r"^snmpv3 usm user \d+ (\S+)", line):
        config.versions.add("v3")
        config.v3_users.append(match.group(1))
        return True
    if lowered.startswith(("snmp ", "snmpv2c ", "snmpv3 ")):
        return True
    if match := re.match(r"^login user (\S+) (encrypted )?(\S+)", line):
        storage: Literal["hash", "plain", "unknown"] = "hash" if match.group(2) else "plain"
        if not match.group(2) and match.group(3) == "*":
            storage = "unknown"  # ``*`` stands for a password the text does not show
        config.plain_password = config.plain_password or storage == "plain"
        config.users.append(LocalUser(name=match.group(1), password_storage=storage))
        return True
    if match := re.match(r"^user attribute (\S+) (.+)$", line):
        admin = re.search(r"\badministrator=(\S+)", match.group(2))
        for user in config.users:
            if user.name == match.group(1) and admin:
                # ``on``/``1``: may become administrator; ``2``: logs in as administrator
                # (newer firmware); ``off``/``0``: never.
                user.privilege = 15 if admin.group(1).lower() in {"on", "1", "2"} else 1
        return True
    if match := re.match(r"^administrator password (encrypted )?", lowered):
        management.enable_secret_storage = "hash" if match.group(1) else "plain"
        config.plain_password = config.plain_password or not match.group(1)
        return True
    if match := re.match(r"^login password (encrypted )?", lowered):
        config.plain_password = config.plain_password or not match.group(1)
        return True
    if lowered.startswith("login timer "):
        value = words[2]
        management.exec_timeout_seconds = int(value) if value.isdigit() else None
        return True
    if lowered.startswith("syslog host "):
        config.syslog.append(words[2])
        return True
    if match := re.match(r"^syslog (notice|info) (on|off)$", lowered):
        setattr(config, f"syslog_{match.group(1)}", match.group(2) == "on")
        return True
    if lowered.startswith("dns server ") and not lowered.startswith("dns server select"):
        config.dns.extend(words[2:])
        return True
    if lowered.startswith("dns "):
        return True
    if "ntpdate " in lowered:
        config.ntp.append(words[words.index("ntpdate") + 1] if "ntpdate" in words else words[-1])
        return True
    if lowered.startswith(("radius use on", "radius server ", "radius secret", "radius auth on")):
        management.aaa_enabled = management.aaa_enabled or lowered.startswith("radius use on")
        return True
    if match := re.match(r"^console prompt (\S+)", line):
        config.prompt = _unquote(match.group(1))
        return True
    if match := re.match(r"^console character (\S+)", lowered):
        config.console_character = match.group(1)
        return True
    if match := re.match(r"^vlan (lan\d+/\d+) 802\.1q vid=(\d+)", lowered):
        interface = _iface(config, match.group(1))
        interface.access_vlan = None
        return True
    if lowered.startswith(("pp auth myname", "ipsec ike pre-shared-key", "pp bind")):
        return True
    return bool(_BENIGN.match(line))


def _forwarding_line(config: _Config, line: str, lowered: str, context: str) -> bool:
    """NAT descriptors and their bindings, ``ospf|bgp|rip use on``; False: not such a line."""
    if match := re.match(r"^(ospf|bgp|rip|ipv6 ospf|ipv6 rip) use on$", lowered):
        config.protocols.append(
            {"ipv6 ospf": "ospf3", "ipv6 rip": "ripng"}.get(match.group(1), match.group(1))
        )
        return True
    if lowered.startswith("bgp neighbor "):
        config.bgp_peers = True  # ``bgp neighbor ID AS ADDRESS …``: BGP has someone to learn from
        return True
    if match := re.match(r"^nat descriptor type (\d+) (\S+)$", lowered):
        config.nat_types[match.group(1)] = match.group(2)
        return True
    if match := re.match(r"^nat descriptor address outer (\d+) (\S+)$", lowered):
        config.nat_outer[match.group(1)] = match.group(2)
        return True
    if match := re.match(r"^nat descriptor (?:masquerade )?static (\d+) ", lowered):
        config.nat_statics.append((match.group(1), line))
        return True
    if match := re.match(rf"^ip {_IFACE}\s*(\d*) nat descriptor ([\d ]+)$", lowered):
        name = _context_name(match.group(1), match.group(2), context)
        for number in match.group(3).split():
            config.nat_bindings.append((name, number, line))
        return True
    return False


def _nat_rules(config: _Config) -> list[NatRule]:
    """The translations of every bound descriptor (an unbound one translates nothing).

    ``nat descriptor static N ID OUTER=INNER [COUNT]`` maps outside addresses to inside hosts;
    ``masquerade static N ID INNER tcp PORT`` forwards a port of the descriptor's outer address
    (resolved only when that address is written, not ``ipcp``/``primary``); ``masquerade`` and
    ``nat-masquerade`` hide inside sources. A descriptor with no ``type`` line is type none.
    """
    rules: list[NatRule] = []
    for interface, number, binding in config.nat_bindings:
        kind = config.nat_types.get(number, "none")
        if kind in {"masquerade", "nat-masquerade", "nat"}:
            rules.append(NatRule(kind="source", interface=interface, line=binding))
        for descriptor, line in config.nat_statics:
            if descriptor == number:
                rules.append(_static_rule(line, interface, config.nat_outer.get(number)))
    return rules


def _static_rule(line: str, interface: str, outer: str | None) -> NatRule:
    words = line.split()
    unresolved = NatRule(kind="static", interface=interface, modelled=False, line=line)
    try:
        if words[2].lower() == "masquerade":  # … masquerade static N ID INNER PROTO PORT
            inside = ipaddress.ip_address(words[6])
            protocol = words[7].lower() if len(words) > 7 else None
            # ``PORT`` or ``OUTER_PORT=INNER_PORT`` (the outer port forwarded to another one)
            ports = re.fullmatch(r"(\d{1,5})(?:=(\d{1,5}))?", words[8]) if len(words) > 8 else None
            if ports and max(int(p) for p in ports.groups() if p) > 65535:
                ports = None  # not a port: the forward stays unresolved (a gap, not a path)
            outer_port = int(ports.group(1)) if ports else None
            inner_port = int(ports.group(2) or ports.group(1)) if ports else None
            outside = ipaddress.ip_address(outer) if outer else None
            return NatRule(
                kind="vip",
                inside=f"{inside}/32",
                outside=f"{outside}/32" if outside else None,
                interface=interface,
                protocol=protocol,
                inside_port=inner_port,
                outside_port=outer_port,
                modelled=outside is not None,
                line=line,
            )
        outer_text, _, inner_text = words[5].partition("=")
        count = int(words[6]) if len(words) > 6 else 1
        if count != 1:
            return unresolved  # a block of consecutive addresses: not resolved here
        outside_ip, inside_ip = ipaddress.ip_address(outer_text), ipaddress.ip_address(inner_text)
    except (ValueError, IndexError):
        return unresolved
    return NatRule(
        kind="static",
        inside=f"{inside_ip}/32",
        outside=f"{outside_ip}/32",
        interface=interface,
        line=line,
    )


def _context_name(kind: str, number: str, context: str) -> str:
    if kind in {"pp", "tunnel"}:
        return f"{kind}{number}" if number else context
    return kind


def _unquote(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] == '"':
        return value[1:-1]
    return value


def _filter_entry(
    number: str, action: str, args: list[str], line: str, *, ipv6: bool = False
) -> AclEntry | None:
    mapped = _ACTIONS.get(action.lower())
    if mapped is None or not args:
        return None
    # Trailing fields may be omitted and then mean ``*``: ``ip filter 10 reject *`` is a deny
    # from any source to any destination of every protocol.
    args = args + ["*"] * (5 - len(args))
    source = "any" if args[0] == "*" else _address(args[0])
    destination = "any" if args[1] == "*" else _address(args[1])
    protocol = args[2].lower() if args[2] != "*" else "ip"
    destination_port = args[4] if args[4] != "*" else None
    ports = None
    if destination_port:
        low, _, high = destination_port.partition("-")
        ports = f"range {low} {high}" if high else f"eq {low}"
    return AclEntry(
        sequence=int(number),
        action=mapped,
        protocol=protocol,
        source=source,
        destination=destination,
        destination_ports=ports,
        service=filter_service(args[2], destination_port),
        source_networks=_filter_networks(source, ipv6=ipv6),
        destination_networks=_filter_networks(destination, ipv6=ipv6),
        line=line,
    )


def _filter_networks(text: str, *, ipv6: bool) -> list[Network] | None:
    """``*`` of an ``ipv6 filter`` is every IPv6 address (``::/0``), not every IPv4 one."""
    if ipv6 and text == "any":
        return [ipaddress.IPv6Network("::/0")]
    return networks_of(text)


# Yamaha ``ip filter`` protocol words → typed protocol (TCP flag variants match TCP packets).
_FILTER_PROTOCOLS: dict[str, ProtocolName | int] = {
    "*": "ip",
    "tcp": "tcp",
    "tcpsyn": "tcp",
    "tcpfin": "tcp",
    "tcprst": "tcp",
    "tcpflag": "tcp",
    "established": "tcp",
    "udp": "udp",
    "icmp": "icmp",
    "icmp-error": "icmp",
    "icmp-info": "icmp",
    "icmp6": "icmpv6",
    "gre": "gre",
    "esp": "esp",
    "ah": "ah",
}
# Port names the RTX accepts in filters.
_FILTER_PORTS = {
    "ftp": 21,
    "ftpdata": 20,
    "telnet": 23,
    "smtp": 25,
    "domain": 53,
    "gopher": 70,
    "finger": 79,
    "www": 80,
    "pop3": 110,
    "sunrpc": 111,
    "ident": 113,
    "ntp": 123,
    "nntp": 119,
    "snmp": 161,
    "syslog": 514,
    "printer": 515,
    "talk": 517,
    "route": 520,
    "uucp": 540,
    "submission": 587,
}


def filter_service(protocol: str, destination_port: str | None) -> Service | None:
    """An ``ip filter`` protocol and destination-port field → typed service (``None``: unknown).

    Ports are ``*``, ``N``, a name, ``N-M``, ``-M`` (up to M), ``N-`` (from N) or a comma list.
    """
    if "," in protocol:
        return None  # several protocols in one filter: not one service
    if protocol.isdigit():
        number = int(protocol)
        typed: ProtocolName | int | None = (
            PROTOCOL_NUMBERS.get(number, number) if number <= 255 else None
        )
    else:
        typed = _FILTER_PROTOCOLS.get(protocol.lower())
    if typed is None:
        return None
    if typed not in PORT_PROTOCOLS or not destination_port or destination_port == "*":
        return Service(protocol=typed)
    ranges: list[tuple[int, int]] = []
    for item in destination_port.split(","):
        low_text, dash, high_text = item.partition("-")
        low = _filter_port(low_text) if low_text else 0
        high = (_filter_port(high_text) if high_text else 65535) if dash else low
        if low is None or high is None or low > high or high > 65535:
            return None
        ranges.append((low, high))
    return Service.of(typed, *ranges)


def _filter_port(text: str) -> int | None:
    if text.isdigit():
        return int(text)
    return _FILTER_PORTS.get(text.lower())


def _address(value: str) -> str:
    """A single filter address gets its host length: ``/32`` for IPv4, ``/128`` for IPv6."""
    if "/" in value or "," in value or ("-" in value and ":" not in value):
        return value
    return f"{value}/128" if ":" in value else f"{value}/32"


def _route(prefix: str, gateway: list[str]) -> Route:
    """One ``ip route`` gateway; the next hop is an IP only when the gateway is an address.

    ``gateway dhcp lan2`` (the DHCP-learned router of lan2) and ``gateway null`` (discard) are
    not addresses: they are modelled by ``next_hop_kind`` with the interface they name.
    """
    if prefix == "default":
        destination = "0.0.0.0/0"
    elif "/" in prefix:
        network, _, mask = prefix.partition("/")
        destination = prefix_of(network, mask)  # ``10.0.0.0/255.0.0.0`` → ``10.0.0.0/8``
    else:
        destination = f"{prefix}/32"
    next_hop = interface = None
    kind: Literal["ip", "interface", "dhcp", "null"] | None = None
    if gateway and gateway[0] in {"pp", "tunnel"} and len(gateway) > 1:
        interface, kind = f"{gateway[0]}{gateway[1]}", "interface"
    elif gateway and gateway[0] == "dhcp" and len(gateway) > 1:
        interface, kind = gateway[1], "dhcp"
    elif gateway and gateway[0] == "null":
        interface, kind = "null", "null"
    elif gateway and re.fullmatch(_IFACE, gateway[0]):
        interface, kind = gateway[0], "interface"
    elif gateway:
        ipaddress.ip_address(gateway[0])  # anything else is not understood: raises
        next_hop, kind = gateway[0], "ip"
    return Route(
        prefix=destination,
        next_hop=next_hop,
        next_hop_kind=kind,
        interface=interface,
        protocol="static",
    )


def parse(outputs: Mapping[str, str], *, salt: bytes) -> SnapshotParts:
    """Turn the outputs of :data:`COMMANDS` into snapshot parts."""
    parts = SnapshotParts()
    config = interpret_config(outputs.get(CONFIG_COMMAND, ""), salt=salt)
    parts.system = parse_environment(outputs.get("show environment", ""))
    parts.system.name = config.prompt
    parts.interfaces = list(config.interfaces.values())
    acls: list[Acl] = []
    for interface_name, direction, numbers in config.bindings:
        name = f"{interface_name}-secure-filter-{direction}"
        entries = [config.filters[n] for n in numbers if n in config.filters]
        acls.append(
            Acl(
                name=name,
                family="ipv4",
                entries=entries,
                applied=[AclBinding(interface=interface_name, direction=direction)],
            )
        )
        interface = config.interfaces.get(interface_name)
        if interface is not None:
            if direction == "in":
                interface.acl_in = name
            else:
                interface.acl_out = name
    for interface_name, direction, numbers in config.bindings6:
        # IPv6 filters are their own ACLs; the interface's acl_in/acl_out stay the IPv4 ones.
        acls.append(
            Acl(
                name=f"{interface_name}-ipv6-secure-filter-{direction}",
                family="ipv6",
                entries=[config.filters6[n] for n in numbers if n in config.filters6],
                applied=[AclBinding(interface=interface_name, direction=direction)],
            )
        )
    parts.acls = acls
    parts.routes = (
        parse_routes(outputs["show ip route"]) if "show ip route" in outputs else config.routes
    )
    parts.management = config.management
    parts.unparsed_config_lines = config.unparsed
    if outputs.get(CONFIG_COMMAND, "").strip():
        parts.nat_rules = _nat_rules(config)
        parts.policy_routes = list(config.policy_routes)
        # ``bgp use on`` without a ``bgp neighbor`` learns no route
        parts.routing_protocols = sorted(
            {p for p in config.protocols if p != "bgp" or config.bgp_peers}
        )
    return parts


DETECT_MARKERS: tuple[tuple[str, float], ...] = (
    (r"^# (?:RTX|NVR|RTX)\d+ Rev\.", 0.8),
    (r"^ip (?:lan|pp|tunnel)\d* ", 0.5),
    (r"^(?:login|administrator) password", 0.3),
    (r"^pp (?:select|bind|enable)", 0.3),
    (r"^console (?:character|prompt|lines)", 0.3),
    (r"^ip route \S+ gateway ", 0.4),
    (r"^ip filter (?:dynamic )?\d+ ", 0.3),
    (r"^login user \S+", 0.2),
    (r"^dns (?:server select|static|private address spoof|domain lookup) ", 0.5),
)
"""Lines only this platform's saved configurations contain (weights add up, capped at 1)."""


PROFILE = PlatformProfile(
    platform=PLATFORM,
    netmiko_device_type=NETMIKO_DEVICE_TYPE,
    commands=COMMANDS,
    config_command=CONFIG_COMMAND,
    parse=parse,
    facts=FACTS,
    session_preparation=("console lines infinity", "administrator (when an enable secret is set)"),
    detect=marker_detector(DETECT_MARKERS),
)

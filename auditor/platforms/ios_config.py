"""Interpret IOS-like running configurations (Cisco IOS/IOS-XE, Alaxala AX, Allied AW+, NEC IX).

The four platforms share the indented ``interface …`` / ``line vty …`` structure; they differ in
keywords. This module reads the facts the checks need and reports every line it did not
understand, so an auditor knows what was not looked at.

The tree is built here rather than with hier_config: hier_config collapses runs of spaces (which
changes Japanese interface descriptions) and refuses repeated children such as two identical ACL
remarks, both common in real configurations.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal, TypeVar

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
    Vlan,
)
from auditor.platforms.addresses import networks_of
from auditor.platforms.change_stamp import change_stamp
from auditor.platforms.common import cidr, parse_vlan_list, prefix_of, unquote
from auditor.redact import marker

Dialect = Literal["cisco_ios", "alaxala_ax", "allied_telesis_awplus", "nec_ix"]

# Top-level lines that carry no fact a check reads but are understood (not "unparsed").
_BENIGN_TOP = re.compile(
    r"^(?:!|#|end$|version |boot|service timestamps|service (?:tcp|udp)-small|building configuration|"
    r"current configuration|last configuration|configuration last|no service pad|"
    r"clock timezone|spanning-tree|errdisable|vtp |system mtu|ip routing|ip cef|ip classless|"
    r"ip domain[- ]name|ip domain lookup|no ip domain[- ]lookup|license |diagnostic |"
    r"redundancy|archive|control-plane|memory |\S+#|configuration of partition|!)",
    re.IGNORECASE,
)
_BENIGN_CHILD = re.compile(
    r"^(?:!|speed |duplex |mtu |negotiation |bandwidth |load-interval |spanning-tree |"
    r"channel-group |media-type |no ip address|ip redirects|no ip redirects|no ip proxy-arp|"
    r"keepalive|switchport nonegotiate|login(?: local)?$|logging synchronous|stopbits|"
    r"privilege level|length |width |exit$|no ip route-cache|no mop enabled)",
    re.IGNORECASE,
)


@dataclass
class ConfigFacts:
    hostname: str | None = None
    interfaces: dict[str, Interface] = field(default_factory=dict)
    vlans: dict[int, Vlan] = field(default_factory=dict)
    acls: dict[str, Acl] = field(default_factory=dict)
    routes: list[Route] = field(default_factory=list)
    management: ManagementPlane = field(default_factory=ManagementPlane)
    unparsed: list[str] = field(default_factory=list)
    changed_at: datetime | None = None  # the header's "last change" stamp (change_stamp.py)
    changed_by: str | None = None
    # Forwarding facts (``forwarding.*``): None / empty when the platform does not declare them.
    nat_rules: list[NatRule] | None = None
    policy_routes: list[PolicyRoute] = field(default_factory=list)
    routing_protocols: list[str] | None = None


MANAGEMENT_FACTS = frozenset(
    f"management.{name}"
    for name in (
        "telnet_enabled",
        "ssh_enabled",
        "ssh_version",
        "http_server",
        "https_server",
        "snmp_versions",
        "snmp_communities",
        "snmp_v3_users",
        "aaa_enabled",
        "local_users",
        "enable_secret_storage",
        "password_encryption",
        "ntp_servers",
        "syslog_hosts",
        "banner",
        "exec_timeout_seconds",
        "vty_access_class",
        "snmp_access_class",
        "dhcp_snooping",
        "arp_inspection",
        "dns_servers",
    )
)
"""Management facts the IOS-like interpreter can read from a configuration."""

INTERFACE_FACTS = frozenset(
    f"interfaces.{name}"
    for name in (
        "alias",
        "access_vlan",
        "allowed_vlans",
        "native_vlan",
        "vrf",
        "shutdown",
        "admin_up",
        "port_security",
        "dot1x",
        "lldp_transmit",
        "cdp_enabled",
        "acl_in",
        "acl_out",
    )
)
"""Per-port facts the IOS-like interpreter can read from a configuration."""

_OFF_WHEN_ABSENT = ("aaa", "password_encryption", "dhcp_snooping", "arp_inspection")
"""Switches whose missing line means "off", on a platform that has the feature at all."""


@dataclass
class _State:
    salt: bytes
    dialect: Dialect
    declared: frozenset[str] = MANAGEMENT_FACTS | INTERFACE_FACTS
    facts: ConfigFacts = field(default_factory=ConfigFacts)
    communities: list[SnmpCommunity] = field(default_factory=list)
    v3_users: list[str] = field(default_factory=list)
    users: list[LocalUser] = field(default_factory=list)
    ntp: list[str] = field(default_factory=list)
    syslog: list[str] = field(default_factory=list)
    login_failure_log: bool = False
    login_success_log: bool = False
    change_log: bool = False
    dns: list[str] = field(default_factory=list)
    telnet_vty: list[bool] = field(default_factory=list)
    telnet_service: bool | None = None
    ssh_service: bool | None = None
    ssh_version: int | None = None
    http: bool | None = None
    https: bool | None = None
    aaa: bool | None = None
    password_encryption: bool | None = None
    enable_storage: str | None = None
    exec_timeout: int | None = None
    vty_acl: str | None = None
    snmp_acl: str | None = None
    dhcp_snooping: bool | None = None
    arp_inspection: bool | None = None
    banner: str | None = None
    acl_bindings: list[tuple[str, str, Literal["in", "out"]]] = field(default_factory=list)
    snmp_group_acls: list[str] = field(default_factory=list)
    cdp_run: bool | None = None  # ``cdp run`` / ``no cdp run`` (Cisco); None: not in the config
    lldp_run: bool | None = None  # ``lldp run`` / ``no lldp run``; None: not in the config
    ix_ports_down: list[str] = field(default_factory=list)  # NEC IX ``device X`` + ``shutdown``
    nat: list[NatRule] = field(default_factory=list)
    nat_outside: list[str] = field(default_factory=list)  # interfaces with ``ip nat outside``
    protocols: list[str] = field(default_factory=list)  # ``router ospf`` … blocks


def interpret(
    text: str,
    *,
    dialect: Dialect,
    salt: bytes,
    declared: frozenset[str] = MANAGEMENT_FACTS | INTERFACE_FACTS,
) -> ConfigFacts:
    """Read a running configuration into facts; unknown lines go to ``facts.unparsed``.

    ``declared`` is the platform's fact list: a fact it does not declare stays ``None`` (the
    platform has no such setting), and only a declared switch reads as "off" when its line is
    missing from the configuration.
    """
    state = _State(salt=salt, dialect=dialect, declared=declared)
    for line, children in config_tree(text, dialect=dialect):
        try:
            handled = _top_level(state, line, children)
        except (ValueError, IndexError, KeyError, TypeError) as exc:
            # One line the interpreter cannot read must not cost the device all its facts.
            state.facts.unparsed.append(f"{line} (unreadable: {type(exc).__name__}: {exc})")
            continue
        if not handled and not _BENIGN_TOP.match(line) and not _ignored(dialect, line):
            state.facts.unparsed.append(line)
    _finish(state)
    if not text.strip():  # no configuration read: its NAT and routing are unknown, not "none"
        state.facts.nat_rules = state.facts.routing_protocols = None
    state.facts.changed_at, state.facts.changed_by = change_stamp(text)
    return state.facts


IGNORED_BLOCKS: dict[Dialect, tuple[str, ...]] = {
    "cisco_ios": (
        "router ",
        "route-map ",
        "ip prefix-list ",
        "ipv6 prefix-list ",
        "ip community-list ",
        "ip as-path ",
        "ip bgp-community ",
        "ip forward-protocol ",
        "ip tcp ",
        "ip icmp ",
        "no ip icmp ",
        "ipv6 cef",
        "no ipv6 cef",
        "multilink ",
        "platform ",
        "no platform ",
        "subscriber ",
        "virtual-service ",
        "transceiver ",
        "switch ",
        "clock summer-time ",
        "ip ftp ",
        "ip tftp ",
        "ip tacacs source-interface",
        "ip radius source-interface",
        "ip scp ",
        "netconf-yang",
        "wlan ",
        "ap ",
        "login on-",
        "no logging ",
        "snmp mib ",
        "no aaa ",
        "vrf definition ",
        "ip vrf ",
        "key chain ",
    ),
    "allied_telesis_awplus": (
        "router ",
        "route-map ",
        "stack ",
        "switch ",
        "no clock ",
        "ip domain-lookup",
        "no service dhcp-server",
        "service dhcp-server",
        "no ip multicast-routing",
        "ip multicast-routing",
        "ssh server allow-users ",
        "platform ",
    ),
    "alaxala_ax": ("router ", "route-map ", "switch ", "clock ", "ip prefix-list "),
    "nec_ix": (
        "router ",
        "route-map ",
        "timezone ",
        "ike proposal ",
        "ipsec autokey-proposal ",
        "ipsec autokey-map ",
        "ipsec local-id ",
        "ipsec remote-id ",
        "ip ufs-cache ",
        "ip napt ",
        "ipv6 ufs-cache ",
        "ip dhcp enable",
        "ntp ip enable",
        "ntp master",
    ),
}
"""Top-level lines each dialect understands and deliberately leaves alone: routing protocols,
route policy, platform housekeeping. They carry no fact a check reads, so they are not coverage
gaps and are kept out of the unparsed list (secrets in them are still redacted)."""


def _ignored(dialect: Dialect, line: str) -> bool:
    return line.lower().startswith(IGNORED_BLOCKS.get(dialect, ()))


def config_tree(text: str, *, dialect: Dialect = "cisco_ios") -> list[tuple[str, list[str]]]:
    """Top-level lines with their indented children (all depths flattened, stripped).

    Multi-line banners (``banner login ^C … ^C``) are kept as one line with embedded newlines.
    AlliedWare Plus banners (``banner motd TEXT``) end with their line: AW+ has no delimiter, so
    reading the first character as one would swallow the following configuration lines. An IOS
    banner whose closing delimiter never comes is read as a one-line banner for the same reason.
    """
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    tree: list[tuple[str, list[str]]] = []
    index = 0
    while index < len(lines):
        raw = lines[index]
        index += 1
        if not raw.strip() or raw.strip() == "!":
            continue
        if raw[:1] in {" ", "\t"} and tree:
            tree[-1][1].append(raw.strip())
            continue
        stripped = raw.strip()
        banner = re.match(r"^banner\s+\S+\s+(\^C|\S)(.*)$", stripped)
        if banner and dialect != "allied_telesis_awplus":
            delimiter, rest = banner.groups()
            body = [stripped]
            if delimiter not in rest:
                end = next(
                    (i for i in range(index, len(lines)) if delimiter in lines[i]),
                    None,
                )
                if end is not None:
                    body.extend(lines[index : end + 1])
                    index = end + 1
            tree.append(("\n".join(body), []))
            continue
        tree.append((stripped, []))
    return tree


def _storage_for(keyword: str, encoding_code: str | None) -> str:
    if keyword == "secret":
        return {"5": "type5", "8": "type8", "9": "type9", "4": "hash"}.get(
            encoding_code or "5", "hash"
        )
    if encoding_code == "7":
        return "type7"
    if encoding_code in {"8", "5", "9"}:  # AW+ ``password 8`` is a hash
        return "hash" if encoding_code == "8" else f"type{encoding_code}"
    if encoding_code in {"hash", "encrypted"}:
        return "hash"
    return "plain"


_LocalStorage = Literal["none", "plain", "type7", "type5", "type8", "type9", "hash", "unknown"]


LOGGING_FACTS = frozenset({"management.login_logging", "management.config_change_logging"})
"""IOS login and configuration-change logging (declared by the platforms that have them)."""


def _logging_line(state: _State, words: list[str], lowered: str, children: list[str]) -> bool:
    """``login on-failure log``, ``login on-success log``, ``archive`` / ``log config`` /
    ``logging enable``: what HRD-021 needs to know."""
    if lowered.startswith("login on-failure") and "log" in lowered.split()[2:]:
        state.login_failure_log = True
        return True
    if lowered.startswith("login on-success") and "log" in lowered.split()[2:]:
        state.login_success_log = True
        return True
    if lowered == "archive":
        flat = [child.lower() for child in children]
        if "log config" in flat and "logging enable" in flat:
            state.change_log = True
        return True
    return False


def _top_level(state: _State, line: str, children: list[str]) -> bool:
    facts = state.facts
    words = line.split()
    lowered = line.lower()
    if not words:
        return True
    head = words[0].lower()
    if _logging_line(state, words, lowered, children):
        return True
    if head == "hostname" and len(words) > 1:
        facts.hostname = unquote(" ".join(words[1:]))
        return True
    if head == "interface" and len(words) > 1:
        for name in _interface_names(state, words[1:]):
            _interface(state, name, children)
        return True
    if head == "vlan" and len(words) >= 2 and words[1].lower() == "database":
        for child in children:
            match = re.match(r"^vlan\s+(\S+)(?:\s+name\s+(\S+))?", child)
            if match:
                for vlan_id in parse_vlan_list(match.group(1)):
                    vlan_name = unquote(match.group(2)) if match.group(2) else None
                    facts.vlans[vlan_id] = Vlan(id=vlan_id, name=vlan_name)
            elif not _BENIGN_CHILD.match(child):
                facts.unparsed.append(f"{line} / {child}")
        return True
    if head == "vlan" and len(words) >= 2 and re.fullmatch(r"[0-9,-]+", words[1]):
        named: str | None = None
        for child in children:
            if child.lower().startswith("name "):
                named = unquote(child[5:])
            elif not (_BENIGN_CHILD.match(child) or child.startswith("state ")):
                facts.unparsed.append(f"{line} / {child}")
        for vlan_id in parse_vlan_list(words[1]):
            facts.vlans[vlan_id] = Vlan(id=vlan_id, name=named)
        return True
    if lowered.startswith(("ip access-list ", "access-list ", "ipv6 access-list ")):
        return _acl(state, words, children)
    if head == "router" and len(words) > 1 and words[1].lower() in _DYNAMIC_PROTOCOLS:
        if _learns_routes(words[1].lower(), children):
            state.protocols.append(_DYNAMIC_PROTOCOLS[words[1].lower()])
        return True  # the block's own lines (areas, neighbours) carry no fact a check reads
    if lowered.startswith("ip nat ") and state.dialect == "cisco_ios":
        _nat(state, words, line)
        return True
    if lowered.startswith(("ip route ", "ipv6 route ")):
        route = _static_route(words)
        if route is None:
            return False
        facts.routes.append(route)
        return True
    if lowered.startswith("line vty"):
        _vty(state, children, line)
        return True
    if lowered.startswith(("line con", "line aux")):
        return True
    if lowered.startswith("banner "):
        kind = words[1].lower() if len(words) > 1 else ""
        if kind in {"motd", "login"}:  # pre-login banners; ``exec`` shows after login
            text = _banner_text(line, one_line=state.dialect == "allied_telesis_awplus")
            state.banner = text or state.banner
        return True
    if lowered.startswith("no banner "):
        return True
    return _management_line(state, line, words, lowered, children)


_AWPLUS_RANGE = re.compile(r"^([A-Za-z]+)?([0-9.]+)(?:-(?:[A-Za-z]+)?([0-9.]+))?$")
_MAX_RANGE = 4096


def _interface_names(state: _State, words: list[str]) -> list[str]:
    """The interfaces one ``interface`` line configures: AW+ ranges give one name per port.

    ``interface port1.0.5-1.0.22``, ``interface port1.0.2-1.0.4,port1.0.7`` and
    ``interface po7-8`` configure each port, so the port facts carry the names FDB, LLDP and SNMP
    use. A range whose ends differ before the last number (across stack members) cannot be
    expanded from the text alone and raises, so the line is reported with its reason.
    """
    name = _interface_name(state.dialect, words)
    if state.dialect != "allied_telesis_awplus" or not re.search(r"[-,]", name):
        return [name]
    names: list[str] = []
    prefix = ""
    for piece in name.split(","):
        match = _AWPLUS_RANGE.match(piece)
        if not match:
            raise ValueError(f"interface range piece {piece!r} not understood")
        prefix = match.group(1) or prefix
        first, last = match.group(2), match.group(3)
        if last is None:
            names.append(f"{prefix}{first}")
            continue
        head, _, low = first.rpartition(".")
        last_head, _, high = last.rpartition(".")
        if head != last_head or int(high) < int(low) or int(high) - int(low) > _MAX_RANGE:
            raise ValueError(f"interface range {piece!r} spans more than its last number")
        lead = f"{head}." if head else ""
        names.extend(f"{prefix}{lead}{number}" for number in range(int(low), int(high) + 1))
    return names


def _interface_name(dialect: Dialect, words: list[str]) -> str:
    if dialect == "alaxala_ax":
        # ``interface gigabitethernet 0/1`` keeps AX's spelling; ``interface vlan 10`` is named
        # ``VLAN0010`` as in AX's ifDescr, so SSH and SNMP facts land on the same interface.
        if len(words) == 2 and words[0].lower() == "vlan" and words[1].isdigit():
            return f"VLAN{int(words[1]):04d}"
        return " ".join(words)
    return "".join(words) if len(words) > 1 and re.fullmatch(r"[0-9/.:]+", words[-1]) else words[0]


@dataclass
class _Port:
    """What the children of one ``interface`` block said, before defaults are applied."""

    interface: Interface
    explicit_mode: str | None = None
    switchport: bool | None = None  # ``switchport`` / ``no switchport``; None: not said
    routed_hint: bool = False  # ``no ip address``, ``ip address ipcp``, ``vrf forwarding``
    allowed: list[int] | None = None
    admin_up: bool = True
    native_none: bool = False  # ``switchport trunk native vlan none``


ALL_VLANS = list(range(1, 4095))


def _trunk_base(state: _State) -> list[int]:
    """VLANs a trunk carries before any ``switchport trunk allowed vlan`` line.

    IOS and AX trunks carry every VLAN. AlliedWare Plus trunks carry none but the native VLAN
    until VLANs are added (Allied Telesis, AlliedWare Plus Software Reference C613-50046-01 rev A,
    "Configuring VLANs / Trunk mode": a trunk port is associated with the VLANs given to
    ``switchport trunk allowed vlan``; untagged frames stay in the native VLAN, vlan1 by default).
    """
    return [] if state.dialect == "allied_telesis_awplus" else ALL_VLANS


def _interface(state: _State, name: str, children: list[str]) -> None:
    port = _Port(Interface(name=name))
    for child in children:
        try:
            understood = _interface_child(state, port, child)
        except (ValueError, IndexError, KeyError, TypeError) as exc:
            state.facts.unparsed.append(
                f"interface {name} / {child} (unreadable: {type(exc).__name__}: {exc})"
            )
            continue
        if not understood and not _BENIGN_CHILD.match(child):
            state.facts.unparsed.append(f"interface {name} / {child}")
    interface = port.interface
    interface.shutdown = not port.admin_up
    interface.admin_up = port.admin_up
    lowered_name = name.lower().replace(" ", "")
    routed_name = lowered_name.startswith(("vlan", "loopback", "tunnel", "gigaethernet", "bvi"))
    any_switchport_line = port.switchport or port.explicit_mode or port.allowed is not None
    if port.explicit_mode in {"access", "trunk"}:
        interface.mode = port.explicit_mode  # type: ignore[assignment]
    elif (
        port.switchport is False
        or routed_name
        or interface.addresses
        or (port.routed_hint and not any_switchport_line)
        or state.dialect == "nec_ix"
    ):
        interface.mode = "routed"
    if interface.mode == "trunk":
        interface.allowed_vlans = port.allowed if port.allowed is not None else _trunk_base(state)
        interface.access_vlan = None
        if interface.native_vlan is None and not port.native_none:
            interface.native_vlan = 1  # every dialect here: native VLAN 1 unless configured
    elif interface.mode == "access":
        interface.native_vlan = None
        if interface.access_vlan is None:
            interface.access_vlan = 1  # the default VLAN on IOS, AW+ and AX switchports
    state.facts.interfaces[name] = interface


def _interface_child(state: _State, port: _Port, child: str) -> bool:
    """Apply one line of an ``interface`` block; False when the line is not understood."""
    interface = port.interface
    lowered = child.lower()
    words = child.split()
    name = interface.name
    if lowered.startswith("description "):
        interface.alias = unquote(child.split(None, 1)[1])
    elif lowered == "switchport":
        port.switchport = True
    elif lowered.startswith("switchport mode "):
        port.explicit_mode = words[2].lower()
        port.switchport = True
    elif lowered.startswith("switchport access vlan "):
        interface.access_vlan = _vlan_id(words[3])
    elif lowered.startswith("switchport trunk allowed vlan "):
        rest = words[4:]
        keyword = rest[0].lower() if rest else ""
        values = set(parse_vlan_list(",".join(rest[1:])))
        current = set(port.allowed if port.allowed is not None else _trunk_base(state))
        if keyword == "add":
            port.allowed = sorted(current | values)
        elif keyword == "remove":
            port.allowed = sorted(current - values)
        elif keyword == "except":
            port.allowed = sorted(set(ALL_VLANS) - values)
        elif keyword == "all":
            port.allowed = list(ALL_VLANS)
        else:
            port.allowed = parse_vlan_list(",".join(rest))
    elif lowered.startswith("switchport trunk native vlan "):
        value = words[4].lower()
        interface.native_vlan = None if value == "none" else _vlan_id(value)
        port.native_none = value == "none"
    elif lowered == "no switchport":
        port.switchport = False
    elif lowered.startswith("switchport port-security"):
        interface.port_security = True
    elif lowered.startswith(
        (
            "dot1x pae authenticator",
            "authentication port-control auto",
            "dot1x port-control",
            "auth-mac enable",
            "auth dot1x",
        )
    ):
        interface.dot1x = True
    elif lowered.startswith("ip address ") and len(words) >= 3:
        value = words[2].lower()
        if value in {"dhcp", "negotiated", "ipcp"}:
            port.routed_hint = True  # a routed port with an address learned at run time
            return True
        mask = words[3] if len(words) > 3 and "." in words[3] else ""
        interface.addresses.append(cidr(words[2], mask) if mask else cidr(*_split(words[2])))
    elif lowered.startswith("ip unnumbered ") or lowered == "no ip address":
        port.routed_hint = True
    elif lowered.startswith("ipv6 address ") and "/" in child:
        interface.addresses.append(words[2].lower())
    elif lowered in {"shutdown", "disable"}:
        port.admin_up = False
    elif lowered in {"no shutdown", "enable"}:
        port.admin_up = True
    elif lowered.startswith(("ip access-group ", "ip filter ")):
        acl_name = unquote(words[2])
        direction: Literal["in", "out"] = "out" if words[-1].lower() == "out" else "in"
        if direction == "in":
            interface.acl_in = acl_name
        else:
            interface.acl_out = acl_name
        state.acl_bindings.append((acl_name, name, direction))
    elif lowered in {"ip nat outside", "ip nat inside"}:
        if lowered.endswith("outside"):
            state.nat_outside.append(name)
    elif lowered.startswith("ip policy route-map ") and len(words) > 3:
        state.facts.policy_routes.append(PolicyRoute(interface=name, name=words[3], line=child))
    elif lowered.startswith("ip napt static "):
        # NEC IX static NAPT: recognised, but its address/port form is not resolved here, so
        # path analysis answers "unknown" through this device instead of guessing.
        state.nat.append(NatRule(kind="static", interface=name, modelled=False, line=child))
    elif lowered == "ip napt enable":
        state.nat.append(NatRule(kind="source", interface=name, line=child))
    elif lowered.startswith(("vrf forwarding ", "ip vrf forwarding ", "vrf ")):
        interface.vrf = words[-1]
        port.routed_hint = True
    elif lowered in {"lldp transmit", "lldp tx-rx", "lldp transmit receive"}:
        interface.lldp_transmit = True
    elif lowered in {"no lldp transmit", "lldp receive", "lldp rx"}:
        interface.lldp_transmit = False
    elif lowered == "no cdp enable":
        interface.cdp_enabled = False
    elif lowered == "cdp enable":
        interface.cdp_enabled = True
    else:
        return lowered.startswith(_UNDERSTOOD_CHILD)
    return True


_UNDERSTOOD_CHILD = (
    "ip dhcp snooping",
    "ip arp inspection",
    "no snmp trap link-status",
    "snmp trap link-status",
    "no negotiation auto",
    "ip napt ",
    "proxy-dns ",
    "encapsulation ",
    "auto-connect",
    "ppp binding ",
    "tunnel ",
    "ip tcp adjust-mss",
    "ip mtu ",
)
"""Interface lines that set nothing a check reads (IX PPPoE/NAT/tunnel plumbing, trap flags)."""


def _vlan_id(value: str) -> int:
    vlan = int(value)
    if not 1 <= vlan <= 4094:
        raise ValueError(f"VLAN {vlan} out of range")
    return vlan


def _split(value: str) -> tuple[str, str]:
    address, _, length = value.partition("/")
    return address, length or "32"


_ACL_ENTRY = re.compile(
    r"^(?:(?P<seq>\d+)\s+)?(?P<action>permit|deny|remark)\b\s*(?P<rest>.*)$", re.IGNORECASE
)


def _acl(state: _State, words: list[str], children: list[str]) -> bool:
    lowered = [word.lower() for word in words]
    if (
        lowered[0] == "access-list"
        and len(words) >= 3
        and lowered[1] not in {"extended", "standard"}
    ):
        # Numbered ACL: ``access-list 10 permit 10.0.0.0 0.0.0.255`` (or AW+ ``access-list 3000 …``)
        name = words[1]
        acl = state.facts.acls.setdefault(name, Acl(name=name))
        entry = _acl_entry(" ".join(words[2:]))
        if entry is None:
            return False
        acl.entries.append(entry)
        return True
    # Named: ``ip access-list extended NAME`` / ``access-list extended NAME`` (AW+) /
    # ``ip access-list NAME`` (AX, NEC IX ``ip access-list NAME permit …`` inline)
    index = 2 if lowered[0] == "ip" or lowered[0] == "ipv6" else 1
    if len(words) > index and lowered[index] in {"extended", "standard", "hardware"}:
        index += 1
    if len(words) <= index:
        return False
    name = unquote(words[index])
    acl = state.facts.acls.setdefault(name, Acl(name=name))
    inline = " ".join(words[index + 1 :])
    if inline:
        entry = _acl_entry(inline)
        if entry is None:
            return False
        acl.entries.append(entry)
    for child in children:
        entry = _acl_entry(child)
        if entry is None:
            state.facts.unparsed.append(f"{' '.join(words)} / {child}")
        else:
            acl.entries.append(entry)
    return True


def _acl_entry(text: str) -> AclEntry | None:
    match = _ACL_ENTRY.match(text.strip())
    if not match:
        return None
    action = match.group("action").lower()
    rest = match.group("rest").split()
    entry = AclEntry(
        sequence=int(match.group("seq")) if match.group("seq") else None,
        action=action,
        line=text.strip()[len(match.group("seq")) :].strip()
        if match.group("seq")
        else text.strip(),
    )
    if action == "remark":
        return entry
    protocol = "ip"
    if (
        len(rest) > 1
        and rest[0].lower() not in {"any", "host", "object-group", "addrgroup", "src", "source"}
        and re.fullmatch(r"[A-Za-z][A-Za-z0-9-]*|\d+", rest[0])
    ):
        protocol = rest.pop(0).lower()
    elif rest and rest[0].lower() == "any" and len(rest) > 2 and rest[1].lower() in {"any", "host"}:
        rest.pop(0)
    if rest and rest[0].lower() == "src":
        keyword_form = _keyword_operands(rest)
        if keyword_form is None:
            return None
        source, destination, rest = keyword_form
    else:
        source, rest = _address(rest)
        destination, rest = _address(rest)
    ports: str | None = None
    if rest and rest[0].lower() == "eq" and len(rest) > 1:
        ports = ",".join(_port_number(word) for word in rest[1:] if not _is_keyword(word))
    elif rest and rest[0].lower() == "range" and len(rest) > 2:
        ports = f"{_port_number(rest[1])}-{_port_number(rest[2])}"
    elif rest and rest[0].lower() in {"gt", "lt", "neq"} and len(rest) > 1:
        ports = f"{rest[0].lower()} {_port_number(rest[1])}"
    return entry.model_copy(
        update={
            "protocol": protocol,
            "source": source,
            "destination": destination,
            "destination_ports": ports,
            "service": acl_service(protocol, rest),
            "source_networks": networks_of(source),
            "destination_networks": networks_of(destination),
        }
    )


# IP protocol keywords of IOS-style ACLs (IOS, AW+, AlaxalA, NEC IX) → typed protocol.
_IP_PROTOCOLS: dict[str, ProtocolName | int] = {
    "ip": "ip",
    "ipv4": "ip",
    "ipv6": "ip",
    "any": "ip",
    "tcp": "tcp",
    "udp": "udp",
    "icmp": "icmp",
    "icmpv6": "icmpv6",
    "ipv6-icmp": "icmpv6",
    "sctp": "sctp",
    "gre": "gre",
    "esp": "esp",
    "ahp": "ah",
    "ah": "ah",
    "igmp": 2,
    "ipinip": 4,
    "eigrp": 88,
    "ospf": 89,
    "nos": 94,
    "pim": 103,
    "vrrp": 112,
}


def acl_service(protocol: str, rest: list[str]) -> Service | None:
    """The protocol word and the words after the destination → a typed service.

    Understands ``eq P…``, ``range A B``, ``gt P``, ``lt P``, ``neq P`` with numbers or IOS port
    names (``www``, ``https``…). Returns ``None`` (unknown) for anything it cannot resolve, such as
    an unknown port name, rather than guessing a narrower service.
    """
    word = protocol.lower()
    typed: ProtocolName | int | None = _IP_PROTOCOLS.get(word)
    if word.isdigit():
        typed = "ip" if int(word) == 0 else PROTOCOL_NUMBERS.get(int(word), int(word))
    if typed is None or (isinstance(typed, int) and typed > 255):
        return None
    if isinstance(typed, int) or typed not in PORT_PROTOCOLS or not rest:
        return Service(protocol=typed)
    op = rest[0].lower()
    operands = [w for w in rest[1:] if not _is_keyword(w)]
    numbers = [_port_value(w) for w in operands]
    try:
        if op == "eq" and numbers and None not in numbers:
            return Service.of(typed, *(n for n in numbers if n is not None))
        if (
            op == "range"
            and len(numbers) >= 2
            and numbers[0] is not None
            and numbers[1] is not None
        ):
            return Service.of(typed, (numbers[0], numbers[1]))
        if op == "gt" and numbers and numbers[0] is not None:
            return Service.of(typed, (numbers[0] + 1, 65535))
        if op == "lt" and numbers and numbers[0] is not None:
            return Service.of(typed, (0, numbers[0] - 1))
        if op == "neq" and numbers and numbers[0] is not None:
            below = [(0, numbers[0] - 1)] if numbers[0] > 0 else []
            above = [(numbers[0] + 1, 65535)] if numbers[0] < 65535 else []
            return Service.of(typed, *below, *above)
    except ValueError:
        return None
    if op in {"eq", "range", "gt", "lt", "neq"}:
        return None  # a port operator whose operand is not understood
    return Service(protocol=typed)  # trailing keywords only (log, established…): every port


def _port_value(word: str) -> int | None:
    number = _port_number(word)
    return int(number) if number.isdigit() else None


_SERVICE_PORTS = {
    "ftp": "21",
    "ftp-data": "20",
    "ssh": "22",
    "telnet": "23",
    "smtp": "25",
    "domain": "53",
    "www": "80",
    "http": "80",
    "pop3": "110",
    "ntp": "123",
    "snmp": "161",
    "snmptrap": "162",
    "bgp": "179",
    "https": "443",
    "syslog": "514",
    "tftp": "69",
    "bootps": "67",
    "bootpc": "68",
    "ldap": "389",
    "rdp": "3389",
}
_TRAILING_KEYWORDS = {"log", "log-input", "established", "echo", "echo-reply", "ack", "syn"}


def _port_number(word: str) -> str:
    return _SERVICE_PORTS.get(word.lower(), word)


def _is_keyword(word: str) -> bool:
    return word.lower() in _TRAILING_KEYWORDS or word.lower().startswith(
        ("dscp", "precedence", "time-range")
    )


def _keyword_operands(words: list[str]) -> tuple[str, str, list[str]] | None:
    """NEC IX ``src A [sport SPEC] dest B [dport SPEC]`` → (source, destination, port words).

    SPEC is ``any``, ``eq N`` or ``range A B`` (vendor-formats.md §2.3); the destination port
    comes back as IOS-style words (``eq N`` / ``range A B``, none for ``any``) so one service
    resolver reads both forms. The source port is not a destination and is dropped here.
    ``None`` when the words do not follow that grammar (the line is then left unparsed).
    """
    rest = list(words)
    operands: dict[str, str] = {}
    dport: list[str] = []
    while rest:
        keyword = rest.pop(0).lower()
        if keyword in {"src", "dest"} and rest:
            operands[keyword] = rest.pop(0)
        elif keyword in {"sport", "dport"} and rest:
            spec = [rest.pop(0)]
            if spec[0].lower() == "eq" and rest:
                spec.append(rest.pop(0))
            elif spec[0].lower() == "range" and len(rest) >= 2:
                spec += [rest.pop(0), rest.pop(0)]
            elif spec[0].lower() != "any":
                return None
            if keyword == "dport" and spec[0].lower() != "any":
                dport = spec
        elif not _is_keyword(keyword):  # trailing ``log`` and the like match every packet
            return None
    if "src" not in operands or "dest" not in operands:
        return None
    source, _ = _address([operands["src"]])
    destination, _ = _address([operands["dest"]])
    return source, destination, dport


def _address(words: list[str]) -> tuple[str, list[str]]:
    """One ACL address operand → (normalized text, remaining words)."""
    if not words:
        return "any", words
    first = words[0].lower()
    # Skip a source-port qualifier before the destination.
    if first in {"eq", "gt", "lt", "neq"} and len(words) > 2:
        return _address(words[2:])
    if first == "range" and len(words) > 3:
        return _address(words[3:])
    if first in {"src", "dest", "source", "destination"} and len(words) > 1:
        return _address(words[1:])
    if first == "any":
        return "any", words[1:]
    if first in {"object-group", "addrgroup"} and len(words) > 1:  # a named group: two words
        return f"{words[0]} {words[1]}", words[2:]
    if first == "host" and len(words) > 1:
        return f"{words[1]}/32", words[2:]
    if "/" in words[0]:
        return prefix_of(*words[0].split("/")), words[1:]
    if len(words) > 1 and re.fullmatch(r"[0-9.]+", words[1]) and re.fullmatch(r"[0-9.]+", first):
        mask = words[1]
        if int(mask.split(".")[0]) < 128:  # a wildcard (0.0.0.255) rather than a netmask
            mask = ".".join(str(255 - int(octet)) for octet in mask.split("."))
        try:
            return prefix_of(words[0], mask), words[2:]
        except ValueError:  # discontiguous wildcard: keep it as written
            return f"{words[0]} {words[1]}", words[2:]
    if re.fullmatch(r"[0-9.]+", first):
        return f"{words[0]}/32", words[1:]
    return words[0], words[1:]


def _static_route(words: list[str]) -> Route | None:
    rest = words[2:]
    vrf = None
    if rest and rest[0].lower() == "vrf" and len(rest) > 2:
        vrf, rest = rest[1], rest[2:]
    if not rest:
        return None
    if rest[0].lower() == "default":
        prefix, rest = "0.0.0.0/0", rest[1:]
    elif "/" in rest[0]:
        prefix, rest = prefix_of(*rest[0].split("/")), rest[1:]
    elif len(rest) >= 2:
        prefix, rest = prefix_of(rest[0], rest[1]), rest[2:]
    else:
        return None
    next_hop = interface = leak = None
    lowered_rest = [word.lower() for word in rest]
    if "global" in lowered_rest:  # IOS: the next hop is looked up in the global table
        leak = "global"
        rest = [word for word in rest if word.lower() != "global"]
    elif "vrf" in lowered_rest[:-1]:  # ``… vrf OTHER next-hop``: looked up in OTHER
        at = lowered_rest.index("vrf")
        leak, rest = rest[at + 1], rest[:at] + rest[at + 2 :]
    for word in rest:
        if re.fullmatch(r"[0-9.]+|[0-9a-fA-F:]+:[0-9a-fA-F:]*", word) and next_hop is None:
            if word.isdigit():
                break  # administrative distance
            next_hop = word
        elif re.match(r"^[A-Za-z]", word) and interface is None and next_hop is None:
            if word.lower() in {"name", "tag", "permanent", "track", "distance"}:
                break
            interface = word
    discard = next_hop is None and interface is not None and interface.lower() == "null0"
    return Route(
        prefix=prefix,
        next_hop=next_hop,
        next_hop_kind="null" if discard else None,  # ``Null0``: matching traffic is dropped
        interface=interface,
        protocol="static",
        vrf=vrf,
        next_hop_vrf=leak,
    )


_DYNAMIC_PROTOCOLS = {
    "ospf": "ospf",
    "ospfv3": "ospf3",
    "bgp": "bgp",
    "eigrp": "eigrp",
    "rip": "rip",
    "ripng": "ripng",
    "isis": "isis",
}
"""``router <word>`` blocks that learn routes (``router vrrp`` and the like do not)."""


def _learns_routes(protocol: str, children: list[str]) -> bool:
    """A routing process that can learn routes: not ``shutdown``, and BGP only with a
    ``neighbor`` (a BGP process without peers learns nothing; other protocols may be enabled
    from the interfaces, so they count whenever present)."""
    lowered = [child.strip().lower() for child in children]
    if "shutdown" in lowered or "protocol shutdown" in lowered:
        return False
    if protocol == "bgp":
        return any(child.startswith("neighbor ") for child in lowered)
    return True


def _nat(state: _State, words: list[str], line: str) -> None:
    """``ip nat inside|outside source …``; pools, timeouts and logging set no translation."""
    lowered = [word.lower() for word in words]
    if len(words) < 5 or lowered[3] != "source" or lowered[2] not in {"inside", "outside"}:
        return
    if lowered[2] == "outside":  # translates outside addresses: not modelled
        state.nat.append(NatRule(kind="static", modelled=False, line=line))
    elif lowered[4] == "static":
        state.nat.append(_static_nat(words[5:], line))
    else:  # ``list``/``route-map`` … ``pool``/``interface`` [overload]: hides inside sources
        state.nat.append(NatRule(kind="source", line=line))


_NAT_OPTIONS = frozenset({"extendable", "no-alias", "no-payload", "add-route", "reversible"})
"""Trailing words of a static NAT that do not change what is translated. Anything else
(``vrf NAME``, ``route-map``, ``redundancy``, ``match-in-vrf`` …) makes the rule conditional
or puts it in another table: not modelled, so paths through the device are "unknown"."""


def _static_nat(args: list[str], line: str) -> NatRule:
    """``[tcp|udp] LOCAL [PORT] GLOBAL [PORT]`` or ``network LOCAL GLOBAL MASK|/LEN``."""
    unresolved = NatRule(kind="static", modelled=False, line=line)
    protocol = None
    if args and args[0].lower() in {"tcp", "udp"}:
        protocol, args = args[0].lower(), args[1:]
    size = 4 if protocol is not None or (args and args[0].lower() == "network") else 2
    if any(word.lower() not in _NAT_OPTIONS for word in args[size:]):
        return unresolved
    try:
        if args and args[0].lower() == "network" and len(args) >= 4:
            length = args[3].lstrip("/")
            inside = ipaddress.ip_network(f"{args[1]}/{length}", strict=False)
            outside = ipaddress.ip_network(f"{args[2]}/{length}", strict=False)
            return NatRule(kind="static", inside=str(inside), outside=str(outside), line=line)
        if protocol is not None and len(args) >= 4:
            inside_ip, inside_port = ipaddress.ip_address(args[0]), int(args[1])
            outside_ip, outside_port = ipaddress.ip_address(args[2]), int(args[3])
            if not (0 < inside_port < 65536 and 0 < outside_port < 65536):
                return unresolved  # not a port: IOS would not have taken the line
            return NatRule(
                kind="static",
                inside=f"{inside_ip}/32",
                outside=f"{outside_ip}/32",
                protocol=protocol,
                inside_port=inside_port,
                outside_port=outside_port,
                line=line,
            )
        if protocol is None and len(args) >= 2:
            inside_ip, outside_ip = ipaddress.ip_address(args[0]), ipaddress.ip_address(args[1])
            return NatRule(
                kind="static", inside=f"{inside_ip}/32", outside=f"{outside_ip}/32", line=line
            )
    except ValueError:
        return unresolved  # ``… interface Gi0/0`` (the outside address is the port's) and such
    return unresolved


def _vty(state: _State, children: list[str], line: str) -> None:
    transports: list[str] | None = None
    for child in children:
        lowered = child.lower()
        words = child.split()
        if lowered.startswith("transport input "):
            transports = [word.lower() for word in words[2:]]
        elif lowered.startswith("exec-timeout "):
            minutes = int(words[1])
            seconds = int(words[2]) if len(words) > 2 else 0
            state.exec_timeout = minutes * 60 + seconds
        elif lowered.startswith(("access-class ", "ip access-class ", "ip access-group ")):
            state.vty_acl = unquote(words[-2] if words[-1].lower() in {"in", "out"} else words[-1])
        elif lowered.startswith(("password", "login authentication")):
            continue
        elif not _BENIGN_CHILD.match(child):
            state.facts.unparsed.append(f"{line} / {child}")
    if transports is not None:
        state.telnet_vty.append(bool({"telnet", "all"} & set(transports)))
        if "ssh" in transports or "all" in transports:
            state.ssh_service = True if state.ssh_service is None else state.ssh_service
    elif state.dialect == "cisco_ios":
        state.telnet_vty.append(True)  # classic IOS default: ``transport input all``
    if (
        state.dialect == "cisco_ios"
        and state.exec_timeout is None
        and not any(child.lower().startswith("exec-timeout ") for child in children)
    ):
        state.exec_timeout = 600  # IOS default: ``exec-timeout 10 0`` is not printed


def _banner_text(line: str, *, one_line: bool = False) -> str:
    parts = line.split(None, 2)
    body = parts[2] if len(parts) > 2 else ""
    if one_line:
        return body.strip()
    delimiter = "^C" if body.startswith("^C") else body[:1]
    body = body[len(delimiter) :]
    end = body.rfind(delimiter) if delimiter else -1
    if end >= 0:
        body = body[:end]
    return body.strip("\n").strip()


def _management_line(
    state: _State, line: str, words: list[str], lowered: str, children: list[str]
) -> bool:
    salt = state.salt
    if lowered.startswith(
        ("snmp-server community ", "snmp-agent ip community ", "snmp-agent community ")
    ):
        offset = 2 if lowered.startswith("snmp-server") or "ip community" not in lowered else 3
        name = unquote(words[offset])
        tail = list(words[offset + 1 :])
        access: Literal["ro", "rw"] = "rw" if any(w.lower() == "rw" for w in tail) else "ro"
        acl = next((w for w in tail if w.lower() not in {"ro", "rw", "view"}), None)
        if acl is not None and acl.lower().startswith("ipv6"):
            acl = None
        state.communities.append(
            SnmpCommunity(name_redacted=marker(name, salt=salt), access=access, acl=acl)
        )
        return True
    if lowered.startswith(("snmp-server user ", "snmp-server group ")):
        if lowered.startswith("snmp-server user ") and (" v3" in lowered or " auth " in lowered):
            state.v3_users.append(words[2])
        lowered_words = [word.lower() for word in words]
        if lowered.startswith("snmp-server group ") and "access" in lowered_words:
            position = lowered_words.index("access") + 1
            if position < len(words):
                state.snmp_group_acls.append(words[position])
        return True
    if lowered.startswith(("snmp-server host ", "snmp-agent ip host ", "snmp-server enable")):
        return True
    if lowered.startswith(("snmp-server ", "snmp-agent ")) or lowered == "snmp-server":
        return True
    if lowered.startswith("aaa authentication login ") and _central_login(words[3:]):
        state.aaa = True
        return True
    if lowered.startswith("aaa "):
        return True
    if lowered.startswith("username ") and len(words) >= 2:
        _user(state, words)
        return True
    if lowered.startswith("enable secret"):
        encoding_code = words[2] if len(words) > 3 else None
        state.enable_storage = _storage_for("secret", encoding_code)
        return True
    if lowered.startswith("enable password"):
        encoding_code = words[2] if len(words) > 3 else None
        storage = _storage_for("password", encoding_code)
        if state.enable_storage is None or state.enable_storage in {"plain", "type7"}:
            state.enable_storage = storage
        return True
    if lowered == "service password-encryption":
        state.password_encryption = True
        return True
    if lowered == "no service password-encryption":
        state.password_encryption = False
        return True
    if lowered.startswith("ip ssh version "):
        state.ssh_version = int(words[3])
        state.ssh_service = True
        return True
    if lowered == "ip ssh" and state.dialect == "alaxala_ax":
        # AX configurations carry a bare ``ip ssh`` before ``ip ssh version 2``; it starts the
        # SSH server (vendor-formats.md A-3: inferred, every seen AX configuration has it).
        state.ssh_service = True
        return True
    if lowered.startswith(("ip ssh ", "crypto key", "crypto pki")):
        return True
    if lowered in {"ssh server v2only"}:
        state.ssh_version = 2
        return True
    if lowered in {"service ssh", "ssh server enable", "ssh-server ip enable", "ssh server"}:
        state.ssh_service = True
        if lowered == "ssh-server ip enable":
            state.ssh_version = 2  # IX implements SSH protocol version 2 only
        return True
    if lowered in {"no service ssh", "no ssh server enable", "no ssh-server ip enable"}:
        state.ssh_service = False
        return True
    if lowered in {"service telnet", "telnet-server ip enable", "telnet server enable"}:
        state.telnet_service = True
        return True
    if lowered in {"no service telnet", "no telnet-server ip enable", "no telnet server enable"}:
        state.telnet_service = False
        return True
    if lowered in {"ip http server", "service http", "http-server ip enable"}:
        state.http = True
        return True
    if lowered in {"no ip http server", "no service http", "no http-server ip enable"}:
        state.http = False
        return True
    if lowered == "ip http secure-server":
        state.https = True
        return True
    if lowered == "no ip http secure-server":
        state.https = False
        return True
    if lowered.startswith("ip http "):
        return True
    if lowered.startswith(("ntp server ", "ntp peer ")):
        state.ntp.append(words[2] if words[2].lower() not in {"vrf", "ip"} else words[-1])
        return True
    if lowered.startswith("ntp "):
        return True
    if lowered.startswith(("logging host ", "log host ", "syslog ip host ")):
        index = 3 if lowered.startswith("syslog ip host") else 2
        state.syslog.append(words[index])
        return True
    if lowered.startswith("logging ") and re.fullmatch(r"[0-9.]+", words[1]):
        state.syslog.append(words[1])
        return True
    if lowered.startswith(("logging ", "log ", "syslog ")):
        return True
    if lowered.startswith(("ip name-server ", "dns-server ", "ip dns server-address ")):
        state.dns.extend(word for word in words[2:] if re.fullmatch(r"[0-9a-fA-F.:]+", word))
        return True
    if lowered.startswith("ip dhcp snooping") or lowered == "service dhcp-snooping":
        if lowered in {"ip dhcp snooping", "service dhcp-snooping"} or "vlan" in lowered:
            state.dhcp_snooping = True
        return True
    if lowered.startswith("ip arp inspection vlan") or lowered == "arp security":
        state.arp_inspection = True
        return True
    if state.dialect == "cisco_ios" and lowered in {"cdp run", "no cdp run"}:
        state.cdp_run = not lowered.startswith("no ")
        return True
    if state.dialect != "nec_ix" and lowered in {"lldp run", "no lldp run"}:
        # Global LLDP switch on IOS, AW+ and AX alike (issue 14 item 16).
        state.lldp_run = not lowered.startswith("no ")
        return True
    if state.dialect == "nec_ix" and _nec_ix_line(state, words, lowered, children):
        return True
    return bool(
        lowered.startswith(("radius-server ", "tacacs-server ", "radius server", "tacacs server"))
    )


def _nec_ix_line(state: _State, words: list[str], lowered: str, children: list[str]) -> bool:
    """NEC IX global lines that carry no fact a check reads but are understood.

    ``ike policy … key PSK …``, ``http-server username … secret-password …`` and
    ``nm account … password …`` hold secrets: they are redacted by the IX secret syntaxes in
    :mod:`auditor.platforms.secrets` and read here only so they are not reported unparsed.
    """
    if lowered in {"syslog ip enable", "snmp-agent ip enable", "proxy-dns ip enable"}:
        return True
    if lowered.startswith(("ike policy ", "ikev2 ", "ipsec ", "ppp profile ", "nm ")):
        return True
    if lowered.startswith(("http-server username ", "proxy-dns ", "ip dhcp profile ")):
        return True
    if lowered.startswith("device ") and len(words) == 2:
        # Physical port: a ``shutdown`` here takes down every logical interface on it.
        if any(child.lower() == "shutdown" for child in children):
            state.ix_ports_down.append(words[1])
        return True
    return False


def _central_login(methods: list[str]) -> bool:
    """Whether ``aaa authentication login <list> <methods…>`` asks a RADIUS/TACACS+ server.

    ``aaa new-model`` alone, or a list of only ``local`` / ``enable`` / ``line`` / ``none``, is
    AAA without central authentication, so it does not count.
    """
    local_methods = {"local", "local-case", "enable", "line", "none"}
    remaining = [word.lower() for word in methods[1:]]  # methods[0] is the list name
    return any(word not in local_methods for word in remaining)


# Interfaces that send no link-layer frames of their own: a global CDP/LLDP default says nothing
# about them (their physical member ports carry the advertisements).
_LOGICAL_PREFIXES = ("vlan", "loopback", "tunnel", "port-channel", "bvi", "bdi", "null", "nve")


def logical_interface(name: str) -> bool:
    """Whether ``name`` is an SVI, loopback, tunnel or aggregate rather than a physical port."""
    return name.lower().replace(" ", "").startswith(_LOGICAL_PREFIXES)


def effective_discovery(explicit: bool | None, global_run: bool | None, name: str) -> bool | None:
    """A port's CDP or LLDP transmit state from its own line and the global ``… run`` line.

    A global ``no … run`` turns the protocol off everywhere; otherwise the port's own
    ``[no] cdp enable`` / ``[no] lldp transmit`` decides; otherwise a global ``… run`` means a
    physical port sends (the per-port default is on). Nothing in the configuration: unknown.
    """
    if global_run is False:
        return False
    if explicit is not None:
        return explicit
    if global_run and not logical_interface(name):
        return True
    return None


def _user(state: _State, words: list[str]) -> None:
    name = unquote(words[1])
    lowered = [word.lower() for word in words]
    privilege = None
    if "privilege" in lowered:
        privilege = int(words[lowered.index("privilege") + 1])
    storage: _LocalStorage = "none"
    for keyword in ("secret", "password"):
        if keyword in lowered:
            index = lowered.index(keyword)
            rest = lowered[index + 1 :]
            encoding_code = rest[0] if len(rest) >= 2 else None
            if state.dialect == "nec_ix" and keyword == "password" and rest:
                encoding_code = {"plain": "0", "secret": "secret", "hash": "hash"}.get(rest[0])
                if encoding_code == "secret":
                    storage = "hash"
                    break
            storage = _storage_for(keyword, encoding_code)  # type: ignore[assignment]
            break
    if state.dialect == "nec_ix" and privilege is None:
        privilege = 15 if "administrator" in lowered else 1
    elif state.dialect in {"cisco_ios", "allied_telesis_awplus"} and privilege is None:
        privilege = 1  # ``username`` without ``privilege`` is a level-1 account
    if state.dialect == "alaxala_ax" and storage == "none":
        # AX keeps accounts and passwords outside the configuration (``adduser``/``password``
        # operation commands); ``username NAME view-class CLASS`` says nothing about a password.
        storage = "unknown"
    state.users.append(LocalUser(name=name, privilege=privilege, password_storage=storage))


def _finish(state: _State) -> None:
    facts = state.facts
    for name, port in facts.interfaces.items():
        if any(re.match(rf"^{re.escape(down)}[.:]", name) for down in state.ix_ports_down):
            port.shutdown, port.admin_up = True, False
        port.cdp_enabled = effective_discovery(port.cdp_enabled, state.cdp_run, name)
        port.lldp_transmit = effective_discovery(port.lldp_transmit, state.lldp_run, name)
    for acl_name, interface, direction in state.acl_bindings:
        acl = facts.acls.setdefault(acl_name, Acl(name=acl_name))
        acl.applied.append(AclBinding(interface=interface, direction=direction))
    telnet: bool | None = None
    if state.telnet_service is not None:
        telnet = state.telnet_service
    elif state.telnet_vty:
        telnet = any(state.telnet_vty)
    elif state.dialect in {"nec_ix", "allied_telesis_awplus"}:
        telnet = False
    if state.dialect == "nec_ix":  # IX services are off unless enabled
        state.http = bool(state.http)
        state.ssh_service = bool(state.ssh_service)
    acls_of_communities = {c.acl for c in state.communities} | set(state.snmp_group_acls)
    snmp_acl = next(iter(acls_of_communities)) if len(acls_of_communities) == 1 else None
    versions: list[Literal["v1", "v2c", "v3"]] = []
    if state.communities:
        versions.append("v2c")
    if state.v3_users:
        versions.append("v3")
    for switch in _OFF_WHEN_ABSENT:
        path = "management.aaa_enabled" if switch == "aaa" else f"management.{switch}"
        if getattr(state, switch) is None and path in state.declared:
            setattr(state, switch, False)
    management = ManagementPlane(
        telnet_enabled=telnet,
        ssh_enabled=state.ssh_service,
        ssh_version=state.ssh_version,
        http_server=state.http,
        https_server=state.https,
        snmp_versions=versions,
        snmp_communities=state.communities,
        snmp_v3_users=state.v3_users,
        aaa_enabled=state.aaa,
        local_users=state.users,
        enable_secret_storage=state.enable_storage,
        password_encryption=state.password_encryption,
        ntp_servers=state.ntp,
        syslog_hosts=state.syslog,
        banner=state.banner,
        exec_timeout_seconds=state.exec_timeout,
        vty_access_class=state.vty_acl,
        snmp_access_class=snmp_acl,
        dhcp_snooping=state.dhcp_snooping,
        arp_inspection=state.arp_inspection,
        dns_servers=state.dns,
        login_logging=state.login_failure_log and state.login_success_log,
        config_change_logging=state.change_log,
    )
    facts.management = _declared_only(management, "management", state.declared)
    _forwarding_facts(state)
    facts.interfaces = {
        name: _declared_only(port, "interfaces", state.declared)
        for name, port in facts.interfaces.items()
    }


def _forwarding_facts(state: _State) -> None:
    """NAT, PBR, dynamic routing and route leaks, as far as the platform declares them."""
    facts, declared = state.facts, state.declared
    if "forwarding.nat_rules" in declared:
        # The one live ``ip nat outside`` port (a shut one translates nothing).
        live = [
            name
            for name in dict.fromkeys(state.nat_outside)
            if not (name in facts.interfaces and facts.interfaces[name].shutdown)
        ]
        outside = live[0] if len(live) == 1 else None
        facts.nat_rules = [
            rule.model_copy(update={"interface": outside})
            if rule.interface is None and rule.kind == "static" and rule.modelled
            else rule
            for rule in state.nat
        ]
    if "forwarding.routing_protocols" in declared:
        facts.routing_protocols = sorted(set(state.protocols))
    if "forwarding.policy_routes" not in declared:
        facts.policy_routes = []
    if "forwarding.route_leaks" not in declared:
        facts.routes = [
            route.model_copy(update={"next_hop_vrf": None}) if route.next_hop_vrf else route
            for route in facts.routes
        ]


M = TypeVar("M", ManagementPlane, Interface)


def _declared_only(model: M, section: str, declared: frozenset[str]) -> M:
    """``model`` with every optional fact the platform does not declare reset to unknown."""
    undeclared = {
        name: None
        for name, info in type(model).model_fields.items()
        if name != "source"
        and info.default is None
        and info.default_factory is None
        and f"{section}.{name}" not in declared
        and getattr(model, name) is not None
    }
    return model.model_copy(update=undeclared) if undeclared else model

"""The normalized, versioned view of one device that every check reads.

Collectors and platform parsers produce these; checks never see vendor output. Fields are only ever
added (``SCHEMA_VERSION`` is bumped when they are), so stored snapshots stay readable.
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any, ClassVar, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, IPvAnyNetwork, TypeAdapter
from pydantic.dataclasses import dataclass
from pydantic.fields import FieldInfo

from auditor.model.services import Service

# 2: typed services on ACL entries and firewall policies (absent = unknown in older snapshots).
# 3: typed address networks on ACL entries and firewall policies, interface kinds (SVI VLAN),
#    the device kind (firewall) from the platform profile; absent = unknown in older snapshots.
# 4: forwarding facts for path analysis: static NAT, policy-based routing, VRF route leaks and the
#    dynamic routing protocols configured; absent = not known in older snapshots.
# 5: wireless networks (SSIDs) of a wireless controller; absent = not known in older snapshots.
# 6: ACL address family, FQDN destinations of ACL entries and firewall policies, and the
#    configuration change stamp in SystemInfo; absent = unknown in older snapshots.
SCHEMA_VERSION = 6


class Source(StrEnum):
    """Where a fact came from, so a finding can cite its evidence."""

    SNMP = "snmp"
    SSH = "ssh"
    TRAFFIC = "traffic"
    INVENTORY = "inventory"
    FILE = "file"
    """A saved configuration read offline (no live state: no FDB, ARP, LLDP or counters)."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


_COMPACT = ConfigDict(extra="forbid")


class _ModelFields:
    """``cls.model_fields`` of a compact leaf type: its pydantic fields, like a model's."""

    def __get__(self, instance: object, owner: type) -> dict[str, FieldInfo]:
        fields: dict[str, FieldInfo] = owner.__pydantic_fields__  # type: ignore[attr-defined]
        return fields


_ADAPTERS: dict[type, TypeAdapter[Any]] = {}


def _adapter(cls: type) -> TypeAdapter[Any]:
    adapter = _ADAPTERS.get(cls)
    if adapter is None:
        adapter = _ADAPTERS[cls] = TypeAdapter(cls)
    return adapter


class CompactModel:
    """The model API of the compact leaf types (interfaces, FDB, ARP, neighbours, VLANs).

    A city has millions of these; as pydantic models each carried an instance ``__dict__`` of
    every field plus a fields-set (~1.1 kB for an interface), as slotted pydantic dataclasses
    they take a pointer per field (~0.25 kB). Validation, ``extra="forbid"`` and the dumped
    form (field order, JSON) are unchanged, so stored snapshots and content hashes are too. The
    names that repeat across a city (port names, MACs in several FDB and ARP tables) are
    interned when validated. This base keeps the few model methods callers use
    (``model_copy``, ``model_dump``, ``model_validate``, ``model_fields``).
    """

    __slots__ = ()

    if TYPE_CHECKING:
        model_fields: ClassVar[dict[str, FieldInfo]]
        __dataclass_fields__: ClassVar[dict[str, Any]]
    else:
        model_fields = _ModelFields()

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Self:
        """A shallow copy with ``update`` applied unvalidated, as ``BaseModel.model_copy``."""
        if deep:
            return type(self).model_validate(self.model_dump())
        copied = object.__new__(type(self))
        for name in self.__dataclass_fields__:
            object.__setattr__(copied, name, getattr(self, name))
        for name, value in (update or {}).items():
            if name not in self.__dataclass_fields__:
                raise AttributeError(f"{type(self).__name__} has no field {name!r}")
            object.__setattr__(copied, name, value)
        return copied

    def model_dump(self, **kwargs: Any) -> dict[str, Any]:
        dumped: dict[str, Any] = _adapter(type(self)).dump_python(self, **kwargs)
        return dumped

    def model_dump_json(self, **kwargs: Any) -> str:
        return _adapter(type(self)).dump_json(self, **kwargs).decode("utf-8")

    @classmethod
    def model_validate(cls, obj: Any) -> Self:
        validated: Self = _adapter(cls).validate_python(obj)
        return validated

    @classmethod
    def model_validate_json(cls, data: str | bytes) -> Self:
        validated: Self = _adapter(cls).validate_json(data)
        return validated


PortMode = Literal["access", "trunk", "routed", "unknown"]
DeviceKind = Literal["switch", "router", "firewall", "access_point"]
InterfaceKind = Literal[
    "physical", "svi", "subinterface", "port_channel", "loopback", "tunnel", "management", "other"
]


@dataclass(slots=True, config=_COMPACT)
class SystemInfo(CompactModel):
    """SNMPv2-MIB system group, ENTITY-MIB chassis and `show version` facts."""

    name: str | None = None
    descr: str | None = None
    object_id: str | None = None
    uptime_seconds: float | None = None
    contact: str | None = None
    location: str | None = None
    vendor: str | None = None
    model: str | None = None
    serial: str | None = None
    serials: list[str] = Field(default_factory=list)
    os_version: str | None = None
    decoding_notes: list[str] = Field(
        default_factory=list,
        description="text fields whose charset was guessed, e.g. "
        '"sysLocation: gb18030 (guessed)"; their text may be wrong',
    )
    config_changed_at: datetime | None = Field(
        default=None,
        description="when the device says its configuration was last changed (UTC), read by "
        "the platform parser from the configuration header; None = not stated",
    )
    config_changed_by: str | None = Field(
        default=None, description="the account the device names for that change, if stated"
    )
    device_kind: DeviceKind | None = Field(
        default=None,
        description="what the platform profile says the device is (a firewall filters by policy)",
    )
    clock_skew_seconds: float | None = Field(
        default=None,
        description="device clock minus the collector's clock when it was read (seconds); "
        "None = not measured",
    )
    source: Source | None = None


@dataclass(slots=True, config=_COMPACT)
class Interface(CompactModel):
    """One port or logical interface with its L2 and L3 role."""

    name: str
    if_index: int | None = None
    alias: str | None = None
    alias_encoding: str | None = Field(
        default=None, description="codec the alias decoded with: ascii, utf-8, cp932, euc-jp"
    )
    if_type: int | None = None
    kind: InterfaceKind | None = Field(
        default=None, description="set by the platform parser or SNMP normalizer; None = unknown"
    )
    svi_vlan: int | None = Field(
        default=None, description="the VLAN a ``svi`` (VLAN interface) routes for"
    )
    admin_up: bool | None = None
    oper_up: bool | None = None
    speed_mbps: int | None = None
    last_change_seconds: float | None = None
    mac: str | None = Field(default=None, description="the interface's own MAC (ifPhysAddress)")
    mode: PortMode = "unknown"
    access_vlan: int | None = None
    allowed_vlans: list[int] | None = None
    native_vlan: int | None = None
    pvid: int | None = Field(
        default=None, description="VLAN that untagged frames arriving here join (dot1qPvid)"
    )
    untagged_vlans: list[int] | None = Field(
        default=None, description="VLANs this port sends untagged (Q-BRIDGE untagged port lists)"
    )
    addresses: list[str] = Field(default_factory=list, description="CIDR strings, e.g. 10.1.0.1/24")
    vrf: str | None = None
    shutdown: bool | None = None
    port_security: bool | None = None
    dot1x: bool | None = None
    lldp_transmit: bool | None = None
    cdp_enabled: bool | None = None
    acl_in: str | None = None
    acl_out: str | None = None
    source: Source | None = None

    def __post_init__(self) -> None:
        self.name = sys.intern(self.name)  # the same port names on every switch of a city


@dataclass(slots=True, config=_COMPACT)
class Vlan(CompactModel):
    id: int
    name: str | None = None
    source: Source | None = None


@dataclass(slots=True, config=_COMPACT)
class FdbEntry(CompactModel):
    """A MAC address learned on a port in a VLAN (bridge forwarding database)."""

    mac: str
    vlan: int | None = None
    port: str | None = None
    source: Source | None = None

    def __post_init__(self) -> None:
        # A terminal's MAC is in the FDB of every switch on its path and in its router's ARP.
        self.mac = sys.intern(self.mac)
        if self.port is not None:
            self.port = sys.intern(self.port)


@dataclass(slots=True, config=_COMPACT)
class ArpEntry(CompactModel):
    ip: str
    mac: str
    interface: str | None = None
    source: Source | None = None

    def __post_init__(self) -> None:
        self.mac = sys.intern(self.mac)
        if self.interface is not None:
            self.interface = sys.intern(self.interface)


@dataclass(slots=True, config=_COMPACT)
class Neighbor(CompactModel):
    """An LLDP or CDP adjacency seen on a local port."""

    local_port: str
    remote_name: str | None = None
    remote_port: str | None = None
    remote_chassis_id: str | None = None
    remote_address: str | None = None
    remote_platform: str | None = Field(
        default=None, description="CDP platform (cdpCachePlatform), e.g. cisco WS-C2960X-24TS-L"
    )
    protocol: Literal["lldp", "cdp"] = "lldp"
    source: Source | None = None

    def __post_init__(self) -> None:
        self.local_port = sys.intern(self.local_port)
        if self.remote_port is not None:
            self.remote_port = sys.intern(self.remote_port)


class Route(_Model):
    prefix: str
    next_hop: str | None = None
    next_hop_kind: Literal["ip", "interface", "dhcp", "null"] | None = None
    """What the gateway is: an address, an interface, the DHCP-learned router of ``interface``
    (Yamaha ``gateway dhcp lan2``) or a discard route; None where the parser does not say."""
    interface: str | None = None
    protocol: str = "static"
    vrf: str | None = None
    next_hop_vrf: str | None = Field(
        default=None,
        description="the VRF the next hop is looked up in when it differs from ``vrf`` (a route "
        'leak; "global" = the default table)',
    )
    source: Source | None = None


class NatRule(_Model):
    """One address translation as configured (static NAT, a FortiGate VIP, source NAT).

    ``kind`` says what the translation does: ``static`` and ``vip`` map an outside address to an
    inside one (they make the inside host reachable from the outside); ``source`` hides inside
    sources behind an outside address. ``modelled`` is False for forms the parser recognised but
    could not resolve into addresses (route maps, pools by name): path analysis then answers
    "unknown" for paths through the device rather than guess.
    """

    kind: Literal["static", "vip", "source"]
    inside: str | None = Field(default=None, description="inside (real) address or CIDR")
    outside: str | None = Field(default=None, description="outside (translated) address or CIDR")
    interface: str | None = Field(default=None, description="the outside interface, if bound")
    protocol: str | None = None
    inside_port: int | None = None
    outside_port: int | None = None
    modelled: bool = True
    line: str = ""
    source: Source | None = None


class PolicyRoute(_Model):
    """Policy-based routing bound to an interface (forwarding decided by a rule, not the table).

    Path analysis does not model these: a path through the interface is answered "unknown".
    """

    interface: str | None = Field(default=None, description="None = applies to the whole device")
    name: str | None = None
    line: str = ""
    source: Source | None = None


class AclEntry(_Model):
    """One ACL line, normalized; ``line`` keeps the original text for the finding.

    ``service`` is what the line lets through, resolved by the platform parser. ``None`` means not
    known (snapshots stored before schema 2, or a spelling the parser could not resolve): analysis
    judges an unknown permit as broad as it may be, never as permitting nothing.
    ``destination_ports`` is the vendor's raw port text, kept for evidence only.
    ``source_networks``/``destination_networks`` are the addresses the line matches, resolved by
    the platform parser (``0.0.0.0/0`` = any); ``None`` means not known (snapshots before schema
    3, object groups or wildcards the parser could not resolve): a permit is then judged as any
    address and a deny as removing nothing. ``source``/``destination`` keep the text as evidence.
    """

    sequence: int | None = None
    action: Literal["permit", "deny", "remark"]
    protocol: str = "ip"
    source: str = "any"
    destination: str = "any"
    destination_ports: str | None = Field(
        default=None, description="raw vendor port text, evidence only (never parsed outside)"
    )
    service: Service | None = None
    source_networks: list[IPvAnyNetwork] | None = None
    destination_networks: list[IPvAnyNetwork] | None = None
    line: str = ""


class AclBinding(_Model):
    interface: str
    direction: Literal["in", "out"]


class Acl(_Model):
    name: str
    family: Literal["ipv4", "ipv6"] | None = Field(
        default=None,
        description="the address family the ACL filters when the platform keeps them apart "
        "(IPv6-only filters); None = not stated (IPv4 or mixed, as before schema 4)",
    )
    entries: list[AclEntry] = Field(default_factory=list)
    applied: list[AclBinding] = Field(default_factory=list)
    source: Source | None = None


class FirewallPolicy(_Model):
    """A firewall rule by zone/interface (FortiGate style)."""

    policy_id: str
    name: str | None = None
    source_interfaces: list[str] = Field(default_factory=list)
    destination_interfaces: list[str] = Field(default_factory=list)
    source_addresses: list[str] = Field(
        default_factory=list, description="address object names as configured, evidence only"
    )
    destination_addresses: list[str] = Field(
        default_factory=list, description="address object names as configured, evidence only"
    )
    source_networks: list[IPvAnyNetwork] | None = Field(
        default=None,
        description="the source addresses resolved by the platform parser (0.0.0.0/0 = any); "
        "None = not known (judged as any for an accept, as nothing for a deny)",
    )
    destination_networks: list[IPvAnyNetwork] | None = Field(
        default=None, description="the destination addresses resolved like source_networks"
    )
    destination_fqdns: list[str] | None = Field(
        default=None,
        description="DNS names (``*.`` prefix: every name below) of destination objects; "
        "when set, destination_networks holds only the other destinations (None: none)",
    )
    services: list[str] = Field(
        default_factory=list, description="service names as configured, evidence only"
    )
    resolved_services: list[Service] | None = Field(
        default=None,
        description="the services resolved by the platform parser; None = not known (judged as any)",
    )
    action: Literal["accept", "deny"] = "deny"
    enabled: bool = True
    line: str = ""
    source: Source | None = None


class LocalUser(_Model):
    name: str
    privilege: int | None = None
    password_storage: Literal[
        "none", "plain", "type7", "type5", "type8", "type9", "hash", "unknown"
    ]


class SnmpCommunity(_Model):
    """A community as configured; the name itself is always redacted before storage."""

    name_redacted: str
    access: Literal["ro", "rw"] = "ro"
    acl: str | None = None
    version: Literal["v1", "v2c"] = "v2c"


@dataclass(slots=True, config=_COMPACT)
class ManagementPlane(CompactModel):
    """Management-plane hardening facts; ``None`` means "not known", never "compliant"."""

    telnet_enabled: bool | None = None
    ssh_enabled: bool | None = None
    ssh_version: int | None = None
    http_server: bool | None = None
    https_server: bool | None = None
    snmp_versions: list[Literal["v1", "v2c", "v3"]] | None = None
    snmp_communities: list[SnmpCommunity] | None = None
    snmp_v3_users: list[str] | None = None
    aaa_enabled: bool | None = None
    local_users: list[LocalUser] | None = None
    enable_secret_storage: str | None = None
    password_encryption: bool | None = None
    ntp_servers: list[str] | None = None
    syslog_hosts: list[str] | None = None
    login_logging: bool | None = Field(
        default=None,
        description="administrator login success and failure are logged; None = not known",
    )
    config_change_logging: bool | None = Field(
        default=None, description="configuration changes are logged; None = not known"
    )
    banner: str | None = None
    exec_timeout_seconds: int | None = None
    vty_access_class: str | None = None
    snmp_access_class: str | None = None
    dhcp_snooping: bool | None = None
    arp_inspection: bool | None = None
    dns_servers: list[str] | None = None
    snmp_probe_accepted: list[str] | None = Field(
        default=None,
        description='active probes the device answered, e.g. "v2c:public"; '
        '"v2c:<configured>" marks the inventory\'s own community without storing it',
    )
    source: Source | None = None


WirelessSecurity = Literal[
    "open",
    "owe",
    "wep",
    "wpa-personal",
    "wpa2-personal",
    "wpa3-sae",
    "wpa-enterprise",
    "wpa2-enterprise",
    "wpa3-enterprise",
    "unknown",
]
"""How an SSID admits clients. ``wpa-*`` is WPA1 or WPA/WPA2 mixed (TKIP allowed); ``owe`` is
Enhanced Open (encrypted, no authentication); ``unknown`` is a mode the parser could not map."""
ENTERPRISE_SECURITY: frozenset[str] = frozenset({"wpa2-enterprise", "wpa3-enterprise"})
"""WPA2/WPA3-Enterprise: IEEE 802.1X authentication against an authentication server."""
EapMethod = Literal["tls", "peap", "ttls", "fast", "pwd", "leap", "md5", "other"]


class WirelessNetwork(_Model):
    """One SSID as a wireless controller (or stand-alone AP) configures it.

    ``None`` in any field means "not stated by the device", never "compliant": checks treat an
    unknown security mode, VLAN or isolation setting as not shown to be safe.
    """

    name: str = Field(description="the controller's own name for the profile (e.g. the VAP)")
    ssid: str
    enabled: bool | None = Field(default=None, description="offered by at least one radio")
    broadcast: bool | None = Field(default=None, description="the SSID is sent in beacons")
    vlan: int | None = Field(default=None, description="VLAN the SSID's clients are bridged into")
    interface: str | None = Field(
        default=None,
        description="L3 interface the SSID's clients arrive on (a tunnelled SSID without a VLAN)",
    )
    security: WirelessSecurity | None = None
    tkip_allowed: bool | None = None
    auth_server: Literal["radius", "local"] | None = Field(
        default=None, description="who answers 802.1X: a RADIUS server, or the controller itself"
    )
    radius_servers: list[str] | None = Field(
        default=None, description="RADIUS server names as configured; None = not known"
    )
    eap_methods: list[EapMethod] | None = Field(
        default=None,
        description="EAP methods the authentication server accepts; None = not stated on this "
        "device (usually decided by the RADIUS server)",
    )
    client_isolation: bool | None = Field(
        default=None, description="clients of the SSID cannot reach each other (AP isolation)"
    )
    captive_portal: bool | None = None
    line: str = Field(default="", description="the configuration text, evidence only")
    source: Source | None = None

    @property
    def enterprise(self) -> bool:
        """WPA2/WPA3-Enterprise (802.1X); False for every other or unknown mode."""
        return self.security in ENTERPRISE_SECURITY


@dataclass(slots=True, kw_only=True, config=_COMPACT)
class DeviceSnapshot(CompactModel):
    """Everything known about one device after one collection."""

    schema_version: int = SCHEMA_VERSION
    device: str
    collected_at: datetime
    sources: list[Source] = Field(default_factory=list)
    system: SystemInfo = Field(default_factory=SystemInfo)
    interfaces: list[Interface] = Field(default_factory=list)
    vlans: list[Vlan] = Field(default_factory=list)
    fdb: list[FdbEntry] = Field(default_factory=list)
    arp: list[ArpEntry] = Field(default_factory=list)
    neighbors: list[Neighbor] = Field(default_factory=list)
    routes: list[Route] = Field(default_factory=list)
    acls: list[Acl] = Field(default_factory=list)
    firewall_policies: list[FirewallPolicy] = Field(default_factory=list)
    nat_rules: list[NatRule] | None = Field(
        default=None, description="address translations; None = not known (older snapshots)"
    )
    policy_routes: list[PolicyRoute] = Field(default_factory=list)
    routing_protocols: list[str] | None = Field(
        default=None,
        description='dynamic routing configured ("ospf", "bgp" …); None = not known. A protocol '
        "configured without its routes in ``routes`` leaves the forwarding table incomplete",
    )
    management: ManagementPlane = Field(default_factory=ManagementPlane)
    wireless: list[WirelessNetwork] | None = Field(
        default=None,
        description="SSIDs this device controls; None = the platform does not report wireless",
    )
    config_redacted: str | None = None
    config_hash: str | None = None
    unparsed_config_lines: list[str] = Field(default_factory=list)
    absent_tables: list[str] = Field(
        default_factory=list, description="MIB tables or commands the device does not implement"
    )

    def interface(self, name: str) -> Interface | None:
        """Return the interface called ``name`` (exact match), if any."""
        for candidate in self.interfaces:
            if candidate.name == name:
                return candidate
        return None

    def content_hash(self) -> str:
        """Hash of what the device is, not of when it was read (stored only when it changes).

        The clocks that move on every poll (sysUpTime, time since each interface's last change)
        are left out here and kept per poll by :meth:`volatile_state`, so an unchanged device
        polled every few minutes costs one small row, not a full copy.
        """
        payload = self.model_dump(mode="json", exclude={"collected_at"})
        payload["system"].pop("uptime_seconds", None)
        payload["system"].pop("clock_skew_seconds", None)
        for interface in payload["interfaces"]:
            interface.pop("last_change_seconds", None)
        encoded = json.dumps(payload, sort_keys=True, ensure_ascii=False).encode("utf-8")
        return hashlib.sha256(encoded).hexdigest()

    def volatile_state(self) -> dict[str, Any]:
        """The per-poll clocks that :meth:`content_hash` leaves out."""
        return {
            "uptime_seconds": self.system.uptime_seconds,
            "clock_skew_seconds": self.system.clock_skew_seconds,
            "last_change_seconds": {
                i.name: i.last_change_seconds
                for i in self.interfaces
                if i.last_change_seconds is not None
            },
        }

    def with_volatile_state(self, state: dict[str, Any]) -> DeviceSnapshot:
        """This snapshot with the clocks of another poll of the same content."""
        changes = state.get("last_change_seconds", {})
        interfaces = [
            i.model_copy(update={"last_change_seconds": changes.get(i.name)})
            for i in self.interfaces
        ]
        system = self.system.model_copy(
            update={
                "uptime_seconds": state.get("uptime_seconds"),
                "clock_skew_seconds": state.get("clock_skew_seconds"),
            }
        )
        return self.model_copy(update={"system": system, "interfaces": interfaces})


_CANONICAL_MAC = re.compile(r"[0-9a-f]{2}(?::[0-9a-f]{2}){5}")


def normalize_mac(value: str) -> str:
    """Return ``aa:bb:cc:dd:ee:ff`` for any common MAC spelling (dots, dashes, raw hex)."""
    if _CANONICAL_MAC.fullmatch(value):  # what parsers store: checks ask tens of thousands times
        return value
    hex_digits = "".join(ch for ch in value.lower() if ch in "0123456789abcdef")
    if len(hex_digits) != 12:
        raise ValueError(f"not a MAC address: {value!r}")
    return ":".join(hex_digits[i : i + 2] for i in range(0, 12, 2))


def mac_or_none(value: str | None) -> str | None:
    """``normalize_mac`` for text that may not be a MAC at all (ledger cells, chassis ids)."""
    if not value:
        return None
    try:
        return normalize_mac(value)
    except ValueError:
        return None

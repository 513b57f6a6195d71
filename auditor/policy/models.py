"""Policy models: zones, allowed flows, per-check rule settings and approved exceptions.

Everything is ``extra="forbid"`` so that a typo in a city's YAML is an error with a line number,
not a silently ignored key.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ZoneKind(StrEnum):
    """What a zone is for; checks use it for defaults (e.g. My Number isolation is critical)."""

    MYNUMBER = "mynumber"
    LGWAN = "lgwan"
    INTERNET = "internet"
    SANITIZER = "sanitizer"  # 無害化 relay / screen-transfer segment
    MANAGEMENT = "management"
    EDUCATION = "education"
    PUBLIC_WIFI = "public_wifi"
    DMZ = "dmz"
    OTHER = "other"
    # External zones: networks outside the city that the policy names (no VLANs of the city).
    LGWAN_WAN = "lgwan_wan"  # J-LIS LGWAN: its DNS/NTP, LGWAN-ASP, 中間サーバー・プラットフォーム
    SECURITY_CLOUD = "security_cloud"  # 自治体情報セキュリティクラウド: the Internet tier's exit
    EXTERNAL = "external"  # unknown external: space no declared network covers


EXTERNAL_KINDS = frozenset({ZoneKind.LGWAN_WAN, ZoneKind.SECURITY_CLOUD, ZoneKind.EXTERNAL})

# Editions of the 総務省 guideline the product knows, oldest first (令和4年3月 … 令和7年3月).
GUIDELINE_EDITIONS = ("R4.3", "R5.3", "R6.10", "R7.3")
GuidelineEdition = Literal["R4.3", "R5.3", "R6.10", "R7.3"]
# 画面転送 for My Number work is allowed from this edition on (R7.3 改定のポイント (1)).
MYNUMBER_SCREEN_TRANSFER_EDITION = "R7.3"


def edition_rank(edition: str) -> int:
    """Position of ``edition`` in :data:`GUIDELINE_EDITIONS` (unknown editions sort first)."""
    return GUIDELINE_EDITIONS.index(edition) if edition in GUIDELINE_EDITIONS else -1


class NetworkModel(StrEnum):
    ALPHA = "alpha"
    ALPHA_PRIME = "alpha-prime"
    BETA = "beta"
    BETA_PRIME = "beta-prime"


class VlanRange(_Model):
    """An inclusive VLAN range; YAML accepts ``10``, ``"10-19"`` or ``{first: 10, last: 19}``."""

    first: int = Field(ge=1, le=4094)
    last: int = Field(ge=1, le=4094)

    def __contains__(self, vlan: object) -> bool:
        return isinstance(vlan, int) and self.first <= vlan <= self.last

    def overlaps(self, other: VlanRange) -> bool:
        return self.first <= other.last and other.first <= self.last

    def __str__(self) -> str:
        return str(self.first) if self.first == self.last else f"{self.first}-{self.last}"


class Zone(_Model):
    id: str = Field(pattern=r"^[a-z][a-z0-9_-]*$")
    kind: ZoneKind
    name_ja: str
    name_en: str
    protected: bool = Field(
        default=False, description="Tier whose isolation findings are graded critical"
    )
    vlans: list[VlanRange] = Field(default_factory=list)
    subnets: list[ipaddress.IPv4Network | ipaddress.IPv6Network] = Field(default_factory=list)
    sites: list[str] | None = Field(
        default=None, description="Sites where the zone may exist; None means everywhere"
    )
    ssids: list[str] = Field(default_factory=list)
    requires_port_auth: bool = False
    probe_targets: list[str] = Field(
        default_factory=list,
        description="Representative addresses `auditor probe` tests from the other zones",
    )

    @property
    def external(self) -> bool:
        """A network outside the city (LGWAN WAN, security cloud, unknown external)."""
        return self.kind in EXTERNAL_KINDS

    @field_validator("vlans", mode="before")
    @classmethod
    def _parse_vlans(cls, value: Any) -> Any:
        if not isinstance(value, list):
            return value
        parsed: list[Any] = []
        for item in value:
            if isinstance(item, int):
                parsed.append({"first": item, "last": item})
            elif isinstance(item, str) and "-" in item:
                first, _, last = item.partition("-")
                parsed.append({"first": int(first), "last": int(last)})
            elif isinstance(item, str) and item.isdigit():
                parsed.append({"first": int(item), "last": int(item)})
            else:
                parsed.append(item)
        return parsed

    def has_vlan(self, vlan: int) -> bool:
        """A plain loop (half the time of ``any`` over a generator): checks ask this for every
        VLAN of every port. A non-integer is in no range, as ``VlanRange.__contains__`` says."""
        if not isinstance(vlan, int):
            return False
        for vlan_range in self.vlans:  # noqa: SIM110
            if vlan_range.first <= vlan <= vlan_range.last:
                return True
        return False

    def has_address(self, address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address.split("/")[0])
        except ValueError:
            return False
        return any(ip in subnet for subnet in self.subnets)


HostRole = Literal["screen_transfer", "sanitizer", "mail_relay", "relay_server", "firewall"]


class Host(_Model):
    """A named host the policy refers to (relay, 中間サーバー, DNS …).

    ``role`` tells edition-dependent rules what a relay is: a ``via`` host with role
    ``screen_transfer`` makes a My Number flow a 画面転送 flow (allowed from R7.3 on only).
    """

    address: str
    zone: str
    description: str | None = None
    role: HostRole | None = None


Service = str  # "tcp/443", "udp/53", "tcp/1024-2048", "icmp", "any"


class Flow(_Model):
    """An allowed zone-to-zone flow; everything not listed is denied."""

    id: str | None = None
    from_: str = Field(alias="from")
    to: str
    services: list[Service] = Field(default_factory=lambda: ["any"])
    via: list[str] = Field(default_factory=list, description="Relay hosts (names in `hosts`)")
    destinations: list[str] = Field(
        default_factory=list, description="Host names or CIDRs; empty means the whole zone"
    )
    description: str | None = None
    shares_link: bool = Field(
        default=False, description="The two zones' VLANs may share a physical trunk"
    )

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    @field_validator("services")
    @classmethod
    def _check_services(cls, value: list[str]) -> list[str]:
        for service in value:
            parse_service(service)
        return value


def parse_service(service: str) -> tuple[str, int | None, int | None]:
    """``"tcp/443"`` → ``("tcp", 443, 443)``; ``"icmp"`` → ``("icmp", None, None)``."""
    text = service.strip().lower()
    if text in {"any", "ip", "icmp", "icmpv6", "tcp", "udp"}:
        return text, None, None
    protocol, sep, ports = text.partition("/")
    if not sep or protocol not in {"tcp", "udp"}:
        raise ValueError(f"service {service!r}: expected any, icmp, tcp/PORT or udp/FIRST-LAST")
    first_text, _, last_text = ports.partition("-")
    try:
        first = int(first_text)
        last = int(last_text) if last_text else first
    except ValueError as exc:
        raise ValueError(f"service {service!r}: port is not a number") from exc
    if not (0 <= first <= last <= 65535):
        raise ValueError(f"service {service!r}: ports must be 0-65535, first <= last")
    return protocol, first, last


class RuleSetting(_Model):
    """Per-check settings: enable/disable, severity override, parameters."""

    enabled: bool = True
    severity: Literal["critical", "high", "medium", "low", "info"] | None = None
    parameters: dict[str, Any] = Field(default_factory=dict)


class Selector(_Model):
    """What an exception covers; shell-style globs, ``*`` by default."""

    device: str = "*"
    subject: str = "*"


class PolicyException(_Model):
    """An approved exception (例外措置) that suppresses matching findings until it expires."""

    id: str | None = None
    check: str
    selector: Selector = Field(default_factory=Selector)
    reason: str
    approver: str
    approval_number: str
    expires: date


class ClauseMapping(_Model):
    """Maps a guideline section title onto this edition's number and the city's own numbering."""

    number: str | None = None
    city_clause: str | None = None


class LedgerSettings(_Model):
    mandatory_fields: list[str] = Field(
        default_factory=lambda: [
            "asset_id",
            "kind",
            "location",
            "owner_department",
            "confidentiality",
        ]
    )
    confidentiality_map: dict[str, list[str]] = Field(
        default_factory=dict,
        description="Old scale value → allowed 令和6年10月版 values, e.g. '3': ['3A','3B','3C']",
    )
    server_room_locations: list[str] = Field(default_factory=list)


@dataclass(frozen=True)
class AddressClass:
    """Where an address belongs for the policy: a declared zone, or unlisted space.

    ``zone`` is the declared zone whose networks hold the address; for unlisted space it is the
    zone the policy says unlisted space counts as (``unlisted_space``), if declared. ``kind`` is
    that zone's kind, else ``external`` (unknown external) — never ``internet`` unless the policy
    says so.
    """

    zone: Zone | None
    kind: ZoneKind
    listed: bool

    @property
    def external(self) -> bool:
        return self.kind in EXTERNAL_KINDS


GradeName = Literal[
    "major_nonconformity", "minor_nonconformity", "observation", "evidence_required"
]
SeverityName = Literal["critical", "high", "medium", "low", "info"]

DEFAULT_GRADE_BY_SEVERITY: dict[SeverityName, GradeName] = {
    "critical": "major_nonconformity",
    "high": "minor_nonconformity",
    "medium": "minor_nonconformity",
    "low": "observation",
    "info": "observation",
}
# Events, not non-conformities (an unapproved change is MON-007).
DEFAULT_GRADE_BY_CHECK: dict[str, GradeName] = {
    "MON-001": "observation",
    "MON-003": "observation",
    "MON-004": "observation",
    # What the network cannot show: 証跡確認が必要, neither a pass nor a non-conformity.
    "POL-002": "evidence_required",
}


class LoggingSettings(_Model):
    """What the city decided about logs (ログの取得等); the guideline leaves the period to it."""

    retention_days: int | None = Field(
        default=None,
        ge=1,
        description="How long device and access logs are kept; not declared → evidence required",
    )
    evidence: str | None = Field(
        default=None, description="Where the retention rule is written down (document, clause)"
    )


class EvidenceItem(_Model):
    """A measure the network cannot show (二要素認証, USB 制御, EDR …) and the evidence seen.

    Without ``evidence`` the item is reported as 証跡確認が必要 (POL-002), never as passed.
    ``id`` may name a standard item (:data:`STANDARD_EVIDENCE_ITEMS`) to record its evidence.
    """

    id: str = Field(pattern=r"^[a-z][a-z0-9_-]*$")
    title_ja: str | None = None
    title_en: str | None = None
    evidence: str | None = Field(
        default=None, description="Reference to the evidence seen (document, record number)"
    )
    checked_on: date | None = Field(default=None, description="When the evidence was seen")
    network_models: list[NetworkModel] | None = Field(
        default=None, description="Only for these 三層 models (None = every model)"
    )


# The measures shared/guideline-review.md §4 lists as not network-checkable. They apply to every
# city of the given models until the policy records their evidence (or drops them).
STANDARD_EVIDENCE_ITEMS: tuple[EvidenceItem, ...] = (
    EvidenceItem(
        id="mynumber-two-factor",
        title_ja="マイナンバー利用事務系端末の二要素認証",
        title_en="Two-factor authentication on My Number terminals",
    ),
    EvidenceItem(
        id="usb-media-control",
        title_ja="許可されていない USB 機器・電磁的記録媒体の制御",
        title_en="Control of unapproved USB devices and removable media",
    ),
    EvidenceItem(
        id="beta-edr",
        title_ja="β/β′モデルのインターネット接続系端末への EDR (EPP) 導入",
        title_en="EDR (and EPP) on Internet-tier terminals in the β/β′ models",
        network_models=[NetworkModel.BETA, NetworkModel.BETA_PRIME],
    ),
    EvidenceItem(
        id="alpha-prime-tenant-restriction",
        title_ja="α′モデルのローカルブレイクアウト先テナント制限",
        title_en="Tenant restriction of the α′ local breakout",
        network_models=[NetworkModel.ALPHA_PRIME],
    ),
)


class GradeSettings(_Model):
    """How findings map to audit grades (重大な不適合 / 軽微な不適合 / 観察事項); see
    ``auditor.policy.grades``. A city overrides any part; COL-* stay scope limitations.
    """

    by_severity: dict[SeverityName, GradeName] = Field(
        default_factory=dict,
        description="Overrides of DEFAULT_GRADE_BY_SEVERITY (a high in a tier zone is major)",
    )
    major_tier_kinds: list[ZoneKind] = Field(
        default_factory=lambda: [ZoneKind.MYNUMBER, ZoneKind.LGWAN, ZoneKind.LGWAN_WAN],
        description="A high finding in a zone of these kinds is a major non-conformity",
    )
    tier_graded_checks: list[str] = Field(
        default_factory=lambda: ["WIFI-001"],
        description="Critical checks graded by their zone: major in major_tier_kinds, else minor",
    )
    by_check: dict[str, GradeName] = Field(
        default_factory=dict, description="Per-check grades on top of DEFAULT_GRADE_BY_CHECK"
    )


class Policy(_Model):
    """A city's complete policy after ``extends`` has been resolved."""

    municipality: str | None = None
    extends: str | None = None
    network_model: NetworkModel | None = None
    guideline_edition: GuidelineEdition = "R6.10"
    zones: list[Zone] = Field(default_factory=list)
    drop_zones: list[str] = Field(
        default_factory=list,
        description="Preset zones this city does not have (removed when the preset is merged)",
    )
    unlisted_space: Literal["external", "internet"] = Field(
        default="external",
        description="What an address outside every declared network is: unknown external (the "
        "zone of kind external), or the Internet (the zone of kind internet)",
    )
    hosts: dict[str, Host] = Field(default_factory=dict)
    flows: list[Flow] = Field(default_factory=list)
    flow_templates: dict[str, Flow] = Field(
        default_factory=dict,
        description="Optional 特定通信 a preset offers; a city flow uses one with `template: ID`",
    )
    mynumber_destinations: list[str] = Field(default_factory=list)
    rules: dict[str, RuleSetting] = Field(default_factory=dict)
    exceptions: list[PolicyException] = Field(default_factory=list)
    clause_map: dict[str, ClauseMapping] = Field(default_factory=dict)
    ledger: LedgerSettings = Field(default_factory=LedgerSettings)
    audit_grades: GradeSettings = Field(default_factory=GradeSettings)
    logging: LoggingSettings = Field(default_factory=LoggingSettings)
    evidence: list[EvidenceItem] = Field(
        default_factory=list,
        description="Evidence for measures the network cannot show (standard items by id, or "
        "the city's own)",
    )
    drop_evidence: list[str] = Field(
        default_factory=list, description="Standard evidence items that do not apply to the city"
    )
    snmp_require_v3: bool = True
    forbidden_snmp_communities: list[str] = Field(default_factory=lambda: ["public", "private"])
    main_terminal_zone: str | None = Field(
        default=None,
        description="Zone where the main business terminals (主たる業務端末) sit: lgwan in α/α′, "
        "internet in β/β′",
    )
    internet_access: Literal["isolated", "direct"] | None = Field(
        default=None,
        description="How main terminals reach the Internet: isolated (画面転送/無害化 only) or direct",
    )
    lgwan_access: Literal["direct", "screen_transfer"] | None = Field(
        default=None,
        description="How main terminals reach LGWAN business systems: direct, or by 画面転送 (β/β′)",
    )
    lbo_services: list[str] = Field(
        default_factory=list,
        description="α′ local breakout: cloud destinations the LGWAN tier may reach directly "
        "(names in `hosts`, CIDRs or DNS names)",
    )

    def zone(self, zone_id: str) -> Zone | None:
        for zone in self.zones:
            if zone.id == zone_id:
                return zone
        return None

    def zone_of_vlan(self, vlan: int) -> Zone | None:
        for zone in self.zones:
            if zone.has_vlan(vlan):
                return zone
        return None

    def zone_of_address(self, address: str) -> Zone | None:
        for zone in self.zones:
            if zone.has_address(address):
                return zone
        return None

    def unlisted_zone(self) -> Zone | None:
        """The declared zone that stands for space outside every network (``unlisted_space``)."""
        kind = ZoneKind.INTERNET if self.unlisted_space == "internet" else ZoneKind.EXTERNAL
        return next((zone for zone in self.zones if zone.kind is kind), None)

    def classify_address(self, address: str) -> AddressClass | None:
        """Judge an address by the zone whose declared networks hold it, not by "not ours".

        None for text that is no IP address and for loopback, link-local and unspecified
        addresses (they lead nowhere). Unlisted space is unknown external unless the policy
        says (``unlisted_space: internet``) that it is the Internet.
        """
        try:
            ip = ipaddress.ip_address(address.split("/")[0].strip())
        except ValueError:
            return None
        if ip.is_loopback or ip.is_link_local or ip.is_unspecified:
            return None
        zone = self.zone_of_address(str(ip))
        if zone is not None:
            return AddressClass(zone=zone, kind=zone.kind, listed=True)
        unlisted = self.unlisted_zone()
        if unlisted is not None:
            return AddressClass(zone=unlisted, kind=unlisted.kind, listed=False)
        kind = ZoneKind.INTERNET if self.unlisted_space == "internet" else ZoneKind.EXTERNAL
        return AddressClass(zone=None, kind=kind, listed=False)

    def edition_at_least(self, edition: str) -> bool:
        """Whether the policy's ``guideline_edition`` is ``edition`` or later."""
        return edition_rank(self.guideline_edition) >= edition_rank(edition)

    def is_screen_transfer_flow(self, flow: Flow) -> bool:
        """A flow relayed by a host whose role is ``screen_transfer`` (画面転送)."""
        return any(
            (host := self.hosts.get(name)) is not None and host.role == "screen_transfer"
            for name in flow.via
        )

    def flow_in_force(self, flow: Flow) -> bool:
        """Whether the guideline edition allows ``flow``: 画面転送 to or from the My Number tier
        is allowed only from R7.3 on; every other listed flow is in force.
        """
        if not self.is_screen_transfer_flow(flow):
            return True
        touches_mynumber = any(
            (zone := self.zone(zone_id)) is not None and zone.kind is ZoneKind.MYNUMBER
            for zone_id in (flow.from_, flow.to)
        )
        return not touches_mynumber or self.edition_at_least(MYNUMBER_SCREEN_TRANSFER_EDITION)

    def flows_in_force(self) -> list[Flow]:
        return [flow for flow in self.flows if self.flow_in_force(flow)]

    def flows_between(self, source: str, destination: str) -> list[Flow]:
        return [
            flow
            for flow in self.flows_in_force()
            if flow.from_ == source and flow.to == destination
        ]

    def evidence_items(self) -> list[EvidenceItem]:
        """Standard items for the network model, merged with the policy's own (policy wins)."""
        declared = {item.id: item for item in self.evidence}
        items: list[EvidenceItem] = []
        for standard in STANDARD_EVIDENCE_ITEMS:
            if standard.id in self.drop_evidence:
                continue
            models = standard.network_models
            if models is not None and self.network_model not in models:
                continue
            own = declared.pop(standard.id, None)
            if own is None:
                items.append(standard)
                continue
            items.append(
                own.model_copy(
                    update={
                        "title_ja": own.title_ja or standard.title_ja,
                        "title_en": own.title_en or standard.title_en,
                    }
                )
            )
        items.extend(declared.values())
        return items

    def rule(self, check_id: str) -> RuleSetting:
        return self.rules.get(check_id, RuleSetting())

"""Helpers shared by the hardening, monitoring, ledger and Wi-Fi checks (pure functions, no I/O).

They answer the questions every zone-aware check asks: which zones does a device serve, is an
address external, is a fact known at all, and how does one report "not known" so that it can never
be mistaken for "compliant".
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from collections.abc import Iterable, Iterator
from typing import Literal

from auditor.model.findings import EvidenceRef, Finding, Outcome, Severity
from auditor.model.snapshot import DeviceSnapshot, Interface, Source
from auditor.policy.models import Policy, Zone, ZoneKind
from auditor.rules import AuditContext, Check

EvidenceSource = Literal["snmp", "ssh", "traffic"]

# Zones whose networks staff use for administrative work (三層 + relay + education).
ADMINISTRATIVE_KINDS = (
    ZoneKind.MYNUMBER,
    ZoneKind.LGWAN,
    ZoneKind.INTERNET,
    ZoneKind.SANITIZER,
    ZoneKind.EDUCATION,
)


def device_zones(context: AuditContext, device: str) -> list[Zone]:
    """The policy zones the inventory says ``device`` serves (unknown zone ids are skipped)."""
    entry = context.inventory.device(device)
    if entry is None:
        return []
    zones = [context.policy.zone(zone_id) for zone_id in entry.zones]
    return [zone for zone in zones if zone is not None]


def device_zone_kinds(context: AuditContext, device: str) -> set[str]:
    return {zone.kind.value for zone in device_zones(context, device)}


def primary_zone(context: AuditContext, device: str) -> str | None:
    """The zone a device finding is filed under: the first one that is not management."""
    zones = device_zones(context, device)
    for zone in zones:
        if zone.kind is not ZoneKind.MANAGEMENT:
            return zone.id
    return zones[0].id if zones else None


def escalate(base: Severity, kinds: Iterable[str], to: Severity = Severity.HIGH) -> Severity:
    """Raise ``base`` to ``to`` when a device serves the My Number tier."""
    if ZoneKind.MYNUMBER.value in set(kinds) and to.rank > base.rank:
        return to
    return base


def snapshots_in_order(context: AuditContext) -> Iterator[tuple[str, DeviceSnapshot]]:
    """This run's snapshots, by device name, so findings come out in a stable order."""
    for name in sorted(context.snapshots):
        yield name, context.snapshots[name]


def config_known(snapshot: DeviceSnapshot) -> bool:
    """Whether the running configuration was read: then an absent setting is really absent."""
    return snapshot.config_redacted is not None


def evidence_source(source: Source | None, default: EvidenceSource = "ssh") -> EvidenceSource:
    """The evidence kind for a snapshot part's ``source`` (SSH when not recorded)."""
    if source is Source.SNMP:
        return "snmp"
    if source is Source.SSH:
        return "ssh"
    if source is Source.TRAFFIC:
        return "traffic"
    return default


def management_evidence(snapshot: DeviceSnapshot, detail: str) -> EvidenceRef:
    return EvidenceRef(
        source=evidence_source(snapshot.management.source), detail=f"management.{detail}"
    )


def not_applicable(
    check: Check,
    context: AuditContext,
    *,
    device: str | None,
    fact: str,
    reason_en: str,
    reason_ja: str,
    zone: str | None = None,
) -> Finding:
    """An INFO finding saying the check could not judge: never a pass, never a fail."""
    return check.finding(
        context,
        device=device,
        subject=f"not-applicable:{fact}",
        zone=zone,
        severity=Severity.INFO,
        outcome=Outcome.NOT_APPLICABLE,
        message_en=f"{check.id} could not be judged{f' on {device}' if device else ''}: "
        f"{reason_en} (not applicable, not compliant).",
        message_ja=f"{check.id} を判定できません{f' ({device})' if device else ''}: "
        f"{reason_ja} (対象外。適合とはみなしません)。",
        evidence=[EvidenceRef(source="engine", detail=f"unknown fact: {fact}")],
    )


def unknown_fact(check: Check, context: AuditContext, device: str, fact: str) -> Finding:
    """The common case of :func:`not_applicable`: one management-plane fact was not collected."""
    return not_applicable(
        check,
        context,
        device=device,
        fact=fact,
        zone=primary_zone(context, device),
        reason_en=f"the collector did not report {fact}",
        reason_ja=f"{fact} が収集されていません",
    )


def management_finding(
    check: Check,
    context: AuditContext,
    device: str,
    snapshot: DeviceSnapshot,
    *,
    subject: str,
    fact: str,
    message_en: str,
    message_ja: str,
    severity: Severity | None = None,
) -> Finding:
    """A failed management-plane setting: filed under the device's primary zone, citing the fact."""
    return check.finding(
        context,
        device=device,
        subject=subject,
        zone=primary_zone(context, device),
        severity=severity,
        message_en=message_en,
        message_ja=message_ja,
        evidence=[management_evidence(snapshot, fact)],
    )


def address_of(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(value.split("/")[0].strip())
    except ValueError:
        return None


def judged_management_address(value: str) -> bool:
    """Whether an inventory address says where the device is managed from.

    A host name, or a loopback address (a lab, an SSH port-forward through a jump host), tells
    nothing about the device's own management interface, so it is not judged.
    """
    ip = address_of(value)
    return ip is not None and not ip.is_loopback


def zone_of_address(policy: Policy, value: str) -> Zone | None:
    return policy.zone_of_address(value) if address_of(value) is not None else None


def is_external_address(policy: Policy, value: str, untrusted_kinds: Iterable[str]) -> bool:
    """An address in an untrusted-kind zone, or a routable address outside every zone."""
    ip = address_of(value)
    if ip is None:
        return False
    zone = policy.zone_of_address(value)
    if zone is not None:
        return zone.kind.value in set(untrusted_kinds)
    return not (ip.is_loopback or ip.is_link_local)


def interface_zones(policy: Policy, interface: Interface) -> list[Zone]:
    """Zones of an interface: by its addresses, else by the VLANs it carries."""
    found: list[Zone] = []
    for address in interface.addresses:
        zone = policy.zone_of_address(address)
        if zone is not None and zone not in found:
            found.append(zone)
    for vlan in interface_vlans(interface):
        zone = policy.zone_of_vlan(vlan)
        if zone is not None and zone not in found:
            found.append(zone)
    return found


def interface_vlans(interface: Interface) -> set[int]:
    """VLANs an L2 port forwards (access VLAN, or allowed plus native VLANs of a trunk)."""
    if interface.mode == "access":
        return {interface.access_vlan} if interface.access_vlan is not None else set()
    if interface.mode == "trunk":
        vlans = set(interface.allowed_vlans or [])
        if interface.native_vlan is not None:
            vlans.add(interface.native_vlan)
        return vlans
    return set()


def is_access_port(interface: Interface) -> bool:
    return interface.mode == "access" and not interface.addresses


_TOKEN = re.compile(r"\d+|[a-z]+")


def version_key(version: str) -> tuple[tuple[int, int | str], ...]:
    """A sortable key for firmware versions: ``Rev.15.02.30`` < ``15.4.4``, ``17.9.4`` < ``17.9.4a``."""
    text = version.lower().removeprefix("rev.").removeprefix("v")
    return tuple((0, int(tok)) if tok.isdigit() else (1, tok) for tok in _TOKEN.findall(text))


def fold(text: str) -> str:
    """Unicode NFKC, lower case, no spaces: for comparing human-typed ledger values."""
    return re.sub(r"[\s\-_/・]", "", unicodedata.normalize("NFKC", text)).lower()

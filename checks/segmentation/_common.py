"""Shared pieces of the segmentation checks: references, severity grading, finding wording.

Not a check module (no ``Check`` subclass lives here); the registry walks it and finds nothing.
"""

from __future__ import annotations

from collections.abc import Iterable

from auditor.analysis.network import NetworkView, Support
from auditor.model.findings import Finding, Reference, Severity
from auditor.policy.models import ZoneKind
from auditor.rules import AuditContext, Check

RESILIENCE = Reference(kind="guideline", key="情報システム全体の強靭性の向上")
LINES = Reference(kind="guideline", key="通信回線及び通信回線装置の管理")
NETWORK = Reference(kind="guideline", key="コンピュータ及びネットワークの管理")
PLAN_414 = Reference(kind="plan", key="4-1-4")
PLAN_422 = Reference(kind="plan", key="4-2-2")

SEGMENTATION_REFERENCES = (RESILIENCE, LINES, NETWORK, PLAN_414, PLAN_422)


def is_management(view: NetworkView, zone_id: str) -> bool:
    zone = view.zones.get(zone_id)
    return bool(zone and zone.kind == ZoneKind.MANAGEMENT)


def graded_severity(
    check: Check, context: AuditContext, view: NetworkView, zones: Iterable[str]
) -> Severity:
    """Severity of a finding that joins ``zones``.

    A policy override wins. Otherwise: the My Number tier joined to any non-management zone, or
    public/shelter Wi-Fi joined to a protected zone, is critical; a pair that involves the
    management zone is high with My Number and medium without (in-band management is a weakness,
    not a tier breach); everything else keeps the check's own.
    """
    override = context.policy.rule(check.id).severity
    if override:
        return Severity(override)
    involved = set(zones)
    mynumber = involved & view.mynumber_zones
    others = involved - mynumber
    management = {zone for zone in others if is_management(view, zone)}
    if mynumber and others - management:
        return Severity.CRITICAL
    public = {
        z for z in involved if (zone := view.zones.get(z)) and zone.kind == ZoneKind.PUBLIC_WIFI
    }
    if public and any(view.is_protected(z) for z in involved - public - management):
        return Severity.CRITICAL
    if management:
        return Severity.HIGH if mynumber else Severity.MEDIUM
    return check.severity


def without_management(view: NetworkView, zones: Iterable[str]) -> set[str]:
    """Device zones that matter for grading: nearly every device also serves management."""
    kept = {zone for zone in zones if not is_management(view, zone)}
    return kept or set(zones)


def site_allowed(site: str, allowed: Iterable[str]) -> bool:
    """A zone's ``sites`` entry names a site id or a site family: ``school`` covers ``school-1``."""
    return any(site == entry or site.startswith(f"{entry}-") for entry in allowed)


def labels(view: NetworkView, zones: Iterable[str], lang: str = "en") -> str:
    ordered = sorted(set(zones))
    if lang == "ja":
        return "・".join(view.zone_label(zone, "ja") for zone in ordered)
    return ", ".join(view.zone_label(zone, "en") for zone in ordered)


def emit(
    check: Check,
    context: AuditContext,
    *,
    device: str | None,
    subject: str,
    message_en: str,
    message_ja: str,
    support: Support,
    severity: Severity | None = None,
    zone: str | None = None,
) -> Finding:
    """A finding whose message ends with the evidence it rests on (config / live / observed)."""
    return check.finding(
        context,
        device=device,
        subject=subject,
        zone=zone,
        severity=severity,
        message_en=f"{message_en}; {support.phrase_en()}.",
        message_ja=f"{message_ja}({support.phrase_ja()})。",
        evidence=support.evidence,
    )

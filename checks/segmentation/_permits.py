"""Shared body of SEG-006 and SEG-007: ACL/firewall permits judged against the policy."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.analysis.matrix import Judgement, judge_permits, network_text
from auditor.analysis.network import NetworkView, Support
from auditor.model.findings import Finding, Severity
from auditor.rules import AuditContext, Check

from ._common import emit


def permit_findings(
    check: Check, context: AuditContext, *, mynumber: bool, severity: Severity | None = None
) -> Iterator[Finding]:
    """One finding per device and ``rule#from->to`` subject whose permit exceeds the policy."""
    view = NetworkView.of(context)
    seen: set[tuple[str, str]] = set()
    for judgement in judge_permits(view):
        portion = judgement.portion
        if portion.kind in ("l3", "route") or judgement.within_policy:  # SEG-005 / SEG-011
            continue
        if view.is_mynumber(portion.source_zone) != mynumber:
            continue
        key = (portion.device, portion.subject)
        if key in seen:
            continue
        seen.add(key)
        yield _finding(check, context, view, judgement, severity)


def _finding(
    check: Check,
    context: AuditContext,
    view: NetworkView,
    judgement: Judgement,
    severity: Severity | None,
) -> Finding:
    portion = judgement.portion
    support = Support()
    support.add("config", portion.evidence_source, f"{portion.device}: {portion.line}")
    what = "ACL line" if portion.kind == "acl" else "firewall policy"
    what_ja = "ACL 行" if portion.kind == "acl" else "ファイアウォールポリシー"
    services = ", ".join(str(s) for s in judgement.uncovered_services)
    destinations = (
        ", ".join(portion.destination_fqdns)
        if portion.destination_fqdns
        else network_text(portion.destination_networks)
    )
    if not severity and view.is_mynumber(portion.destination_zone):
        severity = Severity.CRITICAL
    return emit(
        check,
        context,
        device=portion.device,
        subject=portion.subject,
        zone=portion.source_zone,
        severity=severity,
        support=support,
        message_en=(
            f"{portion.device} {what} '{portion.line}' permits {portion.source_zone} -> "
            f"{portion.destination_zone} ({services} to {destinations}): {judgement.reason_en}"
        ),
        message_ja=(
            f"{portion.device} の{what_ja}「{portion.line}」が {portion.source_zone} → "
            f"{portion.destination_zone}({services}、宛先 {destinations})を許可しています: "
            f"{judgement.reason_ja}"
        ),
    )

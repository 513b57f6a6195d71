"""Audit grades: the one function every output uses to map a finding to 重大な不適合 / 軽微な不適合
/ 観察事項, or to 監査範囲の制約 for what the auditor itself could not collect or judge.

Default table (``shared/guideline-review.md`` §3, a proposal a city may override in
``audit_grades``): critical → major; high → major when the finding's zone is of a tier kind
(My Number, LGWAN, LGWAN WAN), else minor; medium → minor; low and info → observation. Events
(MON-001/003/004) are observations. WIFI-001 is graded by the zone it shares a link with.
WIFI-004 (a business SSID on open/PSK/WEP, or without 802.1X) is major in any business tier,
including the Internet tier under β/β′ (guideline-review M2).
"""

from __future__ import annotations

from auditor.model.findings import AuditGrade, Outcome, Severity
from auditor.policy.models import (
    DEFAULT_GRADE_BY_CHECK,
    DEFAULT_GRADE_BY_SEVERITY,
    GradeSettings,
    Policy,
    ZoneKind,
)

SCOPE_LIMITATION_PREFIXES = ("COL-",)
# Defaults of rules whose grade does not follow from severity and zone (a city overrides them in
# ``audit_grades.by_check``).
DEFAULT_GRADE_BY_RULE: dict[str, AuditGrade] = {"WIFI-004": AuditGrade.MAJOR}


def audit_grade(
    check_id: str,
    severity: Severity | str,
    outcome: Outcome | str,
    zone: str | None,
    policy: Policy | None,
) -> AuditGrade:
    """The audit grade of one finding (pure: no I/O, same answer for every output)."""
    if check_id.startswith(SCOPE_LIMITATION_PREFIXES) or str(outcome) != Outcome.FAIL.value:
        return AuditGrade.SCOPE_LIMITATION
    settings = policy.audit_grades if policy is not None else GradeSettings()
    fixed = settings.by_check.get(check_id) or DEFAULT_GRADE_BY_CHECK.get(check_id)
    if fixed is not None:
        return AuditGrade(fixed)
    if check_id in DEFAULT_GRADE_BY_RULE:
        return DEFAULT_GRADE_BY_RULE[check_id]
    level = Severity(severity)
    in_tier = _zone_kind(zone, policy) in set(settings.major_tier_kinds)
    if check_id in settings.tier_graded_checks and level is Severity.CRITICAL:
        return AuditGrade.MAJOR if in_tier else AuditGrade.MINOR
    chosen = settings.by_severity.get(level.value)
    if chosen is not None:
        return AuditGrade(chosen)
    if level is Severity.HIGH and in_tier:
        return AuditGrade.MAJOR
    return AuditGrade(DEFAULT_GRADE_BY_SEVERITY[level.value])


def _zone_kind(zone: str | None, policy: Policy | None) -> ZoneKind | None:
    if zone is None or policy is None:
        return None
    found = policy.zone(zone)
    return found.kind if found is not None else None

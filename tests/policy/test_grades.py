"""Audit grades: one pure function maps a finding to 重大 / 軽微 / 観察事項 / 監査範囲の制約."""

from __future__ import annotations

from auditor.model.findings import AuditGrade, Outcome, Severity
from auditor.policy.grades import audit_grade
from auditor.policy.models import Policy

ZONES = [
    {"id": "mynumber", "kind": "mynumber", "name_ja": "マ", "name_en": "M"},
    {"id": "lgwan", "kind": "lgwan", "name_ja": "L", "name_en": "L"},
    {"id": "internet", "kind": "internet", "name_ja": "I", "name_en": "I"},
]
POLICY = Policy.model_validate({"zones": ZONES})


def grade(check: str, severity: Severity, zone: str | None, policy: Policy = POLICY) -> AuditGrade:
    return audit_grade(check, severity, Outcome.FAIL, zone, policy)


def test_the_default_table_grades_high_by_the_tier_involved() -> None:
    assert grade("SEG-007", Severity.CRITICAL, "mynumber") is AuditGrade.MAJOR
    assert grade("SEG-006", Severity.HIGH, "lgwan") is AuditGrade.MAJOR
    assert grade("SEG-006", Severity.HIGH, "internet") is AuditGrade.MINOR
    assert grade("HRD-008", Severity.MEDIUM, "mynumber") is AuditGrade.MINOR
    assert grade("HRD-006", Severity.LOW, "lgwan") is AuditGrade.OBSERVATION


def test_collection_failures_and_unjudged_findings_are_scope_limitations() -> None:
    assert grade("COL-001", Severity.HIGH, None) is AuditGrade.SCOPE_LIMITATION
    unjudged = audit_grade("HRD-016", Severity.INFO, Outcome.NOT_APPLICABLE, "mynumber", POLICY)
    assert unjudged is AuditGrade.SCOPE_LIMITATION


def test_events_are_observations_and_wifi_sharing_follows_the_shared_tier() -> None:
    for event in ("MON-001", "MON-003", "MON-004"):
        assert grade(event, Severity.MEDIUM, "lgwan") is AuditGrade.OBSERVATION
    assert grade("WIFI-001", Severity.CRITICAL, "lgwan") is AuditGrade.MAJOR
    assert grade("WIFI-001", Severity.CRITICAL, "internet") is AuditGrade.MINOR


def test_a_city_overrides_the_table() -> None:
    city = Policy.model_validate(
        {
            "zones": ZONES,
            "audit_grades": {
                "by_severity": {"medium": "observation"},
                "by_check": {"SEG-006": "major_nonconformity"},
            },
        }
    )
    assert grade("HRD-008", Severity.MEDIUM, "mynumber", city) is AuditGrade.OBSERVATION
    assert grade("SEG-006", Severity.HIGH, "internet", city) is AuditGrade.MAJOR
    assert grade("SEG-007", Severity.CRITICAL, "mynumber", city) is AuditGrade.MAJOR
    assert grade("COL-001", Severity.HIGH, None, city) is AuditGrade.SCOPE_LIMITATION

"""HRD-019: administrators should log in through RADIUS/TACACS+, not local accounts only."""

from __future__ import annotations

from auditor.model.findings import Outcome, Severity
from auditor.policy.models import RuleSetting
from auditor_checks.hardening.no_central_aaa import NoCentralAaa
from tests.checks.hardening._support import (
    context,
    device,
    failures,
    good_management,
    not_applicable,
    policy,
    run,
    snapshot,
    subjects,
)


def test_a_device_with_central_aaa_passes() -> None:
    assert run(NoCentralAaa(), context([snapshot(management=good_management())])) == []


def test_local_accounts_only_is_a_low_recommendation_with_subject_aaa() -> None:
    ctx = context([snapshot(management=good_management(aaa_enabled=False))])
    [finding] = failures(NoCentralAaa(), ctx)
    assert finding.subject == "aaa"
    assert finding.severity is Severity.LOW
    assert "RADIUS/TACACS+" in finding.message_en and "集中認証" in finding.message_ja


def test_unknown_aaa_state_is_not_applicable_never_a_pass_or_a_fail() -> None:
    ctx = context([snapshot(management=good_management(aaa_enabled=None))])
    [finding] = not_applicable(NoCentralAaa(), ctx)
    assert finding.outcome is Outcome.NOT_APPLICABLE
    assert finding.subject == "not-applicable:management.aaa_enabled"
    assert failures(NoCentralAaa(), ctx) == []


def test_zone_kinds_limits_the_recommendation_to_some_tiers() -> None:
    mgmt = good_management(aaa_enabled=False)
    snaps = [snapshot("myn", management=mgmt), snapshot("lg", management=mgmt)]
    devices = [device("myn", zones=["mynumber"]), device("lg", zones=["lgwan"])]
    limited = policy(rules={"HRD-019": RuleSetting(parameters={"zone_kinds": ["mynumber"]})})
    ctx = context(snaps, devices=devices, policy_obj=limited)
    assert [f.device for f in failures(NoCentralAaa(), ctx)] == ["myn"]
    assert subjects(NoCentralAaa(), context(snaps, devices=devices)) == ["aaa", "aaa"]

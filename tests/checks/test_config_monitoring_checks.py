"""MON-001 reports a changed running configuration with its diff; MON-002 drift from a baseline."""

from __future__ import annotations

from datetime import timedelta

from auditor.inventory.models import Device, Inventory
from auditor.model.findings import Outcome
from auditor.model.snapshot import DeviceSnapshot
from auditor.policy.models import RuleSetting
from auditor_checks.monitoring.config_changed import ConfigurationChanged
from auditor_checks.monitoring.config_drift import ConfigurationDrift, normalized_lines
from tests import builders

BEFORE = (
    "hostname sw1\n"
    "snmp-server community <redacted:sha256:111111111111> RO\n"
    "interface Gi0/3\n switchport access vlan 21\n"
)
AFTER = (
    "hostname sw1\n"
    "snmp-server community <redacted:sha256:222222222222> RO\n"
    "interface Gi0/3\n switchport access vlan 10\n"
)


def snapshot(config: str | None, *, days_ago: int = 0) -> DeviceSnapshot:
    import hashlib

    return DeviceSnapshot(
        device="sw1",
        collected_at=builders.AUDIT_TIME - timedelta(days=days_ago),
        config_redacted=config,
        config_hash=hashlib.sha256(config.encode()).hexdigest() if config else None,
    )


def test_a_changed_configuration_gives_one_finding_with_the_diff() -> None:
    context = builders.context()
    context.snapshots = {"sw1": snapshot(AFTER)}
    context.history.previous_snapshots = {"sw1": snapshot(BEFORE, days_ago=1)}
    findings = list(ConfigurationChanged().evaluate(context))
    assert [(f.check_id, f.device, f.outcome) for f in findings] == [
        ("MON-001", "sw1", Outcome.FAIL)
    ]
    diff = findings[0].evidence[0].detail
    assert "- switchport access vlan 21" in diff and "+ switchport access vlan 10" in diff
    assert "<redacted:sha256:222222222222>" in diff  # a changed secret shows as a changed marker
    assert "2 lines added, 2 removed" in findings[0].message_en


def test_an_unchanged_configuration_gives_no_finding() -> None:
    context = builders.context()
    context.snapshots = {"sw1": snapshot(BEFORE)}
    context.history.previous_snapshots = {"sw1": snapshot(BEFORE, days_ago=1)}
    assert list(ConfigurationChanged().evaluate(context)) == []


def test_without_a_previous_configuration_the_change_check_is_not_applicable() -> None:
    context = builders.context()
    context.snapshots = {"sw1": snapshot(AFTER)}
    findings = list(ConfigurationChanged().evaluate(context))
    assert [f.outcome for f in findings] == [Outcome.NOT_APPLICABLE]


def test_drift_from_a_role_baseline_lists_missing_and_extra_lines() -> None:
    baseline = (
        "hostname sw1\n"
        "snmp-server community <redacted> RO\n"
        "ip dhcp snooping\n"
        "interface Gi0/3\n switchport access vlan 21\n"
    )
    context = builders.context()
    context.inventory = Inventory(
        devices=[Device(name="sw1", address="10.99.0.1", platform="cisco_ios", role="edge")]
    )
    context.policy.rules["MON-002"] = RuleSetting(parameters={"baselines": {"role:edge": baseline}})
    context.snapshots = {"sw1": snapshot(AFTER)}
    findings = list(ConfigurationDrift().evaluate(context))
    assert [(f.device, f.subject) for f in findings] == [("sw1", "baseline:role:edge")]
    detail = findings[0].evidence[0].detail
    assert "- ip dhcp snooping" in detail
    assert "- interface Gi0/3 / switchport access vlan 21" in detail
    assert "+ interface Gi0/3 / switchport access vlan 10" in detail
    assert "community" not in detail  # any secret matches any secret


def test_a_configuration_equal_to_its_baseline_gives_no_finding() -> None:
    context = builders.context()
    context.history.extra["config_baselines"] = {"sw1": "!\n" + BEFORE + "end\n"}
    context.snapshots = {"sw1": snapshot(BEFORE)}
    assert list(ConfigurationDrift().evaluate(context)) == []
    assert normalized_lines(" shutdown\n") == ["shutdown"]

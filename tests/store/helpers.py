"""Builders for store tests: findings, snapshots, policies and one-call runs."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta

from auditor.model.findings import Finding, Outcome, Reference, Severity
from auditor.model.snapshot import DeviceSnapshot, Interface, SystemInfo
from auditor.policy.models import Policy, PolicyException, Selector
from auditor.store import RunSummary, Store
from auditor.store.records import CheckResult

T0 = datetime(2026, 4, 1, 1, 0, tzinfo=UTC)
EMPTY_POLICY = Policy()
TOOL_VERSION = "0.1.0-test"


def day(n: int) -> datetime:
    return T0 + timedelta(days=n)


def finding(
    check_id: str = "HRD-001",
    device: str | None = "core-sw1",
    subject: str = "line vty 0 4",
    *,
    severity: Severity = Severity.HIGH,
    outcome: Outcome = Outcome.FAIL,
) -> Finding:
    return Finding(
        check_id=check_id,
        outcome=outcome,
        severity=severity,
        device=device,
        subject=subject,
        zone="management",
        message_en=f"{device}: {subject} violates {check_id}",
        message_ja=f"{device} の {subject} は {check_id} に違反しています",
        references=[Reference(kind="guideline", key="アクセス制御")],
    )


def snapshot(device: str, *, at: datetime = T0, descr: str = "IOS 15.2") -> DeviceSnapshot:
    return DeviceSnapshot(
        device=device,
        collected_at=at,
        system=SystemInfo(name=device, descr=descr),
        interfaces=[Interface(name="Gi0/1", mode="access", access_vlan=10)],
    )


def exception_policy(
    check: str, *, device: str = "*", subject: str = "*", expires: date = date(2026, 4, 30)
) -> Policy:
    return Policy(
        exceptions=[
            PolicyException(
                id="EX-7",
                check=check,
                selector=Selector(device=device, subject=subject),
                reason="legacy terminal until replacement",
                approver="情報政策課長",
                approval_number="R8-情-0042",
                expires=expires,
            )
        ]
    )


def run_once(
    store: Store,
    findings: Sequence[Finding],
    *,
    at: datetime,
    devices: Iterable[str] = ("core-sw1",),
    covered: Iterable[str] | None = None,
    checks: Iterable[str] | None = None,
    complete: bool = True,
    scope: str = "full",
    policy: Policy = EMPTY_POLICY,
    snapshots: Mapping[str, DeviceSnapshot] | None = None,
    evidence: Mapping[str, Sequence[tuple[str, bytes]]] | None = None,
    kind: str = "audit",
    results: Sequence[CheckResult] = (),
) -> RunSummary:
    """Begin and record one run; by default it covers every device and evaluates every check."""
    device_list = list(devices)
    run_id = store.begin_run(
        kind, scope, device_list, TOOL_VERSION, "rules-hash", "policy-hash", at
    )
    evaluated = set(checks) if checks is not None else {f.check_id for f in findings} | {"HRD-001"}
    return store.record_run(
        run_id,
        snapshots=snapshots or {},
        findings=findings,
        covered_devices=set(covered) if covered is not None else set(device_list),
        evaluated_checks=evaluated,
        policy=policy,
        now=at,
        complete=complete,
        evidence=evidence or {},
        results=results,
    )


def status_of(store: Store, item: Finding) -> str:
    record, _events = store.get_finding(item.fingerprint)
    return record.status.value

"""COL-001…005 turn collection errors into ERROR findings; HRD-001 reads the community probe."""

from __future__ import annotations

from auditor.collect.base import CollectionError
from auditor.inventory.models import Device, Inventory
from auditor.model.findings import Outcome, Severity
from auditor.model.snapshot import DeviceSnapshot, ManagementPlane
from auditor.rules import AuditContext
from auditor_checks.collection.snmp_auth_failure import SnmpAuthenticationFailure
from auditor_checks.collection.snmp_credential_unresolved import SnmpCredentialUnresolved
from auditor_checks.collection.snmp_malformed_response import SnmpMalformedResponse
from auditor_checks.collection.snmp_timeout import SnmpTimeout
from auditor_checks.collection.snmp_walk_runaway import SnmpWalkRunaway
from auditor_checks.hardening.snmp_default_community import SnmpDefaultCommunityAccepted
from tests import builders

COLLECTION_CHECKS = (
    SnmpTimeout,
    SnmpAuthenticationFailure,
    SnmpMalformedResponse,
    SnmpWalkRunaway,
    SnmpCredentialUnresolved,
)


def _error(check_id: str, device: str = "sw1", subject: str = "snmp") -> CollectionError:
    return CollectionError(
        device=device,
        check_id=check_id,
        message_en=f"{check_id} happened on {device}",
        message_ja=f"{device} で {check_id}",
        subject=subject,
        detail="detail",
    )


def test_each_collection_check_reports_only_the_errors_of_its_own_id_as_errors() -> None:
    context = builders.context()
    context.collection_errors = [_error(f"COL-00{n}", device=f"sw{n}") for n in range(1, 6)]
    for number, check in enumerate(COLLECTION_CHECKS, start=1):
        findings = list(check().evaluate(context))
        assert [(f.check_id, f.device, f.outcome) for f in findings] == [
            (f"COL-00{number}", f"sw{number}", Outcome.ERROR)
        ]
        assert findings[0].message_ja == f"sw{number} で COL-00{number}"


def test_a_table_level_error_keeps_its_table_subject_and_the_device_zone() -> None:
    inventory = Inventory(
        devices=[Device(name="sw1", address="127.0.0.1", platform="generic", zones=["lgwan"])]
    )
    context = builders.context(inventory=inventory)
    context.collection_errors = [_error("COL-004", subject="table:dot1qTpFdbTable")]
    (finding,) = SnmpWalkRunaway().evaluate(context)
    assert finding.subject == "table:dot1qTpFdbTable"
    assert finding.zone == "lgwan"


def test_no_collection_errors_means_no_collection_findings() -> None:
    context = builders.context()
    for check in COLLECTION_CHECKS:
        assert list(check().evaluate(context)) == []


def _context_with_probe(accepted: list[str] | None, **policy: object) -> AuditContext:
    context = builders.context(policy_obj=builders.policy(**policy))
    context.snapshots["sw1"] = DeviceSnapshot(
        device="sw1",
        collected_at=builders.AUDIT_TIME,
        management=ManagementPlane(snmp_probe_accepted=accepted),
    )
    return context


def test_a_device_answering_public_and_a_forbidden_community_gets_one_finding_each() -> None:
    context = _context_with_probe(
        ["v1:public", "v2c:public", "v2c:shiyakusho"],
        forbidden_snmp_communities=["public", "private", "shiyakusho"],
        snmp_require_v3=False,
    )
    findings = list(SnmpDefaultCommunityAccepted().evaluate(context))
    assert sorted(f.subject for f in findings) == [
        "snmp-community:v1:public",
        "snmp-community:v2c:public",
        "snmp-community:v2c:shiyakusho",
    ]
    assert all(f.severity is Severity.HIGH and f.outcome is Outcome.FAIL for f in findings)


def test_the_configured_community_is_a_finding_only_when_the_policy_requires_v3() -> None:
    required = _context_with_probe(["v2c:<configured>"], snmp_require_v3=True)
    (finding,) = SnmpDefaultCommunityAccepted().evaluate(required)
    assert finding.subject == "snmp-community:v2c:configured"
    assert "<configured>" not in finding.message_en
    relaxed = _context_with_probe(["v2c:<configured>"], snmp_require_v3=False)
    assert list(SnmpDefaultCommunityAccepted().evaluate(relaxed)) == []


def test_a_device_that_rejected_every_probe_passes_the_default_community_check() -> None:
    context = _context_with_probe([], snmp_require_v3=True)
    assert list(SnmpDefaultCommunityAccepted().evaluate(context)) == []


def test_a_device_never_probed_is_not_applicable_rather_than_compliant() -> None:
    context = _context_with_probe(None)
    (finding,) = SnmpDefaultCommunityAccepted().evaluate(context)
    assert finding.outcome is Outcome.NOT_APPLICABLE

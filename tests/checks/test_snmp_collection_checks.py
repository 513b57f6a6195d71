"""COL-001…005 turn collection errors into ERROR findings; HRD-001 reads the community probe."""

from __future__ import annotations

from auditor.inventory.models import Device, Inventory
from auditor.model.collection import CollectionFailure, FailureKind
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


KINDS = (
    FailureKind.TIMEOUT,
    FailureKind.AUTH,
    FailureKind.MALFORMED,
    FailureKind.RUNAWAY,
    FailureKind.CREDENTIAL,
)


def _error(kind: FailureKind, device: str = "sw1", subject: str = "snmp") -> CollectionFailure:
    return CollectionFailure(
        device=device,
        kind=kind,
        subject=subject,
        detail="detail",
        facts={"where": "192.0.2.1:161", "timeout": "2.0", "tries": "2", "version": "v2c"},
    )


def test_each_collection_check_reports_only_the_errors_of_its_own_kind_as_errors() -> None:
    context = builders.context()
    context.collection_errors = [
        _error(kind, device=f"sw{n}") for n, kind in enumerate(KINDS, start=1)
    ]
    for number, check in enumerate(COLLECTION_CHECKS, start=1):
        findings = list(check().evaluate(context))
        assert [(f.check_id, f.device, f.outcome) for f in findings] == [
            (f"COL-00{number}", f"sw{number}", Outcome.ERROR)
        ]
        assert findings[0].evidence[0].detail == "detail"


def test_the_snmp_messages_are_worded_by_the_checks_in_both_languages() -> None:
    context = builders.context()
    context.collection_errors = [_error(kind, device="sw1") for kind in KINDS]
    messages = {
        check.id: (finding.message_en, finding.message_ja)
        for check in COLLECTION_CHECKS
        for finding in check().evaluate(context)
    }
    assert messages["COL-001"] == (
        "No SNMP answer from sw1 (192.0.2.1:161) after 2 tries of 2.0s. With SNMPv2c a wrong "
        "community looks exactly like this: the agent drops the request silently, so check the "
        "community as well as reachability.",
        "sw1 (192.0.2.1:161) から SNMP 応答がありません（2.0秒×2回）。SNMPv2c ではコミュニティ名の"
        "誤りも応答なしと区別できません。到達性とコミュニティ名の両方を確認してください。",
    )
    assert messages["COL-002"] == (
        "SNMPv3 authentication to sw1 (192.0.2.1:161) failed: detail.",
        "sw1 (192.0.2.1:161) への SNMPv3 認証に失敗しました: detail",
    )
    assert messages["COL-004"][0] == "Walking sw1 (192.0.2.1:161) was stopped: detail."
    assert messages["COL-005"] == (
        "The SNMP credential of sw1 could not be resolved: detail.",
        "sw1 の SNMP 認証情報を取得できません: detail",
    )


def test_a_table_level_error_keeps_its_table_subject_and_the_device_zone() -> None:
    inventory = Inventory(
        devices=[Device(name="sw1", address="127.0.0.1", platform="generic", zones=["lgwan"])]
    )
    context = builders.context(inventory=inventory)
    context.collection_errors = [_error(FailureKind.RUNAWAY, subject="table:dot1qTpFdbTable")]
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
        "snmp-community:v2c:policy-forbidden-3",  # third of the sorted policy list
        "snmp-community:v2c:public",
    ]
    assert all(f.severity is Severity.HIGH and f.outcome is Outcome.FAIL for f in findings)
    # A configured (policy-forbidden) community is a secret: named by place, never by value.
    assert not any("shiyakusho" in f.message_en + f.message_ja for f in findings)


def test_the_configured_community_is_left_to_hrd_004_one_fact_one_finding() -> None:
    required = _context_with_probe(["v2c:<configured>"], snmp_require_v3=True)
    assert list(SnmpDefaultCommunityAccepted().evaluate(required)) == []


def test_a_device_that_rejected_every_probe_passes_the_default_community_check() -> None:
    context = _context_with_probe([], snmp_require_v3=True)
    assert list(SnmpDefaultCommunityAccepted().evaluate(context)) == []


def test_a_device_never_probed_is_not_applicable_rather_than_compliant() -> None:
    context = _context_with_probe(None)
    (finding,) = SnmpDefaultCommunityAccepted().evaluate(context)
    assert finding.outcome is Outcome.NOT_APPLICABLE

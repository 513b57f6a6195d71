"""COL-101…108 turn SSH collection errors into ERROR findings; COL-109 reports unparsed lines."""

from __future__ import annotations

from auditor.collect.base import CollectionError
from auditor.model.findings import Outcome, Severity
from auditor.model.snapshot import DeviceSnapshot
from auditor_checks.collection import ssh_errors
from auditor_checks.collection.ssh_coverage import UnparsedConfigurationLines
from tests import builders

SSH_CHECKS = (
    ssh_errors.SshAuthenticationFailure,
    ssh_errors.SshUnreachable,
    ssh_errors.SshUnexpectedPrompt,
    ssh_errors.SshCommandRejected,
    ssh_errors.SshParserFailure,
    ssh_errors.SshHostKeyRejected,
    ssh_errors.SshCredentialUnresolved,
    ssh_errors.SshReadOnlyViolation,
)


def _error(check_id: str, device: str) -> CollectionError:
    return CollectionError(device, check_id, f"{check_id} on {device}", f"{device} で {check_id}")


def test_each_ssh_check_reports_only_its_own_errors_as_error_findings() -> None:
    context = builders.context()
    context.collection_errors = [_error(f"COL-10{n}", f"dev{n}") for n in range(1, 9)]
    for number, check in enumerate(SSH_CHECKS, start=1):
        findings = list(check().evaluate(context))
        assert [(f.check_id, f.device, f.outcome) for f in findings] == [
            (f"COL-10{number}", f"dev{number}", Outcome.ERROR)
        ]


def test_no_collection_error_means_no_ssh_finding() -> None:
    context = builders.context()
    for check in SSH_CHECKS:
        assert list(check().evaluate(context)) == []


def test_unparsed_configuration_lines_give_one_info_finding_quoting_them() -> None:
    context = builders.context()
    context.snapshots = {
        "rt1": DeviceSnapshot(
            device="rt1",
            collected_at=builders.AUDIT_TIME,
            unparsed_config_lines=["ip nat inside source static 10.0.0.5 203.0.113.5"],
        ),
        "sw1": DeviceSnapshot(device="sw1", collected_at=builders.AUDIT_TIME),
    }
    findings = list(UnparsedConfigurationLines().evaluate(context))
    assert [(f.device, f.severity, f.subject) for f in findings] == [
        ("rt1", Severity.INFO, "config-coverage")
    ]
    assert "ip nat inside" in findings[0].evidence[0].detail

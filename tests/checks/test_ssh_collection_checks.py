"""COL-101…108 turn SSH collection errors into ERROR findings; COL-109 reports unparsed lines."""

from __future__ import annotations

from auditor.model.collection import CollectionFailure, FailureKind
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


KINDS = (
    FailureKind.SSH_AUTH,
    FailureKind.SSH_UNREACHABLE,
    FailureKind.PROMPT,
    FailureKind.REJECTED,
    FailureKind.PARSER,
    FailureKind.HOST_KEY,
    FailureKind.SSH_CREDENTIAL,
    FailureKind.READ_ONLY,
)


def _error(kind: FailureKind, device: str, **facts: str) -> CollectionFailure:
    return CollectionFailure(device, kind, subject="ssh", detail="detail", facts=facts)


def test_each_ssh_check_reports_only_its_own_errors_as_error_findings() -> None:
    context = builders.context()
    context.collection_errors = [_error(kind, f"dev{n}") for n, kind in enumerate(KINDS, start=1)]
    for number, check in enumerate(SSH_CHECKS, start=1):
        findings = list(check().evaluate(context))
        assert [(f.check_id, f.device, f.outcome) for f in findings] == [
            (f"COL-10{number}", f"dev{number}", Outcome.ERROR)
        ]


def test_several_kinds_share_one_check_with_their_own_wording() -> None:
    context = builders.context()
    context.collection_errors = [
        _error(FailureKind.PARSER, "rt1", platform="yamaha_rtx", exception="KeyError"),
        _error(FailureKind.UNPARSED_OUTPUT, "rt2", command="show lldp neighbors"),
        _error(FailureKind.SSH_SESSION, "rt3", where="192.0.2.3:22", exception="EOFError"),
        _error(FailureKind.SSH_CREDENTIAL, "rt4", secret="enable secret", reason="KeyError"),
    ]
    findings = [
        (f.check_id, f.device, f.message_en, f.message_ja)
        for check in SSH_CHECKS
        for f in check().evaluate(context)
    ]
    assert findings == [
        (
            "COL-103",
            "rt3",
            "rt3 (192.0.2.3:22): unexpected SSH session behaviour (EOFError)",
            "rt3 (192.0.2.3:22): SSH セッションが想定外の動作をしました(EOFError)",
        ),
        (
            "COL-105",
            "rt1",
            "rt1: the yamaha_rtx parser failed (KeyError); the outputs were collected but not "
            "understood",
            "rt1: yamaha_rtx のパーサが失敗しました(KeyError)。出力は取得済みですが解釈できていません",
        ),
        (
            "COL-105",
            "rt2",
            "rt2: the output of 'show lldp neighbors' could not be parsed; the facts it gives are "
            "missing from this snapshot",
            "rt2: 'show lldp neighbors' の出力を解析できませんでした。"
            "このコマンドから得る情報はスナップショットにありません",
        ),
        (
            "COL-107",
            "rt4",
            "rt4: the SSH enable secret could not be read (KeyError)",
            "rt4: SSH の特権パスワードを読み取れませんでした",
        ),
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

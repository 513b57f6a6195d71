"""The two checks that need no collector: expired exceptions and incomplete ledger rows."""

from __future__ import annotations

from auditor.inventory.models import AssetLedger, LedgerIssue
from auditor.model.findings import Outcome
from auditor_checks.ledger.missing_mandatory_field import LedgerMandatoryFieldMissing
from auditor_checks.ledger.unreadable_row import LedgerRowUnreadable
from auditor_checks.meta.exception_expired import ExceptionExpired
from tests import builders


def _exception(expires: str, ident: str = "EX-1") -> dict[str, object]:
    return {
        "id": ident,
        "check": "LED-001",
        "reason": "移設予定",
        "approver": "情報政策課長",
        "approval_number": "情政第1号",
        "expires": expires,
    }


def test_an_exception_past_its_expiry_is_reported_with_its_approval_number() -> None:
    policy = builders.policy(exceptions=[_exception("2026-10-31")])
    findings = list(ExceptionExpired().evaluate(builders.context(policy_obj=policy)))
    assert len(findings) == 1
    assert findings[0].subject == "exception:EX-1"
    assert "情政第1号" in findings[0].message_ja
    assert "24 days ago" in findings[0].message_en


def test_an_exception_still_valid_or_expiring_today_is_not_reported() -> None:
    policy = builders.policy(
        exceptions=[_exception("2027-03-31", "EX-1"), _exception("2026-11-24", "EX-2")]
    )
    assert list(ExceptionExpired().evaluate(builders.context(policy_obj=policy))) == []


def test_grace_days_from_the_policy_delay_the_expiry_finding() -> None:
    policy = builders.policy(
        exceptions=[_exception("2026-11-20")],
        rules={"POL-001": {"parameters": {"grace_days": 7}}},
    )
    assert list(ExceptionExpired().evaluate(builders.context(policy_obj=policy))) == []


def test_a_ledger_row_without_owner_department_is_reported_by_asset_number() -> None:
    ledger = AssetLedger(
        source="ledger.csv",
        rows=[builders.ledger_row(2), builders.ledger_row(3, owner_department=None)],
    )
    findings = list(LedgerMandatoryFieldMissing().evaluate(builders.context(ledger=ledger)))
    assert [f.subject for f in findings] == ["ledger-row:A-0003"]
    assert "管理部署" in findings[0].message_ja
    assert "owner_department" in findings[0].message_en


def test_complete_ledger_rows_produce_no_finding() -> None:
    ledger = AssetLedger(source="ledger.csv", rows=[builders.ledger_row(n) for n in range(2, 6)])
    assert list(LedgerMandatoryFieldMissing().evaluate(builders.context(ledger=ledger))) == []


def test_mandatory_fields_come_from_the_policy() -> None:
    ledger = AssetLedger(source="ledger.csv", rows=[builders.ledger_row(2, serial=None)])
    policy = builders.policy(ledger={"mandatory_fields": ["asset_id", "serial"]})
    findings = list(
        LedgerMandatoryFieldMissing().evaluate(builders.context(policy_obj=policy, ledger=ledger))
    )
    assert len(findings) == 1
    assert "シリアル番号" in findings[0].message_ja


def test_an_unreadable_ledger_row_is_an_error_finding_naming_its_row() -> None:
    ledger = AssetLedger(
        source="ledger.csv",
        issues=[LedgerIssue(source="ledger.csv", row_number=7, message="bad MAC '00:11'")],
    )
    findings = list(LedgerRowUnreadable().evaluate(builders.context(ledger=ledger)))
    assert len(findings) == 1
    assert findings[0].outcome is Outcome.ERROR
    assert findings[0].subject == "ledger-row:#7"
    assert "7 行目" in findings[0].message_ja


def test_a_ledger_without_problems_produces_no_unreadable_row_finding() -> None:
    ledger = AssetLedger(source="ledger.csv", rows=[builders.ledger_row(2)])
    assert list(LedgerRowUnreadable().evaluate(builders.context(ledger=ledger))) == []

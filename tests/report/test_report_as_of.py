"""A report of a past date shows that day's statuses, replayed from the event history; the
workflow (owner, due date, comments, 対応中) reaches the report findings."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from auditor.report.data import load_report_data
from auditor.store import Store
from auditor.store.workflow import assign_finding, comment_finding, set_due, set_progress
from tests.store.helpers import exception_policy, finding, run_once

DAY1 = datetime(2026, 11, 22, 1, 0, tzinfo=UTC)  # 10:00 JST
TODAY = DAY1 + timedelta(days=3)


def _store(tmp_path: Path) -> Store:
    store = Store(f"sqlite:///{tmp_path / 'auditor.db'}")
    store.upgrade()
    return store


def test_three_runs_over_three_days_each_report_shows_its_own_day(tmp_path: Path) -> None:
    telnet = finding(subject="line vty 0 4")
    snmp = finding("HRD-002", subject="community public")
    with _store(tmp_path) as store:
        # day 1: both new; day 2: telnet gone (resolved), snmp excepted; day 3: telnet is back.
        run_once(store, [telnet, snmp], at=DAY1, checks=["HRD-001", "HRD-002"])
        run_once(
            store,
            [snmp],
            at=DAY1 + timedelta(days=1),
            checks=["HRD-001", "HRD-002"],
            policy=exception_policy("HRD-002", expires=date(2027, 3, 31)),
        )
        run_once(store, [telnet, snmp], at=DAY1 + timedelta(days=2), checks=["HRD-001", "HRD-002"])
        assign_finding(store, telnet.fingerprint, owner="総務課", actor="yamada", now=TODAY)

        def statuses(day: date) -> dict[str, str]:
            data = load_report_data(store, report_date=day, now=TODAY, with_chain_head=False)
            assert data.as_of is not None
            return {f.check_id: f.status for f in data.findings}

        assert statuses(date(2026, 11, 22)) == {"HRD-001": "new", "HRD-002": "new"}
        assert statuses(date(2026, 11, 23)) == {"HRD-001": "resolved", "HRD-002": "suppressed"}
        assert statuses(date(2026, 11, 24)) == {"HRD-001": "reopened", "HRD-002": "open"}
        day2 = load_report_data(
            store, report_date=date(2026, 11, 23), now=TODAY, with_chain_head=False
        )
        assert [f.check_id for f in day2.still_open] == []
        [suppressed] = day2.suppressed
        assert suppressed.suppression is not None
        assert suppressed.suppression.exception_id == "EX-7"
        assert {f.check_id: f.owner for f in day2.findings} == {"HRD-001": None, "HRD-002": None}
        today = load_report_data(store, now=TODAY, with_chain_head=False)
        assert today.as_of is None
        assert {f.check_id: f.owner for f in today.findings}["HRD-001"] == "総務課"


def test_workflow_fields_reach_the_report_and_in_progress_counts_as_open(tmp_path: Path) -> None:
    telnet = finding()
    with _store(tmp_path) as store:
        run_once(store, [telnet], at=DAY1)
        assign_finding(store, telnet.fingerprint, owner="情報政策課", actor="sato", now=DAY1)
        set_due(store, telnet.fingerprint, due=date(2026, 12, 31), actor="sato", now=DAY1)
        comment_finding(store, telnet.fingerprint, text="更新予定", actor="sato", now=DAY1)
        set_progress(store, telnet.fingerprint, in_progress=True, actor="sato", now=DAY1)
        data = load_report_data(store, now=DAY1 + timedelta(hours=1), with_chain_head=False)
    [row] = data.still_open
    assert row.in_progress and row.status == "in_progress"
    assert (row.owner, row.due) == ("情報政策課", date(2026, 12, 31))
    assert [(c.by, c.text) for c in row.comments] == [("sato", "更新予定")]
    assert sum(data.severity_totals().values()) == 1

"""Manual suppressions: chained events, and kept across runs once merged into the policy."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from auditor.store import Store
from auditor.store.manual import manual_exceptions, suppress_finding
from tests.report.city import FILLER, FORMULA, City, populate


def test_a_manual_suppression_survives_the_next_run_when_merged_into_the_policy(
    tmp_path: Path,
) -> None:
    with Store(f"sqlite:///{tmp_path / 'm.db'}") as store:
        store.upgrade()
        city: City = populate(store)
        exceptions = manual_exceptions(store)
        assert [e.id for e in exceptions] == ["manual:情政第2026-120号"]
        (exception,) = exceptions
        assert exception.check == FILLER[6].check_id
        assert exception.selector.device == FILLER[6].device
        policy = city.policy.model_copy(
            update={"exceptions": [*city.policy.exceptions, *exceptions]}
        )
        at = city.now + timedelta(hours=2)
        findings = [FILLER[6], FORMULA]
        run_id = store.begin_run("audit", "partial", ["lg-sw1", "inet-fw1"], "t", None, None, at)
        store.record_run(
            run_id,
            snapshots={},
            findings=findings,
            covered_devices={"lg-sw1", "inet-fw1"},
            evaluated_checks={f.check_id for f in findings},
            policy=policy,
            now=at,
            complete=True,
        )
        record, events = store.get_finding(FILLER[6].fingerprint)
        assert record.status == "suppressed"
        assert [e.event_type for e in events].count("unsuppressed") == 0
        assert store.verify().ok


def test_a_suppression_without_an_approval_number_is_refused(tmp_path: Path) -> None:
    with Store(f"sqlite:///{tmp_path / 'r.db'}") as store:
        store.upgrade()
        city = populate(store)
        with pytest.raises(ValueError, match="required"):
            suppress_finding(
                store,
                FORMULA.fingerprint,
                actor="a",
                reason="r",
                approver="b",
                approval_number=" ",
                expires=city.now.date(),
            )


def test_an_acknowledgement_shows_in_the_report_and_the_exports(tmp_path: Path) -> None:
    from auditor.report.data import load_report_data
    from auditor.report.exports import finding_json
    from auditor.report.render import render_report
    from tests.report.city import SEG

    with Store(f"sqlite:///{tmp_path / 'a.db'}") as store:
        store.upgrade()
        city = populate(store)
        store.ack(SEG.fingerprint, actor="tanaka", note="配線変更を依頼済み", now=city.now)
        data = load_report_data(store, policy=city.policy, now=city.now)
    seg = next(f for f in data.findings if f.fingerprint == SEG.fingerprint)
    assert seg.acknowledged_by == "tanaka"
    assert finding_json(seg)["acknowledged"]["by"] == "tanaka"
    html = render_report(data, "html", "ja")
    row = next(r for r in html.split("<tr>") if SEG.subject in r and "mn-sw1" in r)
    assert "確認済み ✓" in row

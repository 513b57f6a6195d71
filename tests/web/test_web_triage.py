"""Triage in the console goes through the store's workflow: the same chained events the CLI
writes, seen by ``auditor findings show``, the report and exports; ``auditor verify`` passes."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from starlette.testclient import TestClient

from auditor.report.service import build_report, load_inputs
from auditor.store import EventType, FindingStatus, Store
from tests.cli_tree import CliRunner, build_app
from tests.web.city import fingerprint_of
from tests.web.conftest import login


def _db(web: TestClient) -> str:
    return str(web.app.state.console.config.db_url)  # type: ignore[attr-defined]


def _post(web: TestClient, fingerprint: str, action: str, csrf: str, **form: str) -> int:
    answer = web.post(f"/findings/{fingerprint}/{action}", data={"csrf": csrf, **form})
    return answer.status_code


def test_web_triage_is_recorded_in_the_chain_and_seen_everywhere(
    web: TestClient, tmp_path: Path
) -> None:
    telnet = fingerprint_of("HRD-001")
    csrf = login(web, "triager1")
    assert _post(web, telnet, "ack", csrf, note="見ました") == 303
    assert _post(web, telnet, "assign", csrf, owner="総務課") == 303
    assert _post(web, telnet, "comment", csrf, text="業者に確認中です") == 303
    assert _post(web, telnet, "due", csrf, due="2026-12-31") == 303
    assert _post(web, telnet, "progress", csrf) == 303
    assert _post(web, telnet, "due", csrf, due="31/12/2026") == 400
    assert (
        _post(
            web,
            telnet,
            "request",
            csrf,
            reason="機器更新まで",
            approver="情報政策課長",
            approval_number="R8-情-0099",
            expires="2027-03-31",
        )
        == 303
    )
    page = web.get(f"/findings/{telnet}")
    assert "情報政策課長" in page.text and 'id="approve"' not in page.text
    assert _post(web, telnet, "approve", csrf) == 403  # a triager cannot approve

    csrf = login(web, "approver1")
    assert 'id="approve"' in web.get(f"/findings/{telnet}").text
    assert _post(web, telnet, "approve", csrf) == 303

    with Store(_db(web)) as store:
        record, events = store.get_finding(telnet)
        assert record.status is FindingStatus.SUPPRESSED
        assert record.owner == "総務課" and str(record.due) == "2026-12-31"
        assert record.acknowledged_by == "triager1"
        workflow = [(e.event_type, e.actor) for e in events if e.event_type != EventType.SEEN]
        assert workflow[-7:] == [
            (EventType.ACKED, "triager1"),
            (EventType.ASSIGNED, "triager1"),
            (EventType.COMMENTED, "triager1"),
            (EventType.DUE_SET, "triager1"),
            (EventType.PROGRESS_STARTED, "triager1"),
            (EventType.SUPPRESSION_REQUESTED, "triager1"),
            (EventType.SUPPRESSED, "approver1"),
        ]
        suppressed = events[-1].payload
        assert suppressed["manual"] is True and suppressed["requested_by"] == "triager1"
        assert store.verify().ok
        assert any(e.fingerprint == record.fingerprint for e in store.list_events())

        data = build_report(store, load_inputs(None, None))
        shown = next(f for f in data.findings if f.fingerprint == telnet)
        assert shown.owner == "総務課"
        assert [c.text for c in shown.comments] == ["業者に確認中です"]
        assert shown.suppression is not None
        assert shown.suppression.approval_number == "R8-情-0099"

    runner = CliRunner()
    app = build_app("en")
    show = runner.invoke(app, ["findings", "show", telnet[:12], "--db", _db(web)])
    assert show.exit_code == 0, show.output
    types = [e["event_type"] for e in json.loads(show.output)["events"]]
    assert "suppression_requested" in types and types[-1] == "suppressed"
    verify = runner.invoke(app, ["verify", "--db", _db(web)])
    assert verify.exit_code == 0, verify.output
    out = tmp_path / "export.csv"
    exported = runner.invoke(
        app, ["export", "--format", "csv", "--out", str(out), "--db", _db(web), "--no-policy"]
    )
    assert exported.exit_code == 0, exported.output
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    row = next(r for r in rows if r["fingerprint"] == telnet)
    assert row["owner"] == "総務課" and "業者に確認中です" in row["comments"]

    # The console's own download carries the same triage.
    download = web.get("/findings.csv?check=HRD-001")
    assert download.status_code == 200
    assert "業者に確認中です" in download.content.decode("utf-8-sig")


def test_the_requester_cannot_approve_their_own_request(web: TestClient) -> None:
    egress = fingerprint_of("SEG-005")
    csrf = login(web, "approver1")
    request = {
        "reason": "移行期間",
        "approver": "CISO",
        "approval_number": "R8-1",
        "expires": "2027-01-31",
    }
    assert _post(web, egress, "request", csrf, **request) == 303
    assert 'id="approve"' not in web.get(f"/findings/{egress}").text
    assert _post(web, egress, "approve", csrf) == 403
    csrf = login(web, "admin1")
    assert _post(web, egress, "approve", csrf) == 303
    assert _post(web, egress, "approve", csrf) == 400  # nothing pending any more
    with Store(_db(web)) as store:
        record, events = store.get_finding(egress)
        assert record.status is FindingStatus.SUPPRESSED and events[-1].actor == "admin1"
        assert store.verify().ok


def test_an_invalid_request_is_refused_and_records_nothing(web: TestClient) -> None:
    syslog = fingerprint_of("MON-001")
    csrf = login(web, "triager1")
    with Store(_db(web)) as store:
        before = len(store.get_finding(syslog)[1])
    assert _post(web, syslog, "request", csrf, reason="", approver="x", expires="2027-01-01") == 400
    assert _post(web, syslog, "comment", csrf, text="   ") == 400
    assert _post(web, "0" * 64, "comment", csrf, text="x") == 404
    with Store(_db(web)) as store:
        assert len(store.get_finding(syslog)[1]) == before


def test_the_overview_shows_its_last_copy_while_it_is_read_again(web: TestClient) -> None:
    pages = web.app.state.console.data  # type: ignore[attr-defined]
    csrf = login(web, "triager1")
    first = web.get("/")
    assert first.status_code == 200 and "overview-stale" not in first.text
    _, stale = pages.report_data()
    assert not stale
    assert _post(web, fingerprint_of("HRD-001"), "progress", csrf) == 303  # the head moves
    _, stale = pages.report_data()
    assert stale  # the last copy, while a thread reads the new one
    assert pages._done.wait(120)  # the background read report_data started
    data, stale = pages.report_data()
    assert data is not None and not stale
    shown = next(f for f in data.findings if f.fingerprint == fingerprint_of("HRD-001"))
    assert shown.status == "in_progress"

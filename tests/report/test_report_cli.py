"""``auditor report``, ``auditor export`` and ``auditor findings suppress`` from the shell."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import typer
from typer.testing import CliRunner

from auditor.cli.report import register_report
from auditor.store import Store
from tests.report.city import POLICY_DIR, City, populate


def _app(lang: str = "ja") -> typer.Typer:
    """A stand-in for ``auditor.cli.app.build_app``: a root app with an existing ``findings`` group."""
    app = typer.Typer(no_args_is_help=True, add_completion=False)
    findings = typer.Typer(no_args_is_help=True)

    @findings.command("list")
    def findings_list() -> None:
        """Present so the group is a group, as in auditor.cli.app."""

    app.add_typer(findings, name="findings")
    register_report(app, lang)  # type: ignore[arg-type]
    return app


def _invoke(*args: str) -> str:
    result = CliRunner().invoke(_app(), list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_report_writes_html_text_and_markdown(stored_city: City, tmp_path: Path) -> None:
    db = stored_city.store.url
    out = tmp_path / "report.html"
    _invoke("report", "--db", db, "--policy", str(POLICY_DIR), "--out", str(out))
    html = out.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and 'id="zone-matrix"' in html
    text = _invoke(
        "report", "--db", db, "--policy", str(POLICY_DIR), "--format", "text", "--lang", "en"
    )
    assert "Open findings by zone and severity" in text
    md = tmp_path / "report.md"
    _invoke("report", "--db", db, "--format", "md", "--out", str(md), "--policy", str(POLICY_DIR))
    assert md.read_text(encoding="utf-8").startswith("# ")


def test_export_applies_every_filter_option(stored_city: City, tmp_path: Path) -> None:
    out = tmp_path / "high.json"
    _invoke(
        "export",
        "--format",
        "json",
        "--out",
        str(out),
        "--db",
        stored_city.store.url,
        "--policy",
        str(POLICY_DIR),
        "--severity",
        "high",
        "--severity",
        "critical",
        "--status",
        "new",
        "--status",
        "open",
        "--status",
        "reopened",
        "--zone",
        "lgwan",
        "--check",
        "SEG",
        "--clause",
        "4-1-2",
        "--since",
        (datetime.now(UTC) - timedelta(days=30)).date().isoformat(),
        "--until",
        (datetime.now(UTC) + timedelta(days=1)).date().isoformat(),
    )
    document = json.loads(out.read_text(encoding="utf-8"))
    assert [f["check_id"] for f in document["findings"]] == ["SEG-002"]
    assert document["filters"]["zone"] == ["lgwan"]


def test_export_writes_a_cp932_csv_on_request(stored_city: City, tmp_path: Path) -> None:
    out = tmp_path / "old-excel.csv"
    _invoke(
        "export",
        "--format",
        "csv",
        "--encoding",
        "cp932",
        "--out",
        str(out),
        "--db",
        stored_city.store.url,
        "--policy",
        str(POLICY_DIR),
    )
    assert not out.read_bytes().startswith(b"\xef\xbb\xbf")
    assert "マイナンバー" in out.read_bytes().decode(
        "cp932"
    ) or "SEG-001" in out.read_bytes().decode("cp932")


def test_findings_suppress_records_a_chained_event_seen_by_report_and_exports(
    tmp_path: Path,
) -> None:
    db = f"sqlite:///{tmp_path / 'suppress.db'}"
    with Store(db) as store:
        store.upgrade()
        city = populate(store)
        target = next(
            r for r in store.list_findings(status="open") if r.check_id == "HRD-001"
        ).fingerprint
    expires = (datetime.now(UTC) + timedelta(days=60)).date().isoformat()
    output = _invoke(
        "findings",
        "suppress",
        target[:12],
        "--reason",
        "保守契約の更新待ち",
        "--approver",
        "情報政策課長",
        "--approval-number",
        "情政第2026-200号",
        "--expires",
        expires,
        "--by",
        "suzuki",
        "--db",
        db,
    )
    assert target in output
    with Store(db) as store:
        record, events = store.get_finding(target)
        assert record.status == "suppressed"
        last = events[-1]
        assert last.event_type == "suppressed" and last.actor == "suzuki"
        assert last.payload["approval_number"] == "情政第2026-200号"
        assert store.verify().ok
    out = tmp_path / "s.json"
    _invoke(
        "export",
        "--format",
        "json",
        "--out",
        str(out),
        "--db",
        db,
        "--status",
        "suppressed",
        "--policy",
        str(POLICY_DIR),
    )
    suppressed = {f["fingerprint"]: f for f in json.loads(out.read_text())["findings"]}
    assert suppressed[target]["suppression"]["by"] == "suzuki"
    assert suppressed[target]["suppression"]["expires"] == expires
    report = _invoke("report", "--db", db, "--format", "text", "--policy", str(POLICY_DIR))
    assert "情政第2026-200号" in report
    assert city.manual_fingerprint


def test_findings_suppress_refuses_an_expiry_in_the_past(stored_city: City) -> None:
    result = CliRunner().invoke(
        _app(),
        [
            "findings",
            "suppress",
            stored_city.manual_fingerprint[:12],
            "--reason",
            "x",
            "--approver",
            "y",
            "--approval-number",
            "z",
            "--expires",
            "2000-01-01",
            "--db",
            stored_city.store.url,
        ],
    )
    assert result.exit_code == 2


def test_export_rejects_an_unknown_status_with_a_usage_error(
    stored_city: City, tmp_path: Path
) -> None:
    result = CliRunner().invoke(
        _app(),
        [
            "export",
            "--format",
            "json",
            "--out",
            str(tmp_path / "x.json"),
            "--status",
            "fixed",
            "--db",
            stored_city.store.url,
        ],
    )
    assert result.exit_code == 2
    assert not (tmp_path / "x.json").exists()


def test_register_report_mounts_on_the_real_command_tree() -> None:
    from auditor.cli.app import build_app

    app = build_app("en")
    if "report" not in {command.name for command in app.registered_commands}:
        register_report(app, "en")
    runner = CliRunner()
    for args in (["report", "--help"], ["export", "--help"], ["findings", "suppress", "--help"]):
        result = runner.invoke(app, args)
        assert result.exit_code == 0, (args, result.output)
    assert "--approval-number" in runner.invoke(app, ["findings", "suppress", "--help"]).output
    assert "ack" in runner.invoke(app, ["findings", "--help"]).output

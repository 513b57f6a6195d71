"""``auditor findings assign|comment|due|progress`` record events that ``auditor verify`` accepts."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from auditor.cli.app import build_app
from auditor.store import EventType, FindingStatus, Store
from tests.store.helpers import day, finding, run_once


def test_the_workflow_commands_change_the_finding_and_keep_the_chain_valid(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'auditor.db'}"
    telnet = finding()
    with Store(url) as store:
        store.upgrade()
        run_once(store, [telnet], at=day(0))
    prefix = telnet.fingerprint[:12]
    app = build_app("ja")
    runner = CliRunner()
    commands = [
        ["findings", "assign", prefix, "--owner", "総務課", "--by", "yamada"],
        ["findings", "comment", prefix, "--text", "業者に確認中", "--by", "yamada"],
        ["findings", "due", prefix, "--date", "2026-12-31"],
        ["findings", "progress", prefix, "--by", "sato"],
    ]
    for command in commands:
        result = runner.invoke(app, [*command, "--db", url])
        assert result.exit_code == 0, (command, result.output)
    refused = runner.invoke(app, ["findings", "due", prefix, "--date", "31/12/2026", "--db", url])
    assert refused.exit_code == 2
    with Store(url) as store:
        record, events = store.get_finding(prefix)
        assert record.status is FindingStatus.IN_PROGRESS
        assert record.owner == "総務課" and str(record.due) == "2026-12-31"
        assert [e.event_type for e in events][-4:] == [
            EventType.ASSIGNED,
            EventType.COMMENTED,
            EventType.DUE_SET,
            EventType.PROGRESS_STARTED,
        ]
        assert events[-2].actor  # the OS user when --by is not given
    verify = runner.invoke(app, ["verify", "--db", url])
    assert verify.exit_code == 0, verify.output
    back = runner.invoke(
        app, ["findings", "progress", prefix, "--stop", "--by", "sato", "--db", url]
    )
    assert back.exit_code == 0, back.output
    again = runner.invoke(
        app, ["findings", "progress", prefix, "--stop", "--by", "sato", "--db", url]
    )
    assert again.exit_code == 2

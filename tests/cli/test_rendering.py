"""Issue 17: readable at 80 columns, progress in devices, ``check DEVICE`` about DEVICE."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from rich.cells import cell_len
from rich.console import Console
from rich.progress import Progress, TextColumn

from auditor.cli.progress import DeviceProgress
from tests.cli_tree import CliRunner, build_app
from tests.test_cli import city_files  # noqa: F401 - the fixture: policy, inventory, ledger, db


def invoke(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(build_app("en"), list(args), env=env, catch_exceptions=False)  # type: ignore[arg-type]
    return result.exit_code, result.stdout, result.stderr


def run_args(city_files: dict[str, Path]) -> list[str]:  # noqa: F811 - the fixture's value
    return [
        "--policy", str(city_files["policy"]), "--inventory", str(city_files["inventory"]),
        "--ledger", str(city_files["ledger"]), "--db", str(city_files["db"]),
    ]  # fmt: skip


def column(out: str, index: int) -> str:
    """The text of one table column, its wrapped lines joined (box characters dropped)."""
    parts = [line.split("│")[index] for line in out.splitlines() if line.count("│") > index]
    return "".join(part.strip() for part in parts)


def test_tables_fit_80_columns_and_wrap_instead_of_cutting(city_files: dict[str, Path]) -> None:  # noqa: F811
    code, out, err = invoke(
        "run", *run_args(city_files), "--fail-on", "never", env={"COLUMNS": "80"}
    )
    assert code == 0, err
    assert out and max(cell_len(line) for line in out.splitlines()) <= 80
    assert "…" not in out
    assert "ledger-row:A-0002" in column(out, 4)  # the subject folded over lines, not cut
    assert "(A-0002)" in column(out, 5).replace(" ", "")
    code, out, _ = invoke("findings", "list", "--db", str(city_files["db"]), env={"COLUMNS": "80"})
    assert code == 0
    assert max(cell_len(line) for line in out.splitlines()) <= 80 and "…" not in out
    assert "ledger-row:A-0002" in column(out, 6)


def test_not_applicable_is_explained_in_words(city_files: dict[str, Path]) -> None:  # noqa: F811
    _, out, _ = invoke("run", *run_args(city_files), "--fail-on", "never")
    # The sentence may wrap at the terminal's width: read it with the line breaks folded.
    text = " ".join(out.split())
    sentence = text[text.index("Not applicable") :]
    assert "not violations" in sentence and "--format json" in sentence


def test_progress_counts_devices_and_names_the_one_it_waits_for() -> None:
    # snmp on three devices, then ssh on two of them: five steps, three devices
    tracker = DeviceProgress([["sw1", "sw2", "fw1"], ["sw1", "fw1"]], "en")
    assert tracker.total == 3
    assert tracker.text() == "0/3 devices — collecting: waiting for sw1 and 2 more"
    tracker.report("sw2")
    tracker.report("sw1")
    assert tracker.text() == "1/3 devices — collecting: waiting for fw1"
    tracker.report("fw1")  # snmp over; ssh has both still to do
    assert tracker.text() == "1/3 devices — collecting: waiting for sw1 and 1 more"
    tracker.report("sw1")
    tracker.report("fw1")
    assert tracker.text() == "3/3 devices — collection done"
    ja = DeviceProgress([["sw1"]], "ja")
    assert ja.text() == "0/1 台 — 収集中: 待機中: sw1"


def test_a_collector_that_reports_nothing_does_not_stall_the_count() -> None:
    tracker = DeviceProgress([["sw1", "sw2"], ["sw1"]], "en")
    tracker.report("sw1")  # snmp crashed after sw1; the next report is ssh's
    tracker.report("sw1")
    assert tracker.done == 2 and tracker.waiting() == []


def test_the_progress_line_renders_the_device_count() -> None:
    tracker = DeviceProgress([["core-sw1", "edge-sw2"]], "en")
    buffer = io.StringIO()
    console = Console(file=buffer, width=80, force_terminal=False)
    with Progress(
        TextColumn("{task.completed:.0f}/{task.total:.0f} devices"),
        TextColumn("{task.description}"),
        console=console,
        auto_refresh=False,
    ) as progress:
        task = progress.add_task(tracker.description(), total=tracker.total)
        tracker.report("core-sw1")
        progress.update(task, completed=tracker.done, description=tracker.description())
        progress.refresh()
    assert "1/2 devices collecting: waiting for edge-sw2" in buffer.getvalue()


def test_check_shows_only_its_device_unless_all(city_files: dict[str, Path]) -> None:  # noqa: F811
    args = ["check", "core-sw1", *run_args(city_files), "--fail-on", "low"]
    code, out, err = invoke(*args)
    assert "ledger-row:A-0002" not in out
    folded = " ".join(out.split())  # the sentence wraps at the terminal's width
    assert "about other devices or the ledger not shown (--all shows them)" in folded
    assert code == 0, err  # the ledger finding is not core-sw1's
    code, out, _ = invoke(*args, "--all", env={"COLUMNS": "200"})  # a wide table: one line per row
    assert "ledger-row:A-0002" in out
    assert code == 1


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_help_says_which_time_zone_bare_dates_use(lang: str) -> None:
    result = CliRunner().invoke(build_app(lang), ["--help"], env={"COLUMNS": "200"})  # type: ignore[arg-type]
    assert "Asia/Tokyo" in result.stdout and "AUDITOR_TIMEZONE" in result.stdout


def test_json_output_is_unchanged_by_columns(city_files: dict[str, Path]) -> None:  # noqa: F811
    code, out, _ = invoke("run", *run_args(city_files), "--format", "json", env={"COLUMNS": "40"})
    assert json.loads(out)["findings"]
    assert code in (0, 1)

"""``auditor lab``: start, stop, scale and inspect the simulated city network.

Help text is bilingual (日本語 / English); the main CLI mounts this ``app`` as ``lab``.
Exit codes: 0 ok, 2 invalid input, 3 the lab could not be started or stopped cleanly.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from auditor.lab.runner import (
    LabError,
    default_state_dir,
    lab_down,
    lab_scale,
    lab_status,
    lab_up,
    read_state,
)

app = typer.Typer(
    help="模擬自治体ネットワーク (ラボ) の起動・停止 / Start and stop the simulated city network",
    no_args_is_help=True,
)

StateDirOption = Annotated[
    Path | None,
    typer.Option(
        "--state-dir",
        help="ラボの状態ディレクトリ (既定: $AUDITOR_LAB_DIR または実行時ディレクトリ) / "
        "Lab state directory (default: $AUDITOR_LAB_DIR or the runtime directory)",
    ),
]


def _state_dir(value: Path | None) -> Path:
    return value if value is not None else default_state_dir()


@app.command("up")
def up(
    scenario: Annotated[
        Path | None,
        typer.Option(
            "--scenario",
            help="シナリオ YAML (既定: 例市) / Scenario YAML (default: the example city)",
            exists=True,
            dir_okay=False,
        ),
    ] = None,
    devices: Annotated[
        int | None,
        typer.Option(
            "--devices",
            min=1,
            help="合成都市の台数 (シナリオの代わり) / Size of a synthetic city instead of a scenario",
        ),
    ] = None,
    ssh_devices: Annotated[
        int | None,
        typer.Option(
            "--ssh-devices",
            min=0,
            help="SSH を提供する機器数の上限 / At most this many devices get an SSH CLI",
        ),
    ] = None,
    state_dir: StateDirOption = None,
) -> None:
    """ラボを起動 (バックグラウンド) / Start the lab in the background."""
    if scenario is not None and devices is not None:
        typer.echo("--scenario と --devices は同時に指定できません / give --scenario or --devices")
        raise typer.Exit(2)
    directory = _state_dir(state_dir)
    try:
        state = lab_up(scenario, directory, devices=devices, ssh_devices=ssh_devices)
    except LabError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(3) from None
    snmp = sum(1 for device in state.devices.values() if device.snmp_port)
    ssh = sum(1 for device in state.devices.values() if device.ssh_port)
    typer.echo(
        f"ラボ起動 / lab up: {state.scenario_name}, {len(state.devices)} devices "
        f"(SNMP {snmp}, SSH {ssh}) in {state.start_seconds:.1f} s"
    )
    typer.echo(f"inventory: {state.inventory_file}")
    typer.echo(f"state: {directory}")


@app.command("down")
def down(state_dir: StateDirOption = None) -> None:
    """ラボを停止 (記録した PID のみ) / Stop the lab (exactly the recorded processes)."""
    directory = _state_dir(state_dir)
    try:
        state = lab_down(directory)
    except LabError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(3) from None
    if state is None:
        typer.echo(f"ラボは起動していません / no lab recorded in {directory}")
        return
    typer.echo(f"ラボ停止 / lab down: stopped PIDs {state.pids()}, no lab port bound")


@app.command("scale")
def scale(
    devices: Annotated[
        int, typer.Option("--devices", min=1, help="台数 / Number of devices")
    ] = 1000,
    ssh_devices: Annotated[
        int | None,
        typer.Option(
            "--ssh-devices", min=0, help="SSH を提供する機器数の上限 / At most this many SSH CLIs"
        ),
    ] = None,
    state_dir: StateDirOption = None,
) -> None:
    """合成都市を起動して計測 / Start a synthetic city of N devices and print its figures."""
    directory = _state_dir(state_dir)
    try:
        _state, figures = lab_scale(devices, directory, ssh_devices=ssh_devices)
    except LabError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(3) from None
    typer.echo(json.dumps(figures, ensure_ascii=False))
    typer.echo(f"停止するには / to stop: auditor lab down --state-dir {directory}")


@app.command("status")
def status(
    state_dir: StateDirOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON で出力 / Print JSON")] = False,
    devices: Annotated[
        bool,
        typer.Option("--devices", help="機器ごとのポートも表示 / Also list each device's ports"),
    ] = False,
) -> None:
    """ラボの状態 / Show what the lab runs."""
    directory = _state_dir(state_dir)
    report = lab_status(directory)
    state = read_state(directory)
    if devices and state is not None:
        report["device_ports"] = {
            name: device.model_dump(exclude={"name"}) for name, device in state.devices.items()
        }
    if as_json:
        typer.echo(json.dumps(report, ensure_ascii=False, indent=2))
        return
    for key, value in report.items():
        if key != "device_ports":
            typer.echo(f"{key}: {value}")
    if devices and state is not None:
        typer.echo("device  platform  snmp(version/port)  ssh(port)")
        for name, device in state.devices.items():
            snmp = f"{device.snmp_version}/{device.snmp_port}" if device.snmp_port else "-"
            typer.echo(f"{name}  {device.platform}  {snmp}  {device.ssh_port or '-'}")
        typer.echo(
            f"secrets (0600): {directory / 'secrets'}/<device>.snmp-community | .ssh-password …"
        )

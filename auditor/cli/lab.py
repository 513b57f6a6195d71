"""``auditor lab``: start, stop, scale and inspect the simulated city network.

The main CLI mounts :func:`build_lab_app` as ``lab``; ``app`` is the same group on its own, in the
language of the locale. Exit codes: 0 ok, 2 invalid input, 3 the lab could not be started or
stopped cleanly.

No ``from __future__ import annotations``: typer reads the option aliases defined inside
:func:`build_lab_app` at definition time.
"""

import json
import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from auditor.cli import options
from auditor.cli.i18n import Lang, detect_lang, t


def _state_dir(value: Path | None) -> Path:
    from auditor.lab.runner import default_state_dir

    return value if value is not None else default_state_dir()


def build_lab_app(lang: Lang) -> typer.Typer:
    """The ``lab`` group with help in ``lang``."""
    app = options.group(lang, "lab")
    lang_option = Annotated[str, options.lang_option(lang)]
    state_dir_option = Annotated[
        Path | None, typer.Option("--state-dir", help=t("opt.state_dir", lang))
    ]

    @app.command("up", help=t("lab.up", lang))
    def up(
        scenario: Annotated[
            Path | None,
            typer.Option(
                "--scenario",
                help=t("opt.scenario", lang),
                exists=True,
                dir_okay=False,
            ),
        ] = None,
        devices: Annotated[
            int | None,
            typer.Option(
                "--devices",
                min=1,
                help=t("opt.lab_devices", lang),
            ),
        ] = None,
        ssh_devices: Annotated[
            int | None,
            typer.Option(
                "--ssh-devices",
                min=0,
                help=t("opt.ssh_devices", lang),
            ),
        ] = None,
        state_dir: state_dir_option = None,
        lang_: lang_option = lang,
    ) -> None:
        if scenario is not None and devices is not None:
            typer.echo(
                "--scenario と --devices は同時に指定できません / give --scenario or --devices"
            )
            raise typer.Exit(2)
        from auditor.lab.runner import LabError, lab_up

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

    @app.command("down", help=t("lab.down", lang))
    def down(state_dir: state_dir_option = None, lang_: lang_option = lang) -> None:
        from auditor.lab.runner import LabError, lab_down

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

    @app.command("scale", help=t("lab.scale", lang))
    def scale(
        devices: Annotated[
            int, typer.Option("--devices", min=1, help=t("opt.scale_devices", lang))
        ] = 1000,
        ssh_devices: Annotated[
            int | None,
            typer.Option("--ssh-devices", min=0, help=t("opt.ssh_devices", lang)),
        ] = None,
        state_dir: state_dir_option = None,
        lang_: lang_option = lang,
    ) -> None:
        from auditor.lab.runner import LabError, lab_scale

        directory = _state_dir(state_dir)
        try:
            _state, figures = lab_scale(devices, directory, ssh_devices=ssh_devices)
        except LabError as exc:
            typer.echo(str(exc), err=True)
            raise typer.Exit(3) from None
        typer.echo(json.dumps(figures, ensure_ascii=False))
        typer.echo(f"停止するには / to stop: auditor lab down --state-dir {directory}")

    @app.command("status", help=t("lab.status", lang))
    def status(
        state_dir: state_dir_option = None,
        lang_: lang_option = lang,
        as_json: Annotated[bool, typer.Option("--json", help=t("opt.json", lang))] = False,
        devices: Annotated[
            bool,
            typer.Option("--devices", help=t("opt.device_ports", lang)),
        ] = False,
    ) -> None:
        from auditor.lab.runner import lab_status, read_state

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

    return app


app = build_lab_app(detect_lang(sys.argv[1:], os.environ))

"""The ``config show|diff|plan`` commands (mounted by ``auditor.cli.app``).

``show`` and ``diff`` read the stored, redacted running configurations; ``plan`` prints exactly
what the SSH collector would send to each device (the dry run municipal change control asks for)
and connects to nothing.

No ``from __future__ import annotations`` here: typer resolves the option aliases defined inside
:func:`register_config`, which string annotations would hide from it.
"""

import sys
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from auditor.audit.inputs import DEFAULT_INVENTORY
from auditor.cli import options
from auditor.cli.i18n import Lang, t
from auditor.cli.options import EXIT_INVALID


def _moment(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError as exc:
        raise typer.BadParameter(f"not a date: {value}") from exc


def register_config(app: typer.Typer, lang: Lang) -> None:
    """Add the ``config`` command group to ``app``."""
    config_app = options.group(lang, "config")
    app.add_typer(config_app, name="config")
    db_option = Annotated[str | None, options.db(lang)]
    lang_option = Annotated[str, options.lang_option(lang)]
    device_argument = Annotated[str, typer.Argument(help=t("arg.device", lang))]

    @config_app.command("show", help=t("config.show", lang))
    def show(
        device: device_argument,
        at: Annotated[str | None, typer.Option("--at", help=t("opt.at", lang))] = None,
        db: db_option = None,
        lang_: lang_option = lang,
    ) -> None:
        from auditor.report.config_history import NoConfiguration, show_config
        from auditor.store.opening import open_store

        try:
            text = show_config(open_store(db), device, _moment(at))
        except NoConfiguration as exc:
            sys.stderr.write(f"{exc}\n")
            raise typer.Exit(EXIT_INVALID) from exc
        sys.stdout.write(text + "\n")

    @config_app.command("diff", help=t("config.diff", lang))
    def diff(
        device: device_argument,
        since: Annotated[str | None, typer.Option("--from", help=t("opt.from", lang))] = None,
        until: Annotated[str | None, typer.Option("--to", help=t("opt.to", lang))] = None,
        db: db_option = None,
        lang_: lang_option = lang,
    ) -> None:
        from auditor.report.config_history import NoConfiguration, diff_config
        from auditor.store.opening import open_store

        try:
            text = diff_config(open_store(db), device, _moment(since), _moment(until))
        except NoConfiguration as exc:
            sys.stderr.write(f"{exc}\n")
            raise typer.Exit(EXIT_INVALID) from exc
        sys.stdout.write(text + ("\n" if text else ""))

    @config_app.command("plan", help=t("config.plan", lang))
    def plan(
        devices: Annotated[list[str] | None, typer.Argument(help=t("arg.devices", lang))] = None,
        inventory: Annotated[
            Path, typer.Option("--inventory", "-i", help=t("opt.inventory", lang))
        ] = DEFAULT_INVENTORY,
        lang_: lang_option = lang,
    ) -> None:
        from auditor.collect.ssh import format_plan
        from auditor.inventory.loader import InventoryError, load_inventory

        try:
            loaded = load_inventory(inventory).devices
        except InventoryError as exc:
            sys.stderr.write(f"{exc}\n")
            raise typer.Exit(EXIT_INVALID) from exc
        chosen = [d for d in loaded if not devices or d.name in set(devices)]
        sys.stdout.write(format_plan(chosen) + "\n")

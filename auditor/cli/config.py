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
from auditor.cli.i18n import Lang

EXIT_INVALID = 2


def _h(lang: Lang, ja: str, en: str) -> str:
    return ja if lang == "ja" else en


def _moment(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError as exc:
        raise typer.BadParameter(f"not a date: {value}") from exc


def register_config(app: typer.Typer, lang: Lang) -> None:
    """Add the ``config`` command group to ``app``."""
    config_app = typer.Typer(
        help=_h(
            lang,
            "機器設定の履歴・差分・送信予定コマンド",
            "Device configuration history, diffs and plan",
        ),
        no_args_is_help=True,
    )
    app.add_typer(config_app, name="config")
    db_option = Annotated[str | None, typer.Option("--db", help="SQLAlchemy URL or SQLite path")]

    @config_app.command(
        "show", help=_h(lang, "指定日時の設定を表示", "Show the configuration in force")
    )
    def show(
        device: Annotated[str, typer.Argument(help="DEVICE")],
        at: Annotated[str | None, typer.Option("--at", help="ISO date/time")] = None,
        db: db_option = None,
    ) -> None:
        from auditor.report.config_history import NoConfiguration, show_config
        from auditor.store.opening import open_store

        try:
            text = show_config(open_store(db), device, _moment(at))
        except NoConfiguration as exc:
            sys.stderr.write(f"{exc}\n")
            raise typer.Exit(EXIT_INVALID) from exc
        sys.stdout.write(text + "\n")

    @config_app.command(
        "diff", help=_h(lang, "2 時点の設定の差分", "Diff the configuration of two dates")
    )
    def diff(
        device: Annotated[str, typer.Argument(help="DEVICE")],
        since: Annotated[str | None, typer.Option("--from", help="ISO date/time")] = None,
        until: Annotated[str | None, typer.Option("--to", help="ISO date/time")] = None,
        db: db_option = None,
    ) -> None:
        from auditor.report.config_history import NoConfiguration, diff_config
        from auditor.store.opening import open_store

        try:
            text = diff_config(open_store(db), device, _moment(since), _moment(until))
        except NoConfiguration as exc:
            sys.stderr.write(f"{exc}\n")
            raise typer.Exit(EXIT_INVALID) from exc
        sys.stdout.write(text + ("\n" if text else ""))

    @config_app.command(
        "plan",
        help=_h(
            lang,
            "SSH で送信するコマンドを表示(接続しない)",
            "Print exactly what SSH collection would send (dry run; connects to nothing)",
        ),
    )
    def plan(
        devices: Annotated[list[str] | None, typer.Argument(help="DEVICE…")] = None,
        inventory: Annotated[Path, typer.Option("--inventory", "-i")] = DEFAULT_INVENTORY,
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

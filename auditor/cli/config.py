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
from typing import TYPE_CHECKING, Annotated

import typer

from auditor.audit.inputs import DEFAULT_INVENTORY
from auditor.cli import options
from auditor.cli.i18n import Lang, t

if TYPE_CHECKING:
    from auditor.store.repository import Store


def _known_device(store: "Store", device: str, lang: Lang) -> None:
    """Exit 2 with "did you mean" when the store has never seen ``device``."""
    known = options.stored_devices(store)
    if device not in known:
        store.close()
        options.choose([device], known, "DEVICE", lang, fold=False)


def _stamp(moment: datetime) -> str:
    return moment.astimezone(options.local_timezone()).isoformat(timespec="seconds")


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

        moment = options.parse_moment(at, "--at", lang, end=True)
        store = options.open_store_for_reading(db, lang)
        _known_device(store, device, lang)
        try:
            text = show_config(store, device, moment)
        except NoConfiguration as exc:
            options.fail(str(exc))
        finally:
            store.close()
        sys.stdout.write(text + "\n")

    @config_app.command("diff", help=t("config.diff", lang))
    def diff(
        device: device_argument,
        since: Annotated[str | None, typer.Option("--from", help=t("opt.from", lang))] = None,
        until: Annotated[str | None, typer.Option("--to", help=t("opt.to", lang))] = None,
        db: db_option = None,
        lang_: lang_option = lang,
    ) -> None:
        from auditor.report.config_history import (
            NoConfiguration,
            config_at,
            configurations,
            diff_config,
        )

        start = options.parse_moment(since, "--from", lang)
        stop = options.parse_moment(until, "--to", lang, end=True)
        store = options.open_store_for_reading(db, lang)
        _known_device(store, device, lang)
        try:
            after = config_at(store, device, stop)
            before = config_at(store, device, start) if start is not None else None
            earlier = [
                c
                for c in configurations(store.snapshot_history(device))
                if c.collected_at < after.collected_at
            ]
            text = diff_config(store, device, start, stop)
        except NoConfiguration as exc:
            options.fail(str(exc))
        finally:
            store.close()
        if before is None and not earlier:
            options.fail(
                t("config_nothing_to_diff", lang, device=device, when=_stamp(after.collected_at))
            )
        if not text:
            first = before or earlier[-1]
            sys.stdout.write(
                t(
                    "config_same",
                    lang,
                    device=device,
                    since=_stamp(first.collected_at),
                    until=_stamp(after.collected_at),
                )
                + "\n"
            )
            return
        sys.stdout.write(text + "\n")

    @config_app.command("plan", help=t("config.plan", lang))
    def plan(
        devices: Annotated[list[str] | None, typer.Argument(help=t("arg.devices", lang))] = None,
        inventory: Annotated[
            Path,
            typer.Option(
                "--inventory", "-i", envvar="AUDITOR_INVENTORY", help=t("opt.inventory", lang)
            ),
        ] = DEFAULT_INVENTORY,
        lang_: lang_option = lang,
    ) -> None:
        from auditor.collect.ssh import format_plan
        from auditor.inventory.loader import InventoryError, load_inventory

        try:
            loaded = load_inventory(inventory).devices
        except (InventoryError, OSError) as exc:
            options.fail(" ".join(str(exc).split()))
        options.choose(devices, [d.name for d in loaded], "DEVICES", lang, fold=False)
        chosen = [d for d in loaded if not devices or d.name in set(devices)]
        sys.stdout.write(format_plan(chosen) + "\n")

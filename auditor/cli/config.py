"""The ``config show|diff|plan`` commands (mounted by ``auditor.cli.app``).

``show`` and ``diff`` read the stored, redacted running configurations; ``plan`` prints exactly
what the SSH collector would send to each device (the dry run municipal change control asks for)
and connects to nothing.

No ``from __future__ import annotations`` here: typer resolves the option aliases defined inside
:func:`register_config`, which string annotations would hide from it.
"""

import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from auditor.audit.defaults import DEFAULT_INVENTORY
from auditor.cli import options
from auditor.cli.i18n import Lang, t

if TYPE_CHECKING:
    from auditor.report.recovery import KitConfig
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

    @config_app.command("export-all", help=t("config.export-all", lang))
    def export_all(
        out: Annotated[Path, typer.Option("--out", help=t("export.out", lang), file_okay=False)],
        device: Annotated[
            list[str] | None, typer.Option("--device", help=t("export.device", lang))
        ] = None,
        inventory: Annotated[
            Path | None,
            typer.Option(
                "--inventory", "-i", envvar="AUDITOR_INVENTORY", help=t("export.inventory", lang)
            ),
        ] = None,
        ledger: Annotated[Path | None, options.ledger(lang)] = None,
        unredacted: Annotated[
            bool, typer.Option("--unredacted", help=t("export.unredacted", lang))
        ] = False,
        from_files: Annotated[
            Path | None,
            typer.Option("--from-files", help=t("export.from_files", lang), file_okay=False),
        ] = None,
        i_understand: Annotated[
            bool, typer.Option("--i-understand", help=t("export.i_understand", lang))
        ] = False,
        db: db_option = None,
        lang_: lang_option = lang,
    ) -> None:
        _export_all(out, device, inventory, ledger, unredacted, from_files, i_understand, db, lang)


def _actor() -> str:
    """Who asked: the login behind sudo when there is one, else the effective user."""
    import getpass

    return os.environ.get("SUDO_USER") or getpass.getuser()


def _refuse_unredacted(from_files: Path | None, i_understand: bool, lang: Lang) -> None:
    """Secrets in the clear only from a root shell, knowingly, and only from original files.

    The store holds redacted configurations only, so it cannot be the source of an unredacted kit.
    """
    if os.geteuid() != 0:
        options.fail(
            "--unredacted は root のシェルからのみ実行できます"
            if lang == "ja"
            else "refused: --unredacted is only allowed from a root shell (euid 0)"
        )
    if not sys.stdin.isatty() and not i_understand:
        options.fail(
            "--unredacted には端末からの確認か --i-understand が必要です"
            if lang == "ja"
            else "refused: --unredacted needs a terminal to confirm on, or --i-understand"
        )
    if from_files is None:
        options.fail(
            "データベースにはマスク済みの設定しかありません。--from-files で元の設定を指定して"
            "ください"
            if lang == "ja"
            else "refused: the store only holds redacted configurations; give the original saved "
            "files with --from-files"
        )
    if sys.stdin.isatty() and not i_understand:
        typer.confirm(
            "秘密情報を平文で書き出します。続けますか?"
            if lang == "ja"
            else "Write secrets in the clear?",
            abort=True,
        )


def _saved_files(
    root: Path, names: list[str], platforms: dict[str, str], stored: dict[str, "KitConfig"]
) -> list["KitConfig"]:
    """The original files, verbatim, named like the offline audit names them; each is also
    redacted (with the store's salt) to say whether it is the stored known-good configuration."""
    from auditor.collect.files import read_saved_configs
    from auditor.collect.offline_sources import folder
    from auditor.collect.ssh import default_salt
    from auditor.report.recovery import KitConfig

    salt = default_salt()
    found: dict[str, KitConfig] = {}
    for config in folder(root, {n: n for n in names}, platforms).configs:
        read = read_saved_configs([config], salt=salt)
        for name, snapshot in read.snapshots.items():
            known = stored.get(name)
            found.setdefault(
                name,
                KitConfig(
                    device=name,
                    data=config.read(),
                    origin="saved-file-unredacted",
                    collected_at=known.collected_at if known else None,
                    stored_hash=known.stored_hash if known else None,
                    file_label=config.label,
                    matches_store=(known.stored_hash == snapshot.config_hash if known else None),
                ),
            )
    return [found[name] for name in sorted(found)]


def _export_all(
    out: Path,
    devices: list[str] | None,
    inventory: Path | None,
    ledger: Path | None,
    unredacted: bool,
    from_files: Path | None,
    i_understand: bool,
    db: str | None,
    lang: Lang,
) -> None:
    from auditor import __version__
    from auditor.inventory.loader import InventoryError, load_inventory
    from auditor.report.recovery import (
        EXPORT_SUBJECT,
        KitInputs,
        event_payload,
        redacted_configs,
        write_kit,
    )
    from auditor.store.records import EventType

    if unredacted:
        _refuse_unredacted(from_files, i_understand, lang)
    elif from_files is not None:
        options.fail("--from-files is only used with --unredacted")
    known: dict[str, str] = {}
    if inventory is not None:
        try:
            known = {d.name: d.platform for d in load_inventory(inventory).devices}
        except (InventoryError, OSError) as exc:
            options.fail(" ".join(str(exc).split()))
    store = options.open_store_for_reading(db, lang)
    try:
        everyone = sorted(set(known) | set(options.stored_devices(store)))
        options.choose(devices, everyone, "DEVICE", lang, fold=False)
        wanted = sorted(devices) if devices else everyone
        stored = {c.device: c for c in redacted_configs(store, wanted)}
        if unredacted:
            assert from_files is not None
            chosen = [
                c
                for c in _saved_files(from_files, wanted, known, stored)
                if c.device in set(wanted)
            ]
        else:
            chosen = [stored[name] for name in wanted if name in stored]
        missing = sorted(set(wanted) - {c.device for c in chosen})
        now = datetime.now(UTC)
        actor = _actor()
        source = f"files:{from_files}" if unredacted else "store"
        event = store.record_operator_event(
            EXPORT_SUBJECT,
            EventType.CONFIG_EXPORTED,
            actor,
            event_payload(chosen, out=out, unredacted=unredacted, source=source),
            now=now,
        )
    finally:
        store.close()
    names = write_kit(
        out,
        KitInputs(
            generated_at=now,
            tool_version=__version__,
            actor=actor,
            configs=chosen,
            inventory=inventory,
            ledger=ledger,
            event={"id": event.id, "hash": event.hash},
            missing=missing,
        ),
    )
    console = options.stderr()
    console.print(
        f"{len(chosen)} configurations ({'UNREDACTED' if unredacted else 'redacted'}), "
        f"{len(names)} files in {out}; check with: cd {out} && sha256sum -c SHA256SUMS",
        markup=False,
    )
    if missing:
        console.print(f"no known-good configuration: {', '.join(missing)}", markup=False)

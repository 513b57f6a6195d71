"""``auditor findings list|show|ack|assign|comment|due|progress``: the stored findings and the
city's workflow on them (``suppress`` comes from ``report``).

No ``from __future__ import annotations``: typer reads the option aliases defined inside
:func:`register_findings` at definition time.
"""

import getpass
import json
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Annotated

import typer

from auditor.cli import options
from auditor.cli.i18n import Lang, t
from auditor.cli.i18n_tables import headers, value
from auditor.cli.options import EXIT_INVALID, OutputFormat

if TYPE_CHECKING:
    from auditor.store.records import FindingRecord

_jsonable = options.jsonable
_open_store = options.open_store
_stderr = options.stderr
_stdout = options.stdout


def _choices() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The statuses and severities ``--status`` / ``--severity`` accept (read when used, so
    building the command tree does not import the store's records)."""
    from auditor.model.findings import Severity
    from auditor.store.records import FindingStatus

    return tuple(s.value for s in FindingStatus), tuple(s.value for s in Severity)


def register_findings(app: typer.Typer, lang: Lang) -> None:
    """Add the ``findings`` group to ``app``."""
    lang_option = Annotated[str, options.lang_option(lang)]
    db_option = Annotated[str | None, options.db(lang)]
    format_option = Annotated[OutputFormat, options.output_format(lang)]

    findings_app = typer.Typer(help=t("findings", lang), no_args_is_help=True)
    app.add_typer(findings_app, name="findings")

    @findings_app.command("list", help=t("findings.list", lang))
    def findings_list(
        db: db_option = None,
        status: Annotated[
            list[str] | None, typer.Option("--status", help=t("opt.status", lang))
        ] = None,
        severity: Annotated[
            list[str] | None, typer.Option("--severity", help=t("opt.severity", lang))
        ] = None,
        device: Annotated[str | None, typer.Option("--device", help=t("opt.device", lang))] = None,
        check: Annotated[str | None, typer.Option("--check", help=t("opt.check", lang))] = None,
        output: format_option = OutputFormat.TABLE,
        lang_: lang_option = lang,
    ) -> None:
        known_statuses, known_severities = _choices()
        statuses = options.choose(status, known_statuses, "--status", lang)
        severities = options.choose(severity, known_severities, "--severity", lang)
        store = options.open_store_for_reading(db, lang)
        if device is not None:
            options.choose([device], options.stored_devices(store), "--device", lang, fold=False)
        if check is not None:
            from auditor.rules import discover

            known = set(discover().ids()) | {r.check_id for r in store.list_findings()}
            check = options.choose([check], known, "--check", lang)[0]
        records = store.list_findings(
            status=statuses or None, severity=severities or None, device=device, check_id=check
        )
        if output is OutputFormat.JSON:
            typer.echo(
                json.dumps(
                    [_jsonable(r) for r in records], ensure_ascii=False, indent=2, default=str
                )
            )
            return
        table = options.table(
            *headers(
                lang,
                "fingerprint",
                "status",
                "severity",
                "check",
                "device",
                "subject",
                "first seen",
            )
        )
        from auditor.model.findings import Severity

        zone = options.local_timezone()
        for record in records:
            table.add_row(
                record.fingerprint[:12],
                value(record.status, lang),
                Severity(record.severity).label_ja if lang == "ja" else record.severity,
                record.check_id,
                record.device or "-",
                record.subject,
                record.first_seen.astimezone(zone).isoformat(sep=" ", timespec="seconds"),
            )
        _stdout().print(table)

    @findings_app.command("show", help=t("findings.show", lang))
    def findings_show(
        fingerprint: Annotated[str, typer.Argument(help=t("arg.fingerprint", lang))],
        db: db_option = None,
        lang_: lang_option = lang,
    ) -> None:
        prefix = options.fingerprint(fingerprint, lang)
        store = options.open_store_for_reading(db, lang)
        try:
            record, events = store.get_finding(prefix)
        except LookupError as exc:
            _stderr().print(str(exc), markup=False)
            raise typer.Exit(EXIT_INVALID) from exc
        payload = _jsonable(record) | {"events": [_jsonable(e) for e in events]}
        typer.echo(json.dumps(payload, ensure_ascii=False, indent=2, default=str))

    @findings_app.command("ack", help=t("findings.ack", lang))
    def findings_ack(
        fingerprint: Annotated[str, typer.Argument(help=t("arg.fingerprint", lang))],
        by: Annotated[str, typer.Option("--by", help=t("opt.by", lang))],
        note: Annotated[str, typer.Option("--note", help=t("opt.note", lang))] = "",
        db: db_option = None,
        lang_: lang_option = lang,
    ) -> None:
        prefix = options.fingerprint(fingerprint, lang)
        store = options.open_store_for_reading(db, lang)
        try:
            record = store.ack(prefix, actor=by, note=note)
        except LookupError as exc:
            _stderr().print(str(exc), markup=False)
            raise typer.Exit(EXIT_INVALID) from exc
        _stdout().print(t("acked", lang, fp=record.fingerprint), markup=False)

    actor_option = Annotated[str | None, typer.Option("--by", help=t("opt.actor", lang))]

    def _workflow(
        db: str | None, fingerprint: str, change: Callable[..., "FindingRecord"]
    ) -> "FindingRecord":
        """Run one workflow change on an existing store (never created here); exit 2 when refused."""
        prefix = options.fingerprint(fingerprint, lang)
        store = options.open_store_for_reading(db, lang)
        try:
            return change(store, prefix)
        except (LookupError, ValueError) as exc:
            _stderr().print(str(exc), markup=False)
            raise typer.Exit(EXIT_INVALID) from exc
        finally:
            store.close()

    @findings_app.command("assign", help=t("findings.assign", lang))
    def findings_assign(
        fingerprint: Annotated[str, typer.Argument(help=t("arg.fingerprint", lang))],
        owner: Annotated[str, typer.Option("--owner", help=t("opt.owner", lang))],
        by: actor_option = None,
        db: db_option = None,
        lang_: lang_option = lang,
    ) -> None:
        from auditor.store.workflow import assign_finding

        record = _workflow(
            db,
            fingerprint,
            lambda store, prefix: assign_finding(store, prefix, owner=owner, actor=_actor(by)),
        )
        _stdout().print(
            t("workflow.assigned", lang, fp=record.fingerprint[:12], owner=record.owner),
            markup=False,
        )

    @findings_app.command("comment", help=t("findings.comment", lang))
    def findings_comment(
        fingerprint: Annotated[str, typer.Argument(help=t("arg.fingerprint", lang))],
        text: Annotated[str, typer.Option("--text", help=t("opt.comment_text", lang))],
        by: actor_option = None,
        db: db_option = None,
        lang_: lang_option = lang,
    ) -> None:
        from auditor.store.workflow import comment_finding

        record = _workflow(
            db,
            fingerprint,
            lambda store, prefix: comment_finding(store, prefix, text=text, actor=_actor(by)),
        )
        _stdout().print(t("workflow.commented", lang, fp=record.fingerprint[:12]), markup=False)

    @findings_app.command("due", help=t("findings.due", lang))
    def findings_due(
        fingerprint: Annotated[str, typer.Argument(help=t("arg.fingerprint", lang))],
        due: Annotated[str | None, typer.Option("--date", help=t("opt.due_date", lang))] = None,
        clear: Annotated[bool, typer.Option("--clear", help=t("opt.due_clear", lang))] = False,
        by: actor_option = None,
        db: db_option = None,
        lang_: lang_option = lang,
    ) -> None:
        from auditor.store.workflow import set_due

        if (due is None) == (not clear):
            options.fail(t("bad_date", lang, option="--date", value=due or ""))
        when: date | None = None
        if due is not None:
            try:
                when = date.fromisoformat(due)
            except ValueError:
                options.fail(t("bad_date", lang, option="--date", value=due))
        record = _workflow(
            db,
            fingerprint,
            lambda store, prefix: set_due(store, prefix, due=when, actor=_actor(by)),
        )
        shown = record.due.isoformat() if record.due else "-"
        _stdout().print(
            t("workflow.due", lang, fp=record.fingerprint[:12], due=shown), markup=False
        )

    @findings_app.command("progress", help=t("findings.progress", lang))
    def findings_progress(
        fingerprint: Annotated[str, typer.Argument(help=t("arg.fingerprint", lang))],
        stop: Annotated[bool, typer.Option("--stop", help=t("opt.progress_stop", lang))] = False,
        by: actor_option = None,
        db: db_option = None,
        lang_: lang_option = lang,
    ) -> None:
        from auditor.store.workflow import set_progress

        record = _workflow(
            db,
            fingerprint,
            lambda store, prefix: set_progress(
                store, prefix, in_progress=not stop, actor=_actor(by)
            ),
        )
        _stdout().print(
            t("workflow.progress", lang, fp=record.fingerprint[:12], status=record.status.value),
            markup=False,
        )


def _actor(by: str | None) -> str:
    """``--by``, else the OS user who runs the command: every change names a person."""
    if by is not None and by.strip():
        return by.strip()
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"

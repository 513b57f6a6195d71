"""``auditor findings list|show|ack``: the stored findings (``suppress`` comes from ``report``).

No ``from __future__ import annotations``: typer reads the option aliases defined inside
:func:`register_findings` at definition time.
"""

import json
from typing import Annotated

import typer

from auditor.cli import options
from auditor.cli.i18n import Lang, t
from auditor.cli.options import EXIT_INVALID, OutputFormat
from auditor.model.findings import Severity
from auditor.store.records import FindingStatus

_jsonable = options.jsonable
_open_store = options.open_store
_stderr = options.stderr
_stdout = options.stdout

SEVERITIES = tuple(s.value for s in Severity)
STATUSES = tuple(s.value for s in FindingStatus)


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
        statuses = options.choose(status, STATUSES, "--status", lang)
        severities = options.choose(severity, SEVERITIES, "--severity", lang)
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
            "fingerprint", "status", "severity", "check", "device", "subject", "first seen"
        )
        zone = options.local_timezone()
        for record in records:
            table.add_row(
                record.fingerprint[:12],
                record.status,
                record.severity,
                record.check_id,
                record.device or "-",
                record.subject,
                record.first_seen.astimezone(zone).isoformat(timespec="seconds"),
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

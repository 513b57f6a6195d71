"""``auditor notify test CHANNEL`` and ``auditor notify list``: try a channel, read the outbox.

No ``from __future__ import annotations``: typer reads the option aliases defined inside
:func:`register_notify` at definition time.
"""

import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from auditor.cli import options
from auditor.cli.i18n import Lang, t
from auditor.cli.options import EXIT_FINDINGS, EXIT_INVALID


def _settings(config: Path | None) -> Any:
    from pydantic import ValidationError

    from auditor.daemon.settings import Settings

    if config is not None:
        os.environ["AUDITOR_CONFIG"] = str(config)
    try:
        return Settings()
    except ValidationError as exc:
        options.stderr().print(str(exc), markup=False)
        raise typer.Exit(EXIT_INVALID) from exc


def register_notify(app: typer.Typer, lang: Lang) -> None:
    """Add the ``notify`` group to ``app``."""
    lang_option = Annotated[str, options.lang_option(lang)]
    db_option = Annotated[str | None, options.db(lang)]
    config_option = Annotated[
        Path | None, typer.Option("--config", help=t("opt.notify_config", lang))
    ]
    notify_app = options.group(lang, "notify")
    app.add_typer(notify_app, name="notify")

    @notify_app.command("test", help=t("notify.test", lang))
    def test_command(
        channel: Annotated[str, typer.Argument(help=t("arg.channel", lang))],
        config: config_option = None,
        lang_: lang_option = lang,
    ) -> None:
        from auditor.daemon.logs import log_salt
        from auditor.notify.channels import DeliveryError, build_sender
        from auditor.notify.dispatch import Scrubber, credential_reader
        from auditor.notify.events import Event

        settings = _settings(config)
        channels = settings.notify.channels
        if channel not in channels:
            known = ", ".join(sorted(channels)) or "-"
            options.stderr().print(
                t("notify_unknown_channel", lang, channel=channel, known=known), markup=False
            )
            raise typer.Exit(EXIT_INVALID)
        scrubber = Scrubber(log_salt(settings.state_dir))
        sender = build_sender(channel, channels[channel], credential_reader(scrubber))
        now = datetime.now(UTC)
        test_event = Event(
            kind="test",
            key=f"test:{now.isoformat()}",
            level="info",
            at=now,
            title_ja="Kyojin Auditor 通知テスト",
            title_en="Kyojin Auditor notification test",
            body_ja=f"チャネル {channel} からのテスト送信です。",
            body_en=f"A test message through channel {channel}.",
        )
        try:
            sender.send([scrubber.event(test_event)], message_id=f"kyojin-test-{now:%s}")
        except DeliveryError as exc:
            options.stderr().print(
                t("notify_test_failed", lang, channel=channel, error=scrubber(str(exc))),
                markup=False,
            )
            raise typer.Exit(EXIT_FINDINGS) from exc
        options.stdout().print(t("notify_test_sent", lang, channel=channel), markup=False)

    @notify_app.command("list", help=t("notify.list", lang))
    def list_command(
        status: Annotated[
            str | None, typer.Option("--status", help=t("opt.outbox_status", lang))
        ] = None,
        channel: Annotated[
            str | None, typer.Option("--channel", help=t("opt.outbox_channel", lang))
        ] = None,
        limit: Annotated[int, typer.Option("--limit", min=1, help=t("opt.limit", lang))] = 50,
        output: Annotated[str, options.output_format(lang, "opt.format_text")] = "table",
        db: db_option = None,
        config: config_option = None,
        lang_: lang_option = lang,
    ) -> None:
        from rich.table import Table

        from auditor.store.outbox import Outbox, OutboxStatus
        from auditor.textsafe import neutralize

        if status is not None and status not in {s.value for s in OutboxStatus}:
            options.stderr().print(t("notify_bad_status", lang, status=status), markup=False)
            raise typer.Exit(EXIT_INVALID)
        url = db
        if url is None:
            url = _settings(config).effective_db_url()
        store = options.open_store(url, lang)
        rows = Outbox(store.engine, store.tenant).recent(
            status=status, channel=channel, limit=limit
        )
        if output == "json":
            typer.echo(json.dumps([options.jsonable(row) for row in rows], ensure_ascii=False))
            return
        table = Table(title=t("notify_outbox_title", lang))
        for column in ("id", "channel", "kind", "status", "attempts", "next", "title", "error"):
            table.add_column(column)
        title_key = "title_ja" if lang == "ja" else "title_en"
        for row in rows:
            table.add_row(
                str(row.id),
                row.channel,
                row.kind,
                row.status.value,
                str(row.attempts),
                row.next_attempt_at.isoformat(timespec="seconds")
                if row.status.value == "pending"
                else (row.sent_at.isoformat(timespec="seconds") if row.sent_at else ""),
                neutralize(str(row.payload.get(title_key, ""))),
                neutralize(row.last_error or ""),
            )
        options.stdout().print(table)

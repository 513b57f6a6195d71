"""``auditor daemon`` and ``auditor status``.

No ``from __future__ import annotations``: typer resolves the options of the commands defined
inside :func:`register_daemon` at definition time.
"""

import json
import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from auditor.cli import options
from auditor.cli.i18n import Lang, t
from auditor.cli.i18n_tables import headers, value


def _pid_alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _database_size(url: str) -> str:
    if "://" in url and not url.startswith("sqlite"):
        return "-"
    path = Path(url.split("///", 1)[1] if url.startswith("sqlite") else url)
    total = sum(p.stat().st_size for p in path.parent.glob(path.name + "*") if p.is_file())
    return f"{total / 1_048_576:.1f} MiB"


def register_daemon(app: typer.Typer, lang: Lang) -> None:
    """Add ``daemon`` and ``status`` to ``app``."""
    ja = lang == "ja"

    @app.command("daemon", help=t("daemon", lang))
    def daemon_command(
        config: Annotated[
            Path | None,
            typer.Option("--config", help=t("opt.config", lang)),
        ] = None,
        print_sample_config: Annotated[
            bool,
            typer.Option("--print-sample-config", help=t("opt.print_sample_config", lang)),
        ] = False,
        audit_now: Annotated[
            bool, typer.Option("--audit-now", help=t("opt.audit_now", lang))
        ] = False,
        lang_: Annotated[str, options.lang_option(lang)] = lang,
    ) -> None:
        from auditor.daemon.settings import sample_config

        if print_sample_config:
            typer.echo(sample_config())
            return
        if config is not None:
            os.environ["AUDITOR_CONFIG"] = str(config)
        from pydantic import ValidationError

        from auditor.daemon.logs import configure_logging
        from auditor.daemon.settings import Settings

        configure_logging()
        try:
            settings = Settings()
        except ValidationError as exc:
            Console(stderr=True).print(str(exc), markup=False)
            raise typer.Exit(2) from exc
        settings = options.tenant_settings(settings, lang)
        # The scheduler (and with it the audit service) only once the settings are known good:
        # a refusal above comes without loading them.
        from auditor.audit.inputs import ConfigError
        from auditor.daemon.scheduler import Daemon

        daemon = Daemon(settings)
        try:
            code = daemon.serve(run_audit_now=audit_now)
        except ConfigError as exc:
            for issue in exc.issues:
                Console(stderr=True).print(str(issue), markup=False)
            raise typer.Exit(2) from exc
        # Leave without the interpreter's clean-up: after an abandoned run the run thread is
        # still waiting on a device past the stop deadline (its run is already closed as
        # incomplete) and interpreter shutdown would wait for it; after a clean stop nothing is
        # left to do but the clean-up itself, which tears down every imported module (about
        # 0.2 s of CPU for a stop systemd waits on). The store and the logs are closed first.
        import logging

        if not daemon.abandoned_run:
            daemon.close()
        logging.shutdown()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)

    @app.command("status", help=t("status", lang))
    def status_command(
        db: Annotated[str | None, options.db(lang)] = None,
        output: Annotated[str, options.output_format(lang, "opt.format_text")] = "table",
        lang_: Annotated[str, options.lang_option(lang)] = lang,
    ) -> None:
        from pydantic import ValidationError

        from auditor.daemon.settings import Settings

        try:
            settings = Settings()
        except ValidationError as exc:
            options.fail(" ".join(str(exc).split()))
        settings = options.tenant_settings(settings, lang)
        url = db or settings.effective_db_url()
        status_path = settings.state_dir / settings.status_file_name()
        daemon_state: dict[str, Any] = {}
        if status_path.exists():
            daemon_state = json.loads(status_path.read_text(encoding="utf-8"))
        running = _pid_alive(daemon_state.get("pid"))
        store = options.open_store_for_reading(url, lang)
        last_runs: dict[str, dict[str, Any]] = {}
        for kind in ("poll", "audit", "check"):
            run = store.last_run(kind)
            if run is not None:
                duration = (
                    (run.finished_at - run.started_at).total_seconds() if run.finished_at else None
                )
                last_runs[kind] = {
                    "id": run.id,
                    "status": run.status,
                    "started_at": run.started_at.isoformat(),
                    "duration_s": duration,
                }
        open_by_severity: dict[str, int] = {}
        for record in store.list_findings(status=["new", "open", "reopened", "in_progress"]):
            open_by_severity[record.severity] = open_by_severity.get(record.severity, 0) + 1
        payload = {
            "daemon_running": running,
            "pid": daemon_state.get("pid") if running else None,
            "current_run": daemon_state.get("current_run") if running else None,
            "next_runs": daemon_state.get("next_runs", {}) if running else {},
            "last_runs": last_runs,
            "database": url if "@" not in url else url.split("@", 1)[1],
            "database_size": _database_size(url),
            "open_findings": open_by_severity,
            "checked_at": datetime.now(UTC).isoformat(),
        }
        if output == "json":
            typer.echo(json.dumps(payload, ensure_ascii=False, indent=2))
            return
        console = options.stdout()
        state = ("稼働中" if ja else "running") if running else ("停止" if ja else "not running")
        console.print(
            t("status.daemon", lang, state=state) + (f" (pid {payload['pid']})" if running else "")
        )
        table = options.table(
            *headers(lang, "kind", "id", "status", "started", "duration s"),
            title=t("status.last_runs", lang),
        )
        for kind, run_info in last_runs.items():
            table.add_row(
                value(kind, lang),
                str(run_info["id"]),
                value(run_info["status"], lang),
                datetime.fromisoformat(run_info["started_at"])
                .astimezone(options.local_timezone())
                .isoformat(sep=" ", timespec="seconds"),
                f"{run_info['duration_s']:.1f}" if run_info["duration_s"] is not None else "-",
            )
        console.print(table)
        for name, when in payload["next_runs"].items():
            console.print(t("status.next_run", lang, job=value(name, lang), when=when))
        console.print(
            t("status.database", lang, url=payload["database"], size=payload["database_size"])
        )
        from auditor.model.findings import Severity

        counts = ", ".join(
            f"{Severity(k).label_ja if ja else k} {v}" for k, v in sorted(open_by_severity.items())
        )
        console.print(t("status.open_findings", lang, counts=counts or "0"))

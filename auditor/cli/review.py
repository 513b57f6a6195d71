"""``auditor review``: the findings a proposed change adds, resolves or keeps (pre-change review).

Exit code by ``--fail-on`` over the *added* findings only (0 none at or above it, 1 some, 2
invalid input), so it can gate a change request in CI or in the change-approval step.

No ``from __future__ import annotations``: typer reads the option aliases at definition time.
"""

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from auditor.audit.defaults import DEFAULT_POLICY
from auditor.cli import options
from auditor.cli.i18n import Lang, t
from auditor.cli.offline import offline_bundle
from auditor.cli.options import EXIT_INVALID, FailOn


class ReviewFormat(StrEnum):
    TABLE = "table"
    MARKDOWN = "markdown"
    JSON = "json"
    SARIF = "sarif"


def register_review(app: typer.Typer, lang: Lang) -> None:
    """Add ``review``."""

    @app.command("review", help=t("review.review", lang))
    def review_command(
        baseline: Annotated[
            Path | None, typer.Option(help=t("review.baseline", lang), file_okay=False)
        ] = None,
        proposed: Annotated[
            Path | None, typer.Option(help=t("review.proposed", lang), file_okay=False)
        ] = None,
        proposed_file: Annotated[
            Path | None, typer.Option(help=t("review.proposed_file", lang), dir_okay=False)
        ] = None,
        device: Annotated[str | None, typer.Option(help=t("review.device", lang))] = None,
        policy: Annotated[Path, options.policy(lang)] = DEFAULT_POLICY,
        inventory: Annotated[
            Path | None,
            typer.Option(
                "--inventory", "-i", envvar="AUDITOR_INVENTORY", help=t("review.inventory", lang)
            ),
        ] = None,
        ledger: Annotated[Path | None, options.ledger(lang)] = None,
        db: Annotated[str | None, options.db(lang)] = None,
        fail_on: Annotated[FailOn, options.fail_on(lang)] = FailOn.HIGH,
        output: Annotated[
            ReviewFormat, typer.Option("--format", "-f", help=t("review.format", lang))
        ] = ReviewFormat.TABLE,
        out: Annotated[Path | None, typer.Option(help=t("review.out", lang))] = None,
        lang_: Annotated[str, options.lang_option(lang)] = lang,
    ) -> None:
        from auditor.audit.offline import OfflineInput, audit_read, list_inputs, read_input
        from auditor.audit.review import compare_outcomes, to_json, to_markdown, to_sarif
        from auditor.collect.base import CollectionResult
        from auditor.collect.files import SavedConfig, read_saved_configs
        from auditor.collect.offline_sources import Layout
        from auditor.collect.ssh import default_salt
        from auditor.rules import discover

        registry = discover()
        bundle = offline_bundle(policy, inventory, ledger, registry, lang)
        salt = default_salt()
        devices: list[str] | None = None
        if baseline is not None and proposed is not None and proposed_file is None:
            sides = [
                read_input(list_inputs(root, bundle, Layout.AUTO, history=False)[-1], salt=salt)
                for root in (baseline, proposed)
            ]
            before = audit_read(bundle, registry, None, sides[0])
            after = audit_read(bundle, registry, None, sides[1])
        elif proposed_file is not None and device is not None and baseline is None:
            store = options.open_store(db, lang)
            wanted = sorted({d.name for d in bundle.inventory.devices} | {device})
            stored = store.latest_snapshots(wanted)
            if device not in stored:
                options.stderr().print(f"no stored snapshot of {device}", markup=False)
                raise typer.Exit(EXIT_INVALID)
            entry = bundle.inventory.device(device)
            read = read_saved_configs(
                [
                    SavedConfig(
                        label=proposed_file.name,
                        path=proposed_file,
                        device=device,
                        platform=entry.platform if entry else None,
                    )
                ],
                salt=salt,
            )
            before = audit_read(
                bundle, registry, None, OfflineInput(CollectionResult(snapshots=dict(stored)))
            )
            read.snapshots = {**stored, **read.snapshots}
            after = audit_read(bundle, registry, None, OfflineInput(read))
        else:
            options.stderr().print(
                "give --baseline and --proposed, or --proposed-file with --device (and --db)",
                markup=False,
            )
            raise typer.Exit(EXIT_INVALID)
        review = compare_outcomes(before, after, devices)
        if output is ReviewFormat.JSON:
            rendered = json.dumps(to_json(review), ensure_ascii=False, indent=2)
        elif output is ReviewFormat.SARIF:
            rendered = json.dumps(to_sarif(review), ensure_ascii=False, indent=2)
        elif output is ReviewFormat.MARKDOWN:
            rendered = to_markdown(review, lang)
        else:
            rendered = ""
        if out is not None:
            out.write_text(rendered or to_markdown(review, lang), encoding="utf-8")
        elif rendered:
            typer.echo(rendered)
        else:
            table = Table()
            for header in ("change", "severity", "check", "device", "zone", "subject", "lines"):
                table.add_column(header)
            for item in review.items:
                if item.change == "kept":
                    continue
                f = item.finding
                table.add_row(
                    item.change,
                    f.severity.value,
                    f.check_id,
                    f.device or "-",
                    f.zone or "-",
                    f.subject,
                    "\n".join(item.lines[:5]),
                )
            console = options.stdout()
            console.print(table)
            console.print(
                f"added {len(review.of('added'))}, resolved {len(review.of('resolved'))}, "
                f"kept {len(review.of('kept'))}",
                markup=False,
            )
        added = [item.finding for item in review.of("added")]
        raise typer.Exit(options.exit_code(added, set(), fail_on, complete=True))

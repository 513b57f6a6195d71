"""``auditor prefecture report``: every configured city on one overview (docs/tenants.md).

No ``from __future__ import annotations``: typer reads the option aliases defined inside
:func:`register_prefecture` at definition time.
"""

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from auditor.cli import options
from auditor.cli.i18n import Lang, t


class OverviewFormat(StrEnum):
    HTML = "html"
    JSON = "json"
    CSV = "csv"


def register_prefecture(app: typer.Typer, lang: Lang) -> None:
    """Add the ``prefecture`` group (``report``) to ``app``."""
    prefecture_app = options.group(lang, "prefecture")
    app.add_typer(prefecture_app, name="prefecture")

    @prefecture_app.command("report", help=t("prefecture.report", lang))
    def prefecture_report(
        fmt: Annotated[
            OverviewFormat, typer.Option("--format", help=t("opt.overview_format", lang))
        ] = OverviewFormat.HTML,
        out: Annotated[Path | None, typer.Option("--out", help=t("opt.overview_out", lang))] = None,
        stale_days: Annotated[
            float, typer.Option("--stale-days", min=0, help=t("opt.stale_days", lang))
        ] = 2,
        db: Annotated[str | None, options.db(lang)] = None,
        lang_: Annotated[str, options.lang_option(lang)] = lang,
    ) -> None:
        from pydantic import ValidationError

        from auditor.daemon.settings import Settings
        from auditor.policy.loader import PolicyError, load_policy
        from auditor.report.prefecture import City, build_overview, to_csv, to_html, to_json
        from auditor.store.tenancy import DEFAULT_TENANT

        try:
            settings = Settings()
        except ValidationError as exc:
            options.fail(" ".join(str(exc).split()))
        cities = [
            (tenant.name, tenant.display_name_ja, tenant.display_name_en, tenant.policy)
            for tenant in settings.tenants
        ] or [(DEFAULT_TENANT, "既定", "default", settings.policy)]
        base = options.open_store_for_reading(db or settings.db_url, lang, for_tenant=cities[0][0])
        opened = []
        try:
            for name, name_ja, name_en, policy_path in cities:
                try:
                    policy = load_policy(policy_path).policy
                except (PolicyError, OSError, ValueError):
                    policy = None  # grades then follow the default table
                opened.append((City(name, name_ja, name_en, policy), base.for_tenant(name)))
            overview = build_overview(opened, stale_days=stale_days)
        finally:
            for _, store in opened:
                store.close()
            base.close()
        if fmt is OverviewFormat.JSON:
            document = to_json(overview)
        elif fmt is OverviewFormat.CSV:
            document = to_csv(overview)
        else:
            document = to_html(overview, lang)
        if out is None:
            typer.echo(document, nl=False)
        else:
            out.write_text(document, encoding="utf-8", newline="")
            options.stdout().print(t("overview_written", lang, path=out), markup=False)

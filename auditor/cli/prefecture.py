"""``auditor prefecture report``: every configured city on one overview (docs/tenants.md).

No ``from __future__ import annotations``: typer reads the option aliases defined inside
:func:`register_prefecture` at definition time.
"""

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from auditor.cli import options
from auditor.cli.i18n import Lang, t

if TYPE_CHECKING:
    from auditor.report.prefecture import CitySource


class OverviewFormat(StrEnum):
    HTML = "html"
    JSON = "json"
    CSV = "csv"


def configured_cities(lang: Lang) -> "tuple[list[CitySource], str | None]":
    """Every configured city (``[[tenants]]``, or the one city of a single-city deployment) and
    the configured database URL: what the report and the prefecture console show."""
    from pydantic import ValidationError

    from auditor.daemon.settings import Settings
    from auditor.report.prefecture import CitySource
    from auditor.store.tenancy import DEFAULT_TENANT

    try:
        settings = Settings()
    except ValidationError as exc:
        options.fail(" ".join(str(exc).split()))
    sources = [
        CitySource(tenant.name, tenant.display_name_ja, tenant.display_name_en, tenant.policy)
        for tenant in settings.tenants
    ] or [CitySource(DEFAULT_TENANT, "既定", "default", settings.policy)]
    return sources, settings.db_url


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
        from auditor.report.prefecture import read_overview, to_csv, to_html, to_json

        sources, configured_db = configured_cities(lang)
        base = options.open_store_for_reading(
            db or configured_db, lang, for_tenant=sources[0].tenant
        )
        try:
            overview = read_overview(base, sources, stale_days=stale_days)
        finally:
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

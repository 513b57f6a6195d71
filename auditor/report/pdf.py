"""PDF of the report, through WeasyPrint (pure layout engine, no browser, nothing fetched)."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def _refuse_fetch(url: str, *args: Any, **kwargs: Any) -> Any:
    """The report is self-contained; any fetch is a bug, so it fails instead of going out."""
    raise ValueError(f"the report must not load external resources: {url[:80]}")


def write_pdf(html: str, out: Path) -> int:
    """Render ``html`` to ``out``; returns the number of pages."""
    from weasyprint import HTML

    document = HTML(string=html, url_fetcher=_refuse_fetch).render()
    document.write_pdf(out)
    return len(document.pages)

"""PDF of the report, through WeasyPrint (pure layout engine, no browser, nothing fetched)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

_SET_FONT = re.compile(rb"^/(\S+) \S+ Tf$")
_SHOW_TEXT = (b" Tj", b" TJ", b"'", b'"')


def _refuse_fetch(url: str, *args: Any, **kwargs: Any) -> Any:
    """The report is self-contained; any fetch is a bug, so it fails instead of going out."""
    raise ValueError(f"the report must not load external resources: {url[:80]}")


def _fonts_per_form(document: Any, pdf: Any) -> None:
    """Give each form XObject only the fonts its own content sets.

    WeasyPrint wraps every centred SVG text (the zone matrix has one per cell and row) in a form
    whose resources name the document's whole font dictionary, and PDF readers such as poppler
    load every font of a form's resources each time they meet one: with three CJK subsets that
    was about 0.45 s per reading of the report (drawing, text extraction) for 88 forms. A form
    that shows text before setting a font of its own keeps the whole dictionary, since it may
    use the font it inherits.
    """
    import pydyf  # type: ignore[import-untyped]  # WeasyPrint's PDF writer

    by_reference = {
        obj.reference: obj
        for obj in pdf.objects
        if isinstance(obj, pydyf.Dictionary | pydyf.Stream) and hasattr(obj, "reference")
    }
    for obj in pdf.objects:
        if not isinstance(obj, pydyf.Stream) or obj.extra.get("Subtype") != "/Form":
            continue
        resources = by_reference.get(obj.extra.get("Resources"))  # each form has its own
        if not isinstance(resources, dict) or not isinstance(resources.get("Font"), bytes):
            continue
        fonts = by_reference.get(resources["Font"])
        if not isinstance(fonts, dict):
            continue
        used: set[str] = set()
        for operation in obj.stream:
            if not isinstance(operation, bytes):
                break
            chosen = _SET_FONT.match(operation)
            if chosen is not None:
                used.add(chosen.group(1).decode())
            elif operation.endswith(_SHOW_TEXT) and not used:
                break
        else:
            if used <= set(fonts):
                resources["Font"] = pydyf.Dictionary({name: fonts[name] for name in sorted(used)})


def write_pdf(html: str, out: Path) -> int:
    """Render ``html`` to ``out``; returns the number of pages."""
    from weasyprint import HTML

    document = HTML(string=html, url_fetcher=_refuse_fetch).render()
    document.write_pdf(out, finisher=_fonts_per_form)
    return len(document.pages)

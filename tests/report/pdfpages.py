"""A PDF's text per page and its first page as a PNG, through poppler's command-line tools."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from tests.markers import require


def page_texts(pdf: Path) -> list[str]:
    """The text of every page, from one ``pdftotext -raw`` (pages end with a form feed)."""
    text = subprocess.run(
        ["pdftotext", "-raw", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    pages = text.split("\f")
    return pages[:-1] if text.endswith("\f") else pages  # a form feed ends every page


def first_page_png(pdf: Path, out: Path) -> Path:
    """Draw page 1 at 70 dpi to ``out`` (``.png`` is added); a PDF page as an image, so the
    test needs the ``browser`` marker like the Chromium ones (tests/markers.py)."""
    require("browser", "pdftoppm (a PDF page drawn as an image)")
    assert shutil.which("pdftoppm") is not None
    subprocess.run(
        ["pdftoppm", "-png", "-r", "70", "-f", "1", "-l", "1", "-singlefile", str(pdf), str(out)],
        check=True,
    )
    return out.with_name(out.name + ".png")

"""The PDF's forms (WeasyPrint wraps each centred SVG text in one) name only the fonts they set.

PDF readers load every font of a form's resources each time they meet the form; with the whole
document's CJK fonts in each of the zone matrix's forms, poppler spent 0.45 s per reading.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import zlib
from pathlib import Path

import pytest

from auditor.report.pdf import write_pdf

HTML = """<!doctype html><html lang="ja"><head><meta charset="utf-8">
<style>body { font-family: "Noto Sans CJK JP", sans-serif; }
.fp { font-family: "DejaVu Sans Mono", monospace; }</style></head><body>
<p>監査レポート <span class="fp">4f2a9c</span></p>
<svg xmlns="http://www.w3.org/2000/svg" width="300" height="80" viewBox="0 0 300 80">
<text x="150" y="20" text-anchor="end" font-size="12">マイナンバー利用事務系</text>
<text x="40" y="50" text-anchor="middle" font-size="15">&#x2714;</text>
<text x="80" y="50" text-anchor="middle" font-size="15">&#x2714;o</text>
<text x="120" y="50" font-size="12">start</text>
</svg></body></html>"""

OBJECT = re.compile(rb"(\d+) 0 obj\s*(.*?)endobj", re.S)


def _objects(pdf: bytes) -> dict[int, bytes]:
    """Every object by number, the ones packed in object streams (``/Type /ObjStm``) included."""
    objects = {int(m.group(1)): m.group(2) for m in OBJECT.finditer(pdf)}
    for body in list(objects.values()):
        head = body.split(b"stream", 1)[0]
        if b"/Type /ObjStm" not in head:
            continue
        first = int(re.search(rb"/First (\d+)", head).group(1))  # type: ignore[union-attr]
        data = _content(body)
        numbers = [int(n) for n in data[:first].split()]
        starts = [first + offset for offset in numbers[1::2]] + [len(data)]
        for number, start, end in zip(numbers[0::2], starts, starts[1:], strict=False):
            objects[number] = data[start:end]
    return objects


def _content(body: bytes) -> bytes:
    raw = body.split(b"stream", 1)[1].lstrip(b"\r\n").rsplit(b"endstream", 1)[0]
    return zlib.decompress(raw) if b"/FlateDecode" in body.split(b"stream", 1)[0] else raw


def test_each_form_names_only_the_fonts_its_content_sets(tmp_path: Path) -> None:
    out = tmp_path / "fonts.pdf"
    assert write_pdf(HTML, out) == 1
    objects = _objects(out.read_bytes())
    whole = {
        m.group(1) for body in objects.values() for m in re.finditer(rb"/Font (\d+) 0 R", body)
    }
    assert len(whole) == 1  # the page's resources name the document's font dictionary
    document_fonts = set(re.findall(rb"/(\w+) \d+ 0 R", objects[int(whole.pop())]))
    assert len(document_fonts) >= 2

    forms = [body for body in objects.values() if b"/Subtype /Form" in body.split(b"stream")[0]]
    assert len(forms) >= 3  # one per centred text
    for form in forms:
        resources = objects[int(re.search(rb"/Resources (\d+) 0 R", form).group(1))]  # type: ignore[union-attr]
        fonts = re.search(rb"/Font <<(.*?)>>", resources)
        assert fonts is not None, resources  # its own dictionary, not the document's
        named = set(re.findall(rb"/(\w+) \d+ 0 R", fonts.group(1)))
        assert named == set(re.findall(rb"/(\w+) [\d.]+ Tf", _content(form)))
        assert named and named < document_fonts


def test_the_texts_of_the_forms_are_still_there(tmp_path: Path) -> None:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    out = tmp_path / "fonts.pdf"
    write_pdf(HTML, out)
    text = subprocess.run(
        ["pdftotext", str(out), "-"], capture_output=True, text=True, check=True
    ).stdout
    for shown in ("監査レポート", "4f2a9c", "マイナンバー利用事務系", "\u2714", "start"):
        assert shown in text, text

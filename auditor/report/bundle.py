"""The evidence bundle: a zip an auditor can take away and check with ``sha256sum -c``."""

from __future__ import annotations

import hashlib
import io
import json
import re
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from auditor.report.exports import iso_jst, json_header, write_csv, write_json
from auditor.report.model import JST, ReportFinding


@dataclass
class BundleInputs:
    """What goes into a bundle besides the findings."""

    generated_at: datetime
    tool_version: str
    rule_pack_hash: str | None
    filters: Mapping[str, Any] = field(default_factory=dict)
    evidence: Sequence[tuple[str, str, bytes]] = ()
    """(sha256, label, data) of every evidence blob to include (already redacted by the store)."""
    config_files: Sequence[tuple[str, Path]] = ()
    """(archive folder, path) of the policy and inventory files or folders used."""
    chain_head: str | None = None


def _safe_name(label: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", label).strip("_")[:80] or "blob"


def _files_under(path: Path) -> Iterable[Path]:
    if path.is_dir():
        yield from sorted(p for p in path.rglob("*") if p.is_file())
    elif path.is_file():
        yield path


def write_bundle(
    findings: Sequence[ReportFinding],
    out: Path,
    inputs: BundleInputs,
    clean: Callable[[str], str],
) -> list[str]:
    """Write the zip; returns the archive names listed in ``SHA256SUMS``."""
    stamp = inputs.generated_at.astimezone(JST)
    date_time = (stamp.year, stamp.month, stamp.day, stamp.hour, stamp.minute, stamp.second)
    root = f"kyojin-evidence-{stamp.strftime('%Y%m%d-%H%M%S')}"
    entries: dict[str, bytes] = {}

    text = io.StringIO()
    header = json_header(
        generated_at=inputs.generated_at,
        tool_version=inputs.tool_version,
        rule_pack_hash=inputs.rule_pack_hash,
        filters=inputs.filters,
        count=len(findings),
    )
    write_json(findings, text, header)
    entries["findings.json"] = text.getvalue().encode("utf-8")

    with tempfile.TemporaryDirectory() as scratch:
        csv_path = Path(scratch) / "findings.csv"
        write_csv(findings, csv_path)
        entries["findings.csv"] = csv_path.read_bytes()

    for sha256, label, data in inputs.evidence:
        name = f"evidence/{sha256[:16]}-{_safe_name(label)}"
        entries[name] = _clean_blob(data, clean)
    for folder, path in inputs.config_files:
        base = path if path.is_dir() else path.parent
        for file in _files_under(path):
            entries[f"{folder}/{file.relative_to(base).as_posix()}"] = file.read_bytes()

    manifest = {
        "generated_at": iso_jst(inputs.generated_at),
        "timezone": "Asia/Tokyo",
        "tool": {
            "name": "kyojin-auditor",
            "version": inputs.tool_version,
            "rule_pack_hash": inputs.rule_pack_hash,
        },
        "event_chain_head": inputs.chain_head,
        "filters": dict(inputs.filters),
        "finding_count": len(findings),
        "evidence_files": sorted(n for n in entries if n.startswith("evidence/")),
    }
    entries["manifest.json"] = json.dumps(manifest, ensure_ascii=False, indent=2).encode("utf-8")

    names = sorted(entries)
    sums = "".join(f"{hashlib.sha256(entries[n]).hexdigest()}  {n}\n" for n in names)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in [*names, "SHA256SUMS"]:
            data = entries[name] if name != "SHA256SUMS" else sums.encode("utf-8")
            info = zipfile.ZipInfo(f"{root}/{name}", date_time=date_time)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return names


def _clean_blob(data: bytes, clean: Callable[[str], str]) -> bytes:
    """Text evidence goes through redaction once more; binary blobs are copied as stored."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return data
    return clean(text).encode("utf-8")

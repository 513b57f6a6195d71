"""The evidence bundle: a zip an auditor can take away and check with ``sha256sum -c``."""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from auditor.report.exports import csv_codec, iso_jst, json_header, write_csv, write_json
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
    text_files: Sequence[tuple[str, str]] = ()
    """(archive name, text) such as ``configs/DEVICE.cfg`` and ``diffs/DEVICE.diff``."""


class _HashingWriter(io.RawIOBase):
    """Passes bytes on to a zip member and hashes them, so nothing is held twice in memory."""

    def __init__(self, target: IO[bytes]) -> None:
        self._target = target
        self.digest = hashlib.sha256()

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        chunk = bytes(data)
        self.digest.update(chunk)
        self._target.write(chunk)
        return len(chunk)


class _Archive:
    """A zip whose every member is hashed on the way in, for the ``SHA256SUMS`` manifest."""

    def __init__(self, archive: zipfile.ZipFile, root: str, date_time: tuple[int, ...]) -> None:
        self.archive = archive
        self.root = root
        self.date_time = date_time
        self.sums: dict[str, str] = {}

    def _info(self, name: str) -> zipfile.ZipInfo:
        info = zipfile.ZipInfo(f"{self.root}/{name}", date_time=self.date_time)  # type: ignore[arg-type]
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o644 << 16
        return info

    def add_bytes(self, name: str, data: bytes) -> None:
        self.archive.writestr(self._info(name), data)
        self.sums[name] = hashlib.sha256(data).hexdigest()

    @contextmanager
    def text(self, name: str, encoding: str = "utf-8") -> Iterator[IO[str]]:
        with self.archive.open(self._info(name), mode="w", force_zip64=True) as member:
            raw = _HashingWriter(member)
            buffered = io.BufferedWriter(raw, buffer_size=1 << 20)
            handle = io.TextIOWrapper(buffered, encoding=encoding, newline="")
            yield handle
            handle.flush()
            buffered.flush()
            handle.detach()
        self.sums[name] = raw.digest.hexdigest()


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
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zipped:
        archive = _Archive(zipped, root, date_time)
        header = json_header(
            generated_at=inputs.generated_at,
            tool_version=inputs.tool_version,
            rule_pack_hash=inputs.rule_pack_hash,
            filters=inputs.filters,
            count=len(findings),
        )
        with archive.text("findings.json") as handle:
            write_json(findings, handle, header)
        with archive.text("findings.csv", encoding=csv_codec("utf-8")) as handle:
            write_csv(findings, handle)
        evidence_names = []
        for sha256, label, data in inputs.evidence:
            name = f"evidence/{sha256[:16]}-{_safe_name(label)}"
            archive.add_bytes(name, _clean_blob(data, clean))
            evidence_names.append(name)
        for name, text in inputs.text_files:
            archive.add_bytes(name, clean(text).encode("utf-8"))
        for folder, path in inputs.config_files:
            base = path if path.is_dir() else path.parent
            for file in _files_under(path):
                archive.add_bytes(
                    f"{folder}/{file.relative_to(base).as_posix()}", file.read_bytes()
                )
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
            "evidence_files": sorted(evidence_names),
            "configuration_files": sorted(name for name, _ in inputs.text_files),
        }
        archive.add_bytes(
            "manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2).encode("utf-8")
        )
        names = sorted(archive.sums)
        sums = "".join(f"{archive.sums[name]}  {name}\n" for name in names)
        zipped.writestr(archive._info("SHA256SUMS"), sums.encode("utf-8"))
    return names


def _clean_blob(data: bytes, clean: Callable[[str], str]) -> bytes:
    """Text evidence goes through redaction once more; binary blobs are copied as stored."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return data
    return clean(text).encode("utf-8")

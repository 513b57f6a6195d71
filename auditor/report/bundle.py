"""The evidence bundle: a zip an auditor can take away and check with ``sha256sum -c``.

It holds only what its manifest lists. Policy and inventory documents are parsed and written
again (comments dropped, credential fields reduced to their ``{env|file|systemd: …}`` reference),
so no file lying in those folders, and never a file a credential reference points to, is copied.
Every member name is made safe for any unzip, and every text member is neutralized (no terminal
control codes from device data).
"""

from __future__ import annotations

import hashlib
import io
import logging
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
from auditor.report.reconcile import reconciliation_line
from auditor.textsafe import json_dumps, neutralize

log = logging.getLogger(__name__)

CREDENTIAL_KEYS = frozenset(
    {"community", "auth_key", "priv_key", "password", "private_key", "enable_secret"}
)
_REFERENCE_KEYS = ("env", "file", "systemd")
_INVENTORY_DOCUMENTS = ("devices.yaml", "devices.yml", "groups.yaml", "groups.yml")
_LEDGER_FILES = ("ledger.xlsx", "ledger.csv")
MAX_COMPONENT = 100


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
    report_html: str | None = None
    """The auditor's version of the report (``report.html``), when the caller rendered one."""
    lang: str = "ja"
    """Language of ``findings.csv`` headers and values, ``README.txt`` and ``index.html``."""


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

    def member(self, name: str) -> str:
        """A safe, unused archive name for ``name`` (each path component made safe)."""
        parts = [_safe_component(part) for part in name.split("/") if part]
        candidate = "/".join(parts) or "blob"
        stem, dot, suffix = candidate.rpartition(".")
        if not dot or "/" in suffix:
            stem, dot, suffix = candidate, "", ""
        number = 2
        while candidate in self.sums or candidate == "SHA256SUMS":
            candidate = f"{stem}-{number}{dot}{suffix}"
            number += 1
        return candidate

    def _info(self, name: str) -> zipfile.ZipInfo:
        info = zipfile.ZipInfo(f"{self.root}/{name}", date_time=self.date_time)  # type: ignore[arg-type]
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o644 << 16
        return info

    def add_bytes(self, name: str, data: bytes) -> str:
        """Store ``data``; returns the (safe) name it was stored under."""
        name = self.member(name)
        self.archive.writestr(self._info(name), data)
        self.sums[name] = hashlib.sha256(data).hexdigest()
        return name

    def add_text(self, name: str, text: str) -> str:
        return self.add_bytes(name, neutralize(text).encode("utf-8"))

    @contextmanager
    def text(self, name: str, encoding: str = "utf-8") -> Iterator[IO[str]]:
        name = self.member(name)
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
    return re.sub(r"[^\w.-]+", "_", label).strip("_")[:80] or "blob"


def _safe_component(part: str) -> str:
    """One path component: word characters, dots and dashes, no leading dot, bounded length."""
    safe = re.sub(r"[^\w.-]+", "_", part).strip("_")
    safe = re.sub(r"^\.+", "_", safe) or "_"
    if len(safe) > MAX_COMPONENT:
        digest = hashlib.sha256(part.encode("utf-8", "surrogatepass")).hexdigest()[:12]
        stem, dot, suffix = safe.rpartition(".")
        suffix = suffix[:12] if dot and len(suffix) <= 12 else ""
        safe = f"{(stem if suffix else safe)[: MAX_COMPONENT - 26]}-{digest}"
        safe += f".{suffix}" if suffix else ""
    return safe


def config_documents(folder: str, path: Path) -> list[tuple[str, str]]:
    """``(archive name, YAML text)`` of the policy or inventory documents at ``path``."""
    return read_config_documents(folder, path)[0]


def read_config_documents(
    folder: str, path: Path
) -> tuple[list[tuple[str, str]], list[dict[str, str]]]:
    """The documents as :func:`config_documents`, and those left out with the reason.

    Only the YAML documents the loaders read, re-serialised; credential fields keep their
    reference and nothing else. A document that does not parse is left out and named, so the
    bundle's manifest says which input it lacks instead of being silently thinner.
    """
    from auditor.policy.source import load_located, to_plain

    if path.is_dir():
        if folder == "inventory":
            files = [path / name for name in _INVENTORY_DOCUMENTS if (path / name).is_file()]
        else:
            files = sorted(
                p for p in path.iterdir() if p.suffix in {".yaml", ".yml"} and p.is_file()
            )
    else:
        files = [path] if path.is_file() else []
    documents: list[tuple[str, str]] = []
    left_out: list[dict[str, str]] = []
    for file in files:
        try:
            data = to_plain(load_located(file, str(file)))
        except Exception as exc:  # an invalid file: the bundle still comes out, without it
            log.warning("bundle: %s left out (%s)", file.name, type(exc).__name__)
            left_out.append({"document": f"{folder}/{file.name}", "reason": type(exc).__name__})
            continue
        documents.append((f"{folder}/{file.name}", _dump_yaml(_strip_credentials(data))))
    return documents, left_out


def _strip_credentials(value: Any) -> Any:
    """Credential fields as references only; an inline secret becomes a placeholder."""
    if isinstance(value, dict):
        result: dict[str, Any] = {}
        for key, child in value.items():
            if key in CREDENTIAL_KEYS and child is not None:
                if isinstance(child, dict):
                    result[key] = {k: str(child[k]) for k in _REFERENCE_KEYS if child.get(k)}
                else:
                    result[key] = "<removed: inline secret>"
            else:
                result[key] = _strip_credentials(child)
        return result
    if isinstance(value, list):
        return [_strip_credentials(item) for item in value]
    return value


def _dump_yaml(data: Any) -> str:
    from ruamel.yaml import YAML

    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    yaml.allow_unicode = True
    stream = io.StringIO()
    yaml.dump(data, stream)
    return stream.getvalue()


def _ledger_file(path: Path) -> Path | None:
    """The ledger beside the inventory (evidence of what was compared), if it is a plain file."""
    folder = path if path.is_dir() else path.parent
    for name in _LEDGER_FILES:
        candidate = folder / name
        if candidate.is_file() and not candidate.is_symlink():
            return candidate
    return None


def _credential_targets(documents: Iterable[tuple[str, str]], base: Path) -> set[Path]:
    """Resolved paths of every ``{file: …}`` reference, so such a file is never bundled."""
    from ruamel.yaml import YAML

    targets: set[Path] = set()

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for key, child in value.items():
                if key in CREDENTIAL_KEYS and isinstance(child, dict) and child.get("file"):
                    target = Path(str(child["file"]))
                    targets.add((target if target.is_absolute() else base / target).resolve())
                else:
                    walk(child)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    for _, text in documents:
        walk(YAML(typ="safe", pure=True).load(text))
    return targets


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
        evidence_names = []
        blob_files: dict[str, str] = {}
        for sha256, label, data in inputs.evidence:
            name = f"evidence/{sha256[:16]}-{_safe_name(label)}"
            blob_files[sha256] = archive.add_bytes(name, _clean_blob(data, clean))
            evidence_names.append(blob_files[sha256])
        evidence_files = _evidence_records(findings, blob_files, archive)
        evidence_names.extend(sorted(set(evidence_files.values()) - set(blob_files.values())))
        with archive.text("findings.json") as handle:
            write_json(findings, handle, header, evidence_files, inputs.lang)
        with archive.text("findings.csv", encoding=csv_codec("utf-8")) as handle:
            write_csv(findings, handle, lang=inputs.lang)
        if inputs.report_html is not None:
            archive.add_bytes("report.html", inputs.report_html.encode("utf-8"))
        text_names = [archive.add_text(name, clean(text)) for name, text in inputs.text_files]
        document_names = []
        documents_left_out: list[dict[str, str]] = []
        for folder, path in inputs.config_files:
            documents, left_out = read_config_documents(folder, path)
            documents_left_out.extend(left_out)
            for name, text in documents:
                document_names.append(archive.add_text(name, text))
            ledger = _ledger_file(path) if folder == "inventory" else None
            base = path if path.is_dir() else path.parent
            if ledger is not None and ledger.resolve() not in _credential_targets(
                documents, base.resolve()
            ):
                document_names.append(
                    archive.add_bytes(f"{folder}/{ledger.name}", ledger.read_bytes())
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
            "configuration_files": sorted(text_names),
            "input_documents": sorted(document_names),
            "input_documents_left_out": documents_left_out,
        }
        archive.add_bytes(
            "manifest.json", json_dumps(manifest, ensure_ascii=False, indent=2).encode("utf-8")
        )
        listed = sorted(archive.sums)
        archive.add_text("README.txt", _readme(inputs, findings, listed, root))
        archive.add_bytes("index.html", _index_html(inputs, findings, listed).encode("utf-8"))
        names = sorted(archive.sums)
        sums = "".join(f"{archive.sums[name]}  {name}\n" for name in names)
        zipped.writestr(archive._info("SHA256SUMS"), sums.encode("utf-8"))
    return names


def _evidence_records(
    findings: Sequence[ReportFinding], blob_files: Mapping[str, str], archive: _Archive
) -> dict[tuple[str, int], str]:
    """Where each finding's evidence lives in the bundle: its stored blob, or a record file.

    Evidence without a stored blob (a config line, a counter) is written as the check recorded it
    to ``evidence/findings/<fingerprint>.txt``, so every reference in ``findings.json`` resolves.
    """
    files: dict[tuple[str, int], str] = {}
    for finding in findings:
        loose = []
        for index, item in enumerate(finding.evidence):
            if item.blob_sha256 and item.blob_sha256 in blob_files:
                files[(finding.fingerprint, index)] = blob_files[item.blob_sha256]
            else:
                loose.append((index, item))
        if not loose:
            continue
        lines = [
            f"# {finding.check_id} {finding.device or '-'} {finding.subject}",
            f"# fingerprint {finding.fingerprint}",
        ]
        for index, item in loose:
            hash_note = f" (blob {item.blob_sha256}: not stored)" if item.blob_sha256 else ""
            lines.append(f"[{index}] {item.source}{hash_note}\n{item.detail}")
        name = archive.add_text(
            f"evidence/findings/{finding.fingerprint[:24]}.txt", "\n".join(lines) + "\n"
        )
        for index, _ in loose:
            files[(finding.fingerprint, index)] = name
    return files


_MEMBER_HELP: tuple[tuple[str, str, str], ...] = (
    (
        "report.html",
        "監査レポート (監査人向け: 経緯・証跡・推奨される対応つき)",
        "The audit report",
    ),
    (
        "findings.json",
        "全指摘 (経緯・判定・ガイドラインの版・証跡への参照)",
        "Every finding (JSON)",
    ),
    ("findings.csv", "全指摘 (Excel で開けます)", "Every finding (CSV, opens in Excel)"),
    ("manifest.json", "この束の内容と作成条件", "What this bundle holds and how it was made"),
    ("SHA256SUMS", "各ファイルのハッシュ (sha256sum -c で検証)", "Hashes (sha256sum -c)"),
    ("evidence/", "証跡 (機器から収集したデータ、指摘ごとの記録)", "Evidence files"),
    ("configs/", "機器の設定 (秘密情報は伏せ字)", "Device configurations (redacted)"),
    ("diffs/", "設定の直近の変更", "Recent configuration changes"),
    ("policy/", "監査に使ったポリシー", "The policy audited against"),
    ("inventory/", "機器一覧と資産台帳", "Device list and asset ledger"),
)


def _member_help(name: str, lang: str) -> str:
    for prefix, ja, en in _MEMBER_HELP:
        if name == prefix or (prefix.endswith("/") and name.startswith(prefix)):
            return ja if lang == "ja" else en
    return ""


def _readme(
    inputs: BundleInputs, findings: Sequence[ReportFinding], names: Sequence[str], root: str
) -> str:
    """What is in the bundle and how to check it, for an auditor who opens the zip."""
    ja = inputs.lang == "ja"
    lines = [
        "監査証跡の束 (強靭性監査)" if ja else "Audit evidence bundle (network resilience audit)",
        "",
        (
            f"作成日時: {iso_jst(inputs.generated_at)}"
            if ja
            else f"Generated: {iso_jst(inputs.generated_at)}"
        ),
        (f"指摘: {len(findings)} 件" if ja else f"Findings: {len(findings)}"),
        reconciliation_line(findings, inputs.lang),  # findings.csv has no summary row
        "",
        "検証: このフォルダで sha256sum -c SHA256SUMS を実行します。"
        if ja
        else "Verify: run sha256sum -c SHA256SUMS in this folder.",
        "",
        "内容:" if ja else "Contents:",
    ]
    shown: set[str] = set()
    for prefix, _, _ in _MEMBER_HELP:
        matching = [
            n for n in names if n == prefix or (prefix.endswith("/") and n.startswith(prefix))
        ]
        if matching and prefix not in shown:
            shown.add(prefix)
            lines.append(
                f"  {prefix:<16} {_member_help(matching[0], inputs.lang)} ({len(matching)})"
            )
    lines += ["", f"{root}/index.html"]
    return "\n".join(lines) + "\n"


def _index_html(
    inputs: BundleInputs, findings: Sequence[ReportFinding], names: Sequence[str]
) -> str:
    """An index page with a relative link to every member (opens from the unzipped folder)."""
    from html import escape

    ja = inputs.lang == "ja"
    title = "監査証跡の束" if ja else "Audit evidence bundle"
    rows = "\n".join(
        f'<tr><td><a href="{escape(name)}">{escape(name)}</a></td>'
        f"<td>{escape(_member_help(name, inputs.lang))}</td></tr>"
        for name in [*names, "README.txt", "SHA256SUMS"]
    )
    head = (
        "<tr><th>ファイル</th><th>内容</th></tr>" if ja else "<tr><th>File</th><th>What</th></tr>"
    )
    count = f"指摘 {len(findings)} 件" if ja else f"{len(findings)} findings"
    return (
        f'<!DOCTYPE html>\n<html lang="{"ja" if ja else "en"}"><head><meta charset="utf-8">'
        f"<title>{title}</title></head><body><h1>{title}</h1>"
        f"<p>{escape(iso_jst(inputs.generated_at) or '')} — {count}</p>"
        f"<table>{head}\n{rows}</table></body></html>\n"
    )


def _clean_blob(data: bytes, clean: Callable[[str], str]) -> bytes:
    """Text evidence goes through redaction once more; binary blobs are copied as stored."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return data
    return neutralize(clean(text)).encode("utf-8")

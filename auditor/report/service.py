"""What the ``report`` and ``export`` commands do, without the command line (tests, bench, daemon)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal

from auditor import __version__
from auditor.gcpause import gc_paused
from auditor.inventory.models import Inventory
from auditor.policy.models import Policy
from auditor.report.bundle import BundleInputs, write_bundle
from auditor.report.cleaning import Redactor
from auditor.report.data import (
    Departments,
    ExportFilter,
    RuleText,
    load_report_data,
    restrict,
)
from auditor.report.exports import json_header, write_csv, write_json, write_sarif, write_xlsx
from auditor.report.model import JST, ReportData, ReportFinding
from auditor.report.pdf import write_pdf
from auditor.report.render import PDF_DETAIL_LIMIT, ReportFormat, render_report
from auditor.store.protocol import AuditStore

ExportFormat = Literal["csv", "xlsx", "json", "sarif", "pdf", "bundle"]
EXPORT_FORMATS: tuple[str, ...] = ("csv", "xlsx", "json", "sarif", "pdf", "bundle")
ROW_FORMATS = frozenset({"csv", "xlsx", "json", "sarif"})
"""Exports written from the findings alone: no summary section, no matrix (``sections=False``)."""

log = logging.getLogger(__name__)


@dataclass
class ReportInputs:
    """Policy and inventory as far as they load: a report must still come out when they do not."""

    policy: Policy | None = None
    inventory: Inventory | None = None
    policy_path: Path | None = None
    inventory_path: Path | None = None
    problems: list[str] = field(default_factory=list)


def load_inputs(policy_path: Path | None, inventory_path: Path | None) -> ReportInputs:
    from auditor.inventory.loader import load_inventory
    from auditor.policy.loader import load_policy

    inputs = ReportInputs(policy_path=policy_path, inventory_path=inventory_path)
    if policy_path is not None and policy_path.exists():
        try:
            inputs.policy = load_policy(policy_path).policy
        except Exception as exc:
            inputs.problems.append(f"policy {policy_path}: {exc}")
    if inventory_path is not None and inventory_path.exists():
        try:
            inputs.inventory = load_inventory(inventory_path)
        except Exception as exc:
            inputs.problems.append(f"inventory {inventory_path}: {exc}")
    return inputs


def build_report(
    store: AuditStore,
    inputs: ReportInputs,
    *,
    report_date: date | None = None,
    now: datetime | None = None,
    redactor: Callable[[str], str] | None = None,
    with_matrix: bool = True,
    with_history: bool = False,
    sections: bool = True,
) -> ReportData:
    """The report of ``report_date``; ``with_matrix=False`` skips the matrix (exports).

    The matrix is the one the audit service stored with the newest run that has one; the report
    never rebuilds it (a run without one is shown as a coverage gap). ``with_history`` reads each
    finding's events (the exports carry them; one streamed read of the events).
    ``sections=False`` leaves the report's summary sections empty: what the row exports
    (:data:`ROW_FORMATS`) need is the findings and the header fields.
    """
    return load_report_data(
        store,
        policy=inputs.policy,
        now=now,
        report_date=report_date,
        redactor=redactor or Redactor(),
        with_matrix=with_matrix,
        with_history=with_history,
        rules=rule_texts(),
        departments=departments(inputs),
        sections=sections,
    )


def rule_texts() -> dict[str, RuleText]:
    """Titles and Remediation text of every discovered rule (the exports' recommendation)."""
    from auditor.rules import discover

    return {
        check.id: RuleText(
            check.title_ja, check.title_en, check.documentation().get("Remediation", "")
        )
        for check in discover()
    }


def departments(inputs: ReportInputs) -> Departments:
    """所管課 per device and per zone from the asset ledger beside the inventory, if any.

    A zone's department is the one most of its ledger rows name; a ledger that does not load
    leaves every finding with the default (情報管理課).
    """
    from collections import Counter

    from auditor.inventory.ledger import load_ledger
    from auditor.report.bundle import _ledger_file

    if inputs.inventory_path is None or not inputs.inventory_path.exists():
        return Departments()
    path = _ledger_file(inputs.inventory_path)
    if path is None:
        return Departments()
    try:
        ledger = load_ledger(path, inputs.policy)
    except Exception as exc:  # the report still comes out, with the default department
        log.warning("ledger %s not read for departments: %s", path.name, type(exc).__name__)
        return Departments()
    by_device: dict[str, str] = {}
    per_zone: dict[str, Counter[str]] = {}
    for row in ledger.rows:
        if not row.owner_department:
            continue
        for name in (row.hostname, row.name):
            if name:
                by_device.setdefault(name, row.owner_department)
        if row.zone:
            per_zone.setdefault(row.zone, Counter())[row.owner_department] += 1
    by_zone = {zone: counts.most_common(1)[0][0] for zone, counts in per_zone.items()}
    return Departments(by_device=by_device, by_zone=by_zone)


def write_report(data: ReportData, out: Path, fmt: ReportFormat = "html", lang: str = "ja") -> None:
    out.write_text(render_report(data, fmt, lang), encoding="utf-8")


def filters_json(export_filter: ExportFilter) -> dict[str, Any]:
    return {
        "since": export_filter.since.astimezone(JST).isoformat() if export_filter.since else None,
        "until": export_filter.until.astimezone(JST).isoformat() if export_filter.until else None,
        "zone": sorted(export_filter.zones),
        "severity": sorted(export_filter.severities),
        "status": sorted(export_filter.statuses),
        "check": sorted(export_filter.checks),
        "clause": list(export_filter.clauses),
    }


def evidence_blobs(
    store: AuditStore, findings: Sequence[ReportFinding], run_id: int | None
) -> list[tuple[str, str, bytes]]:
    """Blobs the findings cite, plus what the latest run stored (configs, walks, diffs)."""
    wanted: dict[str, str] = {}
    for finding in findings:
        for item in finding.evidence:
            if item.blob_sha256:
                wanted.setdefault(item.blob_sha256, f"{finding.device or 'network'}-{item.source}")
    if run_id is not None:
        for link in store.run_evidence(run_id):
            wanted.setdefault(link.sha256, f"{link.device or 'network'}-{link.label}")
    blobs = []
    for sha256, label in sorted(wanted.items()):
        try:
            blobs.append((sha256, label, store.evidence_blob(sha256)))
        except LookupError:
            log.warning("evidence %s is cited but not stored", sha256[:12])
    return blobs


def configuration_files(store: AuditStore, devices: Iterable[str]) -> list[tuple[str, str]]:
    """The stored (redacted) configuration of each device and the diff of its last change."""
    from auditor.report.config_history import NoConfiguration, diff_config, show_config

    files: list[tuple[str, str]] = []
    for device in sorted(set(devices)):
        safe = "".join(c if c.isalnum() or c in "._-" else "_" for c in device)
        try:
            files.append((f"configs/{safe}.cfg", show_config(store, device) + "\n"))
        except NoConfiguration:
            continue
        diff = diff_config(store, device)
        if diff:
            files.append((f"diffs/{safe}.diff", diff + "\n"))
    return files


def check_titles() -> dict[str, tuple[str, str]]:
    from auditor.rules import discover

    return {check.id: (check.title_ja, check.title_en) for check in discover()}


def run_export(
    fmt: ExportFormat,
    out: Path,
    data: ReportData,
    *,
    export_filter: ExportFilter | None = None,
    lang: str = "ja",
    encoding: str = "utf-8",
    store: AuditStore | None = None,
    inputs: ReportInputs | None = None,
    redactor: Callable[[str], str] | None = None,
    titles: Mapping[str, tuple[str, str]] | None = None,
    zone_sheets: bool = False,
) -> int:
    """Write one export of ``data`` (already redacted) to ``out``; returns findings written.

    ``zone_sheets``: the XLSX also gets one sheet per zone (every finding written twice).
    """
    # Row-by-row formats pause the collector; the PDF and bundle build trees with cycles.
    paused = gc_paused() if fmt in ROW_FORMATS else nullcontext()
    with paused:
        return _run_export(
            fmt,
            out,
            data,
            export_filter=export_filter,
            lang=lang,
            encoding=encoding,
            store=store,
            inputs=inputs,
            redactor=redactor,
            titles=titles,
            zone_sheets=zone_sheets,
        )


def _run_export(
    fmt: ExportFormat,
    out: Path,
    data: ReportData,
    *,
    export_filter: ExportFilter | None,
    lang: str,
    encoding: str,
    store: AuditStore | None,
    inputs: ReportInputs | None,
    redactor: Callable[[str], str] | None,
    titles: Mapping[str, tuple[str, str]] | None,
    zone_sheets: bool,
) -> int:
    export_filter = export_filter or ExportFilter()
    findings = export_filter.apply(data.findings)
    tool_version = data.tool_version or __version__
    if fmt == "csv":
        return write_csv(findings, out, encoding=encoding, lang=lang)
    if fmt == "xlsx":
        names = {zone.id: zone.name(lang) for zone in data.zones}
        return write_xlsx(
            findings,
            out,
            lang=lang,
            zone_names=names,
            chain_head=data.chain_head,
            zone_sheets=zone_sheets,
        )
    if fmt == "json":
        header = json_header(
            generated_at=data.generated_at,
            tool_version=tool_version,
            rule_pack_hash=data.rule_pack_hash,
            filters=filters_json(export_filter),
            count=len(findings),
            chain_head=data.chain_head,
        )
        return write_json(findings, out, header, lang=lang)
    if fmt == "sarif":
        return write_sarif(
            findings,
            out,
            tool_version=tool_version,
            check_titles=titles if titles is not None else check_titles(),
            lang=lang,
            chain_head=data.chain_head,
        )
    if fmt == "pdf":
        html = render_report(
            restrict(data, export_filter), "html", lang, detail_limit=PDF_DETAIL_LIMIT, pack=True
        )
        write_pdf(html, out)
        return len(findings)
    inputs = inputs or ReportInputs()
    configs = [
        (folder, path)
        for folder, path in (("policy", inputs.policy_path), ("inventory", inputs.inventory_path))
        if path is not None and path.exists()
    ]
    run_id = data.current_run.id if data.current_run else None
    bundle_inputs = BundleInputs(
        generated_at=data.generated_at,
        tool_version=tool_version,
        rule_pack_hash=data.rule_pack_hash,
        filters=filters_json(export_filter),
        evidence=evidence_blobs(store, findings, run_id) if store is not None else (),
        config_files=configs,
        chain_head=data.chain_head,
        text_files=configuration_files(store, (f.device for f in findings if f.device))
        if store is not None
        else (),
        report_html=render_report(
            restrict(data, export_filter), "html", lang, detail_limit=PDF_DETAIL_LIMIT, pack=True
        ),
        lang=lang,
    )
    write_bundle(findings, out, bundle_inputs, redactor or Redactor())
    return len(findings)

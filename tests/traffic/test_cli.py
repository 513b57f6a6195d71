"""``auditor traffic analyze`` prints and records; ``auditor matrix`` then shows the observed flows."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from scapy.layers.inet import IP, TCP
from scapy.layers.l2 import Ether
from typer.testing import CliRunner

from auditor.cli.app import build_app
from auditor.collect.pcap_writer import ethernet, ipv4, tcp, write_pcap
from auditor.model.traffic import EVIDENCE_LABEL, TrafficSummary
from auditor.store.opening import open_store

from .conftest import INVENTORY, POLICY

Capture = Callable[[Iterable[Any]], Path]


def invoke(*args: str) -> Any:
    return CliRunner().invoke(build_app("en"), [*args], catch_exceptions=False)


def test_analyze_prints_the_flow_table_and_findings_as_json(capture: Capture) -> None:
    path = capture([Ether() / IP(src="10.10.1.5", dst="10.30.1.5") / TCP(dport=443)])
    result = invoke("traffic", "analyze", str(path), "--policy", str(POLICY),
                    "--inventory", str(INVENTORY), "--format", "json")  # fmt: skip
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    [flow] = payload["summary"]["flows"]
    assert (flow["source_zone"], flow["destination_zone"], flow["port"]) == (
        "mynumber",
        "internet",
        443,
    )
    assert "TRF-001" in {f["check_id"] for f in payload["findings"]}


def test_a_recorded_traffic_run_stores_the_flow_table_and_feeds_the_matrix(
    capture: Capture, tmp_path: Path
) -> None:
    db = f"sqlite:///{tmp_path / 'auditor.db'}"
    path = capture([Ether() / IP(src="10.50.1.5", dst="10.20.1.5") / TCP(dport=3389)] * 2)
    result = invoke("traffic", "analyze", str(path), "--policy", str(POLICY),
                    "--inventory", str(INVENTORY), "--db", db)  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "education" in result.stdout and "TRF-001" in result.stdout

    store = open_store(db)
    [run] = store.list_runs(kind="traffic")
    [link] = [link for link in store.run_evidence(run.id) if link.label == EVIDENCE_LABEL]
    stored = TrafficSummary.from_json(json.loads(store.evidence_blob(link.sha256)))
    assert [(f.source_zone, f.destination_zone, f.packets) for f in stored.flows] == [
        ("education", "lgwan", 2)
    ]
    assert b"3389" in store.evidence_blob(link.sha256)  # counts and ports, never payloads
    [finding] = [f for f in store.list_findings() if f.check_id == "TRF-001"]
    assert {e.blob_sha256 for e in finding.evidence} == {link.sha256}  # cites the flow table

    matrix = invoke("matrix", "--policy", str(POLICY), "--inventory", str(INVENTORY),
                    "--db", db, "--format", "json")  # fmt: skip
    assert matrix.exit_code == 0, matrix.output
    cells = {(c["from"], c["to"]): c for c in json.loads(matrix.stdout)["cells"]}
    [observed] = cells[("education", "lgwan")]["observed_in_traffic"]
    assert observed["services"] == ["tcp/3389"] and observed["packets"] == 2
    assert cells[("lgwan", "education")]["observed_in_traffic"] == []


def test_a_truncated_capture_exits_1_naming_the_offset_and_still_prints_the_flows(
    tmp_path: Path,
) -> None:
    frame = ethernet("02:00:00:00:00:01", "02:00:00:00:00:02", 0x0800,
                     ipv4("10.10.0.5", "10.30.0.5", 6, tcp(40000, 443)))  # fmt: skip
    path = tmp_path / "cut.pcap"
    write_pcap(path, ((1000.0 + i, frame) for i in range(3)))
    path.write_bytes(path.read_bytes()[:-5])
    offset = 24 + 2 * (16 + len(frame))
    result = invoke("traffic", "analyze", str(path), "--policy", str(POLICY),
                    "--inventory", str(INVENTORY))  # fmt: skip
    assert result.exit_code == 1
    assert f"byte offset {offset}" in result.stderr
    assert "mynumber" in result.stdout


def test_the_report_matrix_marks_the_zone_pairs_seen_in_the_latest_traffic_run(
    capture: Capture, tmp_path: Path
) -> None:
    from auditor.report.service import build_report, load_inputs

    db = f"sqlite:///{tmp_path / 'auditor.db'}"
    path = capture([Ether() / IP(src="10.10.1.5", dst="10.30.1.5") / TCP(dport=443)])
    result = invoke("traffic", "analyze", str(path), "--policy", str(POLICY),
                    "--inventory", str(INVENTORY), "--db", db)  # fmt: skip
    assert result.exit_code == 0, result.output
    store = open_store(db)
    [run] = store.list_runs(kind="traffic")
    stored = store.latest_matrix()
    assert stored is not None and stored.run_id == run.id and stored.error is None
    data = build_report(store, load_inputs(POLICY, INVENTORY))
    observed = {(c.source, c.target) for c in data.matrix if c.observed}
    assert observed == {("mynumber", "internet")}
    assert data.matrix_source is not None and data.matrix_source.run_id == run.id
    assert data.matrix_source.gap is None


def test_a_manual_suppression_of_a_traffic_finding_survives_the_next_analysis(
    capture: Capture, tmp_path: Path
) -> None:
    """``findings suppress`` on a TRF-001, then the same capture again: still suppressed."""
    db = f"sqlite:///{tmp_path / 'auditor.db'}"
    path = capture([Ether() / IP(src="10.50.1.5", dst="10.20.1.5") / TCP(dport=3389)])
    analyze = ("traffic", "analyze", str(path), "--policy", str(POLICY),
               "--inventory", str(INVENTORY), "--db", db)  # fmt: skip
    assert invoke(*analyze).exit_code == 0
    store = open_store(db)
    [finding] = [f for f in store.list_findings() if f.check_id == "TRF-001"]
    suppressed = invoke("findings", "suppress", finding.fingerprint[:16], "--db", db,
                        "--reason", "保守作業の一時的な通信", "--approver", "情報政策課長",
                        "--approval-number", "R8-0042", "--expires", "2099-03-31")  # fmt: skip
    assert suppressed.exit_code == 0, suppressed.output

    again = invoke(*analyze)
    assert again.exit_code == 0, again.output
    runs = store.list_runs(kind="traffic")
    assert len(runs) == 2 and runs[0].finding_counts["unsuppressed"] == 0
    record, events = store.get_finding(finding.fingerprint)
    assert record.status == "suppressed"
    assert record.exception_id == "manual:R8-0042"
    assert record.last_run_id == runs[0].id  # seen by the second analysis, not left behind
    assert "unsuppressed" not in [event.event_type for event in events]

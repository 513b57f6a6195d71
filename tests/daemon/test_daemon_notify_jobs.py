"""The daemon's capture-window and probe jobs (issue 21): each records its run through the audit
service with the traffic summary as evidence, and the capture run's new critical finding is told.

The capture job reads a capture file named by ``capture_interface`` (what a live window hands
the same aggregator); the probe job runs in a network namespace of the netns lab, from the My
Number tier's namespace, with root privileges (marker ``netns``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from auditor.daemon.scheduler import Daemon
from auditor.daemon.settings import Settings
from auditor.lab.netns import LabState, existing_namespaces
from auditor.model.traffic import EVIDENCE_LABEL, TrafficSummary
from auditor.notify.settings import NotifySettings
from auditor.store import Store
from tests.cli_tree import CliRunner, build_app
from tests.daemon.labfiles import EXAMPLE_POLICY, REPO
from tests.notify.servers import WebhookReceiver

INVENTORY = REPO / "inventory" / "example-city"


def _summary(store: Store, run_id: int) -> TrafficSummary:
    [link] = [e for e in store.run_evidence(run_id) if e.label == EVIDENCE_LABEL]
    return TrafficSummary.from_json(json.loads(store.evidence_blob(link.sha256)))


def test_the_capture_window_job_records_a_traffic_run_and_tells_its_critical_finding(
    tmp_path: Path,
) -> None:
    # Imported here, not at collection: scapy takes 0.25 s to import.
    from scapy.layers.inet import IP, TCP
    from scapy.layers.l2 import Ether
    from scapy.utils import wrpcap

    syn = Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02") / IP(
        src="10.10.1.5", dst="10.30.1.5"
    ) / TCP(sport=41000, dport=443)  # fmt: skip
    capture = tmp_path / "span.pcap"
    wrpcap(str(capture), [syn] * 3)
    receiver = WebhookReceiver("unused")
    receiver.start()
    try:
        notify = NotifySettings.model_validate(
            {
                "channels": {"hook": {"type": "webhook", "url": receiver.url}},
                "rules": [
                    {"channels": ["hook"], "events": ["finding"], "min_severity": "critical"}
                ],
            }
        )
        settings = Settings(  # type: ignore[call-arg]
            state_dir=tmp_path / "state",
            policy=EXAMPLE_POLICY,
            inventory=INVENTORY,
            jitter_seconds=0,
            capture_interface=str(capture),
            notify=notify,
        )
        daemon = Daemon(settings)
        daemon.bundle = daemon._load()
        daemon.capture_window()
    finally:
        receiver.stop()

    with Store(str(tmp_path / "state" / "auditor.db")) as store:
        [run] = store.list_runs(kind="traffic")
        summary = _summary(store, run.id)
        findings = store.list_findings(check_id="TRF-001")
    assert summary.packets == 3 and summary.sources == [str(capture)]
    assert {(f.source_zone, f.destination_zone, f.port) for f in summary.flows} == {
        ("mynumber", "internet", 443)
    }
    assert [(f.subject, f.severity.value, f.last_run_id) for f in findings] == [
        ("flow:mynumber->internet:tcp/443", "critical", run.id)
    ]
    [told] = receiver.received
    assert [(e["kind"], e["check_id"], e["run_id"]) for e in told["body"]["events"]] == [
        ("finding", "TRF-001", run.id)
    ]


def _require_root() -> None:
    if os.geteuid() == 0:
        return
    if os.environ.get("CI") == "true":
        pytest.fail("the probe job test must run as root in CI")
    pytest.skip("network namespaces need root")


@pytest.fixture
def netns_lab(tmp_path: Path) -> Iterator[LabState]:
    _require_root()
    prefix = f"kyn-{os.getpid()}-"
    state = tmp_path / "netns.json"
    runner = CliRunner()
    up = runner.invoke(build_app("en"), ["lab", "netns", "up", "--policy", str(EXAMPLE_POLICY),
                       "--state", str(state), "--prefix", prefix])  # fmt: skip
    try:
        assert up.exit_code == 0, up.output
        yield LabState.load(state)
    finally:
        down = runner.invoke(build_app("en"), ["lab", "netns", "down", "--state", str(state)])
        assert down.exit_code == 0, down.output
        assert existing_namespaces(prefix) == []


PROBE_JOB = """
from auditor.daemon.scheduler import Daemon
from auditor.daemon.settings import Settings
daemon = Daemon(Settings())
daemon.bundle = daemon._load()
daemon.probe()
"""


def _policy_with_targets(folder: Path, targets: dict[str, list[str]]) -> Path:
    """The example city's policy with the netns lab's addresses as each zone's probe targets."""
    yaml = YAML()
    data: Any = yaml.load((EXAMPLE_POLICY / "policy.yaml").read_text(encoding="utf-8"))
    for zone in data["zones"]:
        if zone["id"] in targets:
            zone["probe_targets"] = targets[zone["id"]]
    folder.mkdir(parents=True)
    with (folder / "policy.yaml").open("w", encoding="utf-8") as handle:
        yaml.dump(data, handle)
    return folder


@pytest.mark.netns
def test_the_probe_job_from_the_my_number_tier_records_the_planted_hole(
    tmp_path: Path, netns_lab: LabState
) -> None:
    assert netns_lab.hole == "mynumber->lgwan:tcp/443"
    policy = _policy_with_targets(tmp_path / "policy", netns_lab.targets)
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("AUDITOR_")},
        "AUDITOR_CONFIG": str(tmp_path / "absent.toml"),
        "AUDITOR_STATE_DIR": str(tmp_path / "state"),
        "AUDITOR_POLICY": str(policy),
        "AUDITOR_INVENTORY": str(INVENTORY),
        "AUDITOR_PROBE_FROM_ZONE": "mynumber",
    }
    job = subprocess.run(
        ["ip", "netns", "exec", netns_lab.zones["mynumber"], sys.executable, "-c", PROBE_JOB],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert job.returncode == 0, job.stderr
    with Store(str(tmp_path / "state" / "auditor.db")) as store:
        [run] = store.list_runs(kind="probe")
        summary = _summary(store, run.id)
        findings = store.list_findings(check_id="TRF-007")
    assert run.status in {"complete", "partial"}, run
    assert summary.sources == ["probe:mynumber"]
    assert summary.probes and sum(p.answered for p in summary.probes) > 1
    assert sorted((f.subject, f.severity.value, f.device) for f in findings) == [
        ("probe:mynumber->10.20.0.10:tcp/443", "critical", "probe@mynumber"),
        ("probe:mynumber->10.20.0.25:tcp/443", "critical", "probe@mynumber"),
    ]

"""In network namespaces built from the example city's policy with one planted hole, probes from
every zone find exactly that hole, and ``lab netns down`` leaves no namespace behind."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from auditor.cli.app import build_app
from auditor.lab.netns import LabState, existing_namespaces

from .conftest import INVENTORY, POLICY


def _require_root() -> None:
    if os.geteuid() == 0:
        return
    if os.environ.get("CI") == "true":
        pytest.fail("the netns probe test must run as root in CI")
    pytest.skip("network namespaces need root")


@pytest.fixture
def netns_lab(tmp_path: Path) -> Iterator[LabState]:
    _require_root()
    prefix = f"kyj-{os.getpid()}-"
    state = tmp_path / "netns.json"
    runner = CliRunner()
    up = runner.invoke(build_app("en"), ["lab", "netns", "up", "--policy", str(POLICY),
                       "--state", str(state), "--prefix", prefix])  # fmt: skip
    try:
        assert up.exit_code == 0, up.output
        yield LabState.load(state)
    finally:
        down = runner.invoke(build_app("en"), ["lab", "netns", "down", "--state", str(state)])
        assert down.exit_code == 0, down.output
        assert existing_namespaces(prefix) == []


def test_probes_from_every_zone_find_exactly_the_planted_hole(netns_lab: LabState) -> None:
    assert netns_lab.hole == "mynumber->lgwan:tcp/443"  # the My Number tier has no LGWAN-tier flow
    targets = ",".join(netns_lab.all_targets())
    # Live capture on the router's My Number link while the probes run.
    watch = subprocess.Popen(
        [
            "ip",
            "netns",
            "exec",
            netns_lab.router,
            sys.executable,
            "-m",
            "auditor",
            "traffic",
            "watch",
            "--iface",
            netns_lab.links["mynumber"],
            # Ended by SIGINT once every probe is back; the duration only bounds a hung test.
            # (A 6 s window closed before the probes of a loaded machine were even started.)
            "--duration",
            "600",
            "--policy",
            str(POLICY),
            "--inventory",
            str(INVENTORY),
            "--format",
            "json",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert watch.stderr is not None
    assert "capturing on" in watch.stderr.readline()  # bound: the probes will be seen
    children = {
        zone: subprocess.Popen(
            [
                "ip",
                "netns",
                "exec",
                namespace,
                sys.executable,
                "-m",
                "auditor",
                "probe",
                "--from-zone",
                zone,
                "--targets",
                targets,
                "--policy",
                str(POLICY),
                "--inventory",
                str(INVENTORY),
                "--rate",
                "200",
                "--timeout",
                "1.5",
                "--format",
                "json",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for zone, namespace in netns_lab.zones.items()
    }
    findings = []
    answered = 0
    for zone, child in children.items():
        stdout, stderr = child.communicate(timeout=120)
        assert child.returncode == 0, f"{zone}: {stderr}"
        payload = json.loads(stdout)
        findings += payload["findings"]
        answered += sum(1 for probe in payload["probes"] if probe["answered"])
    assert sorted((f["check_id"], f["subject"], f["severity"]) for f in findings) == [
        ("TRF-007", "probe:mynumber->10.20.0.10:tcp/443", "critical"),
        ("TRF-007", "probe:mynumber->10.20.0.25:tcp/443", "critical"),  # lgwan-mail
    ]
    assert answered > 1  # the allowed flows answered too: the probes did reach through the router

    assert watch.poll() is None, "the capture ended before the probes were done"
    watch.send_signal(signal.SIGINT)  # all probes are done: end the capture now
    stdout, stderr = watch.communicate(timeout=60)
    assert watch.returncode == 0, stderr
    live = json.loads(stdout)
    flows = {(f["source_zone"], f["destination_zone"], f["port"]) for f in live["summary"]["flows"]}
    assert ("mynumber", "lgwan", 443) in flows
    assert "flow:mynumber->lgwan:tcp/443" in {f["subject"] for f in live["findings"]}

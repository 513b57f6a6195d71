"""Fixtures for the traffic tests: the example city's policy, inventory and ledger; pcap helpers."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest

from auditor.audit.engine import build_context, evaluate
from auditor.audit.inputs import Bundle, load_bundle
from auditor.collect.traffic import analyze_files
from auditor.model.findings import Finding
from auditor.model.traffic import TrafficSummary
from auditor.rules import Registry, discover

ROOT = Path(__file__).resolve().parents[2]
POLICY = ROOT / "policies" / "example-city"
INVENTORY = ROOT / "inventory" / "example-city"


@pytest.fixture(scope="session")
def registry() -> Registry:
    return discover()


@pytest.fixture(scope="session")
def city_bundle(registry: Registry) -> Bundle:
    return load_bundle(POLICY, INVENTORY, None, registry)


@pytest.fixture
def capture(tmp_path: Path) -> Callable[[Iterable[Any]], Path]:
    """Write scapy packets to a pcap in the test's folder."""
    from scapy.utils import wrpcap

    counter = iter(range(1000))

    def write(packets: Iterable[Any]) -> Path:
        path = tmp_path / f"capture-{next(counter)}.pcap"
        wrpcap(str(path), list(packets))
        return path

    return write


def analyze(bundle: Bundle, *paths: Path) -> TrafficSummary:
    return analyze_files(list(paths), bundle.policy)


def traffic_findings(
    bundle: Bundle,
    registry: Registry,
    summary: TrafficSummary,
    snapshots: dict[str, Any] | None = None,
    checks: Iterable[str] | None = None,
) -> list[Finding]:
    context = build_context(
        policy=bundle.policy,
        inventory=bundle.inventory,
        ledger=bundle.ledger,
        snapshots=snapshots or {},
        errors=[],
        registry=registry,
    )
    context.traffic = summary
    wanted = checks if checks is not None else [c.id for c in registry if c.scope == "traffic"]
    return evaluate(registry, context, only_checks=wanted).findings

"""TRF-003 knows the devices' own interface MACs (ifPhysAddress): a router is no unknown host."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from scapy.layers.inet import IP, TCP
from scapy.layers.l2 import Ether

from auditor.audit.inputs import Bundle
from auditor.model.snapshot import DeviceSnapshot, Interface
from auditor.rules import Registry

from .conftest import analyze, traffic_findings

Capture = Callable[[Iterable[Any]], Path]
ROUTER_MAC, STRANGER_MAC = "02:00:5e:10:00:01", "02:00:5e:10:00:99"


def _syn(src: str, mac: str) -> Any:
    return Ether(src=mac, dst="02:00:00:00:00:02") / IP(src=src, dst="10.20.9.50") / TCP(dport=445)


def test_a_routers_interface_mac_is_known_and_a_strangers_is_not(
    city_bundle: Bundle, registry: Registry, capture: Capture
) -> None:
    summary = analyze(
        city_bundle, capture([_syn("10.20.9.1", ROUTER_MAC), _syn("10.20.9.9", STRANGER_MAC)])
    )
    router = DeviceSnapshot(
        device="lg-rt1",
        collected_at=datetime(2026, 11, 24, tzinfo=UTC),
        interfaces=[Interface(name="GigaEthernet1.0", mac=ROUTER_MAC, addresses=["10.20.9.1/24"])],
    )
    findings = traffic_findings(
        city_bundle, registry, summary, checks=["TRF-003"], snapshots={"lg-rt1": router}
    )
    assert [finding.subject for finding in findings] == [f"host:{STRANGER_MAC}"]

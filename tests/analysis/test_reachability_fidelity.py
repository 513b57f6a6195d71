"""Fidelity of the path search to what a device actually forwards (fidelity review, this wave).

A port forward (``ip nat inside source static tcp A 443 B 443``, a FortiGate VIP with
``portforward enable``) sends only its protocol and port to the inside host: the search used to
follow every service through it, so an edge router with no ingress ACL made HTTP, RDP … from the
Internet tier "reachable" — a false 重大な不適合.
"""

from __future__ import annotations

from ipaddress import ip_network

import pytest

from auditor.analysis.network import NetworkView
from auditor.analysis.reachability.verdicts import reachability
from auditor.analysis.services import ServiceRange
from auditor.model.services import Service
from auditor.model.snapshot import NatRule, Route
from auditor.rules import AuditContext
from auditor_checks.segmentation.reachability_beyond_policy import ReachabilityBeyondPolicy
from tests.checks.segmentation.city import Acl, AclEntry, context, device, run, snapshot, svi

HTTPS = ServiceRange("tcp", 443, 443)
HTTP = ServiceRange("tcp", 80, 80)


def _edge(rule: NatRule) -> AuditContext:
    """An edge router between the Internet tier and the My Number tier whose ingress ACL lets
    everything to the outside (translated) address only: what gets in is what the NAT sends."""
    only_outside = AclEntry(
        sequence=10,
        action="permit",
        service=Service.any(),
        source_networks=[ip_network("0.0.0.0/0")],
        destination_networks=[ip_network("10.30.0.100/32")],
        line="10 permit ip any host 10.30.0.100",
    )
    edge = snapshot(
        "edge",
        interfaces=[
            svi("outside", "10.30.0.1/24", acl_in="OUTSIDE-IN"),
            svi("inside", "10.10.1.1/24"),
        ],
        acls=[Acl(name="OUTSIDE-IN", entries=[only_outside])],
        nat_rules=[rule],
    )
    return context([device("edge", ["mynumber", "internet"])], [edge])


def _forward(inside_port: int, outside_port: int | None) -> NatRule:
    return NatRule(
        kind="static",
        inside="10.10.1.10/32",
        outside="10.30.0.100/32",
        protocol="tcp",
        inside_port=inside_port,
        outside_port=outside_port,
        line=f"ip nat inside source static tcp 10.10.1.10 {inside_port} 10.30.0.100 {outside_port}",
    )


def _results(ctx: AuditContext) -> dict[ServiceRange, str]:
    verdict = reachability(NetworkView.of(ctx))[("internet", "mynumber")]
    return {r.service: r.status for r in verdict.results}


def test_a_port_forward_carries_only_its_own_service() -> None:
    ctx = _edge(_forward(443, 443))
    statuses = _results(ctx)
    assert statuses[HTTPS] == "reachable"
    assert statuses[HTTP] == "not-reachable"
    [finding] = [
        f for f in run(ReachabilityBeyondPolicy(), ctx) if f.subject == "path:internet->mynumber"
    ]
    assert "tcp/443" in finding.message_en and "tcp/80" not in finding.message_en


def test_a_port_changing_forward_is_a_gap_for_its_service_only() -> None:
    statuses = _results(_edge(_forward(443, 8443)))
    assert statuses[HTTP] == "not-reachable"
    assert all(status != "reachable" for status in statuses.values())
    # outside tcp/8443 is delivered as tcp/443: HTTPS is unknown (never "not reachable")
    assert statuses[HTTPS] == "unknown"
    assert all(status == "not-reachable" for s, status in statuses.items() if s.protocol == "udp")


def test_a_one_to_one_static_nat_still_carries_every_service() -> None:
    rule = NatRule(kind="static", inside="10.10.1.10/32", outside="10.30.0.100/32", line="static")
    statuses = _results(_edge(rule))
    assert statuses[HTTPS] == statuses[HTTP] == "reachable"


def test_a_discard_route_drops_its_traffic_instead_of_leaving_a_gap() -> None:
    """``ip route … Null0`` / ``gateway null`` / FortiGate blackhole (``next_hop_kind="null"``):
    the traffic it matches is dropped — "not reachable", not "unknown: next hop not collected"."""
    core = snapshot(
        "core",
        interfaces=[svi("Vlan10", "10.10.1.1/24"), svi("Vlan20", "10.20.1.1/24")],
        routes=[
            Route(prefix="0.0.0.0/0", interface="Null0", next_hop_kind="null", protocol="static")
        ],
    )
    ctx = context([device("core", ["mynumber", "lgwan"])], [core])
    verdict = reachability(NetworkView.of(ctx))[("mynumber", "internet")]
    assert verdict.status == "not-reachable" and not verdict.gaps


def test_a_search_that_raises_is_a_named_gap_never_a_crashed_audit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Fault injection: whatever a snapshot makes the model or the search raise, every pair is
    "unknown" with the exception named, and SEG-013 makes no finding out of it."""
    from auditor.analysis.reachability import verdicts as module

    def broken(*args: object, **kwargs: object) -> None:
        raise ValueError("bad prefix 10.0.0.0/99")

    for name in ("build_model", "search_services"):
        with monkeypatch.context() as patch:
            patch.setattr(module, name, broken)
            ctx = _edge(_forward(443, 443))
            verdict = reachability(NetworkView.of(ctx))[("internet", "mynumber")]
            assert verdict.status == "unknown"
            assert any("ValueError: bad prefix 10.0.0.0/99" in gap for gap in verdict.gaps)
            assert not [
                f for f in run(ReachabilityBeyondPolicy(), ctx) if f.outcome.value == "fail"
            ]

"""The scaled path search answers exactly what the straightforward one answered (issue 19).

``reachability_reference`` is the search as it was before the indexing and the multi-service
breadth-first search; every (source, destination, service) of the unit topologies, the example
city and a few-hundred-device synthetic city (with NAT, PBR, a VRF leak and a dynamic protocol
without its table added) must give the same status, violation, hops, addresses, exit and gaps.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from ipaddress import ip_network
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from auditor.analysis.network import NetworkView
from auditor.analysis.reachability.endpoints import resolve_endpoint
from auditor.analysis.reachability.model import build_model
from auditor.analysis.reachability.search import Endpoint, search, search_services
from auditor.analysis.reachability.verdicts import (
    PairVerdict,
    judge_path,
    reachability_json,
    service_classes,
    zone_endpoint,
)
from auditor.inventory.ledger import load_ledger
from auditor.inventory.models import Device, Inventory
from auditor.lab.scenario import expected_snapshot
from auditor.model.services import Service
from auditor.model.snapshot import Acl, AclEntry, Interface, NatRule, PolicyRoute, Route
from auditor.policy.loader import load_policy
from auditor.rules import AuditContext
from tests.analysis import reachability_reference as reference
from tests.analysis.test_reachability import _city, _nat_edge, _vrf_core
from tests.builders import example_city

REPO = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


def _bench_city() -> ModuleType:
    path = REPO / "bench" / "checks_scale.py"
    spec = importlib.util.spec_from_file_location("bench_checks_scale", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("bench_checks_scale", module)
    spec.loader.exec_module(module)
    return module


def _synthetic(devices: int, *, features: bool) -> NetworkView:
    bench = _bench_city()
    inventory, snapshots, ledger = bench.build_city(devices)
    if features:
        _add_features(snapshots)
    return NetworkView(bench.city_policy(), inventory, snapshots, ledger)


def _add_features(snapshots: dict[str, Any]) -> None:
    """Facts the bench city lacks: NAT, PBR, a VRF leak, OSPF without its table, a big table."""

    def update(name: str, **changes: Any) -> None:
        snapshots[name] = snapshots[name].model_copy(update=changes)

    # c1 (LGWAN): an Internet-side port whose ACL admits only a static NAT's outside address.
    update(
        "c1-core",
        interfaces=[
            *snapshots["c1-core"].interfaces,
            Interface(
                name="Gi1/0/23", mode="routed", addresses=["10.30.250.1/30"], acl_in="OUT-IN"
            ),
        ],
        acls=[
            *snapshots["c1-core"].acls,
            Acl(
                name="OUT-IN",
                entries=[
                    AclEntry(
                        sequence=10,
                        action="permit",
                        protocol="tcp",
                        source="any",
                        destination="host 10.30.250.100",
                        source_networks=[ip_network("0.0.0.0/0")],
                        destination_networks=[ip_network("10.30.250.100/32")],
                        destination_ports="eq 443",
                        service=Service.of("tcp", 443),
                    )
                ],
            ),
        ],
        nat_rules=[
            NatRule(
                kind="static",
                inside="10.20.1.10",
                outside="10.30.250.100",
                interface="Gi1/0/23",
                line="ip nat inside source static 10.20.1.10 10.30.250.100",
            )
        ],
    )
    update("c5-rt", nat_rules=[NatRule(kind="static", modelled=False, line="nat (unresolved)")])
    # c6 (Internet): a large static table (indexed by the search) with nested prefixes.
    hop = snapshots["c6-core"].routes[0].next_hop
    extra = [
        Route(prefix=f"10.{(10, 20, 40, 50)[i % 4]}.{i}.0/24", next_hop=hop) for i in range(120)
    ]
    extra += [
        Route(prefix="10.20.0.0/16", next_hop=hop),
        Route(prefix="10.40.0.0/22", next_hop=hop),
        Route(prefix="10.20.5.128/25", next_hop=hop),
        Route(prefix="10.50.0.0/12", next_hop=hop),
    ]
    update("c6-core", routes=[*snapshots["c6-core"].routes, *extra])
    update("c2-rt", policy_routes=[PolicyRoute(interface="ge0", name="PBR", line="route-map PBR")])
    update("c3-core", routing_protocols=["ospf"])
    # c4 (My Number): a second VRF on the core with a leaked route into the Internet zone.
    update(
        "c4-core",
        interfaces=[
            *snapshots["c4-core"].interfaces,
            Interface(name="Vlan31", mode="routed", addresses=["10.30.77.1/24"], vrf="NET"),
        ],
        routes=[
            *snapshots["c4-core"].routes,
            Route(prefix="10.30.77.0/24", interface="Vlan31", vrf=None, next_hop_vrf="NET"),
        ],
    )


def _example_city() -> NetworkView:
    scenario = example_city()
    policy = load_policy(REPO / "policies" / "example-city").policy
    ledger = load_ledger(REPO / "inventory" / "example-city" / "ledger.csv", policy)
    inventory = Inventory(
        devices=[
            Device(name=d.name, address=d.address, platform=d.platform, zones=d.zones, site=d.site)
            for d in scenario.devices
        ]
    )
    snapshots = {d.name: expected_snapshot(scenario, d.name, NOW) for d in scenario.devices}
    context = AuditContext(
        policy=policy, inventory=inventory, now=NOW, snapshots=snapshots, ledger=ledger
    )
    return NetworkView.of(context)


def _unit(build: Callable[[], AuditContext]) -> Callable[[], NetworkView]:
    return lambda: NetworkView.of(build())


VIEWS: dict[str, Callable[[], NetworkView]] = {
    "two-hop": _unit(_city),
    "second-hop-blocked": _unit(lambda: _city(block_second_hop=True)),
    "vrf-leak": _unit(lambda: _vrf_core(True)),
    "vrf-separate": _unit(lambda: _vrf_core(False)),
    "static-nat": _unit(lambda: _nat_edge(True)),
    "example-city": _example_city,
    "synthetic-300": lambda: _synthetic(300, features=False),
    "synthetic-420-features": lambda: _synthetic(420, features=True),
}


def _endpoints(view: NetworkView) -> list[Endpoint]:
    zones = [zone_endpoint(view, z.id) for z in view.policy.zones]
    named = [resolve_endpoint(view, host).endpoint for host in sorted(view.policy.hosts)]
    return [e for e in zones if e.networks] + named


class Built:
    """Each view with its model and service classes, and the reference's answers, made once per
    module: the stored verdicts are checked against the same reference answers the pairwise test
    computed (for zone pairs both judge the path alike), not against a second identical search."""

    def __init__(self) -> None:
        self.views: dict[str, tuple[NetworkView, Any, list[Service]]] = {}
        self.answers: dict[tuple[str, str, str], list[Any]] = {}

    def view(self, name: str) -> tuple[NetworkView, Any, list[Service]]:
        if name not in self.views:
            view = VIEWS[name]()
            self.views[name] = (view, build_model(view), service_classes(view))
        return self.views[name]

    def reference(self, name: str, origin: Endpoint, target: Endpoint, judge: Any) -> list[Any]:
        """The reference search of every service class from ``origin`` to ``target``."""
        key = (name, origin.label, target.label)
        if key not in self.answers:
            _, model, classes = self.view(name)
            self.answers[key] = [
                reference.search(model, origin, target, service, judge) for service in classes
            ]
        return self.answers[key]


@pytest.fixture(scope="module")
def built() -> Built:
    return Built()


@pytest.mark.parametrize("name", sorted(VIEWS))
def test_every_answer_equals_the_reference_search(name: str, built: Built) -> None:
    view, model, classes = built.view(name)
    endpoints = _endpoints(view)
    zone_ids = {z.id for z in view.policy.zones}
    compared = 0
    for origin in endpoints:
        for target in endpoints:
            if origin.label == target.label:
                continue
            judged = origin.label in zone_ids and target.label in zone_ids
            judge = judge_path(view, origin.label, target.label) if judged else None
            expected = built.reference(name, origin, target, judge)
            together = search_services(model, origin, target, classes, judge)
            assert [r.to_json() for r in together] == [r.to_json() for r in expected], (
                origin.label,
                target.label,
            )
            for service, want in zip(classes[:2], expected[:2], strict=True):
                alone = search(model, origin, target, service, judge)
                assert alone.to_json() == want.to_json(), (origin.label, target.label, service)
            compared += len(classes)
    assert compared > 0


@pytest.mark.parametrize("name", ["two-hop", "example-city", "synthetic-420-features"])
def test_the_stored_verdicts_equal_the_reference_all_pairs(name: str, built: Built) -> None:
    view, _, _ = built.view(name)
    expected: dict[str, Any] = {}
    for source in (z.id for z in view.policy.zones):
        origin = zone_endpoint(view, source)
        if not origin.networks:
            continue
        for destination in (z.id for z in view.policy.zones):
            target = zone_endpoint(view, destination)
            if destination == source or not target.networks:
                continue
            judge = judge_path(view, source, destination)
            verdict = PairVerdict(source, destination)
            # The reference's PathResult has the same fields and to_json() as the product's.
            verdict.results.extend(built.reference(name, origin, target, judge))
            expected[f"{source}->{destination}"] = verdict.to_json()
    assert reachability_json(view) == expected


def test_a_vrf_restricted_query_equals_the_reference() -> None:
    view = VIEWS["vrf-leak"]()
    model = build_model(view)
    origin = zone_endpoint(view, "mynumber")
    target = zone_endpoint(view, "internet")
    classes = service_classes(view)
    for vrf in ("MYN", "NET", None):
        want = [reference.search(model, origin, target, s, None, vrf).to_json() for s in classes]
        got = [r.to_json() for r in search_services(model, origin, target, classes, None, vrf)]
        assert got == want


def test_the_route_index_finds_exactly_the_overlapping_routes() -> None:
    """Supernets and subnets of each target, in table order, whatever the nesting."""
    from auditor.analysis.reachability.model import RouteEntry
    from auditor.analysis.reachability.search import _RouteIndex

    prefixes = [f"10.{a}.{b}.0/{n}" for a in (0, 1, 2) for b in (0, 64, 128) for n in (24, 26)]
    prefixes += ["0.0.0.0/0", "10.0.0.0/8", "10.1.0.0/16", "10.2.128.0/17", "2001:db8::/32"]
    table = [
        RouteEntry(ip_network(p, strict=False), "192.0.2.1", None, "static", None, False)
        for p in prefixes
    ]
    table.sort(key=lambda r: -r.prefix.prefixlen)
    index = _RouteIndex(table)
    targets_list = [
        (ip_network("10.1.64.0/24"),),
        (ip_network("10.2.0.0/16"), ip_network("10.0.128.64/26")),
        (ip_network("0.0.0.0/0"),),
        (ip_network("10.1.64.77/32"),),
        (ip_network("172.16.0.0/12"),),
        (ip_network("2001:db8:1::/48"),),
    ]
    for targets in targets_list:
        want = [
            r
            for r in table
            if any(t.version == r.prefix.version and t.overlaps(r.prefix) for t in targets)
        ]
        assert index.candidates(targets) == want, targets

"""Reachability per zone pair and service, judged against the policy's flows in force.

For every ordered pair of zones (external zones included) and every service class, the search
answers reachable / not reachable / unknown with one shortest witnessing path. A reachable path is
compared with ``policy.flows_in_force()``: its service must be covered by a flow of the pair, its
destinations must lie within the flow's ``destinations``, and a flow with ``via`` relays is only
satisfied by a path that starts or ends at a relay host — a path any other host can use bypasses
the 無害化 relay even when every hop permits it. Out of the My Number tier, destinations must
also lie within ``mynumber_destinations``. Memoized on the network view.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from auditor.analysis.network import NetworkView
from auditor.analysis.reachability.model import ForwardingModel, build_model, heap_frozen
from auditor.analysis.reachability.search import Endpoint, Nets, PathResult, search_services
from auditor.analysis.services import ServiceRange
from auditor.analysis.zones import Network
from auditor.policy.models import ZoneKind

# Service classes probed for every zone pair besides the services the policy names: common
# application ports and a high port per protocol standing for "anything else".
PROBE_SERVICES = (
    "tcp/443",
    "tcp/80",
    "tcp/22",
    "tcp/25",
    "udp/53",
    "icmp",
    "tcp/49152",
    "udp/49152",
)


@dataclass
class PairVerdict:
    """Reachability of one ordered zone pair over every probed service."""

    source: str
    destination: str
    results: list[PathResult] = field(default_factory=list)

    @property
    def status(self) -> str:
        """``reachable`` if any service is, else ``unknown`` if any is, else ``not-reachable``."""
        statuses = {r.status for r in self.results}
        for status in ("reachable", "unknown"):
            if status in statuses:
                return status
        return "not-reachable"

    @property
    def violations(self) -> list[PathResult]:
        return [r for r in self.results if r.status == "reachable" and r.violation]

    @property
    def gaps(self) -> list[str]:
        return list(dict.fromkeys(g for r in self.results for g in r.gaps))

    def to_json(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "reachable_services": [str(r.service) for r in self.results if r.status == "reachable"],
            "violations": [r.to_json() for r in self.violations],
            "unknown_services": [str(r.service) for r in self.results if r.status == "unknown"],
            "gaps": self.gaps,
            "witness": next((r.to_json() for r in self.results if r.status == "reachable"), None),
        }


def zone_endpoint(view: NetworkView, zone_id: str) -> Endpoint:
    """A zone as a path endpoint; the policy's unlisted zone is the space outside every network."""
    if zone_id == view.external_zone and not view.zone_networks(zone_id):
        return Endpoint(zone_id, frozenset({zone_id}), (_any(),), outside=True)
    return Endpoint(zone_id, frozenset({zone_id}), view.zone_networks(zone_id))


def _any() -> Network:
    import ipaddress

    return ipaddress.ip_network("0.0.0.0/0")


def service_classes(view: NetworkView) -> list[ServiceRange]:
    """Probe services plus every service a flow in force names (a port range: its first port)."""
    classes: dict[ServiceRange, None] = {}
    names = list(PROBE_SERVICES)
    for flow in view.policy.flows_in_force():
        names.extend(flow.services)
    for name in names:
        parsed = ServiceRange.parse(name)
        if parsed.protocol == "any":
            continue
        if parsed.first is not None and parsed.first != parsed.last:
            parsed = ServiceRange(parsed.protocol, parsed.first, parsed.first)
        classes[parsed] = None
    return list(classes)


def judge_path(view: NetworkView, source: str, destination: str) -> Any:
    """A judge for the search: ``None`` when a path's addresses and service are within policy.

    The prefectural security cloud is the Internet tier's way out: a path into it is judged as a
    path to the Internet, a path out of it as one from the Internet (so the Internet tier's own
    egress is not a finding, and the sanitizer's allowed web access is not either).
    """
    source_as, destination_as = _as_internet(view, source), _as_internet(view, destination)
    same = source_as == destination_as
    flows = view.flows(source_as, destination_as)
    mynumber_targets = (
        view.resolve_targets(view.policy.mynumber_destinations) if view.is_mynumber(source) else ()
    )

    def judge(sources: Nets, targets: Nets, service: ServiceRange) -> str | None:
        outside_approved = not (mynumber_targets and _within(targets, mynumber_targets))
        if view.is_mynumber(source) and outside_approved:
            return "outside the My Number tier's approved destinations"
        if same:
            return None
        bypass = False
        for flow in flows:
            if not any(ServiceRange.parse(s).covers(service) for s in flow.services):
                continue
            if flow.destinations and not _within(targets, view.resolve_targets(flow.destinations)):
                continue
            if flow.via:
                relays = view.resolve_targets(flow.via)
                if not (_within(sources, relays) or _within(targets, relays)):
                    bypass = True
                    continue
            return None
        if bypass:
            return "bypasses the relay"
        if not flows:
            return "no flow between these zones"
        return "beyond the allowed flows"

    return judge


def _as_internet(view: NetworkView, zone: str) -> str:
    """The zone a path is judged for: the security cloud stands for the Internet beyond it."""
    kind = view.zones[zone].kind if zone in view.zones else None
    if kind != ZoneKind.SECURITY_CLOUD:
        return zone
    internet = next((z.id for z in view.policy.zones if z.kind == ZoneKind.INTERNET), None)
    return internet or view.external_zone or zone


def _within(inner: Nets, outer: Nets) -> bool:
    return bool(inner) and all(
        any(n.version == o.version and n.subnet_of(o) for o in outer)  # type: ignore[arg-type]
        for n in inner
    )


def reachability(view: NetworkView) -> dict[tuple[str, str], PairVerdict]:
    """Every ordered zone pair's verdict (memoized on the view)."""
    cached = view.derived.get("reachability")
    if isinstance(cached, dict):
        return cached
    with heap_frozen():
        verdicts = _all_pairs(view)
    view.derived["reachability"] = verdicts
    return verdicts


def _all_pairs(view: NetworkView) -> dict[tuple[str, str], PairVerdict]:
    classes = service_classes(view)
    failed: str | None = None
    try:
        model: ForwardingModel | None = build_model(view)
    except Exception as exc:  # one bad snapshot must not crash the audit
        model, failed = None, f"the forwarding model could not be built ({_failure(exc)})"
    zones = [zone.id for zone in view.policy.zones]
    verdicts: dict[tuple[str, str], PairVerdict] = {}
    for source in zones:
        origin = zone_endpoint(view, source)
        if not origin.networks:
            continue
        for destination in zones:
            if destination == source:
                continue
            target = zone_endpoint(view, destination)
            if not target.networks:
                continue
            verdict = PairVerdict(source, destination)
            try:
                if model is None:
                    raise _SearchFailedError(failed or "")
                judge = judge_path(view, source, destination)
                verdict.results.extend(search_services(model, origin, target, classes, judge))
            except Exception as exc:  # a named gap ("unknown"), never a crash
                gap = str(exc) if isinstance(exc, _SearchFailedError) else _failure(exc)
                text = f"path search {source}->{destination} failed: {gap}"
                verdict.results = [PathResult(c, "unknown", gaps=[text]) for c in classes]
            verdicts[(source, destination)] = verdict
    return verdicts


class _SearchFailedError(Exception):
    """The model could not be built: every pair is unknown with the reason."""


def _failure(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}"[:300]


def reachability_json(view: NetworkView) -> dict[str, dict[str, Any]]:
    """The verdicts keyed ``from->to`` for the stored matrix."""
    return {f"{a}->{b}": v.to_json() for (a, b), v in reachability(view).items()}


__all__ = [
    "PROBE_SERVICES",
    "ForwardingModel",
    "PairVerdict",
    "build_model",
    "judge_path",
    "reachability",
    "reachability_json",
    "service_classes",
    "zone_endpoint",
]

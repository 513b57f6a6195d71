"""Synthetic topologies with known answers for the network-wide path search (issue 19)."""

from __future__ import annotations

from ipaddress import ip_network

from auditor.analysis.network import NetworkView
from auditor.analysis.reachability.model import build_model
from auditor.analysis.reachability.search import Endpoint, search
from auditor.analysis.reachability.verdicts import reachability
from auditor.analysis.services import ServiceRange
from auditor.model.findings import Severity
from auditor.model.services import Service
from auditor.model.snapshot import NatRule, PolicyRoute
from auditor.rules import AuditContext, discover
from auditor_checks.segmentation.reachability_beyond_policy import ReachabilityBeyondPolicy
from tests.checks.segmentation.city import (
    Acl,
    AclBinding,
    AclEntry,
    Route,
    context,
    device,
    policy,
    run,
    snapshot,
    svi,
    zone,
)

HTTPS = ServiceRange("tcp", 443, 443)


def _entry(action: str, source: str, destination: str, service: Service, seq: int) -> AclEntry:
    return AclEntry(
        sequence=seq,
        action=action,  # type: ignore[arg-type]
        service=service,
        source_networks=[ip_network(source)],
        destination_networks=[ip_network(destination)],
        line=f"{seq} {action} {service} {source} {destination}",
    )


def _city(*, block_second_hop: bool = False, extra_b: list[AclEntry] | None = None) -> AuditContext:
    """myn-core (mynumber SVI, default route) → lg-rt (LGWAN transit, ACL) → inet-rt (Internet LAN).

    Each hop is judged on its own device by the single-device checks; only the path joins
    My Number to the Internet tier.
    """
    myn_core = snapshot(
        "myn-core",
        interfaces=[svi("Vlan10", "10.10.1.1/24"), svi("Gi0/1", "10.20.250.1/30")],
        routes=[Route(prefix="0.0.0.0/0", next_hop="10.20.250.2")],
    )
    entries = (
        [_entry("deny", "10.10.0.0/16", "0.0.0.0/0", Service.any(), 5)] if block_second_hop else []
    )
    entries += extra_b or [_entry("permit", "0.0.0.0/0", "10.30.0.0/16", Service.any(), 10)]
    lg_rt = snapshot(
        "lg-rt",
        interfaces=[svi("Gi0/0", "10.20.250.2/30"), svi("Gi0/1", "10.20.251.1/30")],
        routes=[Route(prefix="10.30.0.0/16", next_hop="10.20.251.2")],
        acls=[
            Acl(
                name="TRANSIT",
                entries=entries,
                applied=[AclBinding(interface="Gi0/0", direction="in")],
            )
        ],
    )
    inet_rt = snapshot(
        "inet-rt",
        interfaces=[svi("Gi0/0", "10.20.251.2/30"), svi("Gi0/1", "10.30.0.1/24")],
    )
    return context(
        [
            device("myn-core", ["mynumber"]),
            device("lg-rt", ["lgwan"]),
            device("inet-rt", ["internet"]),
        ],
        [myn_core, lg_rt, inet_rt],
    )


def test_a_two_hop_path_from_my_number_to_the_internet_is_a_critical_finding() -> None:
    ctx = _city()
    verdict = reachability(NetworkView.of(ctx))[("mynumber", "internet")]
    assert verdict.status == "reachable"
    https = next(r for r in verdict.results if r.service == HTTPS)
    assert https.path is not None
    assert [h.device for h in https.path.hops] == ["myn-core", "lg-rt", "inet-rt"]
    assert https.path.hops[1].permits == ("acl:TRANSIT:10 10 permit ip 0.0.0.0/0 10.30.0.0/16",)
    assert https.path.hops[0].route == "static 0.0.0.0/0 via 10.20.250.2"
    findings = run(ReachabilityBeyondPolicy(), ctx)
    mine = [f for f in findings if f.subject == "path:mynumber->internet"]
    assert len(mine) == 1 and mine[0].severity == Severity.CRITICAL
    # One finding for the pair lists every violating service, not one finding per service.
    assert "tcp/443" in mine[0].message_en and "tcp/22" in mine[0].message_en
    assert mine[0].device == "myn-core"
    assert "myn-core" in mine[0].message_en and "inet-rt" in mine[0].message_ja
    # No single-device check names the My Number → Internet pair.
    single = [
        f
        for check in discover()
        if check.id.startswith("SEG-") and check.id != "SEG-013"
        for f in check().evaluate(ctx)
    ]
    assert not [
        f for f in single if "mynumber->internet" in f.subject or "internet+mynumber" in f.subject
    ]


def test_the_pair_finding_keeps_its_fingerprint_when_its_services_change() -> None:
    """Grouped per pair: narrowing the permit to HTTPS changes the listed services, not the id."""
    broad = run(ReachabilityBeyondPolicy(), _city())
    narrow = run(
        ReachabilityBeyondPolicy(),
        _city(extra_b=[_entry("permit", "0.0.0.0/0", "10.30.0.0/16", Service.of("tcp", 443), 10)]),
    )
    (before,) = [f for f in broad if f.subject == "path:mynumber->internet"]
    (after,) = [f for f in narrow if f.subject == "path:mynumber->internet"]
    assert before.fingerprint == after.fingerprint
    assert "tcp/22" in before.message_en and "tcp/22" not in after.message_en
    assert "with tcp/443 along myn-core[Vlan10→Gi0/1]" in after.message_en
    assert len(broad) == len({(f.device, f.subject) for f in broad})


def test_the_same_path_with_the_second_hop_blocked_is_not_reachable() -> None:
    ctx = _city(block_second_hop=True)
    verdict = reachability(NetworkView.of(ctx))[("mynumber", "internet")]
    assert verdict.status == "not-reachable"
    assert not [
        f for f in run(ReachabilityBeyondPolicy(), ctx) if "mynumber->internet" in f.subject
    ]


def test_a_path_that_bypasses_the_relay_is_a_finding_even_when_every_hop_permits_it() -> None:
    ctx = _city(
        extra_b=[_entry("permit", "10.20.0.0/16", "10.30.0.0/16", Service.of("tcp", 443), 10)]
    )
    findings = {f.subject: f for f in run(ReachabilityBeyondPolicy(), ctx)}
    bypass = findings["path:lgwan->internet"]
    assert "with tcp/443 along" in bypass.message_en
    assert "bypasses the relay" in bypass.message_en
    assert "無害化" in bypass.message_ja


def test_a_path_from_the_relay_host_is_within_policy() -> None:
    ctx = _city(
        extra_b=[_entry("permit", "10.40.0.20/32", "10.30.0.0/16", Service.of("tcp", 443), 10)]
    )
    view = NetworkView.of(ctx)
    model = build_model(view)
    relay = Endpoint("screen-gw", frozenset({"lgwan"}), (ip_network("10.20.250.0/30"),))
    internet = Endpoint("internet", frozenset({"internet"}), (ip_network("10.30.0.0/16"),))
    assert search(model, relay, internet, HTTPS).status == "not-reachable"
    # Only the relay host may use the second hop: from other LGWAN addresses it is closed.


def _vrf_core(leak: bool) -> AuditContext:
    routes = (
        [Route(prefix="10.30.0.0/24", interface="Vlan30", vrf="MYN", next_hop_vrf="NET")]
        if leak
        else []
    )
    core = snapshot(
        "core",
        interfaces=[
            svi("Vlan10", "10.10.1.1/24", vrf="MYN"),
            svi("Vlan30", "10.30.0.1/24", vrf="NET"),
        ],
        routes=routes,
    )
    return context([device("core", ["mynumber", "internet"])], [core])


def test_separate_vrfs_do_not_reach_each_other_until_a_route_leaks() -> None:
    assert reachability(NetworkView.of(_vrf_core(False)))[("mynumber", "internet")].status == (
        "not-reachable"
    )
    leaked = reachability(NetworkView.of(_vrf_core(True)))[("mynumber", "internet")]
    assert leaked.status == "reachable"
    https = next(r for r in leaked.results if r.service == HTTPS)
    assert https.path is not None and "leaked from vrf NET" in (https.path.hops[0].route or "")


def _nat_edge(nat: bool) -> AuditContext:
    edge = snapshot(
        "edge",
        interfaces=[
            svi("outside", "10.30.0.1/24", acl_in="OUTSIDE-IN"),
            svi("inside", "10.10.1.1/24"),
        ],
        acls=[
            Acl(
                name="OUTSIDE-IN",
                entries=[
                    _entry("permit", "0.0.0.0/0", "10.30.0.100/32", Service.of("tcp", 443), 10)
                ],
            )
        ],
        nat_rules=(
            [
                NatRule(
                    kind="static",
                    inside="10.10.1.10",
                    outside="10.30.0.100",
                    line="ip nat inside source static 10.10.1.10 10.30.0.100",
                )
            ]
            if nat
            else []
        ),
    )
    return context([device("edge", ["mynumber", "internet"])], [edge])


def test_a_static_nat_exposes_a_my_number_host_to_the_internet_tier() -> None:
    assert reachability(NetworkView.of(_nat_edge(False)))[("internet", "mynumber")].status == (
        "not-reachable"
    )
    ctx = _nat_edge(True)
    verdict = reachability(NetworkView.of(ctx))[("internet", "mynumber")]
    https = next(r for r in verdict.results if r.service == HTTPS)
    assert https.status == "reachable" and https.path is not None
    assert https.path.hops[0].nat is not None and "10.30.0.100" in https.path.hops[0].nat
    assert https.path.destinations == (ip_network("10.10.1.10/32"),)
    finding = next(
        f for f in run(ReachabilityBeyondPolicy(), ctx) if f.subject == "path:internet->mynumber"
    )
    assert "tcp/443" in finding.message_en
    assert finding.severity == Severity.CRITICAL


def test_policy_based_routing_makes_the_answer_unknown_never_not_reachable() -> None:
    ctx = _city(block_second_hop=True)
    ctx.snapshots["myn-core"] = ctx.snapshots["myn-core"].model_copy(
        update={
            "policy_routes": [
                PolicyRoute(interface="Vlan10", name="TO-NET", line="ip policy route-map TO-NET")
            ]
        }
    )
    fresh = context(list(ctx.inventory.devices), list(ctx.snapshots.values()))
    verdict = reachability(NetworkView.of(fresh))[("mynumber", "internet")]
    assert verdict.status == "unknown"
    assert any("policy-based routing" in gap for gap in verdict.gaps)
    assert not [
        f for f in run(ReachabilityBeyondPolicy(), fresh) if "mynumber->internet" in f.subject
    ]


def test_a_configured_dynamic_protocol_without_its_table_is_a_gap() -> None:
    ctx = _city(block_second_hop=True)
    snaps = dict(ctx.snapshots)
    snaps["lg-rt"] = snaps["lg-rt"].model_copy(update={"routing_protocols": ["ospf"]})
    fresh = context(list(ctx.inventory.devices), list(snaps.values()))
    verdict = reachability(NetworkView.of(fresh))[("mynumber", "internet")]
    assert verdict.status == "unknown"
    assert any("ospf" in gap for gap in verdict.gaps)


def _cloud_city() -> AuditContext:
    """inet-rt: the Internet tier's LAN and the line to the prefectural security cloud."""
    cloud_policy = policy(
        zones=[
            zone("mynumber", "mynumber", ["10-19"], ["10.10.0.0/16"], protected=True),
            zone("internet", "internet", ["30-39"], ["10.30.0.0/16"]),
            zone("security-cloud", "security_cloud", [], ["203.0.113.0/30"]),
        ],
        hosts={},
        flows=[],
        mynumber_destinations=[],
    )
    inet_rt = snapshot(
        "inet-rt",
        interfaces=[svi("lan1", "10.30.0.1/24"), svi("lan2", "203.0.113.2/30")],
        routes=[Route(prefix="0.0.0.0/0", next_hop="203.0.113.1")],
    )
    myn = snapshot("myn-core", interfaces=[svi("Vlan10", "10.10.1.1/24")])
    return context(
        [device("inet-rt", ["internet"]), device("myn-core", ["mynumber"])],
        [inet_rt, myn],
        policy_obj=cloud_policy,
    )


def test_the_security_cloud_is_the_internet_tiers_way_out_not_a_finding_nor_a_gap() -> None:
    ctx = _cloud_city()
    verdicts = reachability(NetworkView.of(ctx))
    out = verdicts[("internet", "security-cloud")]
    assert out.status == "reachable" and out.violations == []  # judged as internet → internet
    # The city's own space handed to the cloud is not followed back: no "unknown".
    assert verdicts[("internet", "mynumber")].status == "not-reachable"
    assert not [f for f in run(ReachabilityBeyondPolicy(), ctx) if "security-cloud" in f.subject]

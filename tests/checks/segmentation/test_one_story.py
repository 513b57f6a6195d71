"""Issue 14 item 18: the zone matrix, SEG-011 and SEG-005 tell the same story on one topology."""

from __future__ import annotations

from auditor.analysis.matrix import zone_matrix
from auditor.analysis.network import NetworkView
from auditor_checks.segmentation.l3_interface_joins_zones import L3InterfaceJoinsZones
from auditor_checks.segmentation.permit_beyond_policy import PermitBeyondPolicy
from auditor_checks.segmentation.route_joins_zones import RouteJoinsZones
from tests.checks.segmentation.city import Route, context, device, run, snapshot, subjects, svi


def _route_city(acl_in: str | None = None) -> object:
    """An LGWAN router with a static route into the education network and no flow for it."""
    snap = snapshot(
        "lg-rt1",
        interfaces=[svi("Vlan21", "10.20.21.254/24", acl_in=acl_in)],
        routes=[Route(prefix="10.50.0.0/16", next_hop="10.20.21.1", protocol="static")],
    )
    return context([device("lg-rt1", ["lgwan"])], [snap])


def test_an_unfiltered_route_is_a_permit_in_the_matrix_and_a_seg011_finding() -> None:
    ctx = _route_city()
    findings = run(RouteJoinsZones(), ctx)
    assert subjects(findings) == [("lg-rt1", "route:10.50.0.0/16#lgwan->education")]
    assert "no inbound ACL filters it on Vlan21" in findings[0].message_en
    cell = zone_matrix(NetworkView.of(ctx)).cell("lgwan", "education")
    assert cell.status == "excess"  # not "denied": the route joins the pair
    [entry] = cell.permitted
    assert (entry.kind, entry.subject, entry.within_policy) == (
        "route",
        "route:10.50.0.0/16#lgwan->education",
        False,
    )
    assert entry.line == "static route 10.50.0.0/16 via 10.20.21.1"
    assert entry.destinations == ["10.50.0.0/16"]
    # The route is SEG-011's subject; SEG-006 does not report it a second time.
    assert run(PermitBeyondPolicy(), ctx) == []


def test_a_route_behind_an_inbound_acl_leaves_the_matrix_to_the_acl() -> None:
    ctx = _route_city(acl_in="LGWAN-IN")
    cell = zone_matrix(NetworkView.of(ctx)).cell("lgwan", "education")
    assert [entry.kind for entry in cell.permitted] == []
    findings = run(RouteJoinsZones(), ctx)
    assert subjects(findings) == [("lg-rt1", "route:10.50.0.0/16#lgwan->education")]
    assert "may filter it" in findings[0].message_en


def test_seg005_names_the_bound_acl_and_what_it_leaves_open() -> None:
    snap = snapshot(
        "core",
        interfaces=[
            svi("Vlan21", "10.20.21.254/24", acl_in="LGWAN-IN"),
            svi("Vlan50", "10.50.0.1/24"),
        ],
    )
    ctx = context([device("core", ["lgwan", "education"])], [snap])
    [finding] = run(L3InterfaceJoinsZones(), ctx)
    assert "ACL LGWAN-IN (Vlan21 in) is bound" in finding.message_en
    assert "education->lgwan" in finding.message_en
    assert "no ACL is bound" not in finding.message_en
    assert "LGWAN-IN" in finding.message_ja
    cell = zone_matrix(NetworkView.of(ctx)).cell("education", "lgwan")
    assert [entry.kind for entry in cell.permitted] == ["l3"]
    # With nothing bound the message says so.
    bare = snapshot(
        "core", interfaces=[svi("Vlan21", "10.20.21.254/24"), svi("Vlan50", "10.50.0.1/24")]
    )
    [plain] = run(
        L3InterfaceJoinsZones(), context([device("core", ["lgwan", "education"])], [bare])
    )
    assert "no ACL is bound to these interfaces" in plain.message_en

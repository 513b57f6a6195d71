"""The probe plan and the lab's filter come from the policy alone (no root needed)."""

from __future__ import annotations

from auditor.audit.inputs import Bundle
from auditor.collect.probe import plan_probes
from auditor.lab.netns import HOLE_COMMENT, Hole, default_hole, ruleset, zone_plan


def test_the_plan_expects_an_allowed_flow_only_to_its_listed_destinations(
    city_bundle: Bundle,
) -> None:
    plan = plan_probes(city_bundle.policy, "mynumber", ["10.200.1.10", "10.20.0.10", "10.30.0.10"])
    expected = {(p.target, p.service): (p.expected, p.flow_id) for p in plan}
    assert expected[("10.200.1.10", "tcp/443")] == ("allowed", "F-001")
    assert expected[("10.20.0.10", "tcp/443")] == ("forbidden", None)
    assert expected[("10.30.0.10", "tcp/443")] == ("forbidden", None)
    assert expected[("10.200.1.10", "icmp")] == ("forbidden", None)
    assert all(p.source_zone == "mynumber" for p in plan)


def test_a_relay_only_flow_is_forbidden_for_the_probe_host_and_the_plan_is_bounded(
    city_bundle: Bundle,
) -> None:
    plan = plan_probes(city_bundle.policy, "lgwan", ["10.30.0.10"])
    assert {(p.service, p.expected) for p in plan if p.service == "tcp/443"} == {
        ("tcp/443", "forbidden")  # F-004 allows it only via screen-gw
    }
    assert len(plan_probes(city_bundle.policy, "management", ["10.10.0.10"] * 100, limit=7)) == 7


def test_targets_in_the_probes_own_zone_or_in_no_zone_are_not_probed(city_bundle: Bundle) -> None:
    assert plan_probes(city_bundle.policy, "mynumber", ["10.10.0.10", "192.0.2.1"]) == []


def test_the_lab_filter_opens_the_policy_flows_and_exactly_one_hole(city_bundle: Bundle) -> None:
    plan = zone_plan(city_bundle.policy)
    hole = default_hole(city_bundle.policy, list(plan))
    assert hole == Hole("mynumber", "lgwan", "tcp/443")  # the tier has no LGWAN-tier flow
    text = ruleset(city_bundle.policy, plan, hole, "t")
    assert "policy drop;" in text
    assert text.count(HOLE_COMMENT) == 1
    assert (
        'ip saddr 10.10.0.0/16 ip daddr 10.20.0.0/16 tcp dport 443 accept comment "kyojin-lab-hole"'
        in text
    )
    assert '"F-001"' in text and '"F-004"' not in text  # relay-only flows stay closed
    assert all(str(subnet).startswith(("10.", "172.16.")) for subnet, _, _ in plan.values())

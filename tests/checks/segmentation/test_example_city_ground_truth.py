"""Ground truth: every planted segmentation violation of the example city is found exactly.

Runs the segmentation checks on the snapshots a perfect collector would build for the lab scenario
(``expected_snapshot``), with the city's real policy, inventory zones from the scenario and the
city's asset ledger (cp932 CSV), then compares with the scenario's ``planted`` and ``clean`` lists.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from auditor.analysis.matrix import zone_matrix
from auditor.analysis.network import NetworkView
from auditor.analysis.reachability.verdicts import reachability
from auditor.inventory.ledger import load_ledger
from auditor.inventory.models import Device, Inventory
from auditor.lab.groundtruth import compare
from auditor.lab.scenario import Scenario, expected_snapshot, remediated
from auditor.model.findings import Finding, fingerprint
from auditor.policy.loader import load_policy
from auditor.policy.models import PolicyException
from auditor.rules import AuditContext, discover
from auditor.store.lifecycle import matching_exception
from tests.builders import example_city

REPO = Path(__file__).resolve().parents[3]
NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def city_scenario_and_context() -> tuple[Scenario, AuditContext]:
    scenario = example_city()
    policy = load_policy(REPO / "policies" / "example-city").policy
    ledger = load_ledger(REPO / "inventory" / "example-city" / "ledger.csv", policy)
    inventory = Inventory(
        devices=[
            Device(
                name=d.name,
                address=d.address,
                platform=d.platform,
                zones=d.zones,
                site=d.site,
                role=d.role,
            )
            for d in scenario.devices
        ]
    )
    snapshots = {d.name: expected_snapshot(scenario, d.name, NOW) for d in scenario.devices}
    context = AuditContext(
        policy=policy, inventory=inventory, now=NOW, snapshots=snapshots, ledger=ledger
    )
    return scenario, context


def _segmentation_findings(context: AuditContext) -> list[Finding]:
    findings: list[Finding] = []
    for check in discover():
        if check.id.startswith("SEG-"):
            findings.extend(check().evaluate(context))
    return findings


def test_every_planted_segmentation_violation_is_found_with_its_id_device_and_subject(
    city_scenario_and_context: tuple[Scenario, AuditContext],
) -> None:
    scenario, context = city_scenario_and_context
    findings = _segmentation_findings(context)
    seg_ids = {c.id for c in discover() if c.id.startswith("SEG-")}
    truth = compare(scenario, findings, seg_ids)
    planted = [p for p in truth.plants if p.applicable]
    assert len(planted) >= 15
    missed = [(p.planted.id, p.planted.device, p.planted.subject) for p in truth.missed]
    assert missed == []
    assert truth.false_positives == []


def test_clean_devices_have_no_segmentation_finding(
    city_scenario_and_context: tuple[Scenario, AuditContext],
) -> None:
    scenario, context = city_scenario_and_context
    clean_devices = {entry for entry in scenario.clean if ":" not in entry}
    assert clean_devices
    assert [f for f in _segmentation_findings(context) if f.device in clean_devices] == []


def test_fingerprints_are_unique_and_stable_across_runs(
    city_scenario_and_context: tuple[Scenario, AuditContext],
) -> None:
    _, context = city_scenario_and_context
    first = _segmentation_findings(context)
    prints = [f.fingerprint for f in first]
    assert len(prints) == len(set(prints))
    assert prints == [f.fingerprint for f in _segmentation_findings(context)]
    assert first[0].fingerprint == fingerprint(first[0].check_id, first[0].device, first[0].subject)


def test_the_view_is_built_once_per_context(
    city_scenario_and_context: tuple[Scenario, AuditContext],
) -> None:
    _, context = city_scenario_and_context
    assert NetworkView.of(context) is NetworkView.of(context)


def test_the_city_matrix_shows_the_planted_lgwan_to_internet_excess(
    city_scenario_and_context: tuple[Scenario, AuditContext],
) -> None:
    _, context = city_scenario_and_context
    matrix = zone_matrix(NetworkView.of(context))
    cell = matrix.cell("lgwan", "internet")
    assert cell.status == "excess"
    assert [flow.flow_id for flow in cell.allowed] == ["F-004"]
    assert {e.subject for e in cell.permitted if not e.within_policy} >= {
        "fw:3#lgwan->internet",
        "acl:LGWAN-IN:20#lgwan->internet",
    }
    assert matrix.cell("lgwan", "sanitizer").allowed_by_policy
    assert matrix.cell("sanitizer", "internet").status == "ok"
    assert matrix.cell("internet", "mynumber").status == "denied"
    data = matrix.to_json()
    assert len(data["cells"]) == len(matrix.zones) * (len(matrix.zones) - 1)
    assert data["cells"][0]["observed_in_traffic"] == []


def _exception(check: str, device: str, subject: str, expires: str) -> PolicyException:
    return PolicyException.model_validate(
        {
            "check": check,
            "selector": {"device": device, "subject": subject},
            "reason": "承認済み",
            "approver": "情報政策課長",
            "approval_number": "情政第1号",
            "expires": expires,
        }
    )


def test_documented_exception_selectors_suppress_exactly_the_findings_they_name(
    city_scenario_and_context: tuple[Scenario, AuditContext],
) -> None:
    _, context = city_scenario_and_context
    findings = _segmentation_findings(context)
    cases = [
        (
            _exception("SEG-008", "myn-edge-sw2", "trunk:port1.0.23#lgwan+mynumber", "2027-03-31"),
            {("myn-edge-sw2", "trunk:port1.0.23#lgwan+mynumber")},
        ),
        (
            _exception("SEG-003", "*", "link:*<->*-edge-sw2:port1.0.23", "2027-03-31"),
            {
                ("myn-edge-sw2", "link:port1.0.23<->lg-edge-sw2:port1.0.23"),
                ("lg-edge-sw2", "link:port1.0.23<->myn-edge-sw2:port1.0.23"),
            },
        ),
    ]
    for exception, expected in cases:
        suppressed = {
            (f.device, f.subject)
            for f in findings
            if matching_exception(
                [exception], check_id=f.check_id, device=f.device, subject=f.subject, now=NOW
            )
        }
        assert suppressed == expected
    acl_rule = _exception("SEG-006", "inet-core-sw1", "acl:LGWAN-IN:20#*", "2026-12-31")
    suppressed_acl = [
        f.subject
        for f in findings
        if matching_exception(
            [acl_rule], check_id=f.check_id, device=f.device, subject=f.subject, now=NOW
        )
    ]
    assert "acl:LGWAN-IN:20#lgwan->internet" in suppressed_acl
    assert all(s.startswith("acl:LGWAN-IN:20#lgwan->") for s in suppressed_acl)
    expired = _exception("SEG-008", "myn-edge-sw2", "trunk:port1.0.23#*", "2026-11-01")
    assert not any(
        matching_exception(
            [expired], check_id=f.check_id, device=f.device, subject=f.subject, now=NOW
        )
        for f in findings
    )


def test_planted_violations_are_found_from_the_platform_parsers_output_too(
    city_scenario_and_context: tuple[Scenario, AuditContext],
) -> None:
    """Render every SSH device's CLI, parse it back with its platform profile, and judge that."""
    from auditor.audit.engine import merge_models
    from auditor.lab.cli_render import render
    from auditor.platforms.registry import profiles
    from auditor.platforms.text_decode import decode_output

    scenario, context = city_scenario_and_context
    snapshots = dict(context.snapshots)
    parsed_devices = 0
    for device in scenario.devices:
        if not device.ssh or device.platform not in profiles():
            continue
        outputs = {
            command: decode_output(value).text if isinstance(value, bytes) else value
            for command, value in render(device, scenario).items()
        }
        parts = profiles()[device.platform].parse(outputs, salt=b"seg")
        parsed = parts.to_snapshot(device.name, NOW)
        snapshots[device.name] = merge_models(parsed, snapshots[device.name])
        parsed_devices += 1
    assert parsed_devices >= 15
    parsed_context = AuditContext(
        policy=context.policy,
        inventory=context.inventory,
        now=NOW,
        snapshots=snapshots,
        ledger=context.ledger,
    )
    findings = _segmentation_findings(parsed_context)
    truth = compare(scenario, findings, {c.id for c in discover() if c.id.startswith("SEG-")})
    assert [(p.planted.id, p.planted.device, p.planted.subject) for p in truth.missed] == []
    assert truth.false_positives == []


def test_every_planted_l3_acl_and_firewall_mistake_is_also_a_path_finding(
    city_scenario_and_context: tuple[Scenario, AuditContext],
) -> None:
    """A plant with ``path`` is found as SEG-013 on its device, its path passing its hops."""
    scenario, context = city_scenario_and_context
    truth = compare(scenario, _segmentation_findings(context), {"SEG-013"})
    paths = {p.planted.id: p for p in truth.plants if p.planted.id.endswith("/path")}
    assert {"P-SEG-07/path", "P-SEG-08/path", "P-SEG-09/path", "P-SEG-11/path"} <= set(paths)
    assert {"P-SEG-14/path", "P-SEG-21/path", "P-HRD-16b/path"} <= set(paths)
    assert [name for name, outcome in paths.items() if not outcome.found] == []
    (mine,) = paths["P-SEG-09/path"].matches
    assert mine.severity == "critical" and "tcp/443" in mine.message_en


def test_the_remediated_city_has_no_path_beyond_the_policy() -> None:
    """The example city with every plant's fix applied: no SEG-013 finding, My Number sealed."""
    scenario = remediated(example_city())
    policy = load_policy(REPO / "policies" / "example-city").policy
    inventory = Inventory(
        devices=[
            Device(name=d.name, address=d.address, platform=d.platform, zones=d.zones)
            for d in scenario.devices
        ]
    )
    snapshots = {d.name: expected_snapshot(scenario, d.name, NOW) for d in scenario.devices}
    context = AuditContext(policy=policy, inventory=inventory, now=NOW, snapshots=snapshots)
    assert [f.subject for f in _segmentation_findings(context) if f.check_id == "SEG-013"] == []
    verdicts = reachability(NetworkView.of(context))
    for (source, destination), verdict in verdicts.items():
        if "mynumber" in (source, destination) and "management" not in (source, destination):
            assert verdict.status != "reachable", (source, destination)
    assert verdicts[("mynumber", "internet")].status == "not-reachable"

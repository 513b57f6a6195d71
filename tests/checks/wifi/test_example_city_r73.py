"""WIFI-005's lab plant: the example city moved to the 令和7年3月 edition (test-only variant).

The demo city stays on R6.10, where any 802.1X method is accepted and WIFI-005 raises nothing.
This variant is the city's own policy file with only ``guideline_edition`` changed, so it cannot
drift from the demo policy: under R7.3 the compliant-under-R6.10 SSID ``Rei-LGWAN`` (WPA2-
Enterprise with RADIUS, EAP methods decided by the RADIUS server and not on file) is a finding,
read from the FortiGate configuration the lab renders and the platform parser reads back.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from auditor.inventory.models import Device, Inventory
from auditor.lab.cli_render import render
from auditor.lab.scenario import Scenario
from auditor.model.findings import Finding, Outcome
from auditor.platforms.registry import profiles
from auditor.platforms.text_decode import decode_output
from auditor.policy.loader import load_policy
from auditor.policy.models import Policy
from auditor.rules import AuditContext, discover
from tests.builders import example_city

REPO = Path(__file__).resolve().parents[3]
NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
CITY_POLICY = REPO / "policies" / "example-city" / "policy.yaml"


def _city_policy(tmp_path: Path, edition: str) -> Policy:
    text = CITY_POLICY.read_text(encoding="utf-8")
    assert "guideline_edition: R6.10\n" in text
    folder = tmp_path / f"example-city-{edition}"
    folder.mkdir()
    (folder / "policy.yaml").write_text(
        text.replace("guideline_edition: R6.10\n", f"guideline_edition: {edition}\n"),
        encoding="utf-8",
    )
    return load_policy(folder).policy


def _context(scenario: Scenario, policy: Policy) -> AuditContext:
    """wlc-fw1 as collected: its rendered FortiGate configuration parsed by the profile."""
    device = scenario.device("wlc-fw1")
    outputs = {
        command: decode_output(value).text if isinstance(value, bytes) else value
        for command, value in render(device, scenario).items()
    }
    snapshot = (
        profiles()[device.platform].parse(outputs, salt=b"wifi").to_snapshot(device.name, NOW)
    )
    inventory = Inventory(
        devices=[
            Device(
                name=device.name,
                address=device.address,
                platform=device.platform,
                zones=device.zones,
                site=device.site,
                role=device.role,
            )
        ]
    )
    return AuditContext(
        policy=policy, inventory=inventory, now=NOW, snapshots={device.name: snapshot}
    )


def _wifi005(context: AuditContext) -> list[Finding]:
    [check] = [c for c in discover() if c.id == "WIFI-005"]
    return [f for f in check().evaluate(context) if f.outcome in (Outcome.FAIL, Outcome.ERROR)]


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    return example_city()


def test_under_r7_3_the_city_business_ssid_without_eap_tls_is_found(
    scenario: Scenario, tmp_path: Path
) -> None:
    findings = _wifi005(_context(scenario, _city_policy(tmp_path, "R7.3")))
    assert [(f.device, f.subject, f.zone) for f in findings] == [
        ("wlc-fw1", "ssid:Rei-LGWAN", "lgwan")
    ]
    assert "EAP-TLS" in findings[0].message_ja


def test_the_demo_edition_r6_10_raises_nothing(scenario: Scenario, tmp_path: Path) -> None:
    demo = load_policy(REPO / "policies" / "example-city").policy
    assert demo.guideline_edition == "R6.10"
    assert _wifi005(_context(scenario, demo)) == []


def test_evidence_of_an_eap_tls_only_radius_policy_clears_it(
    scenario: Scenario, tmp_path: Path
) -> None:
    policy = _city_policy(tmp_path, "R7.3")
    policy.rules["WIFI-005"] = policy.rule("WIFI-005").model_copy(
        update={"parameters": {"eap_tls_evidence": ["Rei-LGWAN"]}}
    )
    assert _wifi005(_context(scenario, policy)) == []

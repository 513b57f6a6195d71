"""The four shipped presets: each resolves, sets its model, and carries no city data."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from auditor.policy.issues import PolicyError
from auditor.policy.loader import PRESET_DIRECTORY, available_presets, load_policy
from auditor.policy.models import NetworkModel

TODAY = date(2026, 11, 24)
CITY_ZONES = """\
zones:
  - id: mynumber
    vlans: [10]
    subnets: [10.10.0.0/16]
  - id: lgwan
    vlans: [20]
    subnets: [10.20.0.0/16]
  - id: internet
    vlans: [30]
    subnets: [10.30.0.0/16]
  - id: sanitizer
    vlans: [40]
    subnets: [10.40.0.0/24]
  - id: management
    vlans: [99]
    subnets: [10.99.0.0/24]
"""

EXPECTED = {
    "alpha": (NetworkModel.ALPHA, "lgwan", "isolated", "direct"),
    "alpha-prime": (NetworkModel.ALPHA_PRIME, "lgwan", "isolated", "direct"),
    "beta": (NetworkModel.BETA, "internet", "direct", "screen_transfer"),
    "beta-prime": (NetworkModel.BETA_PRIME, "internet", "direct", "screen_transfer"),
}


def test_exactly_the_four_guideline_models_are_shipped():
    assert available_presets() == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_a_city_extending_each_preset_resolves_to_that_model(tmp_path: Path, name: str):
    path = tmp_path / "city.yaml"
    path.write_text(f"extends: {name}\n" + CITY_ZONES, encoding="utf-8")

    loaded = load_policy(path, today=TODAY)

    model, terminals, internet, lgwan = EXPECTED[name]
    policy = loaded.policy
    assert (policy.network_model, policy.main_terminal_zone) == (model, terminals)
    assert (policy.internet_access, policy.lgwan_access) == (internet, lgwan)
    assert policy.extends == name
    assert loaded.warnings == []
    assert loaded.files[0] == PRESET_DIRECTORY / f"{name}.yaml"
    protected = {zone.id for zone in policy.zones if zone.protected}
    # In β/β′ the main terminals (β′: also 人事給与・財務会計) sit in the Internet tier.
    business_internet = {"internet"} if terminals == "internet" else set()
    assert protected == {"mynumber", "lgwan", "management"} | business_internet
    assert policy.unlisted_zone() is not None and policy.unlisted_zone().id == "external"


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_presets_carry_no_vlans_subnets_hosts_or_flows(name: str):
    text = (PRESET_DIRECTORY / f"{name}.yaml").read_text(encoding="utf-8")
    body = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    for key in ("vlans:", "subnets:", "hosts:", "flows:"):
        assert not any(line.strip().startswith(key) for line in body), key
    assert "令和6年10月版" in text  # every preset cites the guideline edition in its header


def test_a_preset_alone_warns_that_its_zones_have_no_addresses(tmp_path: Path):
    path = tmp_path / "city.yaml"
    path.write_text("extends: beta\n", encoding="utf-8")

    loaded = load_policy(path, today=TODAY)

    assert len(loaded.warnings) == 5
    assert all(w.severity == "warning" and w.file.endswith("beta.yaml") for w in loaded.warnings)


def test_alpha_prime_lbo_services_from_the_city_are_checked_against_hosts(tmp_path: Path):
    path = tmp_path / "city.yaml"
    path.write_text(
        "extends: alpha-prime\n"
        + CITY_ZONES
        + "lbo_services: [teams-tenant, 203.0.113.0/24, groupware.example.jp]\n",
        encoding="utf-8",
    )

    with pytest.raises(PolicyError) as caught:
        load_policy(path, today=TODAY)

    assert [(i.field, i.line) for i in caught.value.issues] == [("lbo_services[0]", 18)]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_preset_rule_settings_name_checks_that_exist(tmp_path: Path, name: str):
    from auditor.rules import discover

    path = tmp_path / "city.yaml"
    path.write_text(f"extends: {name}\n" + CITY_ZONES, encoding="utf-8")

    registry = discover()
    loaded = load_policy(
        path,
        known_check_ids=registry.ids(),
        today=TODAY,
        parameter_models=registry.parameter_models(),
    )

    assert loaded.warnings == []
    assert set(loaded.policy.rules) <= discover().ids()


MYNUMBER_HOSTS = """\
  - id: lgwan-wan
    kind: lgwan_wan
    name_ja: LGWAN (J-LIS)
    name_en: LGWAN WAN
    subnets: [10.200.0.0/16]
hosts:
  chukan-platform: {address: 10.200.1.10, zone: lgwan-wan}
  screen-transfer-host: {address: 10.200.2.10, zone: lgwan-wan, role: screen_transfer}
"""


def _city(tmp_path: Path, preset: str, extra: str) -> Path:
    path = tmp_path / "city.yaml"
    path.write_text(f"extends: {preset}\n" + CITY_ZONES + MYNUMBER_HOSTS + extra, "utf-8")
    return path


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_a_city_enables_a_mynumber_template_and_may_override_its_keys(tmp_path: Path, name: str):
    extra = "flows:\n  - {id: F-1, template: mynumber-chukan, services: [tcp/8443]}\n"

    policy = load_policy(_city(tmp_path, name, extra), today=TODAY).policy

    (flow,) = policy.flows
    assert (flow.from_, flow.to, flow.destinations) == (
        "mynumber",
        "lgwan-wan",
        ["chukan-platform"],
    )
    assert flow.services == ["tcp/8443"]
    assert {"mynumber-chukan", "lgwan-to-mynumber-renkei", "mynumber-screen-transfer"} <= set(
        policy.flow_templates
    )


def test_an_unknown_template_is_an_error_naming_the_known_ones(tmp_path: Path):
    path = _city(tmp_path, "alpha", "flows:\n  - {template: chukan}\n")

    with pytest.raises(PolicyError) as raised:
        load_policy(path, today=TODAY)

    assert "unknown flow template 'chukan'" in str(raised.value)
    assert "mynumber-chukan" in str(raised.value)


@pytest.mark.parametrize(
    ("edition", "in_force"), [("R4.3", False), ("R6.10", False), ("R7.3", True)]
)
def test_screen_transfer_out_of_the_mynumber_tier_follows_the_edition(
    tmp_path: Path, edition: str, in_force: bool
):
    extra = f"guideline_edition: {edition}\nflows:\n  - {{template: mynumber-screen-transfer}}\n"

    loaded = load_policy(_city(tmp_path, "alpha", extra), today=TODAY)

    (flow,) = loaded.policy.flows
    assert loaded.policy.is_screen_transfer_flow(flow)
    assert loaded.policy.flow_in_force(flow) is in_force
    assert bool(loaded.policy.flows_between("mynumber", "lgwan-wan")) is in_force
    warned = [w for w in loaded.warnings if "画面転送" in w.message]
    assert bool(warned) is not in_force


def test_a_city_drops_a_preset_zone_it_does_not_have(tmp_path: Path):
    zones = CITY_ZONES.replace(
        "  - id: sanitizer\n    vlans: [40]\n    subnets: [10.40.0.0/24]\n", ""
    )
    path = tmp_path / "city.yaml"
    path.write_text("extends: alpha-prime\ndrop_zones: [sanitizer]\n" + zones, "utf-8")

    loaded = load_policy(path, today=TODAY)

    assert loaded.policy.zone("sanitizer") is None
    assert loaded.warnings == []


def test_an_unknown_edition_is_an_error(tmp_path: Path):
    with pytest.raises(PolicyError):
        load_policy(_city(tmp_path, "alpha", "guideline_edition: R3.12\n"), today=TODAY)

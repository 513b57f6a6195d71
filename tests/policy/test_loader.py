"""Policy loading: every error says file:line: field: message, warnings do not stop a load."""

from __future__ import annotations

import textwrap
from datetime import date
from pathlib import Path

import pytest

from auditor.policy.issues import PolicyError, PolicyIssue
from auditor.policy.loader import load_policy, policy_sha256

REPO = Path(__file__).resolve().parents[2]
TODAY = date(2026, 11, 24)

CITY = """\
municipality: テスト市
extends: alpha
zones:
  - id: mynumber
    vlans: ["10-19"]
    subnets: [10.10.0.0/16]
  - id: lgwan
    vlans: ["20-29"]
    subnets: [10.20.0.0/16]
  - id: internet
    vlans: ["30-39"]
    subnets: [10.30.0.0/16]
  - id: sanitizer
    vlans: [40]
    subnets: [10.40.0.0/24]
  - id: management
    vlans: [99]
    subnets: [10.99.0.0/24]
hosts:
  relay:
    address: 10.40.0.10
    zone: sanitizer
flows:
  - id: F-1
    from: lgwan
    to: sanitizer
    destinations: [relay]
  - id: F-2
    from: sanitizer
    to: internet
"""


def write(tmp_path: Path, text: str, name: str = "city.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def load_errors(path: Path, **kwargs: object) -> list[PolicyIssue]:
    with pytest.raises(PolicyError) as caught:
        load_policy(path, today=TODAY, **kwargs)  # type: ignore[arg-type]
    return caught.value.issues


def line_of(path: Path, needle: str, occurrence: int = 1) -> int:
    seen = 0
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if needle in line:
            seen += 1
            if seen == occurrence:
                return number
    raise AssertionError(f"{needle!r} not in {path}")


def test_a_valid_city_on_a_preset_loads_with_its_zones_merged_over_the_preset(tmp_path):
    loaded = load_policy(write(tmp_path, CITY), today=TODAY)

    mynumber = loaded.policy.zone("mynumber")
    assert mynumber is not None
    assert mynumber.name_ja == "マイナンバー利用事務系"  # from the preset
    assert mynumber.protected and mynumber.requires_port_auth  # preset defaults
    assert mynumber.has_vlan(12)  # from the city
    assert loaded.policy.network_model == "alpha"
    assert loaded.warnings == []
    assert [path.name for path in loaded.files] == ["alpha.yaml", "city.yaml"]
    assert len(loaded.sha256) == 64


def test_a_flow_to_an_unknown_zone_is_reported_with_file_line_and_field(tmp_path):
    text = CITY + "  - id: F-3\n    from: lgwan\n    to: lgwan2\n"
    path = write(tmp_path, text)

    issues = load_errors(path)

    line = line_of(path, "to: lgwan2")
    assert f"{path}:{line}: flows[2].to: unknown zone 'lgwan2'" in [str(i) for i in issues]


def test_the_issue_string_has_exactly_the_documented_shape():
    issue = PolicyIssue("policies/city.yaml", 42, "flows[3].to", "unknown zone 'lgwan2'")
    assert str(issue) == "policies/city.yaml:42: flows[3].to: unknown zone 'lgwan2'"
    assert str(PolicyIssue("a.yaml", None, "", "no such file")) == "a.yaml: no such file"


def test_overlapping_vlans_between_zones_are_an_error_at_the_later_range(tmp_path):
    path = write(tmp_path, CITY.replace('vlans: ["30-39"]', 'vlans: ["25-39"]'))

    issues = load_errors(path)

    assert [str(i) for i in issues] == [
        f"{path}:{line_of(path, '25-39')}: zones[2].vlans[0]: "
        "VLAN 25-39 overlaps VLAN 20-29 of zone 'lgwan'"
    ]


def test_overlapping_subnets_between_zones_are_an_error(tmp_path):
    path = write(tmp_path, CITY.replace("[10.30.0.0/16]", "[10.20.128.0/17]"))

    messages = [i.message for i in load_errors(path)]

    assert messages == ["subnet 10.20.128.0/17 overlaps subnet 10.20.0.0/16 of zone 'lgwan'"]


def test_an_expired_exception_is_a_warning_and_the_policy_still_loads(tmp_path):
    text = CITY + textwrap.dedent(
        """\
        exceptions:
          - id: EX-1
            check: LED-001
            reason: 移設待ち
            approver: 情報政策課長
            approval_number: 情政第1号
            expires: 2025-03-31
        """
    )
    path = write(tmp_path, text)

    loaded = load_policy(path, today=TODAY)

    assert [(w.severity, w.field, w.line) for w in loaded.warnings] == [
        ("warning", "exceptions[0].expires", line_of(path, "expires: 2025-03-31"))
    ]


def test_an_exception_naming_an_unknown_check_is_an_error_only_when_ids_are_known(tmp_path):
    text = CITY + textwrap.dedent(
        """\
        exceptions:
          - check: LED-999
            reason: r
            approver: a
            approval_number: n
            expires: 2027-03-31
        """
    )
    path = write(tmp_path, text)

    load_policy(path, today=TODAY)  # no registry given: nothing to check against
    issues = load_errors(path, known_check_ids=frozenset({"LED-001", "HRD-014"}))

    assert [(i.field, i.message) for i in issues] == [
        ("exceptions[0].check", "unknown check id 'LED-999'")
    ]


def test_unknown_relay_and_destination_hosts_are_errors_but_a_cidr_destination_is_fine(tmp_path):
    text = CITY + (
        "  - id: F-3\n"
        "    from: lgwan\n"
        "    to: internet\n"
        "    via: [screen-gw]\n"
        "    destinations: [203.0.113.0/24, cloud-x]\n"
    )
    path = write(tmp_path, text)

    issues = load_errors(path)

    assert [(i.field, i.message, i.line) for i in issues] == [
        (
            "flows[2].via[0]",
            "unknown host 'screen-gw' (relays must be named in `hosts`)",
            line_of(path, "via: [screen-gw]"),
        ),
        (
            "flows[2].destinations[1]",
            "unknown host 'cloud-x' (use a name from `hosts` or a CIDR)",
            line_of(path, "cloud-x"),
        ),
    ]


def test_a_host_outside_its_zone_and_unknown_mynumber_destinations_are_errors(tmp_path):
    text = CITY.replace("address: 10.40.0.10", "address: 10.41.0.10") + (
        "mynumber_destinations: [relay, chukan]\n"
    )
    path = write(tmp_path, text)

    issues = load_errors(path)

    assert [(i.field, i.message) for i in issues] == [
        (
            "hosts.relay.address",
            "10.41.0.10 is outside the subnets of zone 'sanitizer' (10.40.0.0/24)",
        ),
        ("mynumber_destinations[1]", "unknown host 'chukan' (use a name from `hosts` or a CIDR)"),
    ]


def test_a_duplicate_zone_id_in_the_city_is_an_error_pointing_at_the_second_one(tmp_path):
    zones_text = CITY.replace(
        "hosts:",
        "  - id: lgwan\n    kind: lgwan\n    name_ja: 重複\n    name_en: dup\n"
        "    vlans: [200]\nhosts:",
        1,
    )
    path = write(tmp_path, zones_text)

    issues = load_errors(path)

    assert [(i.field, i.line) for i in issues] == [("zones[6].id", line_of(path, "- id: lgwan", 2))]
    assert issues[0].message.startswith("duplicate zone id 'lgwan' (first defined at ")


def test_pydantic_errors_use_yaml_spelling_and_lines(tmp_path):
    text = CITY.replace("  - id: F-2\n    from: sanitizer", "  - id: F-2\n    form: sanitizer")
    text = text.replace("subnets: [10.40.0.0/24]", "subnets: [10.40.0.0/33]")
    path = write(tmp_path, text)

    issues = load_errors(path)

    assert [str(i) for i in issues] == [
        f"{path}:{line_of(path, '10.40.0.0/33')}: zones[3].subnets[0]: "
        "Input is not a valid IPv4 network; Input is not a valid IPv6 network",
        f"{path}:{line_of(path, '- id: F-2')}: flows[1].from: required field is missing",
        f"{path}:{line_of(path, 'form: sanitizer')}: flows[1].form: "
        "unknown key (not allowed here; check the spelling)",
    ]


def test_a_yaml_syntax_error_reports_its_line(tmp_path):
    path = write(tmp_path, "zones:\n  - id: a\n   kind: b\n")

    issues = load_errors(path)

    assert len(issues) == 1
    assert issues[0].line == 3
    assert str(issues[0]).startswith(f"{path}:3: YAML syntax error")


def test_a_folder_of_files_is_merged_and_a_key_set_twice_is_an_error(tmp_path):
    folder = tmp_path / "city"
    folder.mkdir()
    write(folder, CITY.split("hosts:")[0], "10-zones.yaml")
    write(folder, "hosts:" + CITY.split("hosts:")[1], "20-flows.yaml")

    loaded = load_policy(folder, today=TODAY)
    assert len(loaded.policy.flows) == 2
    assert [p.name for p in loaded.files] == ["alpha.yaml", "10-zones.yaml", "20-flows.yaml"]

    write(folder, "municipality: 別の市\n", "30-extra.yaml")
    issues = load_errors(folder)
    assert [(Path(i.file).name, i.line, i.field) for i in issues] == [
        ("30-extra.yaml", 1, "municipality")
    ]


def test_an_unknown_preset_lists_the_shipped_ones(tmp_path):
    path = write(tmp_path, "extends: gamma\n")

    issues = load_errors(path)

    assert str(issues[0]) == (
        f"{path}:1: extends: unknown preset 'gamma' "
        "(shipped presets: alpha, alpha-prime, beta, beta-prime)"
    )


def test_the_hash_is_stable_and_changes_when_the_policy_changes(tmp_path):
    first = load_policy(write(tmp_path, CITY), today=TODAY)
    again = load_policy(write(tmp_path, "# comment only changes\n" + CITY), today=TODAY)
    changed = load_policy(write(tmp_path, CITY.replace("テスト市", "別の市")), today=TODAY)

    assert first.sha256 == again.sha256 == policy_sha256(first.policy)
    assert changed.sha256 != first.sha256


def test_the_example_city_policy_loads_without_errors_or_warnings():
    loaded = load_policy(REPO / "policies" / "example-city", today=TODAY)

    assert loaded.warnings == []
    assert loaded.policy.network_model == "alpha-prime"
    assert loaded.policy.municipality == "例市"
    assert {zone.id for zone in loaded.policy.zones} == {
        "mynumber",
        "lgwan",
        "internet",
        "sanitizer",
        "management",
        "education",
        "public-wifi",
        "lgwan-wan",
        "security-cloud",
    }


def test_an_impossible_date_is_a_field_error_with_its_line(tmp_path):
    text = CITY + (
        "exceptions:\n"
        "  - {check: LED-001, reason: r, approver: a, approval_number: n, expires: 2027-13-01}\n"
    )
    path = write(tmp_path, text)

    (issue,) = load_errors(path)

    assert (issue.line, issue.field) == (line_of(path, "2027-13-01"), "exceptions[0].expires")


def test_an_empty_policy_loads_with_a_warning_that_nothing_is_separated(tmp_path):
    loaded = load_policy(write(tmp_path, ""), today=TODAY)

    assert [(w.field, w.severity) for w in loaded.warnings] == [("zones", "warning")]

"""WIFI-004 … WIFI-008: business, My Number, public and disaster SSIDs per guideline edition."""

from __future__ import annotations

from typing import Any

import pytest

from auditor.model.findings import AuditGrade, Outcome, Severity
from auditor.model.snapshot import DeviceSnapshot, WirelessNetwork
from auditor.policy.grades import audit_grade
from auditor_checks.wifi.business_ssid_not_enterprise import BusinessSsidNotEnterprise
from auditor_checks.wifi.business_ssid_password_eap import BusinessSsidPasswordEap
from auditor_checks.wifi.disaster_ssid_outside_disaster import DisasterSsidOutsideDisaster
from auditor_checks.wifi.mynumber_wireless import MynumberWireless
from auditor_checks.wifi.public_ssid_no_isolation import PublicSsidNoIsolation
from tests.checks.hardening._support import (
    context,
    device,
    good_management,
    policy,
    snapshot,
    subjects,
)

EDITIONS_BEFORE_R7_3 = ["R4.3", "R5.3", "R6.10"]


def ssid(name: str, **fields: Any) -> WirelessNetwork:
    data: dict[str, Any] = {
        "name": name.lower(),
        "ssid": name,
        "enabled": True,
        "broadcast": True,
        "vlan": 24,
        "security": "wpa2-enterprise",
        "tkip_allowed": False,
        "auth_server": "radius",
        "radius_servers": ["nps"],
        "client_isolation": False,
    }
    data.update(fields)
    return WirelessNetwork.model_validate(data)


def controller(*networks: WirelessNetwork, **fields: Any) -> DeviceSnapshot:
    return snapshot("wlc1", wireless=list(networks), **fields)


def ctx(*networks: WirelessNetwork, edition: str = "R6.10", **policy_fields: Any) -> Any:
    snap = controller(*networks, system={"os_version": "v7.2.8"})
    return context(
        [snap],
        devices=[device("wlc1", zones=["lgwan", "management"], platform="fortinet")],
        policy_obj=policy(guideline_edition=edition, **policy_fields),
    )


# ------------------------------------------------------------------ WIFI-004
@pytest.mark.parametrize(
    ("fields", "reported"),
    [
        ({"security": "wpa2-personal", "auth_server": None, "radius_servers": None}, True),
        ({"security": "open", "auth_server": None, "radius_servers": None}, True),
        ({"security": "wep", "auth_server": None, "radius_servers": None}, True),
        ({"security": "wpa-enterprise"}, True),  # WPA/WPA2 mixed lets WPA1/TKIP in
        ({"security": None}, True),  # unknown never passes
        ({"tkip_allowed": True}, True),
        ({"tkip_allowed": None}, True),
        ({"auth_server": None, "radius_servers": None}, True),
        ({"radius_servers": []}, True),
        ({}, False),
        ({"security": "wpa3-enterprise"}, False),
        ({"auth_server": "local", "radius_servers": []}, False),
    ],
)
def test_lgwan_ssids_need_wpa2_or_wpa3_enterprise_with_an_auth_server(
    fields: dict[str, Any], reported: bool
) -> None:
    found = subjects(BusinessSsidNotEnterprise(), ctx(ssid("Rei-LGWAN", **fields)))
    assert found == (["ssid:Rei-LGWAN"] if reported else [])


def test_ssids_outside_business_zones_are_not_wifi_004s() -> None:
    networks = [
        ssid("Free", vlan=900, security="open"),  # public Wi-Fi
        ssid("Inet", vlan=31, security="wpa2-personal"),  # Internet tier under α
        ssid("Stray", vlan=3999, security="open"),  # no zone
    ]
    assert subjects(BusinessSsidNotEnterprise(), ctx(*networks)) == []


def test_under_beta_the_internet_tier_main_terminal_zone_is_a_business_zone() -> None:
    psk = ssid("Gyomu", vlan=31, security="wpa2-personal")
    beta = ctx(psk, network_model="beta", main_terminal_zone="internet")
    assert subjects(BusinessSsidNotEnterprise(), beta) == ["ssid:Gyomu"]
    (finding,) = BusinessSsidNotEnterprise().evaluate(beta)
    assert finding.zone == "internet"
    grade = audit_grade(finding.check_id, finding.severity, finding.outcome, "internet", None)
    assert grade is AuditGrade.MAJOR  # PSK on a business SSID is 重大 in any business tier


def test_an_ssid_without_a_vlan_is_placed_by_its_interface_address() -> None:
    tunnelled = ssid("Tunnel", vlan=None, interface="wifi-lg", security="wpa2-personal")
    snap = controller(
        tunnelled,
        interfaces=[{"name": "wifi-lg", "mode": "routed", "addresses": ["10.20.40.1/24"]}],
    )
    found = BusinessSsidNotEnterprise().evaluate(context([snap]))
    assert [(f.subject, f.zone) for f in found] == [("ssid:Tunnel", "lgwan")]


# ------------------------------------------------------------------ WIFI-005 (edition-aware)
@pytest.mark.parametrize("edition", EDITIONS_BEFORE_R7_3)
def test_before_r7_3_password_eap_on_a_business_ssid_is_accepted(edition: str) -> None:
    peap = ssid("Rei-LGWAN", eap_methods=["peap"])
    assert subjects(BusinessSsidPasswordEap(), ctx(peap, edition=edition)) == []


def test_under_r7_3_password_eap_or_unshown_certificates_are_findings() -> None:
    networks = [
        ssid("Peap", eap_methods=["peap", "tls"]),
        ssid("Unknown", eap_methods=None),
        ssid("Tls", eap_methods=["tls"]),
        ssid("Evidenced", eap_methods=None),
        ssid("Psk", security="wpa2-personal"),  # WIFI-004's, not this rule's
    ]
    rules = {"WIFI-005": {"parameters": {"eap_tls_evidence": ["Evidenced"]}}}
    found = list(BusinessSsidPasswordEap().evaluate(ctx(*networks, edition="R7.3", rules=rules)))
    assert [f.subject for f in found] == ["ssid:Peap", "ssid:Unknown"]
    assert "peap" in found[0].message_en
    assert all(f.severity is Severity.MEDIUM and f.zone == "lgwan" for f in found)


# ------------------------------------------------------------------ WIFI-006 (edition-aware)
@pytest.mark.parametrize("edition", EDITIONS_BEFORE_R7_3)
def test_before_r7_3_any_ssid_in_the_mynumber_tier_is_critical(edition: str) -> None:
    best = ssid("Madoguchi", vlan=13, security="wpa3-enterprise", eap_methods=["tls"])
    found = list(MynumberWireless().evaluate(ctx(best, edition=edition)))
    assert [f.subject for f in found] == ["ssid:Madoguchi"]
    assert found[0].severity is Severity.CRITICAL and found[0].zone == "mynumber"
    assert edition in found[0].message_en
    grade = audit_grade("WIFI-006", found[0].severity, found[0].outcome, "mynumber", None)
    assert grade is AuditGrade.MAJOR


def r7_3(*networks: WirelessNetwork, minimum: str | None = "v7.2.0", syslog: bool = True) -> Any:
    rules = {"WIFI-006": {"parameters": {"minimum_firmware": {"fortinet": minimum}}}}
    management = good_management(syslog_hosts=["10.99.0.10"] if syslog else [])
    snap = controller(*networks, system={"os_version": "v7.2.8"}, management=management)
    return context(
        [snap],
        devices=[device("wlc1", zones=["lgwan", "management"], platform="fortinet")],
        policy_obj=policy(guideline_edition="R7.3", rules=rules if minimum else {}),
    )


def test_under_r7_3_an_eap_tls_ssid_with_logs_and_current_firmware_is_allowed() -> None:
    good = ssid("Madoguchi", vlan=13, security="wpa3-enterprise", eap_methods=["tls"])
    assert subjects(MynumberWireless(), r7_3(good)) == []


@pytest.mark.parametrize(
    ("fields", "kwargs", "unmet"),
    [
        ({"security": "wpa2-personal"}, {}, "not WPA2/WPA3-Enterprise"),
        ({"tkip_allowed": True}, {}, "not WPA2/WPA3-Enterprise"),
        ({"eap_methods": ["peap"]}, {}, "EAP-TLS"),
        ({"eap_methods": None}, {}, "EAP-TLS"),
        ({}, {"syslog": False}, "access log"),
        ({}, {"minimum": "v7.4.1"}, "older than v7.4.1"),
        ({}, {"minimum": None}, "current firmware is not shown"),
    ],
)
def test_under_r7_3_each_missing_condition_is_a_finding(
    fields: dict[str, Any], kwargs: dict[str, Any], unmet: str
) -> None:
    base: dict[str, Any] = {"vlan": 13, "eap_methods": ["tls"]}
    base.update(fields)
    (finding,) = MynumberWireless().evaluate(r7_3(ssid("Madoguchi", **base), **kwargs))
    assert finding.outcome is Outcome.FAIL
    assert unmet in finding.message_en
    assert "令和7年3月版の条件" in finding.message_ja


def test_under_r7_3_hrd_015_minimum_serves_when_the_rule_sets_none() -> None:
    good = ssid("Madoguchi", vlan=13, eap_methods=["tls"])
    snap = controller(good, system={"os_version": "v7.2.8"})
    rules = {"HRD-015": {"parameters": {"minimum": {"fortinet": "v7.2.5"}}}}
    clean = context(
        [snap],
        devices=[device("wlc1", platform="fortinet")],
        policy_obj=policy(guideline_edition="R7.3", rules=rules),
    )
    assert subjects(MynumberWireless(), clean) == []


# ------------------------------------------------------------------ WIFI-007
def test_public_ssids_need_client_isolation_and_unknown_is_not_isolation() -> None:
    networks = [
        ssid("Off", vlan=900, security="open", client_isolation=False),
        ssid("Unknown", vlan=900, security="open", client_isolation=None),
        ssid("On", vlan=900, security="open", client_isolation=True),
        ssid("00000JAPAN", vlan=None, security="open", client_isolation=False),  # named by zone
        ssid("Business", client_isolation=False),  # LGWAN: isolation is not this rule's
    ]
    assert subjects(PublicSsidNoIsolation(), ctx(*networks)) == [
        "ssid:Off",
        "ssid:Unknown",
        "ssid:00000JAPAN",
    ]


# ------------------------------------------------------------------ WIFI-008
def japan(**fields: Any) -> WirelessNetwork:
    return ssid("00000JAPAN", vlan=900, security="open", client_isolation=True, **fields)


def test_00000japan_broadcast_in_normal_times_is_reported() -> None:
    found = list(DisasterSsidOutsideDisaster().evaluate(ctx(japan())))
    assert [f.subject for f in found] == ["ssid:00000JAPAN"]
    assert found[0].zone == "public-wifi"


@pytest.mark.parametrize(
    "fields", [{"enabled": False}, {"broadcast": False}], ids=["not-offered", "hidden"]
)
def test_00000japan_not_on_air_is_not_reported(fields: dict[str, Any]) -> None:
    assert subjects(DisasterSsidOutsideDisaster(), ctx(japan(**fields))) == []


def test_unknown_on_air_state_counts_as_broadcasting() -> None:
    unknown = japan(enabled=None, broadcast=None)
    assert subjects(DisasterSsidOutsideDisaster(), ctx(unknown)) == ["ssid:00000JAPAN"]


@pytest.mark.parametrize(
    ("period", "reported"),
    [
        ({"start": "2026-11-20T00:00:00", "reference": "危機第12号"}, False),  # still open
        ({"start": "2026-11-20T00:00:00+09:00", "end": "2026-12-01T00:00:00+09:00"}, False),
        ({"start": "2026-01-01T00:00:00", "end": "2026-01-10T00:00:00"}, True),  # over
        ({"start": "2027-01-01T00:00:00"}, True),  # not yet
    ],
)
def test_a_declared_disaster_period_covering_the_audit_time_allows_it(
    period: dict[str, Any], reported: bool
) -> None:
    rules = {"WIFI-008": {"parameters": {"disaster_periods": [period]}}}
    found = subjects(DisasterSsidOutsideDisaster(), ctx(japan(), rules=rules))
    assert found == (["ssid:00000JAPAN"] if reported else [])


def test_devices_that_report_no_wireless_raise_nothing() -> None:
    quiet = context([snapshot("sw1")], policy_obj=policy(guideline_edition="R7.3"))
    for check in (
        BusinessSsidNotEnterprise(),
        BusinessSsidPasswordEap(),
        MynumberWireless(),
        PublicSsidNoIsolation(),
        DisasterSsidOutsideDisaster(),
    ):
        assert list(check.evaluate(quiet)) == []


def test_default_grades_of_the_wireless_rules() -> None:
    lgwan = policy()
    grades = {
        check.id: audit_grade(check.id, check.severity, Outcome.FAIL, zone, lgwan)
        for check, zone in (
            (BusinessSsidNotEnterprise, "lgwan"),
            (BusinessSsidPasswordEap, "lgwan"),
            (MynumberWireless, "mynumber"),
            (PublicSsidNoIsolation, "public-wifi"),
            (DisasterSsidOutsideDisaster, "public-wifi"),
        )
    }
    assert grades == {
        "WIFI-004": AuditGrade.MAJOR,
        "WIFI-005": AuditGrade.MINOR,
        "WIFI-006": AuditGrade.MAJOR,
        "WIFI-007": AuditGrade.MINOR,
        "WIFI-008": AuditGrade.MINOR,
    }
    city = policy(audit_grades={"by_check": {"WIFI-004": "minor_nonconformity"}})
    assert audit_grade("WIFI-004", "high", "fail", "lgwan", city) is AuditGrade.MINOR

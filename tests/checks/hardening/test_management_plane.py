"""HRD-002 … HRD-010: management-plane hardening from the normalized snapshot."""

from __future__ import annotations

from auditor.model.findings import Outcome, Severity
from auditor.model.snapshot import ManagementPlane
from auditor_checks.hardening.cleartext_management import CleartextManagement
from auditor_checks.hardening.exec_timeout import ExecTimeout
from auditor_checks.hardening.management_access_unrestricted import (
    ManagementAccessUnrestricted,
)
from auditor_checks.hardening.no_login_banner import NoLoginBanner
from auditor_checks.hardening.no_remote_syslog import NoRemoteSyslog
from auditor_checks.hardening.ntp_missing import NtpMissing
from auditor_checks.hardening.snmp_v1_v2c_enabled import SnmpCommunityVersionsEnabled
from auditor_checks.hardening.ssh_v1_allowed import SshVersion1Allowed
from auditor_checks.hardening.weak_password_storage import WeakPasswordStorage
from tests.checks.hardening._support import (
    context,
    device,
    failures,
    good_management,
    policy,
    run,
    snapshot,
    subjects,
)

ALL = [
    CleartextManagement(),
    SshVersion1Allowed(),
    SnmpCommunityVersionsEnabled(),
    WeakPasswordStorage(),
    NoLoginBanner(),
    NtpMissing(),
    NoRemoteSyslog(),
    ExecTimeout(),
    ManagementAccessUnrestricted(),
]


def test_a_well_hardened_device_passes_every_management_plane_check() -> None:
    ctx = context([snapshot()])
    for check in ALL:
        assert run(check, ctx) == [], check.id


def test_unknown_management_facts_are_not_applicable_never_pass_or_fail() -> None:
    ctx = context([snapshot(management=ManagementPlane(), config=None)])
    for check in ALL:
        findings = run(check, ctx)
        assert findings, f"{check.id} stayed silent on unknown facts"
        assert {f.outcome for f in findings} == {Outcome.NOT_APPLICABLE}, check.id
        assert {f.severity for f in findings} == {Severity.INFO}


def test_telnet_and_http_management_are_reported_separately() -> None:
    mgmt = good_management(telnet_enabled=True, http_server=True)
    assert subjects(CleartextManagement(), context([snapshot(management=mgmt)])) == [
        "telnet",
        "http",
    ]


def test_telnet_on_a_my_number_device_is_critical() -> None:
    ctx = context(
        [snapshot(management=good_management(telnet_enabled=True))],
        devices=[device(zones=["mynumber", "management"])],
    )
    assert [f.severity for f in failures(CleartextManagement(), ctx)] == [Severity.CRITICAL]


def test_http_can_be_allowed_by_parameter() -> None:
    pol = policy(rules={"HRD-002": {"parameters": {"allow_http": True}}})
    ctx = context([snapshot(management=good_management(http_server=True))], policy_obj=pol)
    assert subjects(CleartextManagement(), ctx) == []


def test_ssh_version_1_is_reported_and_a_disabled_ssh_server_is_not() -> None:
    assert subjects(
        SshVersion1Allowed(), context([snapshot(management=good_management(ssh_version=1))])
    ) == ["ssh"]
    off = good_management(ssh_enabled=False, ssh_version=None)
    assert run(SshVersion1Allowed(), context([snapshot(management=off)])) == []


def test_a_v2c_community_is_reported_without_its_name_where_v3_is_required() -> None:
    mgmt = good_management(
        snmp_versions=["v2c", "v3"],
        snmp_communities=[{"name_redacted": "<redacted:ab12>", "acl": "SNMP-MGMT"}],
    )
    found = failures(SnmpCommunityVersionsEnabled(), context([snapshot(management=mgmt)]))
    assert [f.subject for f in found] == ["snmp"]
    assert "ab12" not in found[0].message_en
    relaxed = policy(snmp_require_v3=False)
    assert (
        run(
            SnmpCommunityVersionsEnabled(), context([snapshot(management=mgmt)], policy_obj=relaxed)
        )
        == []
    )


def test_snmp_v3_requirement_can_be_limited_to_some_zones() -> None:
    mgmt = good_management(snmp_versions=["v2c"])
    pol = policy(rules={"HRD-004": {"parameters": {"zones": ["mynumber"]}}})
    assert (
        run(SnmpCommunityVersionsEnabled(), context([snapshot(management=mgmt)], policy_obj=pol))
        == []
    )


def test_type7_and_plain_passwords_are_reported_per_user_and_for_enable() -> None:
    mgmt = good_management(
        aaa_enabled=False,
        local_users=[
            {"name": "admin", "password_storage": "type7"},
            {"name": "ops", "password_storage": "plain"},
            {"name": "auditor", "password_storage": "type9"},
        ],
        enable_secret_storage="type7",
    )
    found = failures(WeakPasswordStorage(), context([snapshot(management=mgmt)]))
    assert [f.subject for f in found] == ["user:admin", "user:ops", "enable"]
    assert "no AAA" in found[0].message_en
    assert "集中認証(AAA)なし" in found[0].message_ja


def test_a_missing_banner_in_a_read_configuration_is_reported() -> None:
    assert subjects(
        NoLoginBanner(), context([snapshot(management=good_management(banner=None))])
    ) == ["banner"]
    assert subjects(
        NoLoginBanner(), context([snapshot(management=good_management(banner="  "))])
    ) == ["banner"]


def test_ntp_servers_are_counted_against_the_zone_requirement() -> None:
    assert subjects(
        NtpMissing(), context([snapshot(management=good_management(ntp_servers=[]))])
    ) == ["ntp"]
    pol = policy(rules={"HRD-007": {"parameters": {"min_servers_by_zone_kind": {"mynumber": 2}}}})
    ctx = context([snapshot()], devices=[device(zones=["mynumber"])], policy_obj=pol)
    found = failures(NtpMissing(), ctx)
    assert "1 NTP server(s); 2 required" in found[0].message_en


def test_no_syslog_host_and_a_host_outside_the_log_servers_are_reported() -> None:
    assert subjects(
        NoRemoteSyslog(), context([snapshot(management=good_management(syslog_hosts=[]))])
    ) == ["syslog"]
    pol = policy(rules={"HRD-008": {"parameters": {"log_servers": ["10.99.0.20"]}}})
    assert subjects(NoRemoteSyslog(), context([snapshot()], policy_obj=pol)) == ["syslog"]


def test_exec_timeout_zero_too_long_or_absent_is_reported() -> None:
    for value, text in ((0, "timeout 0"), (3600, "3600 s"), (None, "no idle timeout")):
        ctx = context([snapshot(management=good_management(exec_timeout_seconds=value))])
        found = failures(ExecTimeout(), ctx)
        assert [f.subject for f in found] == ["exec-timeout"]
        assert text in found[0].message_en


def test_unrestricted_vty_and_snmp_are_reported() -> None:
    mgmt = good_management(
        vty_access_class=None,
        snmp_access_class=None,
        snmp_communities=[{"name_redacted": "<redacted:1>"}],
    )
    assert subjects(ManagementAccessUnrestricted(), context([snapshot(management=mgmt)])) == [
        "vty",
        "snmp",
    ]


def test_an_absent_ntp_or_syslog_list_in_a_read_configuration_means_none_configured() -> None:
    mgmt = good_management(ntp_servers=None, syslog_hosts=None)
    ctx = context([snapshot(management=mgmt)])
    assert subjects(NtpMissing(), ctx) == ["ntp"]
    assert subjects(NoRemoteSyslog(), ctx) == ["syslog"]
    unread = context([snapshot(management=mgmt, config=None)])
    assert [f.outcome for f in run(NtpMissing(), unread)] == [Outcome.NOT_APPLICABLE]


def test_a_device_the_auditor_polls_with_snmpv2c_has_v2c_enabled_even_without_its_config() -> None:
    snmp_only = snapshot(management=ManagementPlane(), config=None, sources=["snmp"])
    polled = device(snmp={"version": "v2c", "community": {"env": "COMMUNITY"}})
    found = failures(SnmpCommunityVersionsEnabled(), context([snmp_only], devices=[polled]))
    assert [f.subject for f in found] == ["snmp"]

"""Issue 15 rules: egress, NTP/clock, logging, cleartext, mail relay, evidence, route-led zones."""

from __future__ import annotations

import ipaddress
from typing import Any

from auditor.analysis.network import NetworkView
from auditor.model.findings import AuditGrade, Severity
from auditor.model.services import PortRange, Service
from auditor.model.snapshot import ManagementPlane, SystemInfo
from auditor.model.traffic import FlowRecord, HostPair, TrafficSummary
from auditor.policy.grades import audit_grade
from auditor_checks.hardening.ntp_source_tier import NtpSourceOutsideTier
from auditor_checks.hardening.security_logging import SecurityLoggingDisabled
from auditor_checks.hardening.syslog_host_zone import SyslogHostOutsideZone
from auditor_checks.meta.evidence_required import EvidenceRequired
from auditor_checks.monitoring.clock_skew import ClockSkew
from auditor_checks.segmentation.internet_egress import InternetEgressBypassesSecurityCloud
from auditor_checks.segmentation.mail_relay_bypass_permit import MailRelayBypassPermit
from auditor_checks.segmentation.mynumber_cleartext_permit import MyNumberCleartextPermit
from auditor_checks.segmentation.mynumber_egress import MyNumberEgress
from auditor_checks.traffic.mail_relay_bypass import MailRelayBypassFlow
from auditor_checks.traffic.mynumber_cleartext import MyNumberCleartextFlow
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
    subjects,
    svi,
    zone,
)


def _policy(**overrides: Any):  # type: ignore[no-untyped-def]
    base = policy()
    zones = [z.model_dump(mode="json") for z in base.zones] + [
        zone("security-cloud", "security_cloud", [], ["198.51.100.0/24"]),
        zone("lgwan-wan", "lgwan_wan", [], ["172.28.0.0/16"]),
        zone("outside", "external", [], []),
    ]
    hosts = {k: v.model_dump(mode="json") for k, v in base.hosts.items()}
    hosts["mail-relay"] = {"address": "10.40.0.30", "zone": "sanitizer", "role": "mail_relay"}
    flows = [f.model_dump(mode="json", by_alias=True) for f in base.flows]
    data = {"zones": zones, "hosts": hosts, "flows": flows, **overrides}
    return policy(**data)


def _tcp(port: int) -> Service:
    return Service(protocol="tcp", ports=[PortRange(first=port, last=port)])


def _entry(seq: int, src: str, dst: str, service: Service, action: str = "permit") -> AclEntry:
    return AclEntry(
        sequence=seq,
        action=action,  # type: ignore[arg-type]
        protocol="tcp",
        source=src,
        destination=dst,
        service=service,
        source_networks=[src],
        destination_networks=[dst],
        line=f"{action} {src} {dst} {service}",
    )


# ---- SEG-016 Internet egress ---------------------------------------------------------------


def _inet_router(*routes: Route) -> Any:
    return snapshot(
        "inet-rt1",
        interfaces=[svi("lan1", "10.30.255.1/29"), svi("lan2", "198.51.100.2/30")],
        routes=list(routes),
    )


def test_seg013_a_default_route_to_the_security_cloud_passes() -> None:
    snap = _inet_router(Route(prefix="0.0.0.0/0", next_hop="198.51.100.1"))
    ctx = context([device("inet-rt1", ["internet"])], [snap], policy_obj=_policy())
    assert run(InternetEgressBypassesSecurityCloud(), ctx) == []


def test_seg013_a_second_exit_by_pppoe_dhcp_or_isp_next_hop_is_a_finding() -> None:
    snap = _inet_router(
        Route(prefix="0.0.0.0/0", next_hop="198.51.100.1"),
        Route(prefix="0.0.0.0/0", interface="pp1", next_hop_kind="interface"),
        Route(prefix="203.0.113.0/24", next_hop="203.0.113.1"),
        Route(prefix="192.0.2.0/24", interface="lan3", next_hop_kind="dhcp"),
        Route(prefix="10.20.0.0/16", next_hop="10.30.255.2"),
    )
    ctx = context([device("inet-rt1", ["internet"])], [snap], policy_obj=_policy())
    findings = run(InternetEgressBypassesSecurityCloud(), ctx)
    assert subjects(findings) == [
        ("inet-rt1", "egress:0.0.0.0/0"),
        ("inet-rt1", "egress:192.0.2.0/24"),
        ("inet-rt1", "egress:203.0.113.0/24"),
    ]
    assert any("PPPoE" in f.message_en for f in findings)
    assert any("DHCP" in f.message_en for f in findings)


def test_seg013_is_not_judged_without_a_security_cloud_zone() -> None:
    snap = _inet_router(Route(prefix="0.0.0.0/0", interface="pp1"))
    findings = run(
        InternetEgressBypassesSecurityCloud(), context([device("inet-rt1", ["internet"])], [snap])
    )
    assert [f.outcome.value for f in findings] == ["not_applicable"]


# ---- HRD-020 NTP source, HRD-022 syslog host, HRD-021 logging ----------------------------------


def _mgmt(name: str, **facts: Any) -> Any:
    return snapshot(name, management=ManagementPlane(**facts))


def test_hrd020_my_number_ntp_in_management_or_lgwan_wan_passes_internet_fails_high() -> None:
    snaps = [
        _mgmt("myn-sw", ntp_servers=["10.99.0.10", "172.28.1.1", "133.243.238.164"]),
        _mgmt("inet-sw", ntp_servers=["133.243.238.164", "198.51.100.5"]),
        _mgmt("lg-sw", ntp_servers=["10.30.0.5", "ntp.example.jp"]),
    ]
    devices = [
        device("myn-sw", ["mynumber", "management"]),
        device("inet-sw", ["internet"]),
        device("lg-sw", ["lgwan"]),
    ]
    findings = run(NtpSourceOutsideTier(), context(devices, snaps, policy_obj=_policy()))
    assert subjects(findings) == [
        ("lg-sw", "ntp-source:10.30.0.5"),
        ("myn-sw", "ntp-source:133.243.238.164"),
    ]
    by_device = {f.device: f for f in findings}
    assert by_device["myn-sw"].severity == Severity.HIGH
    assert by_device["lg-sw"].severity == Severity.MEDIUM


def test_hrd022_syslog_hosts_outside_management_and_own_tier() -> None:
    snaps = [
        _mgmt("lg-sw", syslog_hosts=["10.99.0.10", "10.20.5.5", "10.30.0.50"]),
        _mgmt("myn-sw", syslog_hosts=["203.0.113.9"]),
    ]
    devices = [device("lg-sw", ["lgwan"]), device("myn-sw", ["mynumber"])]
    findings = run(SyslogHostOutsideZone(), context(devices, snaps, policy_obj=_policy()))
    assert subjects(findings) == [
        ("lg-sw", "syslog-host:10.30.0.50"),
        ("myn-sw", "syslog-host:203.0.113.9"),
    ]
    assert {f.device: f.severity for f in findings}["myn-sw"] == Severity.HIGH


def test_hrd021_logging_off_is_a_finding_unknown_is_not_applicable() -> None:
    snaps = [
        _mgmt("ok", login_logging=True, config_change_logging=True),
        _mgmt("off", login_logging=False, config_change_logging=True),
        _mgmt("unknown"),
    ]
    devices = [device(n, ["lgwan"]) for n in ("ok", "off", "unknown")]
    findings = run(SecurityLoggingDisabled(), context(devices, snaps))
    fails = [f for f in findings if f.outcome.value == "fail"]
    assert subjects(fails) == [("off", "logging:login")]
    assert sorted(f.device for f in findings if f.outcome.value == "not_applicable") == [
        "unknown",
        "unknown",
    ]


# ---- MON-009 clock skew -------------------------------------------------------------------------


def test_mon009_skew_beyond_the_threshold_either_way() -> None:
    snaps = [
        snapshot("fast", system=SystemInfo(clock_skew_seconds=760.0)),
        snapshot("slow", system=SystemInfo(clock_skew_seconds=-30.0)),
        snapshot("fine", system=SystemInfo(clock_skew_seconds=2.5)),
        snapshot("unmeasured"),
    ]
    devices = [device(s.device, ["lgwan"]) for s in snaps]
    findings = run(ClockSkew(), context(devices, snaps))
    assert subjects(findings) == [("fast", "clock"), ("slow", "clock")]
    assert "ahead" in findings[0].message_en and "behind" in findings[1].message_en
    tolerant = _policy(rules={"MON-009": {"parameters": {"max_skew_seconds": 60}}})
    findings = run(ClockSkew(), context(devices, snaps, policy_obj=tolerant))
    assert subjects(findings) == [("fast", "clock")]


def test_clock_skew_is_volatile_state_not_content() -> None:
    a = snapshot("sw", system=SystemInfo(clock_skew_seconds=1.0))
    b = snapshot("sw", system=SystemInfo(clock_skew_seconds=99.0))
    assert a.content_hash() == b.content_hash()
    restored = a.with_volatile_state(b.volatile_state())
    assert restored.system.clock_skew_seconds == 99.0


# ---- SEG-014 / TRF-009 cleartext out of the My Number tier --------------------------------------


def _myn_boundary(*entries: AclEntry) -> Any:
    return snapshot(
        "myn-core",
        interfaces=[
            svi("Vlan10", "10.10.10.1/24"),
            svi("Gi0/3", "10.10.255.1/30", acl_out="MYN-OUT"),
        ],
        acls=[
            Acl(
                name="MYN-OUT",
                entries=list(entries),
                applied=[AclBinding(interface="Gi0/3", direction="out")],
            )
        ],
        routes=[Route(prefix="10.20.0.0/16", next_hop="10.10.255.2")],
    )


def test_seg014_ftp_to_lgwan_is_a_finding_https_is_not() -> None:
    snap = _myn_boundary(
        _entry(10, "10.10.0.0/16", "10.20.200.10/32", _tcp(443)),
        _entry(20, "10.10.0.0/16", "10.20.200.10/32", _tcp(21)),
    )
    ctx = context([device("myn-core", ["mynumber"])], [snap], policy_obj=_policy())
    findings = run(MyNumberCleartextPermit(), ctx)
    assert subjects(findings) == [("myn-core", "cleartext:acl:MYN-OUT:20#mynumber->lgwan")]
    grade = audit_grade(
        "SEG-014", findings[0].severity, findings[0].outcome, "mynumber", ctx.policy
    )
    assert grade is AuditGrade.MAJOR


def test_seg014_a_deny_before_the_permit_removes_it() -> None:
    snap = _myn_boundary(
        _entry(10, "10.10.0.0/16", "10.20.200.10/32", _tcp(21), action="deny"),
        _entry(20, "10.10.0.0/16", "10.20.200.10/32", _tcp(21)),
    )
    ctx = context([device("myn-core", ["mynumber"])], [snap], policy_obj=_policy())
    assert run(MyNumberCleartextPermit(), ctx) == []


def _flow(src: str, dst: str, port: int, *pairs: tuple[str, str]) -> FlowRecord:
    return FlowRecord(
        source_zone=src,
        destination_zone=dst,
        protocol="tcp",
        port=port,
        packets=10 * len(pairs),
        bytes=1000,
        first_seen="2026-11-24T09:00:00+09:00",
        last_seen="2026-11-24T09:05:00+09:00",
        host_pairs=[HostPair(s, d, 10, None, None) for s, d in pairs],
    )


def test_trf009_observed_ftp_out_of_my_number_but_not_https() -> None:
    summary = TrafficSummary(
        flows=[
            _flow("mynumber", "lgwan", 21, ("10.10.10.21", "10.20.200.10")),
            _flow("mynumber", "lgwan", 443, ("10.10.10.21", "10.20.200.10")),
            _flow("lgwan", "internet", 80, ("10.20.1.1", "10.30.1.1")),
        ]
    )
    ctx = context([], [], policy_obj=_policy())
    ctx.traffic = summary
    findings = run(MyNumberCleartextFlow(), ctx)
    assert [f.subject for f in findings] == ["cleartext:mynumber->lgwan:tcp/21"]


# ---- SEG-015 / TRF-010 mail relay --------------------------------------------------------------


def _lgwan_fw(*entries: AclEntry) -> Any:
    return snapshot(
        "lg-fw",
        interfaces=[
            svi("Vlan20", "10.20.0.1/24"),
            svi("Vlan30", "10.30.255.2/29", acl_in="INET-IN"),
        ],
        acls=[
            Acl(
                name="INET-IN",
                entries=list(entries),
                applied=[AclBinding(interface="Vlan30", direction="in")],
            )
        ],
    )


def test_seg015_smtp_from_the_internet_tier_into_lgwan_bypasses_the_relay() -> None:
    snap = _lgwan_fw(
        _entry(10, "10.30.0.0/16", "10.20.200.25/32", _tcp(25)),
        _entry(20, "10.30.0.0/16", "10.20.200.25/32", _tcp(443)),
    )
    ctx = context([device("lg-fw", ["lgwan", "internet"])], [snap], policy_obj=_policy())
    findings = run(MailRelayBypassPermit(), ctx)
    assert subjects(findings) == [("lg-fw", "mail:acl:INET-IN:10#internet->lgwan")]
    assert findings[0].zone == "lgwan"


def test_seg015_smtp_from_a_relay_in_the_internet_tier_passes() -> None:
    pol = _policy(
        hosts={"mail-relay": {"address": "10.30.0.30", "zone": "internet", "role": "mail_relay"}}
    )
    snap = _lgwan_fw(_entry(10, "10.30.0.30/32", "10.20.200.25/32", _tcp(25)))
    ctx = context([device("lg-fw", ["lgwan", "internet"])], [snap], policy_obj=pol)
    assert run(MailRelayBypassPermit(), ctx) == []


def test_trf010_observed_mail_around_the_relay() -> None:
    summary = TrafficSummary(
        flows=[
            _flow("internet", "lgwan", 25, ("10.30.0.25", "10.20.200.25")),
            _flow("internet", "lgwan", 587, ("10.40.0.30", "10.20.200.25")),
        ]
    )
    ctx = context([], [], policy_obj=_policy())
    ctx.traffic = summary
    findings = run(MailRelayBypassFlow(), ctx)
    assert [f.subject for f in findings] == ["mail-bypass:internet->lgwan:tcp/25"]


# ---- POL-002 evidence required ----------------------------------------------------------------


def test_pol002_lists_items_without_evidence_and_grades_them_evidence_required() -> None:
    pol = _policy(
        network_model="beta",
        evidence=[
            {
                "id": "mynumber-two-factor",
                "evidence": "認証基盤設定書 v3",
                "checked_on": "2026-11-01",
            },
            {
                "id": "wifi-log-review",
                "title_ja": "無線LANアクセスログの確認",
                "title_en": "Wi-Fi log review",
            },
        ],
        drop_evidence=["usb-media-control"],
    )
    findings = run(EvidenceRequired(), context([], [], policy_obj=pol))
    assert [f.subject for f in findings] == [
        "evidence:beta-edr",
        "evidence:wifi-log-review",
        "evidence:log-retention",
    ]
    assert all(f.severity == Severity.INFO for f in findings)
    grade = audit_grade("POL-002", findings[0].severity, findings[0].outcome, None, pol)
    assert grade is AuditGrade.EVIDENCE_REQUIRED


def test_pol002_nothing_when_every_item_has_evidence() -> None:
    pol = _policy(
        network_model="alpha",
        evidence=[
            {"id": "mynumber-two-factor", "evidence": "doc 1"},
            {"id": "usb-media-control", "evidence": "doc 2"},
        ],
        logging={"retention_days": 365},
    )
    assert run(EvidenceRequired(), context([], [], policy_obj=pol)) == []


# ---- route-led zones (SEG-006/007/011) ------------------------------------------------------------


def test_zone_by_route_follows_the_longest_prefix_to_an_outside_zone() -> None:
    snap = snapshot(
        "myn-core",
        interfaces=[svi("Vlan10", "10.10.10.1/24"), svi("Gi0/3", "172.28.0.2/30")],
        routes=[
            Route(prefix="0.0.0.0/0", next_hop="10.10.10.254"),
            Route(prefix="61.0.0.0/8", next_hop="172.28.0.1"),
        ],
    )
    ctx = context([device("myn-core", ["mynumber"])], [snap], policy_obj=_policy())
    view = NetworkView.of(ctx)
    assert view.zone_by_route("myn-core", "61.1.2.3") == "lgwan-wan"
    assert view.zone_by_route("myn-core", "8.8.8.8") is None  # next hop inside the city
    assert view.outside_zone("myn-core", ipaddress.ip_network("8.8.8.8/32")) == "outside"


def test_a_my_number_permit_to_lgwan_asp_is_judged_by_its_route_not_as_unknown() -> None:
    pol = _policy(
        flows=[
            {
                "id": "F-ASP",
                "from": "mynumber",
                "to": "lgwan-wan",
                "services": ["tcp/443"],
                "destinations": ["61.1.2.0/24"],
            }
        ],
        mynumber_destinations=["61.1.2.0/24"],
    )
    snap = snapshot(
        "myn-core",
        interfaces=[
            svi("Vlan10", "10.10.10.1/24"),
            svi("Gi0/3", "172.28.0.2/30", acl_out="MYN-OUT"),
        ],
        acls=[
            Acl(
                name="MYN-OUT",
                entries=[_entry(10, "10.10.0.0/16", "61.1.2.0/24", _tcp(443))],
                applied=[AclBinding(interface="Gi0/3", direction="out")],
            )
        ],
        routes=[Route(prefix="61.0.0.0/8", next_hop="172.28.0.1")],
    )
    ctx = context([device("myn-core", ["mynumber"])], [snap], policy_obj=pol)
    assert run(MyNumberEgress(), ctx) == []
    # Without the route the destination is "not ours": unknown external, a finding.
    bare = snap.model_copy(update={"routes": []})
    ctx = context([device("myn-core", ["mynumber"])], [bare], policy_obj=pol)
    assert subjects(run(MyNumberEgress(), ctx)) == [
        ("myn-core", "acl:MYN-OUT:10#mynumber->outside")
    ]

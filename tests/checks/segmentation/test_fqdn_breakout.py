"""Issue 14 item 15: FortiGate FQDN objects are DNS names, judged against α′ ``lbo_services``."""

from __future__ import annotations

from auditor.platforms import fortinet
from auditor_checks.segmentation.permit_beyond_policy import PermitBeyondPolicy
from tests.checks.segmentation.city import context, device, policy, run, snapshot, subjects, svi

CONFIG = """\
config firewall address
    edit "webmeeting"
        set type wildcard-fqdn
        set wildcard-fqdn "*.meeting.example"
    next
    edit "groupware"
        set type fqdn
        set fqdn "groupware.example.jp"
    next
    edit "storage"
        set type fqdn
        set fqdn "files.storage.example"
    next
    edit "relay"
        set subnet 10.40.0.20 255.255.255.255
    next
end
config firewall addrgrp
    edit "lbo-cloud"
        set member "webmeeting" "groupware"
    next
end
config firewall policy
    edit 5
        set name "lbo"
        set srcintf "port1"
        set dstintf "port2"
        set srcaddr "all"
        set dstaddr "lbo-cloud"
        set action accept
        set service "HTTPS"
    next
    edit 6
        set srcintf "port1"
        set dstintf "port2"
        set srcaddr "all"
        set dstaddr "storage"
        set action accept
        set service "HTTPS"
    next
    edit 7
        set srcintf "port1"
        set dstintf "port2"
        set srcaddr "all"
        set dstaddr "not-defined-here"
        set action accept
        set service "HTTPS"
    next
end
"""
ALPHA_PRIME = {
    "network_model": "alpha-prime",
    "lbo_services": ["*.meeting.example", "groupware.example.jp"],
}


def _snapshots() -> list:
    parts = fortinet.parse({fortinet.CONFIG_COMMAND: CONFIG}, salt=b"s")
    return [
        snapshot(
            "inet-fw1",
            interfaces=[svi("port1", "10.20.255.3/29"), svi("port2", "10.30.255.1/29")],
            firewall_policies=parts.firewall_policies,
        )
    ]


def test_fqdn_and_wildcard_objects_are_typed_destinations() -> None:
    by_id = {p.policy_id: p for p in _snapshots()[0].firewall_policies}
    assert by_id["5"].destination_fqdns == ["*.meeting.example", "groupware.example.jp"]
    assert by_id["5"].destination_networks is None  # only names: no networks
    assert by_id["6"].destination_fqdns == ["files.storage.example"]
    assert by_id["7"].destination_fqdns is None  # an undefined name stays unknown
    assert by_id["7"].destination_networks is None


def test_a_breakout_to_the_listed_cloud_names_is_within_policy_and_others_are_not() -> None:
    ctx = context(
        [device("inet-fw1", ["lgwan", "internet"], platform="fortinet")],
        _snapshots(),
        policy_obj=policy(**ALPHA_PRIME),
    )
    findings = run(PermitBeyondPolicy(), ctx)
    assert subjects(findings) == [
        ("inet-fw1", "fw:6:fqdn#lgwan->internet"),  # a DNS name the policy does not list
        ("inet-fw1", "fw:7#lgwan->internet"),  # unknown destination: judged as any
    ]
    named = next(f for f in findings if f.subject.startswith("fw:6"))
    assert "files.storage.example" in named.message_en
    assert "files.storage.example" in named.message_ja


def test_without_lbo_services_the_named_breakout_is_beyond_policy() -> None:
    ctx = context([device("inet-fw1", ["lgwan", "internet"], platform="fortinet")], _snapshots())
    assert "fw:5:fqdn#lgwan->internet" in {f.subject for f in run(PermitBeyondPolicy(), ctx)}

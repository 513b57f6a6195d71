"""Every platform resolves its own port and service spellings into typed services."""

from __future__ import annotations

import pytest

from auditor.model.services import Service
from auditor.platforms import fortinet, ios_config, yamaha_rtx

SALT = b"typed"


def _ios_services(config: str, dialect: ios_config.Dialect = "cisco_ios") -> list[Service | None]:
    facts = ios_config.interpret(config, dialect=dialect, salt=SALT)
    return [entry.service for acl in facts.acls.values() for entry in acl.entries]


def test_ios_named_ports_ranges_and_operators_become_port_ranges() -> None:
    config = "\n".join(
        [
            "ip access-list extended EDGE",
            " 10 permit tcp 10.20.0.0 0.0.255.255 host 10.40.0.20 eq www",
            " 20 permit udp any any eq domain ntp",
            " 30 permit tcp any any range 1024 2048",
            " 40 permit tcp any gt 1023 any gt 1023 log",
            " 50 permit tcp any any lt 1024",
            " 60 permit tcp any any neq telnet",
            " 70 permit 17 any any eq 161",
            " 80 permit icmp any any echo",
            " 90 permit ospf any any",
            " 100 deny ip any any log",
            " 110 permit tcp any any eq no-such-port",
        ]
    )
    assert [str(s) for s in _ios_services(config)] == [
        "tcp/80",
        "udp/53,123",
        "tcp/1024-2048",
        "tcp/1024-65535",
        "tcp/0-1023",
        "tcp/0-22,24-65535",
        "udp/161",
        "icmp",
        "89",
        "ip",
        "None",  # an unknown port name stays unknown, it never becomes "no port"
    ]


def test_a_standard_acl_line_permits_every_protocol() -> None:
    assert _ios_services("access-list 10 permit 10.99.0.0 0.0.0.255") == [Service.any()]


def test_awplus_acls_with_prefix_operands_resolve_like_ios() -> None:
    config = "\n".join(
        [
            "access-list extended LGWAN-IN",
            " permit tcp 10.20.21.0/24 10.40.0.20/32 eq 443",
            " permit udp 10.20.21.0/24 any range 5000 5010",
        ]
    )
    services = _ios_services(config, "allied_telesis_awplus")
    assert services == [Service.of("tcp", 443), Service.of("udp", (5000, 5010))]


def test_nec_ix_src_dest_operands_resolve_like_ios() -> None:
    config = (
        "ip access-list MYN permit tcp src 10.10.0.0/16 sport any dest 10.20.200.10/32 dport eq 443"
    )
    assert _ios_services(config, "nec_ix") == [Service.of("tcp", 443)]


@pytest.mark.parametrize(
    ("protocol", "port", "expected"),
    [
        ("tcp", "www", "tcp/80"),
        ("tcp", "443", "tcp/443"),
        ("udp", "53,123", "udp/53,123"),
        ("tcp", "1024-65535", "tcp/1024-65535"),
        ("tcp", "-1023", "tcp/0-1023"),
        ("tcp", "8000-", "tcp/8000-65535"),
        ("tcpfin", "80", "tcp/80"),
        ("established", "*", "tcp"),
        ("*", None, "ip"),
        ("icmp", None, "icmp"),
        ("tcp", "no-such-name", "None"),
        ("tcp,udp", "53", "None"),
    ],
)
def test_yamaha_filter_ports_become_typed_services(
    protocol: str, port: str | None, expected: str
) -> None:
    assert str(yamaha_rtx.filter_service(protocol, port)) == expected


def test_yamaha_filters_carry_their_typed_service_into_the_acl() -> None:
    config = "\n".join(
        [
            "ip filter 100 pass 10.20.21.0/24 10.40.0.20 tcp * https",
            "ip filter 101 pass 10.20.21.0/24 10.40.0.20 tcp * 443",
            "ip filter 102 reject * * * * *",
            "ip lan1 secure filter in 101 102",
        ]
    )
    parts = yamaha_rtx.parse({yamaha_rtx.CONFIG_COMMAND: config}, salt=SALT)
    entries = parts.acls[0].entries
    assert [(e.sequence, e.service) for e in entries] == [
        (101, Service.of("tcp", 443)),
        (102, Service.any()),
    ]
    assert yamaha_rtx.filter_service("tcp", "https") is None  # not an RTX port name


_FORTIGATE = """
config firewall service custom
    edit "WEB-ALT"
        set tcp-portrange 8080 8443-8444:1024-65535
    next
    edit "DNS-UDP"
        set udp-portrange 53
    next
    edit "GRE"
        set protocol IP
        set protocol-number 47
    next
    edit "PING6"
        set protocol ICMP6
    next
end
config firewall service group
    edit "WEB"
        set member "HTTP" "HTTPS" "WEB-ALT"
    next
end
config firewall policy
    edit 1
        set srcintf "port1"
        set dstintf "port2"
        set service "WEB"
        set action accept
    next
    edit 2
        set srcintf "port1"
        set dstintf "port2"
        set service "DNS" "NTP"
        set action accept
    next
    edit 3
        set service "GRE" "PING6" "ALL_ICMP"
        set action accept
    next
    edit 4
        set service "ALL"
        set action deny
    next
    edit 5
        set service "HTTPS" "SOMETHING-UNDEFINED"
        set action accept
    next
end
"""


def test_fortigate_custom_group_and_predefined_services_are_resolved() -> None:
    parts, _ = fortinet.interpret_config(_FORTIGATE, salt=SALT)
    resolved = {p.policy_id: p.resolved_services for p in parts.firewall_policies}
    assert [str(s) for s in resolved["1"] or []] == ["tcp/80", "tcp/443", "tcp/8080,8443-8444"]
    assert [str(s) for s in resolved["2"] or []] == ["tcp/53", "udp/53", "tcp/123", "udp/123"]
    assert [str(s) for s in resolved["3"] or []] == ["gre", "icmpv6", "icmp"]
    assert resolved["4"] == [Service.any()]
    assert resolved["5"] is None  # one unknown name: the whole policy is unknown, judged as any
    assert parts.firewall_policies[0].services == ["WEB"]  # the names stay as evidence
    assert "config firewall service custom" not in parts.unparsed_config_lines


def test_service_values_validate_their_shape() -> None:
    with pytest.raises(ValueError, match="no ports"):
        Service.of("icmp", 8)
    with pytest.raises(ValueError, match="first <= last"):
        Service.of("tcp", (443, 80))
    assert Service(protocol=6) == Service(protocol="tcp")
    assert Service.model_validate({"protocol": "udp", "ports": [{"first": 53, "last": 53}]}) == (
        Service.of("udp", 53)
    )

"""Issue 14 (rest): ACL forms of real Yamaha RTX and NEC IX configurations, header change stamps.

Fixtures are written for these tests from the documented syntax (vendor-formats.md §2.3 for the
IX, the RTX command reference forms for ``ip filter``/``ipv6 filter``), not copied configs.
"""

from __future__ import annotations

import ipaddress
from datetime import UTC, datetime

from auditor.lab.cli_render.ios_like import _nec_acl
from auditor.model.services import Service
from auditor.model.snapshot import AclEntry
from auditor.platforms import alaxala_ax, cisco_ios, nec_ix, yamaha_rtx

SALT = b"test-salt"

RTX_CONFIG = """\
# RTX1220 Rev.15.04.04 (Fri Jan 12 10:00:00 2024)
ip lan2 address 203.0.113.2/30
ip lan2 secure filter in 200 210 dynamic 300
ipv6 lan2 secure filter in 101000 101002 101099 dynamic 101080
ip filter 200 pass * 192.0.2.0/24 tcp * 443
ip filter 210 reject *
ip filter dynamic 300 * * www
ipv6 filter 101000 pass * * icmp6
ipv6 filter 101002 pass * 2001:db8::1 udp * 546
ipv6 filter 101099 reject * * * * *
ipv6 filter dynamic 101080 * * domain
schedule at 1 startup * lua /lua/watch.lua
"""


def _rtx() -> dict[str, list[AclEntry]]:
    parts = yamaha_rtx.parse({"show config": RTX_CONFIG}, salt=SALT)
    assert parts.unparsed_config_lines == []
    return {acl.name: acl.entries for acl in parts.acls}


def test_rtx_reject_with_the_destination_left_out_is_a_deny_of_everything() -> None:
    entries = _rtx()["lan2-secure-filter-in"]
    assert [e.sequence for e in entries] == [200, 210]  # the dynamic filter is not a static one
    deny = entries[1]
    assert deny.action == "deny"
    assert deny.service == Service.any()
    assert deny.source_networks == deny.destination_networks == [ipaddress.ip_network("0.0.0.0/0")]


def test_rtx_ipv6_filters_become_their_own_typed_acl() -> None:
    parts = yamaha_rtx.parse({"show config": RTX_CONFIG}, salt=SALT)
    v6 = next(acl for acl in parts.acls if acl.family == "ipv6")
    assert v6.name == "lan2-ipv6-secure-filter-in"
    assert [(b.interface, b.direction) for b in v6.applied] == [("lan2", "in")]
    assert [(e.action, e.service) for e in v6.entries] == [
        ("permit", Service(protocol="icmpv6")),
        ("permit", Service.of("udp", 546)),
        ("deny", Service.any()),
    ]
    any6 = [ipaddress.ip_network("::/0")]
    assert v6.entries[0].destination_networks == any6
    assert v6.entries[1].destination_networks == [ipaddress.ip_network("2001:db8::1/128")]
    # The interface keeps its IPv4 filter; the IPv6 one does not take its place.
    lan2 = next(i for i in parts.interfaces if i.name == "lan2")
    assert lan2.acl_in == "lan2-secure-filter-in"
    assert next(a for a in parts.acls if a.name == "lan2-secure-filter-in").family == "ipv4"


IX_CONFIG = """\
! NEC Portable Internetwork Core Operating System Software
! IX Series IX2215 (magellan-sec) Software, Version 10.11.6, RELEASE SOFTWARE
! Compiled May 22-Thu-2025 14:55:23 JST #2
! Last updated Mar 28-Sat-2026 08:41:58 JST
!
hostname ix01
ip access-list lan-in permit tcp src any sport any dest 192.168.66.10/32 dport eq 8080
ip access-list lan-in permit udp src any sport range 1024 65535 dest any dport range 1024 65535
ip access-list lan-in deny ip src any dest 192.168.0.0/16
ip access-list lan-in permit ip src any dest any
!
interface GigaEthernet0.0
  ip address 203.0.113.2/30
  ip filter lan-in 1 in
  no shutdown
!
"""


def test_ix_sport_and_dport_keywords_are_read_as_ports_not_addresses() -> None:
    parts = nec_ix.parse({"show running-config": IX_CONFIG}, salt=SALT)
    entries = next(acl for acl in parts.acls if acl.name == "lan-in").entries
    assert [(e.action, e.source, e.destination, e.service) for e in entries] == [
        ("permit", "any", "192.168.66.10/32", Service.of("tcp", 8080)),
        ("permit", "any", "any", Service.of("udp", (1024, 65535))),
        ("deny", "any", "192.168.0.0/16", Service.any()),
        ("permit", "any", "any", Service.any()),
    ]
    assert entries[0].destination_networks == [ipaddress.ip_network("192.168.66.10/32")]
    assert not any("access-list" in line for line in parts.unparsed_config_lines)


def test_ix_keyword_form_that_breaks_the_grammar_stays_unparsed() -> None:
    text = "hostname ix01\nip access-list bad permit tcp src any sport dest any\n"
    parts = nec_ix.parse({"show running-config": text}, salt=SALT)
    assert any("ip access-list bad" in line for line in parts.unparsed_config_lines)


def test_the_lab_renders_the_documented_ix_form_and_the_parser_reads_it_back() -> None:
    lab_entry = AclEntry(
        action="permit",
        protocol="tcp",
        source="10.0.0.0/24",
        destination="any",
        destination_ports="443",
    )
    text = _nec_acl(lab_entry)
    assert text == "permit tcp src 10.0.0.0/24 sport any dest any dport eq 443"
    ranged = lab_entry.model_copy(update={"protocol": "udp", "destination_ports": "1024-2048"})
    assert _nec_acl(ranged).endswith("dport range 1024 2048")
    assert _nec_acl(lab_entry.model_copy(update={"protocol": "ip"})) == (
        "permit ip src 10.0.0.0/24 dest any"
    )
    config = f"hostname ix01\nip access-list a {text}\n"
    parsed = nec_ix.parse({"show running-config": config}, salt=SALT).acls[0].entries[0]
    assert parsed.service == Service.of("tcp", 443)
    assert parsed.destination == "any"


def test_header_change_stamps_become_typed_system_fields() -> None:
    ios = cisco_ios.parse(
        {
            "show running-config": "!\n! Last configuration change at 10:15:32 JST Tue Nov 24 "
            "2026 by admin\n!\nhostname sw1\n"
        },
        salt=SALT,
    )
    assert ios.system.config_changed_at == datetime(2026, 11, 24, 1, 15, 32, tzinfo=UTC)
    assert ios.system.config_changed_by == "admin"
    ix = nec_ix.parse({"show running-config": IX_CONFIG}, salt=SALT)
    assert ix.system.config_changed_at == datetime(2026, 3, 27, 23, 41, 58, tzinfo=UTC)
    assert ix.system.config_changed_by is None
    ax = alaxala_ax.parse(
        {
            "show running-config": "#Last modified by admin at Thu Jan 20 23:22:16 2000 with "
            "version 11.14.S\nhostname ax1\n"
        },
        salt=SALT,
    )
    # The AX stamp has no time zone: the user is kept, the time is not guessed.
    assert (ax.system.config_changed_at, ax.system.config_changed_by) == (None, "admin")
    unknown_zone = cisco_ios.parse(
        {"show running-config": "! Last configuration change at 10:15:32 CET Tue Nov 24 2026\n"},
        salt=SALT,
    )
    assert unknown_zone.system.config_changed_at is None

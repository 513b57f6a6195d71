"""Compare platform parsers with the hand-read facts in ``realdata/configs/*.expected.json``.

Shared by the realdata tests and ``bench/realdata_configs.py`` (which prints the per-platform
table quoted in docs/realdata.md). Only non-null expected values are compared: ``null`` means the
file does not say. SNMP community names are stored as sha256 there and as salted markers here, so
the plain value is found among the file's own tokens by its sha256 and then marked with our salt.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from auditor.platforms.parts import SnapshotParts
from auditor.platforms.registry import profile_for
from auditor.redact import marker

SALT = b"realdata-configs"
PLATFORM_DIRS = {
    "cisco_ios": "cisco_ios",
    "fortinet": "fortinet",
    "allied_telesis_awplus": "allied_telesis_awplus",
    "yamaha_rtx": "yamaha_rtx",
}
NOT_COMPARED = ("admin_trusthosts", "interface_vdoms", "vdoms")
"""FortiGate extras the snapshot model has no field for (listed, not silently dropped)."""


@dataclass
class Comparison:
    file: str
    platform: str
    lines: int
    unparsed: int
    matched: list[str] = field(default_factory=list)
    mismatched: list[tuple[str, Any, Any]] = field(default_factory=list)


def config_files(configs: Path) -> list[tuple[str, Path]]:
    """(platform, path) of every configuration under ``configs``, expected file or not."""
    found = []
    for platform, folder in PLATFORM_DIRS.items():
        for path in sorted((configs / folder).iterdir()):
            if path.is_file() and not path.name.endswith(".expected.json"):
                found.append((platform, path))
    return found


def parse_file(platform: str, path: Path) -> SnapshotParts:
    profile = profile_for(platform)
    assert profile is not None, platform
    text = path.read_bytes().decode("utf-8", errors="replace")
    return profile.parse({profile.config_command: text}, salt=SALT)


def _config_lines(text: str) -> int:
    return sum(1 for line in text.splitlines() if line.strip() and line.strip() not in {"!", "#"})


def _ranges(vlans: list[int] | None) -> list[list[int]] | None:
    if vlans is None:
        return None
    ranges: list[list[int]] = []
    for vlan in sorted(set(vlans)):
        if ranges and ranges[-1][1] == vlan - 1:
            ranges[-1][1] = vlan
        else:
            ranges.append([vlan, vlan])
    return ranges


def _community_markers(text: str, expected: list[dict[str, Any]]) -> dict[str, str]:
    """sha256 hex of each expected community → our marker of the plain value found in the file."""
    wanted = {item["name_sha256"] for item in expected}
    found: dict[str, str] = {}
    for token in {t.strip("\"'") for t in text.split()}:
        digest = hashlib.sha256(token.encode("utf-8")).hexdigest()
        if digest in wanted:
            found[digest] = marker(token, salt=SALT)
    return found


def compare(platform: str, path: Path, expected: dict[str, Any]) -> Comparison:
    text = path.read_bytes().decode("utf-8", errors="replace")
    parts = parse_file(platform, path)
    result = Comparison(
        file=path.name,
        platform=platform,
        lines=_config_lines(text),
        unparsed=len(parts.unparsed_config_lines),
    )
    management = parts.management

    def check(key: str, want: Any, got: Any) -> None:
        if want is None:
            return
        if want == got:
            result.matched.append(key)
        else:
            result.mismatched.append((key, want, got))

    check("hostname", expected.get("hostname"), parts.system.name)
    services = expected.get("services") or {}
    check("services.telnet", services.get("telnet"), management.telnet_enabled)
    check("services.ssh", services.get("ssh"), management.ssh_enabled)
    check("services.http", services.get("http"), management.http_server)
    check("services.https", services.get("https"), management.https_server)
    check("ssh_version", expected.get("ssh_version"), management.ssh_version)
    if "snmp_communities" in expected:
        markers = _community_markers(text, expected["snmp_communities"])
        want = sorted(
            (markers.get(c["name_sha256"], c["name_sha256"]), c["access"], c["acl"])
            for c in expected["snmp_communities"]
        )
        got = sorted((c.name_redacted, c.access, c.acl) for c in management.snmp_communities or [])
        check("snmp_communities", want, got)
    check("snmpv3_users", expected.get("snmpv3_users"), management.snmp_v3_users or [])
    if "users" in expected:
        want_users = sorted((u["name"], u["privilege"], u["storage"]) for u in expected["users"])
        got_users = sorted(
            (u.name, u.privilege, u.password_storage) for u in management.local_users or []
        )
        check("users", want_users, got_users)
    check(
        "enable_secret_storage",
        expected.get("enable_secret_storage"),
        management.enable_secret_storage,
    )
    check("aaa_login", expected.get("aaa_login"), management.aaa_enabled)
    check("ntp_servers", expected.get("ntp_servers"), management.ntp_servers or [])
    check("syslog_hosts", expected.get("syslog_hosts"), management.syslog_hosts or [])
    check("banner_present", expected.get("banner_present"), management.banner is not None)
    vty = expected.get("vty") or {}
    check(
        "vty.exec_timeout_seconds",
        vty.get("exec_timeout_seconds"),
        management.exec_timeout_seconds,
    )
    check("vty.access_class", vty.get("access_class"), management.vty_access_class)
    check("interface_count", expected.get("interface_count"), len(parts.interfaces))
    by_name = {interface.name: interface for interface in parts.interfaces}
    for want_port in expected.get("interfaces", []):
        name = want_port["name"]
        port = by_name.get(name)
        if port is None:
            result.mismatched.append((f"interfaces[{name}]", "present", "missing"))
            continue
        check(f"interfaces[{name}].mode", want_port.get("mode"), port.mode)
        check(f"interfaces[{name}].access_vlan", want_port.get("access_vlan"), port.access_vlan)
        check(
            f"interfaces[{name}].allowed_vlans",
            want_port.get("allowed_vlans"),
            _ranges(port.allowed_vlans),
        )
        check(f"interfaces[{name}].native_vlan", want_port.get("native_vlan"), port.native_vlan)
        ipv4 = [a for a in port.addresses if ":" not in a]
        ipv6 = [a for a in port.addresses if ":" in a]
        check(f"interfaces[{name}].addresses", want_port.get("addresses"), ipv4)
        check(f"interfaces[{name}].ipv6_addresses", want_port.get("ipv6_addresses"), ipv6)
        check(f"interfaces[{name}].shutdown", want_port.get("shutdown"), port.shutdown)
    check("vlans", expected.get("vlans"), sorted(v.id for v in parts.vlans if v.id != 1))
    if platform != "yamaha_rtx":  # RTX filter lists are engineer D's ACL work (issue 14)
        check("acl_names", expected.get("acl_names"), sorted(a.name for a in parts.acls))
        if "acl_bindings" in expected:
            check(
                "acl_bindings",
                sorted(
                    (b["interface"], b["acl"], b["direction"]) for b in expected["acl_bindings"]
                ),
                sorted(
                    (binding.interface, acl.name, binding.direction)
                    for acl in parts.acls
                    for binding in acl.applied
                ),
            )
    if "static_routes" in expected:
        want_routes = sorted(
            (r["prefix"], r["next_hop"], r.get("vrf")) for r in expected["static_routes"]
        )
        got_routes = sorted(
            (r.prefix, route_gateway(r), r.vrf) for r in parts.routes if r.protocol == "static"
        )
        check("static_routes", want_routes, got_routes)
    if "firewall_policies" in expected:
        check(
            "firewall_policies",
            len(expected["firewall_policies"]),
            len(parts.firewall_policies),
        )
    return result


def route_gateway(route: Any) -> str | None:
    """The expected-file spelling of a next hop: an IP, or the gateway words (``pp 1``, ``null``)."""
    kind = getattr(route, "next_hop_kind", None)
    if kind in {"dhcp", "null"}:
        return f"dhcp {route.interface}" if kind == "dhcp" else "null"
    if route.next_hop is not None:
        return str(route.next_hop)
    if route.interface is not None:
        import re

        match = re.fullmatch(r"(pp|tunnel)(\d+)", route.interface)
        return f"{match.group(1)} {match.group(2)}" if match else str(route.interface)
    return None


def expected_for(path: Path) -> dict[str, Any] | None:
    expected = path.with_name(path.name + ".expected.json")
    if not expected.is_file():
        return None
    loaded: dict[str, Any] = json.loads(expected.read_text(encoding="utf-8"))
    return loaded

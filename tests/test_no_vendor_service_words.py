"""Vendor port and service spellings are resolved in ``auditor/platforms/`` and nowhere else.

Analysis and checks read typed services (:mod:`auditor.model.services`); if one of these tokens
shows up in their sources, vendor text is being parsed outside the platform layer again.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCANNED = [ROOT / "auditor" / "analysis", ROOT / "checks"]
FORBIDDEN = {
    "IOS port operator": r"""["'](?:eq|neq|gt|lt|range) """,
    "IOS port names": r"\b(?:www|ftp-data|snmptrap|bootps|bootpc)\b",
    "Yamaha filter protocols": r"\b(?:tcpfin|tcprst|tcpsyn|icmp-error|icmp-info)\b",
    "FortiGate predefined services": r"""(?i)\b(?:all_icmp6?|all_tcp|all_udp)\b|["']web access["']""",
    "FortiGate service objects": r"\b(?:tcp|udp|sctp)-portrange\b|\bprotocol-number\b",
    "FortiGate service names as keys": r"""["'](?:SAMBA|KERBEROS|PING|ALL)["']""",
    "old text-parsing helpers": r"\b(?:acl_service|firewall_services|_PORT_NAMES|_NAMED_SERVICES)\b",
}


def _sources() -> list[Path]:
    return sorted(p for folder in SCANNED for p in folder.rglob("*.py"))


def test_the_scan_covers_the_analysis_and_the_checks() -> None:
    names = {p.relative_to(ROOT).as_posix() for p in _sources()}
    assert "auditor/analysis/permits.py" in names
    assert "checks/segmentation/permit_beyond_policy.py" in names


@pytest.mark.parametrize("kind", sorted(FORBIDDEN))
def test_no_vendor_service_word_outside_platforms(kind: str) -> None:
    pattern = re.compile(FORBIDDEN[kind])
    hits = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in _sources()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if pattern.search(line)
    ]
    assert hits == []


def test_the_patterns_do_catch_vendor_text() -> None:
    samples = {
        "IOS port operator": 'ports = "eq 443"',
        "IOS port names": "if word == www:",
        "Yamaha filter protocols": "tcpfin",
        "FortiGate predefined services": '"ALL_ICMP"',
        "FortiGate service objects": "set tcp-portrange 443",
        "FortiGate service names as keys": '{"SAMBA": 139}',
        "old text-parsing helpers": "acl_service(protocol, ports)",
    }
    for kind, sample in samples.items():
        assert re.search(FORBIDDEN[kind], sample), kind

"""Small parsing helpers shared by the platform modules (VLAN lists, masks, interface names)."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from auditor.model.snapshot import mac_or_none

_CISCO_PREFIXES: tuple[tuple[str, str], ...] = (
    ("hu", "HundredGigE"),
    ("fo", "FortyGigabitEthernet"),
    ("twe", "TwentyFiveGigE"),
    ("te", "TenGigabitEthernet"),
    ("tw", "TwoGigabitEthernet"),
    ("gi", "GigabitEthernet"),
    ("fa", "FastEthernet"),
    ("et", "Ethernet"),
    ("po", "Port-channel"),
    ("vl", "Vlan"),
    ("lo", "Loopback"),
    ("tu", "Tunnel"),
    ("mg", "Mgmt"),
)


def expand_cisco_interface(name: str) -> str:
    """``Gi1/0/1`` → ``GigabitEthernet1/0/1``; full names are returned unchanged."""
    match = re.match(r"^([A-Za-z-]+)\s*([0-9].*)$", name.strip())
    if not match:
        return name.strip()
    letters, rest = match.groups()
    lowered = letters.lower()
    for prefix, full in _CISCO_PREFIXES:
        if full.lower().startswith(lowered) and lowered.startswith(prefix):
            return full + rest
    return letters + rest


def parse_vlan_list(text: str) -> list[int]:
    """``1-3,10,20-21`` → [1, 2, 3, 10, 20, 21]; ``none`` → []; ``all`` → 1..4094."""
    cleaned = text.strip().lower().replace(" ", "")
    if cleaned in {"", "none"}:
        return []
    if cleaned in {"all", "1-4094", "1-4095"}:
        return list(range(1, 4095))
    vlans: set[int] = set()
    for part in cleaned.split(","):
        if not part:
            continue
        if "-" in part:
            low, high = part.split("-", 1)
            vlans.update(range(int(low), int(high) + 1))
        else:
            vlans.add(int(part))
    return sorted(vlans)


def format_vlan_list(vlans: Iterable[int]) -> str:
    """[1, 2, 3, 10] → ``1-3,10`` (the compact form devices print)."""
    ordered = sorted(set(vlans))
    if not ordered:
        return "none"
    ranges: list[str] = []
    start = previous = ordered[0]
    for vlan in ordered[1:]:
        if vlan == previous + 1:
            previous = vlan
            continue
        ranges.append(f"{start}-{previous}" if previous != start else str(start))
        start = previous = vlan
    ranges.append(f"{start}-{previous}" if previous != start else str(start))
    return ",".join(ranges)


def cidr(address: str, mask: str) -> str:
    """``10.0.0.1`` + ``255.255.255.0`` (or ``24``/``/24``) → ``10.0.0.1/24``."""
    mask = mask.lstrip("/")
    return str(ipaddress.ip_interface(f"{address}/{mask}"))


def netmask(prefix_length: int) -> str:
    return str(ipaddress.ip_network(f"0.0.0.0/{prefix_length}").netmask)


def prefix_of(network: str, mask_or_length: str) -> str:
    """A route destination as a network prefix string."""
    mask = mask_or_length.lstrip("/")
    return str(ipaddress.ip_network(f"{network}/{mask}", strict=False))


def unquote(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value


_PARSE_FAILURES: ContextVar[list[tuple[str, str]] | None] = ContextVar(
    "parse_failures", default=None
)


@contextmanager
def collecting_parse_failures() -> Iterator[list[tuple[str, str]]]:
    """Within this block a template that cannot read its output yields no rows instead of raising;
    the (command, error) pairs are collected so the caller reports them and keeps the rest."""
    failures: list[tuple[str, str]] = []
    token = _PARSE_FAILURES.set(failures)
    try:
        yield failures
    finally:
        _PARSE_FAILURES.reset(token)


def textfsm(platform: str, command: str, data: str) -> list[dict[str, Any]]:
    """Parse ``data`` with the ntc-templates template for (platform, command)."""
    if not data.strip():
        return []
    from ntc_templates.parse import parse_output
    from textfsm import TextFSMError

    try:
        rows: list[dict[str, Any]] = parse_output(platform=platform, command=command, data=data)
    except TextFSMError as exc:
        failures = _PARSE_FAILURES.get()
        if failures is None:
            raise
        failures.append((command, str(exc)))
        return []
    return rows


def first(values: Sequence[str] | str | None) -> str | None:
    if values is None:
        return None
    if isinstance(values, str):
        return values or None
    return values[0] if values else None


def normalize_mac_or_text(value: str | None) -> str | None:
    """A MAC in ``aa:bb:…`` form when it is one, else the text itself (LLDP chassis ids)."""
    if not value:
        return None
    return mac_or_none(value) or value

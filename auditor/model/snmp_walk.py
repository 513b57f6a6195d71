"""The raw shape an SNMP walk is handed on in, from the collector to the platform normalizer.

Model data, not I/O: the collector fills it, ``auditor.platforms.snmp_normalize`` reads it, and
neither needs to import the other.
"""

from __future__ import annotations

from dataclasses import dataclass, field

RawValue = bytes | int | str
"""OCTET STRING → bytes; INTEGER/Counter/Gauge/TimeTicks → int; OID and IpAddress → dotted str."""

Index = tuple[int, ...]
RawColumn = list[tuple[Index, RawValue]]
RawWalk = dict[str, RawColumn]
"""``column OID → [(index suffix, value), …]`` in agent order."""


@dataclass
class DeviceWalk:
    """Everything SNMP returned for one device, before normalization."""

    device: str
    walks: RawWalk = field(default_factory=dict)
    absent_tables: list[str] = field(default_factory=list)
    per_vlan: dict[int, RawWalk] = field(default_factory=dict)
    probe_accepted: list[str] | None = None
    platform: str = "generic"

    def column(self, oid: str) -> RawColumn:
        return self.walks.get(oid, [])

    def row_count(self) -> int:
        total = sum(len(rows) for rows in self.walks.values())
        return total + sum(len(rows) for walk in self.per_vlan.values() for rows in walk.values())

"""What a platform parser returns: the pieces of a :class:`DeviceSnapshot` that SSH output gives.

Parsers fill only what their commands tell; everything else stays at its "not known" default so
the engine can merge SSH facts with SNMP facts without one side erasing the other.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from auditor.model.snapshot import (
    Acl,
    ArpEntry,
    DeviceSnapshot,
    FdbEntry,
    FirewallPolicy,
    Interface,
    ManagementPlane,
    NatRule,
    Neighbor,
    PolicyRoute,
    Route,
    Source,
    SystemInfo,
    Vlan,
    WirelessNetwork,
)
from auditor.platforms.interface_kinds import with_kind


@dataclass
class SnapshotParts:
    system: SystemInfo = field(default_factory=SystemInfo)
    interfaces: list[Interface] = field(default_factory=list)
    vlans: list[Vlan] = field(default_factory=list)
    fdb: list[FdbEntry] = field(default_factory=list)
    arp: list[ArpEntry] = field(default_factory=list)
    neighbors: list[Neighbor] = field(default_factory=list)
    routes: list[Route] = field(default_factory=list)
    acls: list[Acl] = field(default_factory=list)
    firewall_policies: list[FirewallPolicy] = field(default_factory=list)
    management: ManagementPlane = field(default_factory=ManagementPlane)
    wireless: list[WirelessNetwork] | None = None  # None: the platform reports no wireless
    nat_rules: list[NatRule] | None = None  # None: the platform does not read NAT
    policy_routes: list[PolicyRoute] = field(default_factory=list)
    routing_protocols: list[str] | None = None  # None: the platform does not read them
    unparsed_config_lines: list[str] = field(default_factory=list)
    absent_commands: list[str] = field(default_factory=list)
    device_clock: datetime | None = None
    """The device's clock as a command showed it (IOS ``show clock``): becomes the skew."""

    def _skew(self, collected_at: datetime, source: Source) -> dict[str, float]:
        """The clock skew against the collector, when read live (never from a saved file)."""
        if self.device_clock is None or source is not Source.SSH or collected_at.tzinfo is None:
            return {}
        return {"clock_skew_seconds": (self.device_clock - collected_at).total_seconds()}

    def to_snapshot(
        self,
        device: str,
        collected_at: datetime,
        *,
        config_redacted: str | None = None,
        config_hash: str | None = None,
        source: Source = Source.SSH,
    ) -> DeviceSnapshot:
        """Assemble a snapshot, stamping every part with ``source`` (SSH, or FILE offline).

        Interfaces the parser left without a kind get one from their vendor name here, so every
        platform's snapshot carries typed kinds (analysis never matches interface names).
        """

        def stamp(items: list[object]) -> list[object]:
            return [item.model_copy(update={"source": source}) for item in items]  # type: ignore[attr-defined]

        return DeviceSnapshot.model_validate(
            {
                "device": device,
                "collected_at": collected_at,
                "sources": [source],
                "system": self.system.model_copy(
                    update={"source": source, **self._skew(collected_at, source)}
                ),
                "interfaces": stamp([with_kind(i) for i in self.interfaces]),
                "vlans": stamp(list(self.vlans)),
                "fdb": stamp(list(self.fdb)),
                "arp": stamp(list(self.arp)),
                "neighbors": stamp(list(self.neighbors)),
                "routes": stamp(list(self.routes)),
                "acls": stamp(list(self.acls)),
                "firewall_policies": stamp(list(self.firewall_policies)),
                "management": self.management.model_copy(update={"source": source}),
                "wireless": None if self.wireless is None else stamp(list(self.wireless)),
                "nat_rules": None if self.nat_rules is None else stamp(list(self.nat_rules)),
                "policy_routes": stamp(list(self.policy_routes)),
                "routing_protocols": self.routing_protocols,
                "config_redacted": config_redacted,
                "config_hash": config_hash,
                "unparsed_config_lines": list(self.unparsed_config_lines),
                "absent_tables": list(self.absent_commands),
            },
        )

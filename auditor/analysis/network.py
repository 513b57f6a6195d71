"""The network view: every snapshot of a run joined with inventory, policy and ledger.

Network-scope checks (three-tier segmentation) ask questions that no single snapshot answers: which
zones a trunk carries, which inventory device sits at the other end of an LLDP link, in which zones
a MAC address was learned, which zone pairs an ACL line lets through. ``NetworkView`` builds the
indexes for those questions once per run (dictionaries keyed by device, port, VLAN, MAC, address),
so that every check is a linear walk and a 10,000-device city stays near-linear.

The view is composed from one module per job: :mod:`~auditor.analysis.zones` (zones and
addressing), :mod:`~auditor.analysis.layer2` (ports, VLANs, links, MACs),
:mod:`~auditor.analysis.layer3` (L3 interfaces, routes, ARP) and
:mod:`~auditor.analysis.permits` (rule facts for policy judgement). The names they define are
re-exported here for the checks.
"""

from __future__ import annotations

import gc
from collections.abc import Mapping
from typing import Protocol

from auditor.analysis.evidence import EvidenceSource, FactKind, Support
from auditor.analysis.layer2 import Link, MacSighting, PortVlans, VlanUse, link_subject
from auditor.analysis.layer3 import ArpFact, L3Interface, RouteFact
from auditor.analysis.permits import RuleFact, RuleIndex
from auditor.analysis.services import ANY_SERVICE, ServiceRange, service_ranges
from auditor.analysis.zones import Network, ZoneSpan, policy_networks
from auditor.inventory.models import AssetLedger, Inventory
from auditor.model.snapshot import DeviceSnapshot
from auditor.policy.models import Policy

__all__ = [
    "ANY_SERVICE",
    "ArpFact",
    "EvidenceSource",
    "FactKind",
    "L3Interface",
    "Link",
    "MacSighting",
    "Network",
    "NetworkView",
    "PortVlans",
    "RouteFact",
    "RuleFact",
    "ServiceRange",
    "Support",
    "VlanUse",
    "ZoneSpan",
    "link_subject",
    "policy_networks",
    "service_ranges",
]


class HasNetworkView(Protocol):
    """What :meth:`NetworkView.of` needs: a context that holds its own, explicit view cache."""

    def network_view(self) -> NetworkView: ...


class NetworkView(RuleIndex):
    """Indexes over all snapshots of one run (zones, layer 2, layer 3 and rule facts)."""

    def __init__(
        self,
        policy: Policy,
        inventory: Inventory,
        snapshots: Mapping[str, DeviceSnapshot],
        ledger: AssetLedger | None = None,
    ) -> None:
        super().__init__(policy, inventory)
        self.snapshots = dict(snapshots)
        self.ledger = ledger or AssetLedger()
        self._init_layer2()
        self._init_layer3()
        self._init_permits()
        # Millions of small, acyclic index objects: the cyclic collector would rescan all of the
        # run's snapshots again and again while they are created, so it pauses for the build.
        collecting = gc.isenabled()
        gc.disable()
        try:
            self._build()
        finally:
            if collecting:
                gc.enable()

    @classmethod
    def of(cls, context: HasNetworkView) -> NetworkView:
        """The view of an :class:`~auditor.rules.AuditContext` (built once, cached by the context)."""
        return context.network_view()

    def _build(self) -> None:
        for name, snapshot in self.snapshots.items():
            self._index_ports(name, snapshot)
        for name, snapshot in self.snapshots.items():
            self._index_neighbors(name, snapshot)
        self._finish_links()
        for name, snapshot in self.snapshots.items():
            self._index_l3(name, snapshot)
        all_l3 = {str(i.address.ip) for facts in self.l3_interfaces.values() for i in facts}
        all_l3.update(self._address_index)
        for name, snapshot in self.snapshots.items():
            self._index_arp(name, snapshot, all_l3)
        for name, snapshot in self.snapshots.items():
            self._index_fdb(name, snapshot)
            self._index_routes(name, snapshot)
            self._index_rules(name, snapshot)
        self._index_ledger()

    def devices_with_snapshots(self) -> list[str]:
        return sorted(self.snapshots)

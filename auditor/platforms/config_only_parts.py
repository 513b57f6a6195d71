"""Snapshot parts of IOS-like devices read from ``show version`` and the configuration alone.

Alaxala AX and NEC IX parsers run no other show commands, so everything but the system facts
comes from what the shared IOS-like interpreter found in the running configuration.
"""

from __future__ import annotations

from auditor.model.snapshot import SystemInfo
from auditor.platforms.ios_config import ConfigFacts
from auditor.platforms.parts import SnapshotParts


def parts_from_config(facts: ConfigFacts, system: SystemInfo) -> SnapshotParts:
    """``system`` named after the configured host name, the rest as the configuration says."""
    parts = SnapshotParts(system=system)
    parts.system.name = facts.hostname
    parts.system.config_changed_at = facts.changed_at
    parts.system.config_changed_by = facts.changed_by
    parts.interfaces = list(facts.interfaces.values())
    parts.vlans = [facts.vlans[vlan_id] for vlan_id in sorted(facts.vlans)]
    parts.routes = facts.routes
    parts.acls = list(facts.acls.values())
    parts.management = facts.management
    parts.unparsed_config_lines = facts.unparsed
    return parts

"""A small three-tier city for the segmentation tests: policy, inventory and snapshot builders."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from auditor.inventory.models import AssetLedger, Device, Inventory, LedgerRow
from auditor.model.findings import Finding
from auditor.model.snapshot import (
    Acl,
    AclBinding,
    AclEntry,
    ArpEntry,
    DeviceSnapshot,
    FdbEntry,
    FirewallPolicy,
    Interface,
    Neighbor,
    Route,
    Source,
    Vlan,
)
from auditor.platforms.interface_kinds import with_kind
from auditor.policy.models import Policy
from auditor.rules import AuditContext, Check

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


def zone(
    ident: str, kind: str, vlans: list[Any], subnets: list[str], **extra: Any
) -> dict[str, Any]:
    return {
        "id": ident,
        "kind": kind,
        "name_ja": ident,
        "name_en": ident,
        "vlans": vlans,
        "subnets": subnets,
        **extra,
    }


def policy(**overrides: Any) -> Policy:
    data: dict[str, Any] = {
        "zones": [
            zone(
                "mynumber",
                "mynumber",
                ["10-19"],
                ["10.10.0.0/16"],
                protected=True,
                sites=["honcho"],
            ),
            zone("lgwan", "lgwan", ["20-29"], ["10.20.0.0/16"], protected=True),
            zone("internet", "internet", ["30-39"], ["10.30.0.0/16"]),
            zone("sanitizer", "sanitizer", [40], ["10.40.0.0/24"]),
            zone("management", "management", [99], ["10.99.0.0/24"], protected=True),
            zone("public-wifi", "public_wifi", [900], ["172.16.0.0/20"]),
            zone("education", "education", ["50-59"], ["10.50.0.0/16"], sites=["school"]),
        ],
        "hosts": {
            "screen-gw": {"address": "10.40.0.20", "zone": "sanitizer"},
            "mumeika-relay": {"address": "10.40.0.10", "zone": "sanitizer"},
            "chukan-server": {"address": "10.20.200.10", "zone": "lgwan"},
        },
        "flows": [
            {
                "id": "F-001",
                "from": "mynumber",
                "to": "lgwan",
                "services": ["tcp/443"],
                "destinations": ["chukan-server"],
            },
            {
                "id": "F-002",
                "from": "lgwan",
                "to": "sanitizer",
                "services": ["tcp/443"],
                "destinations": ["mumeika-relay", "screen-gw"],
            },
            {
                "id": "F-003",
                "from": "sanitizer",
                "to": "internet",
                "services": ["tcp/80", "tcp/443"],
            },
            {
                "id": "F-004",
                "from": "lgwan",
                "to": "internet",
                "services": ["tcp/443"],
                "via": ["screen-gw"],
            },
            {"id": "F-005", "from": "management", "to": "lgwan", "services": ["udp/161", "tcp/22"]},
        ],
        "mynumber_destinations": ["chukan-server"],
    }
    data.update(overrides)
    return Policy.model_validate(data)


def device(name: str, zones: list[str], site: str = "honcho", **extra: Any) -> Device:
    extra.setdefault("platform", "cisco_ios")
    return Device(
        name=name,
        address=f"10.99.0.{sum(map(ord, name)) % 200 + 10}",
        zones=zones,
        site=site,
        **extra,
    )


def snapshot(name: str, **parts: Any) -> DeviceSnapshot:
    """A snapshot as the platform layer assembles it: interfaces carry their typed kind."""
    parts["interfaces"] = [with_kind(i) for i in parts.get("interfaces", [])]
    return DeviceSnapshot(device=name, collected_at=NOW, sources=[Source.SNMP, Source.SSH], **parts)


def access(name: str, vlan: int, **extra: Any) -> Interface:
    return Interface(name=name, mode="access", access_vlan=vlan, **extra)


def trunk(name: str, vlans: list[int] | None, native: int | None = None) -> Interface:
    return Interface(name=name, mode="trunk", allowed_vlans=vlans, native_vlan=native)


def svi(name: str, address: str, **extra: Any) -> Interface:
    return Interface(name=name, mode="routed", addresses=[address], **extra)


def context(
    devices: list[Device],
    snapshots: list[DeviceSnapshot],
    *,
    policy_obj: Policy | None = None,
    ledger_rows: list[LedgerRow] | None = None,
) -> AuditContext:
    return AuditContext(
        policy=policy_obj or policy(),
        inventory=Inventory(devices=devices),
        now=NOW,
        snapshots={snap.device: snap for snap in snapshots},
        ledger=AssetLedger(source="ledger.csv", rows=ledger_rows or []),
    )


def run(check: Check, ctx: AuditContext) -> list[Finding]:
    return list(check.evaluate(ctx))


def subjects(findings: list[Finding]) -> list[tuple[str | None, str]]:
    return sorted((f.device, f.subject) for f in findings)


__all__ = [
    "Acl",
    "AclBinding",
    "AclEntry",
    "ArpEntry",
    "FdbEntry",
    "FirewallPolicy",
    "LedgerRow",
    "Neighbor",
    "Route",
    "Vlan",
]

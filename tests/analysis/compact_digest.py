"""Digests of what two synthetic cities produce, to compare model representations before/after.

``city_digests()`` audits (1) the synthetic lab city's saved configurations offline through the
one audit service (every platform parser, every check) and (2) the checks bench's live-state
city (FDB, ARP, LLDP, ACLs, firewall policies) with every check, and returns per part: a digest
of every snapshot's dumped JSON and content hash, a digest of every finding (fingerprint,
severity, message) and the finding count per check. It uses only APIs that predate the compact
snapshot types, so the same function run on the code before the change wrote the expected file
``compact_digest.json`` next to this module (``python tests/analysis/compact_digest.py``).
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import sys
import tempfile
from collections import Counter
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
EXPECTED = Path(__file__).with_name("compact_digest.json")
OFFLINE_DEVICES = 300
LIVE_DEVICES = 400
TIMES = {"collected_at"}


def _digest(lines: Iterable[str]) -> str:
    h = hashlib.sha256()
    for line in sorted(lines):
        h.update(line.encode("utf-8") + b"\n")
    return h.hexdigest()


def _part(snapshots: Mapping[str, Any], findings: Iterable[Any]) -> dict[str, Any]:
    findings = list(findings)
    return {
        "snapshots": len(snapshots),
        "snapshot_digest": _digest(
            # collected_at is the time of the read (offline: now), the rest is the device
            f"{name}\t{s.model_dump_json(exclude=TIMES)}\t{s.content_hash()}"
            for name, s in snapshots.items()
        ),
        "findings": len(findings),
        "finding_digest": _digest(f.model_dump_json() for f in findings),
        "by_check": dict(sorted(Counter(f.check_id for f in findings).items())),
    }


def offline_part(devices: int = OFFLINE_DEVICES) -> dict[str, Any]:
    from auditor.audit.inputs import Bundle
    from auditor.audit.offline import audit_offline
    from auditor.inventory.models import AssetLedger, Device, Inventory
    from auditor.lab.cli_render import render
    from auditor.lab.synthetic import synthetic_city
    from auditor.platforms.registry import profile_for
    from auditor.policy.loader import load_policy
    from auditor.rules import discover

    registry = discover()
    loaded = load_policy(
        REPO / "policies" / "example-city",
        known_check_ids=registry.ids(),
        parameter_models=registry.parameter_models(),
    )
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        for device in synthetic_city(devices).devices:
            profile = profile_for(device.platform)
            if profile is None:
                continue
            text = render(device, synthetic_city_cache(devices))[profile.config_command]
            data = text if isinstance(text, bytes) else text.encode("utf-8")
            (root / f"{device.name}.cfg").write_bytes(data)
            rows.append(
                Device(
                    name=device.name,
                    address=str(device.address),
                    platform=device.platform,
                    zones=list(device.zones),
                )
            )
        bundle = Bundle(loaded.policy, Inventory(devices=rows), AssetLedger(), loaded.sha256)
        outcome = audit_offline(bundle, registry, None, root, salt=b"digest")[-1]
    return _part(outcome.snapshots, outcome.findings)


_CITIES: dict[int, Any] = {}


def synthetic_city_cache(devices: int) -> Any:
    from auditor.lab.synthetic import synthetic_city

    if devices not in _CITIES:
        _CITIES[devices] = synthetic_city(devices)
    return _CITIES[devices]


def live_part(devices: int = LIVE_DEVICES) -> dict[str, Any]:
    from auditor.rules import AuditContext, discover

    spec = importlib.util.spec_from_file_location(
        "checks_scale", REPO / "bench" / "checks_scale.py"
    )
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    inventory, snapshots, ledger = bench.build_city(devices)
    context = AuditContext(
        policy=bench.city_policy(),
        inventory=inventory,
        now=bench.NOW,
        snapshots=snapshots,
        ledger=ledger,
    )
    findings = []
    for check in discover():
        findings.extend(check().evaluate(context))
    return _part(snapshots, findings)


def city_digests() -> dict[str, Any]:
    return {"offline": offline_part(), "live": live_part()}


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    EXPECTED.write_text(json.dumps(city_digests(), indent=1) + "\n", encoding="utf-8")
    print(f"wrote {EXPECTED}")

"""Segmentation checks at city scale: evaluation time, findings/s, memory, 10k-vs-1k ratio.

Builds synthetic snapshots (no network) for a city of N devices in clusters of 20: one L3 core
switch per cluster (SVIs, an inbound ACL, routes, ARP and the FDB of every terminal behind it),
18 access switches (24 access ports, 2 uplink trunks, LLDP to the core, 12 terminals each) and one
router; every tenth cluster has a firewall with policies. Clusters rotate through the city's
zones and a few carry deliberate violations so every check has work to do. The script then builds
the ``NetworkView`` and runs all SEG checks, at ``--devices`` and at a tenth of it, and prints the
time ratio (near-linear scaling means about 10; the acceptance bound is 15).

Usage: ``python bench/checks_scale.py --devices 10000``; ``--sizes 1000 10000 50000`` runs each
size in a fresh process instead (peak RSS is then that size's own) and prints one table. Wall time
depends on what else the machine runs; the CPU time of the evaluation is printed beside it. The
prefecture goal (issue 20) is 50,000 devices in under 60 s with a peak RSS under 2 GiB.
"""

from __future__ import annotations

import argparse
import gc
import json
import platform
import resource
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from auditor.inventory.models import AssetLedger, Device, Inventory, LedgerRow
from auditor.model.findings import Finding
from auditor.model.services import Service
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
from auditor.policy.models import Policy
from auditor.rules import AuditContext, discover

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
CLUSTER = 20
EDGES = 18
TERMINALS = 12
ZONES = [  # (zone, first VLAN, subnet prefix "10.X")
    ("mynumber", 10, 10),
    ("lgwan", 20, 20),
    ("internet", 30, 30),
    ("education", 50, 50),
]


def city_policy() -> Policy:
    def zone(ident: str, kind: str, vlans: list[Any], subnets: list[str], **extra: Any) -> Any:
        return {
            "id": ident,
            "kind": kind,
            "name_ja": ident,
            "name_en": ident,
            "vlans": vlans,
            "subnets": subnets,
            **extra,
        }

    return Policy.model_validate(
        {
            "zones": [
                zone("mynumber", "mynumber", ["10-19"], ["10.10.0.0/16"], protected=True),
                zone("lgwan", "lgwan", ["20-29"], ["10.20.0.0/16"], protected=True),
                zone("internet", "internet", ["30-39"], ["10.30.0.0/16"]),
                zone("sanitizer", "sanitizer", [40], ["10.40.0.0/24"]),
                zone("management", "management", [99], ["10.99.0.0/16"], protected=True),
                zone("education", "education", ["50-59"], ["10.50.0.0/16"]),
            ],
            "hosts": {
                "screen-gw": {"address": "10.40.0.20", "zone": "sanitizer"},
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
                    "destinations": ["screen-gw"],
                },
                {"id": "F-003", "from": "sanitizer", "to": "internet", "services": ["tcp/443"]},
                {
                    "id": "F-004",
                    "from": "lgwan",
                    "to": "internet",
                    "services": ["tcp/443"],
                    "via": ["screen-gw"],
                },
                {"id": "F-005", "from": "management", "to": "lgwan", "services": ["tcp/22"]},
            ],
            "mynumber_destinations": ["chukan-server"],
        }
    )


def _mac(n: int) -> str:
    return ":".join(f"{(n >> s) & 0xFF:02x}" for s in (40, 32, 24, 16, 8, 0))


def build_city(devices: int) -> tuple[Inventory, dict[str, DeviceSnapshot], AssetLedger]:
    inventory: list[Device] = []
    snapshots: dict[str, DeviceSnapshot] = {}
    ledger: list[LedgerRow] = []
    sources = [Source.SNMP, Source.SSH]
    clusters = max(1, devices // CLUSTER)
    for c in range(clusters):
        zone, vlan0, octet = ZONES[c % len(ZONES)]
        vlan = vlan0 + (c // len(ZONES)) % 8
        third = c % 250
        mgmt = f"10.99.{c % 250}"
        core = f"c{c}-core"
        zones = [zone, "management"]
        core_ifs = [
            Interface(
                name=f"Vlan{vlan}",
                mode="routed",
                addresses=[f"10.{octet}.{third}.1/24"],
                acl_in="USER-IN",
            ),
            Interface(name="Vlan99", mode="routed", addresses=[f"{mgmt}.1/24"], acl_in="MGMT-IN"),
        ]
        core_fdb: list[FdbEntry] = []
        core_arp: list[ArpEntry] = []
        core_nb: list[Neighbor] = []
        for e in range(EDGES):
            edge = f"c{c}-e{e}"
            port = f"Gi1/0/{e + 1}"
            core_ifs.append(Interface(name=port, mode="trunk", allowed_vlans=[vlan, 99]))
            core_nb.append(
                Neighbor(
                    local_port=port,
                    remote_name=f"{edge}.city.lg.jp",
                    remote_port="Gi1/0/25",
                    remote_chassis_id=_mac(c * 1000 + e),
                )
            )
            edge_vlans = [vlan, 99]
            if e == 0 and c % 7 == 3:  # planted: a foreign zone VLAN on one uplink
                edge_vlans.append(ZONES[(c + 1) % len(ZONES)][1])
            ifs = [
                Interface(name=f"Gi1/0/{p}", mode="access", access_vlan=vlan) for p in range(1, 25)
            ]
            ifs.append(Interface(name="Gi1/0/25", mode="trunk", allowed_vlans=edge_vlans))
            ifs.append(
                Interface(name="Gi1/0/26", mode="trunk", allowed_vlans=[vlan, 99], admin_up=False)
            )
            ifs.append(Interface(name="Vlan99", mode="routed", addresses=[f"{mgmt}.{e + 10}/24"]))
            fdb: list[FdbEntry] = []
            for t in range(TERMINALS):
                mac = _mac((c << 16) | (e << 8) | t | (1 << 40))
                fdb.append(FdbEntry(mac=mac, vlan=vlan, port=f"Gi1/0/{t + 1}"))
                core_fdb.append(FdbEntry(mac=mac, vlan=vlan, port=port))
                core_arp.append(
                    ArpEntry(
                        ip=f"10.{octet}.{third}.{(e * TERMINALS + t) % 250 + 2}",
                        mac=mac,
                        interface=f"Vlan{vlan}",
                    )
                )
                if t == 0:
                    # planted in some clusters: the ledger puts a terminal in another zone
                    other = ZONES[(c + 1) % len(ZONES)][0] if c % 11 == 5 else zone
                    ledger.append(LedgerRow(row_number=len(ledger) + 2, mac=mac, zone=other))
            snapshots[edge] = DeviceSnapshot(
                device=edge,
                collected_at=NOW,
                sources=sources,
                interfaces=ifs,
                vlans=[Vlan(id=v) for v in edge_vlans],
                fdb=fdb,
                neighbors=[Neighbor(local_port="Gi1/0/25", remote_name=core, remote_port=port)],
            )
            inventory.append(
                Device(
                    name=edge,
                    address=f"{mgmt}.{e + 10}",
                    platform="cisco_ios",
                    zones=zones,
                    site=f"site-{c}",
                )
            )
        permit_any = c % 13 == 7  # planted: a too-broad ACL line in some clusters
        acl_entries = [
            AclEntry(
                sequence=10,
                action="permit",
                protocol="tcp",
                source=f"10.{octet}.{third}.0/24",
                destination="host 10.20.200.10",
                destination_ports="eq 443",
                service=Service.of("tcp", 443),
            ),
            AclEntry(
                sequence=20,
                action="permit",
                protocol="tcp",
                source=f"10.{octet}.{third}.0/24",
                destination="host 10.40.0.20",
                destination_ports="eq 443",
                service=Service.of("tcp", 443),
            ),
            AclEntry(
                sequence=30,
                action="deny",
                protocol="ip",
                source="any",
                destination="10.0.0.0/8",
                service=Service.any(),
            ),
            AclEntry(
                sequence=40,
                action="permit" if permit_any else "deny",
                protocol="ip",
                source="any",
                destination="any",
                service=Service.any(),
            ),
        ]
        router = f"c{c}-rt"
        core_ifs.append(
            Interface(
                name="Gi1/0/24", mode="routed", addresses=[f"10.{octet}.255.{(c % 60) * 4 + 1}/30"]
            )
        )
        snapshots[core] = DeviceSnapshot(
            device=core,
            collected_at=NOW,
            sources=sources,
            interfaces=core_ifs,
            vlans=[Vlan(id=vlan), Vlan(id=99)],
            fdb=core_fdb,
            arp=core_arp,
            neighbors=core_nb,
            routes=[
                Route(prefix="0.0.0.0/0", next_hop=f"10.{octet}.255.{(c % 60) * 4 + 2}"),
                Route(prefix="10.20.200.0/24", next_hop=f"10.{octet}.255.{(c % 60) * 4 + 2}"),
            ],
            acls=[
                Acl(
                    name="USER-IN",
                    entries=acl_entries,
                    applied=[AclBinding(interface=f"Vlan{vlan}", direction="in")],
                ),
                Acl(
                    name="MGMT-IN",
                    entries=[
                        AclEntry(
                            sequence=10,
                            action="permit",
                            protocol="tcp",
                            source="any",
                            destination="any",
                            destination_ports="eq 22",
                            service=Service.of("tcp", 22),
                        )
                    ],
                    applied=[AclBinding(interface="Vlan99", direction="in")],
                ),
            ],
        )
        inventory.append(
            Device(
                name=core, address=f"{mgmt}.1", platform="cisco_ios", zones=zones, site=f"site-{c}"
            )
        )
        snapshots[router] = DeviceSnapshot(
            device=router,
            collected_at=NOW,
            sources=sources,
            interfaces=[
                Interface(
                    name="ge0", mode="routed", addresses=[f"10.{octet}.255.{(c % 60) * 4 + 2}/30"]
                ),
                Interface(name="ge1", mode="routed", addresses=[f"192.0.2.{c % 250}/31"]),
            ],
            routes=[Route(prefix="0.0.0.0/0", next_hop=f"192.0.2.{(c % 250) ^ 1}")],
        )
        inventory.append(
            Device(
                name=router, address=f"{mgmt}.2", platform="nec_ix", zones=[zone], site=f"site-{c}"
            )
        )
        if c % 10 == 0:
            fw = f"c{c}-fw"
            snapshots[fw] = DeviceSnapshot(
                device=fw,
                collected_at=NOW,
                sources=sources,
                interfaces=[
                    Interface(name="port1", mode="routed", addresses=["10.20.255.250/30"]),
                    Interface(name="port2", mode="routed", addresses=["10.30.255.250/30"]),
                    Interface(name="port3", mode="routed", addresses=["10.40.0.1/24"]),
                ],
                firewall_policies=[
                    FirewallPolicy(
                        policy_id="1",
                        source_interfaces=["port1"],
                        destination_interfaces=["port3"],
                        destination_addresses=["screen-gw"],
                        services=["HTTPS"],
                        resolved_services=[Service.of("tcp", 443)],
                        action="accept",
                    ),
                    FirewallPolicy(
                        policy_id="2",
                        source_interfaces=["port3"],
                        destination_interfaces=["port2"],
                        services=["HTTPS"],
                        resolved_services=[Service.of("tcp", 443)],
                        action="accept",
                    ),
                    FirewallPolicy(
                        policy_id="3",
                        source_interfaces=["port1"],
                        destination_interfaces=["port2"],
                        services=["ALL"],
                        resolved_services=[Service.any()],
                        action="accept" if c % 20 == 0 else "deny",
                    ),
                ],
            )
            inventory.append(
                Device(
                    name=fw,
                    address=f"{mgmt}.3",
                    platform="fortinet",
                    zones=["lgwan", "internet", "sanitizer"],
                    site=f"site-{c}",
                )
            )
    return Inventory(devices=inventory), snapshots, AssetLedger(source="bench", rows=ledger)


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def evaluate(policy: Policy, devices: int) -> dict[str, Any]:
    """Build a city, then time the view plus every SEG check on it."""
    started = time.perf_counter()
    inventory, snapshots, ledger = build_city(devices)
    build_seconds = time.perf_counter() - started
    checks = [check() for check in discover() if check.id.startswith("SEG-")]
    context = AuditContext(
        policy=policy, inventory=inventory, now=NOW, snapshots=snapshots, ledger=ledger
    )
    gc.collect()
    rss_before = _peak_rss_mib()
    started = time.perf_counter()
    cpu_started = time.process_time()
    findings: list[Finding] = []
    per_check: dict[str, float] = {}
    for check in checks:
        check_started = time.perf_counter()
        findings.extend(check.evaluate(context))
        per_check[check.id] = round(time.perf_counter() - check_started, 4)
    seconds = time.perf_counter() - started
    cpu_seconds = time.process_time() - cpu_started
    by_check: dict[str, int] = {}
    for finding in findings:
        by_check[finding.check_id] = by_check.get(finding.check_id, 0) + 1
    return {
        "devices": len(snapshots),
        "build_seconds": round(build_seconds, 3),
        "evaluation_seconds": round(seconds, 3),
        "evaluation_cpu_seconds": round(cpu_seconds, 3),
        "seconds_per_check": per_check,
        "findings": len(findings),
        "findings_by_check": dict(sorted(by_check.items())),
        "findings_per_second": round(len(findings) / seconds, 1) if seconds else None,
        "peak_rss_mib": round(_peak_rss_mib(), 1),
        "peak_rss_growth_during_evaluation_mib": round(_peak_rss_mib() - rss_before, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", type=int, default=10_000)
    parser.add_argument("--results", type=Path, default=Path(__file__).resolve().parent / "results")
    parser.add_argument("--sizes", type=int, nargs="+", help="each size in a fresh process")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    policy = city_policy()
    if args.child:
        print(json.dumps(evaluate(policy, args.child)))
        return
    if args.sizes:
        table(args.sizes, args.results)
        return
    small_devices = max(CLUSTER, args.devices // 10)
    small = min(
        (evaluate(policy, small_devices) for _ in range(2)), key=lambda r: r["evaluation_seconds"]
    )
    gc.collect()
    large = evaluate(policy, args.devices)
    ratio = large["evaluation_seconds"] / small["evaluation_seconds"]
    result = {
        "benchmark": "checks_scale",
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "machine": platform.machine(),
        "small": small,
        "large": large,
        "ratio_large_vs_small": round(ratio, 2),
        "device_ratio": round(large["devices"] / small["devices"], 2),
        "near_linear": ratio < 15,
    }
    for label, run in (("small", small), ("large", large)):
        print(
            f"{label:5} devices={run['devices']:>6}  eval={run['evaluation_seconds']:>7.2f}s  "
            f"findings={run['findings']:>5}  findings/s={run['findings_per_second']}  "
            f"(cpu {run['evaluation_cpu_seconds']:.2f}s)  peak RSS={run['peak_rss_mib']} MiB "
            f"(build {run['build_seconds']}s)"
        )
    print(
        f"ratio time({large['devices']})/time({small['devices']}) = {ratio:.2f} "
        f"(bound 15: {'ok' if ratio < 15 else 'FAIL'})"
    )
    args.results.mkdir(parents=True, exist_ok=True)
    out = args.results / f"checks_scale-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"results: {out}")


def table(sizes: list[int], results: Path) -> None:
    """One fresh process per size; a table of time and peak memory, and the 50k goal."""
    rows = []
    for size in sizes:
        done = subprocess.run(
            [sys.executable, __file__, "--child", str(size)],
            check=True,
            capture_output=True,
            text=True,
        )
        rows.append(json.loads(done.stdout.strip().splitlines()[-1]))
    print(
        f"{'devices':>8} {'build s':>8} {'eval s':>8} {'eval CPU s':>10} {'findings':>8} {'peak RSS MiB':>12}"
    )
    for row in rows:
        print(
            f"{row['devices']:>8} {row['build_seconds']:>8.1f} {row['evaluation_seconds']:>8.1f} "
            f"{row['evaluation_cpu_seconds']:>10.1f} {row['findings']:>8} {row['peak_rss_mib']:>12.0f}"
        )
    for row in rows:
        if row["devices"] >= 50_000:
            fast = row["evaluation_seconds"] < 60
            small = row["peak_rss_mib"] < 2048
            print(
                f"goal at {row['devices']} devices: eval {row['evaluation_seconds']:.1f} s < 60 s "
                f"{'ok' if fast else 'MISSED'}, peak {row['peak_rss_mib']:.0f} MiB < 2048 MiB "
                f"{'ok' if small else 'MISSED'}"
            )
    results.mkdir(parents=True, exist_ok=True)
    out = results / f"checks_scale-sizes-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
    out.write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")
    print(f"results: {out}")


if __name__ == "__main__":
    main()

"""pcap reading speed: Kyojin's traffic analysis vs ``tshark -T fields`` on the same fields, fairly.

Generates two captures of N packets (default 1,000,000; IPv4 TCP/UDP/ICMP between the example
city's zones with 802.1Q tags, QinQ, IPv6 TCP, SNMPv2c, DNS, a few ARP replies) with the
struct-packed writer: *repetitive* cycles 20,000 distinct frames, *distinct* makes every frame its
own flow (own MAC, addresses and ports). Then, ``--repetitions`` times (≥ 3), interleaved:

* Kyojin: ``analyze_files`` (decode every header, map both addresses to zones, aggregate flows,
  hosts, cleartext sightings) as a child process — for these classic-pcap Ethernet files the
  array-at-a-time path of ``auditor.collect.pcap_vector`` (identical results to the packet loop,
  ``tests/traffic/test_pcap_vector.py``);
* reference, tshark: ``tshark -n -r FILE -T fields`` extracting the same fields (time, MAC, VLAN,
  IPv4/IPv6 addresses, protocol, ports, ICMP type, length), read in 64 KiB blocks;
* the bare scapy ``RawPcapReader`` loop (no decoding at all), for scale.

Fair comparisons, both ways: *with start-up* — both as whole processes (Kyojin's interpreter,
imports and policy load included; wall and CPU from ``wait4``); *without start-up* — Kyojin's
in-process analysis time against tshark's time from its first output line to its end. The last
line is the less favourable of the two medians for the distinct-flows file. Writes
``bench/results/pcap-<UTC>.json``. Usage: ``python bench/pcap.py [--packets 1000000]``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from auditor.collect.pcap_writer import (
    ethernet,
    icmp_echo,
    ipv4,
    ipv6,
    tcp,
    udp,
    write_pcap,
)

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
from common import show, spread, write_results  # noqa: E402

TSHARK_FIELDS = (
    "frame.time_epoch", "eth.src", "vlan.id", "ip.src", "ip.dst", "ipv6.src", "ipv6.dst",
    "ip.proto", "tcp.srcport", "tcp.dstport", "udp.srcport", "udp.dstport", "icmp.type",
    "frame.len",
)  # fmt: skip
ZONES = [("10.10", 10), ("10.20", 20), ("10.30", 30), ("10.40", 40), ("10.99", 99), ("10.50", 50)]
SNMP_V2C = bytes.fromhex(
    "302602010104067075626c6963a019020101020100020100300e300c06082b060102010101000500"
)


def make_frames(count: int, seed: int = 7) -> Iterator[bytes]:
    """``count`` distinct frames (addresses, ports, MACs and kinds vary), made one at a time."""
    rng = random.Random(seed)
    for index in range(count):
        (src_net, vlan), (dst_net, _) = rng.choice(ZONES), rng.choice(ZONES)
        src = f"{src_net}.{rng.randrange(1, 250)}.{rng.randrange(1, 250)}"
        dst = f"{dst_net}.{rng.randrange(1, 250)}.{rng.randrange(1, 250)}"
        mac_src = f"02:{index >> 24 & 255:02x}:00:{index >> 16 & 255:02x}:{index >> 8 & 255:02x}:{index & 255:02x}"  # fmt: skip
        mac_dst = "02:aa:00:00:00:01"
        kind = rng.random()
        if kind < 0.45:
            flags = 0x02 if rng.random() < 0.1 else 0x18
            payload = ipv4(src, dst, 6, tcp(rng.randrange(32768, 60999), rng.choice((443, 22, 3389, 80, 445)), flags, b"x" * rng.randrange(0, 600)))  # fmt: skip
            yield ethernet(mac_src, mac_dst, 0x0800, payload, (vlan,))
        elif kind < 0.65:
            payload = ipv4(src, dst, 17, udp(rng.randrange(32768, 60999), 53, b"q" * 40))
            yield ethernet(mac_src, mac_dst, 0x0800, payload, (vlan,))
        elif kind < 0.72:
            payload = ipv4(src, dst, 17, udp(rng.randrange(32768, 60999), 161, SNMP_V2C))
            yield ethernet(mac_src, mac_dst, 0x0800, payload, (vlan,))
        elif kind < 0.80:
            yield ethernet(mac_src, mac_dst, 0x0800, ipv4(src, dst, 1, icmp_echo()), (vlan,))
        elif kind < 0.90:
            payload = ipv4(src, dst, 6, tcp(rng.randrange(32768, 60999), 443, 0x10, b"y" * 200))
            yield ethernet(mac_src, mac_dst, 0x0800, payload, (200, vlan))  # QinQ
        elif kind < 0.999:
            six_src = bytes.fromhex("fd00000000000000") + index.to_bytes(8, "big")
            six_dst = bytes.fromhex("fd000000000000000000000000000001")
            payload = ipv6(six_src, six_dst, 6, tcp(rng.randrange(32768, 60999), 443, 0x18, b"z" * 100))  # fmt: skip
            yield ethernet(mac_src, mac_dst, 0x86DD, payload)
        else:
            arp = bytes.fromhex("0001080006040002") + bytes.fromhex(mac_src.replace(":", ""))
            arp += bytes(int(p) for p in src.split(".")) + b"\x00" * 6 + bytes(4)
            yield ethernet(mac_src, "ff:ff:ff:ff:ff:ff", 0x0806, arp, (vlan,))


def generate(path: Path, packets: int, distinct: bool) -> float:
    """Repetitive: 20,000 distinct frames cycled; distinct: every frame its own flow and host."""
    started = time.perf_counter()
    base = 1_790_000_000.0
    if distinct:
        source: Iterator[bytes] = make_frames(packets, seed=11)
    else:
        pool = list(make_frames(20_000))
        source = (pool[index % len(pool)] for index in range(packets))
    write_pcap(path, ((base + index * 0.0001, frame) for index, frame in enumerate(source)))
    return time.perf_counter() - started


KYOJIN = (
    "import json, sys, time\n"
    "from pathlib import Path\n"
    "from auditor.policy.loader import load_policy\n"
    "from auditor.collect.traffic import analyze_files\n"
    f"policy = load_policy(Path({str(ROOT / 'policies/example-city')!r})).policy\n"
    "started, cpu = time.perf_counter(), time.process_time()\n"
    "summary = analyze_files([Path(sys.argv[1])], policy)\n"
    "print(json.dumps({'analysis_seconds': time.perf_counter() - started,"
    " 'analysis_cpu': time.process_time() - cpu, 'packets': summary.packets,"
    " 'flows': len(summary.flows), 'hosts': len(summary.hosts),"
    " 'errors': len(summary.read_errors)}))\n"
)
RAW_SCAPY = (
    "import json, sys, time\n"
    "from scapy.utils import RawPcapReader\n"
    "started = time.perf_counter()\n"
    "count = sum(1 for _ in RawPcapReader(sys.argv[1]))\n"
    "print(json.dumps({'analysis_seconds': time.perf_counter() - started, 'packets': count}))\n"
)


def run_child(command: list[str]) -> tuple[float, float, float, bytes, float | None]:
    """Wall seconds (start-up included), CPU seconds, peak RSS MiB, stdout, first-output time.

    The child's own rusage comes from ``wait4``, so one child's peak never hides another's.
    Output is read in large blocks so the reader never slows the child down.
    """
    started = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    assert child.stdout is not None
    first_output: float | None = None
    chunks: list[bytes] = []
    keep = command[0] != shutil.which("tshark")
    lines = 0
    try:
        while True:
            chunk = child.stdout.read1(1 << 16)
            if not chunk:
                break
            if first_output is None:
                first_output = time.perf_counter()
            lines += chunk.count(b"\n")
            if keep:
                chunks.append(chunk)
    finally:
        child.stdout.close()
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
    ended = time.perf_counter()
    if child.returncode != 0:
        raise SystemExit(f"{command[0]} failed with exit code {child.returncode}")
    output = b"".join(chunks) if keep else str(lines).encode()
    since_first = None if first_output is None else ended - first_output
    return (
        ended - started,
        usage.ru_utime + usage.ru_stime,
        usage.ru_maxrss / 1024,
        output,
        since_first,
    )


def run_kyojin(path: Path) -> dict[str, float]:
    wall, cpu, rss, output, _ = run_child([sys.executable, "-c", KYOJIN, str(path)])
    inner = json.loads(output.decode().strip().splitlines()[-1])
    return {"seconds": wall, "cpu_seconds": cpu, "peak_rss_mib": rss, **inner}


def run_raw_scapy(path: Path) -> dict[str, float]:
    wall, cpu, rss, output, _ = run_child([sys.executable, "-c", RAW_SCAPY, str(path)])
    inner = json.loads(output.decode().strip().splitlines()[-1])
    return {"seconds": wall, "cpu_seconds": cpu, "peak_rss_mib": rss, **inner}


def run_tshark(path: Path) -> dict[str, float]:
    tshark = shutil.which("tshark")
    if tshark is None:
        raise SystemExit("tshark is not installed (scripts/install-system-deps.sh)")
    command = [tshark, "-n", "-r", str(path), "-T", "fields"]
    for name in TSHARK_FIELDS:
        command += ["-e", name]
    wall, cpu, rss, output, since_first = run_child(command)
    return {
        "seconds": wall,
        "cpu_seconds": cpu,
        "peak_rss_mib": rss,
        "packets": int(output),
        # Without start-up: from its first output line (start-up and one packet done) to the end.
        "analysis_seconds": since_first if since_first is not None else wall,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--packets", type=int, default=1_000_000)
    parser.add_argument("--repetitions", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="keep the generated captures in this directory")
    args = parser.parse_args()
    if args.repetitions < 3:
        raise SystemExit("at least 3 repetitions")
    kinds = ("repetitive", "distinct")
    runs: dict[str, dict[str, list[dict[str, float]]]] = {
        kind: {"kyojin": [], "tshark": [], "raw_scapy": []} for kind in kinds
    }
    files: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="kyojin-pcap-") as scratch:
        folder = args.keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        paths = {kind: folder / f"{kind}.pcap" for kind in kinds}
        for kind in kinds:
            seconds = generate(paths[kind], args.packets, distinct=kind == "distinct")
            size = paths[kind].stat().st_size / 2**20
            files[kind] = {"mib": round(size, 1), "generate_seconds": round(seconds, 2)}
            print(f"generated {kind}: {args.packets:,} packets ({size:.0f} MiB) in {seconds:.1f} s")
        for repetition in range(args.repetitions):  # interleaved: product, reference, product, …
            for kind in kinds:
                runs[kind]["kyojin"].append(run_kyojin(paths[kind]))
                runs[kind]["tshark"].append(run_tshark(paths[kind]))
                runs[kind]["raw_scapy"].append(run_raw_scapy(paths[kind]))
            print(f"repetition {repetition + 1}/{args.repetitions} done")
    figures: dict[str, Any] = {}
    for kind in kinds:
        kyojin, tshark, raw = (runs[kind][name] for name in ("kyojin", "tshark", "raw_scapy"))
        if any(
            k["packets"] != args.packets or t["packets"] != args.packets
            for k, t in zip(kyojin, tshark, strict=True)
        ):
            raise SystemExit(f"{kind}: a tool did not read every packet")  # fmt: skip
        with_start = [t["seconds"] / k["seconds"] for k, t in zip(kyojin, tshark, strict=True)]
        cpu = [t["cpu_seconds"] / k["cpu_seconds"] for k, t in zip(kyojin, tshark, strict=True)]
        without = [
            t["analysis_seconds"] / k["analysis_seconds"]
            for k, t in zip(kyojin, tshark, strict=True)
        ]
        raw_ratio = [k["analysis_seconds"] / r["analysis_seconds"] for k, r in zip(kyojin, raw, strict=True)]  # fmt: skip
        figures[kind] = {
            "kyojin_wall_s": spread([k["seconds"] for k in kyojin]),
            "kyojin_analysis_s": spread([k["analysis_seconds"] for k in kyojin]),
            "kyojin_peak_rss_mib": spread([k["peak_rss_mib"] for k in kyojin]),
            "tshark_wall_s": spread([t["seconds"] for t in tshark]),
            "tshark_after_first_line_s": spread([t["analysis_seconds"] for t in tshark]),
            "tshark_peak_rss_mib": spread([t["peak_rss_mib"] for t in tshark]),
            "speedup_with_startup_wall": spread(with_start),
            "speedup_with_startup_cpu": spread(cpu),
            "speedup_without_startup": spread(without),
            "kyojin_over_raw_scapy_loop": spread(raw_ratio),
            "flows": kyojin[0]["flows"],
            "hosts": kyojin[0]["hosts"],
        }
        print(f"--- {kind} ({args.packets:,} packets, {kyojin[0]['flows']:.0f} zone flows)")
        print(show("kyojin process s (start-up incl.)", [k["seconds"] for k in kyojin], digits=2))
        print(show("kyojin analysis s (no start-up)", [k["analysis_seconds"] for k in kyojin], digits=2))  # fmt: skip
        print(show("tshark process s (start-up incl.)", [t["seconds"] for t in tshark], digits=2))
        print(show("tshark after first line s", [t["analysis_seconds"] for t in tshark], digits=2))
        print(show("bare RawPcapReader loop s", [r["analysis_seconds"] for r in raw], digits=2))
        print(show("peak RSS MiB kyojin", [k["peak_rss_mib"] for k in kyojin], digits=0))
        print(show("peak RSS MiB tshark", [t["peak_rss_mib"] for t in tshark], digits=0))
        print(show("speedup, both with start-up (wall)", with_start, "x", 2))
        print(show("speedup, both with start-up (CPU)", cpu, "x", 2))
        print(show("speedup, both without start-up", without, "x", 2))
        print(show("kyojin / bare RawPcapReader loop", raw_ratio, "x", 2))
        # The headline is the less favourable of the two fair comparisons (medians).
        figures[kind]["fair_speedup"] = min(
            figures[kind]["speedup_with_startup_wall"]["median"],
            figures[kind]["speedup_without_startup"]["median"],
        )
    out = write_results(
        "pcap",
        {
            "reference": "tshark -n -r FILE -T fields -e <14 fields> (same file, same run)",
            "packets": args.packets,
            "repetitions": args.repetitions,
            "files": files,
            "figures": figures,
            "runs": runs,
        },
    )
    print(f"wrote {out.relative_to(ROOT)}")
    print(f"fair speedup vs tshark (repetitive): {figures['repetitive']['fair_speedup']:.1f}x")
    print(f"fair speedup vs tshark (distinct flows): {figures['distinct']['fair_speedup']:.1f}x")


if __name__ == "__main__":
    main()

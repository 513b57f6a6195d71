"""pcap reading speed: Kyojin's raw reader + struct decoder vs ``tshark -T fields``, same file.

Generates a capture of N mixed packets (default 1,000,000: IPv4 TCP/UDP/ICMP between the example
city's zones with 802.1Q tags, QinQ, IPv6 TCP, SNMPv2c, DNS, a few ARP replies) with the
struct-packed writer, then, in the same run:

* Kyojin: ``analyze_files`` (decode every header, map both addresses to zones, aggregate flows,
  hosts, cleartext sightings) in a child process: packets/s and its peak RSS;
* tshark: ``tshark -n -r FILE -T fields`` extracting the same fields (time, MAC, VLAN, IPv4/IPv6
  addresses, protocol, ports, ICMP type, length) to /dev/null: packets/s and its peak RSS.

Prints the figures and the ratio (Kyojin packets/s ÷ tshark packets/s; above 1 = faster) and
writes JSON to ``bench/results/``. Usage: ``python bench/pcap.py [--packets 1000000]``.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

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
TSHARK_FIELDS = (
    "frame.time_epoch", "eth.src", "vlan.id", "ip.src", "ip.dst", "ipv6.src", "ipv6.dst",
    "ip.proto", "tcp.srcport", "tcp.dstport", "udp.srcport", "udp.dstport", "icmp.type",
    "frame.len",
)  # fmt: skip
ZONES = [("10.10", 10), ("10.20", 20), ("10.30", 30), ("10.40", 40), ("10.99", 99), ("10.50", 50)]
SNMP_V2C = bytes.fromhex(
    "302602010104067075626c6963a019020101020100020100300e300c06082b060102010101000500"
)


def templates(count: int, seed: int = 7) -> list[bytes]:
    """Distinct frames to cycle through (addresses, ports and kinds vary)."""
    rng = random.Random(seed)
    frames: list[bytes] = []
    for index in range(count):
        (src_net, vlan), (dst_net, _) = rng.choice(ZONES), rng.choice(ZONES)
        src = f"{src_net}.{rng.randrange(1, 250)}.{rng.randrange(1, 250)}"
        dst = f"{dst_net}.{rng.randrange(1, 250)}.{rng.randrange(1, 250)}"
        mac_src = f"02:00:00:{index >> 16 & 255:02x}:{index >> 8 & 255:02x}:{index & 255:02x}"
        mac_dst = "02:aa:00:00:00:01"
        kind = rng.random()
        if kind < 0.45:
            flags = 0x02 if rng.random() < 0.1 else 0x18
            payload = ipv4(src, dst, 6, tcp(rng.randrange(32768, 60999), rng.choice((443, 22, 3389, 80, 445)), flags, b"x" * rng.randrange(0, 600)))  # fmt: skip
            frames.append(ethernet(mac_src, mac_dst, 0x0800, payload, (vlan,)))
        elif kind < 0.65:
            payload = ipv4(src, dst, 17, udp(rng.randrange(32768, 60999), 53, b"q" * 40))
            frames.append(ethernet(mac_src, mac_dst, 0x0800, payload, (vlan,)))
        elif kind < 0.72:
            payload = ipv4(src, dst, 17, udp(rng.randrange(32768, 60999), 161, SNMP_V2C))
            frames.append(ethernet(mac_src, mac_dst, 0x0800, payload, (vlan,)))
        elif kind < 0.80:
            frames.append(ethernet(mac_src, mac_dst, 0x0800, ipv4(src, dst, 1, icmp_echo()), (vlan,)))  # fmt: skip
        elif kind < 0.90:
            payload = ipv4(src, dst, 6, tcp(rng.randrange(32768, 60999), 443, 0x10, b"y" * 200))
            frames.append(ethernet(mac_src, mac_dst, 0x0800, payload, (200, vlan)))  # QinQ
        elif kind < 0.999:
            six_src = bytes.fromhex("fd000000000000000000000000000000")[:-2] + index.to_bytes(2, "big")  # fmt: skip
            six_dst = bytes.fromhex("fd000000000000000000000000000001")
            payload = ipv6(six_src, six_dst, 6, tcp(rng.randrange(32768, 60999), 443, 0x18, b"z" * 100))  # fmt: skip
            frames.append(ethernet(mac_src, mac_dst, 0x86DD, payload))
        else:
            arp = bytes.fromhex("0001080006040002") + bytes.fromhex(mac_src.replace(":", ""))
            arp += bytes(int(p) for p in src.split(".")) + b"\x00" * 6 + bytes(4)
            frames.append(ethernet(mac_src, "ff:ff:ff:ff:ff:ff", 0x0806, arp, (vlan,)))
    return frames


def generate(path: Path, packets: int) -> float:
    started = time.perf_counter()
    pool = templates(20_000)

    def frames() -> Iterator[tuple[float, bytes]]:
        base = 1_790_000_000.0
        for index in range(packets):
            yield base + index * 0.0001, pool[index % len(pool)]

    write_pcap(path, frames())
    return time.perf_counter() - started


def run_kyojin(path: Path) -> dict[str, float]:
    """In a child process, so its peak RSS is the analysis alone."""
    code = (
        "import json, resource, sys, time\n"
        "from pathlib import Path\n"
        "from auditor.policy.loader import load_policy\n"
        "from auditor.collect.traffic import analyze_files\n"
        f"policy = load_policy(Path({str(ROOT / 'policies/example-city')!r})).policy\n"
        "started = time.perf_counter()\n"
        "summary = analyze_files([Path(sys.argv[1])], policy)\n"
        "elapsed = time.perf_counter() - started\n"
        "print(json.dumps({'seconds': elapsed, 'packets': summary.packets,"
        " 'flows': len(summary.flows), 'errors': len(summary.read_errors),"
        " 'peak_rss_mib': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))\n"
    )
    completed = subprocess.run(
        [sys.executable, "-c", code, str(path)], capture_output=True, text=True, check=True
    )
    result: dict[str, float] = json.loads(completed.stdout.strip().splitlines()[-1])
    return result


def run_tshark(path: Path) -> dict[str, float]:
    tshark = shutil.which("tshark")
    if tshark is None:
        raise SystemExit("tshark is not installed (scripts/install-system-deps.sh)")
    command = [tshark, "-n", "-r", str(path), "-T", "fields"]
    for name in TSHARK_FIELDS:
        command += ["-e", name]
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    lines = 0
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL) as child:
        assert child.stdout is not None
        for _ in child.stdout:
            lines += 1
    elapsed = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return {
        "seconds": elapsed,
        "packets": lines,
        "peak_rss_mib": max(peak, before) / 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--packets", type=int, default=1_000_000)
    parser.add_argument("--keep", type=Path, help="keep the generated capture here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kyojin-pcap-") as scratch:
        path = args.keep or Path(scratch) / "mixed.pcap"
        generation = generate(path, args.packets)
        size = path.stat().st_size
        print(f"generated {args.packets:,} packets ({size / 2**20:.0f} MiB) in {generation:.1f} s")
        kyojin = run_kyojin(path)
        tshark = run_tshark(path)
    kyojin_rate = kyojin["packets"] / kyojin["seconds"]
    tshark_rate = tshark["packets"] / tshark["seconds"]
    result = {
        "benchmark": "pcap",
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": platform.platform(),
        "packets": args.packets,
        "file_mib": round(size / 2**20, 1),
        "generate_seconds": round(generation, 2),
        "kyojin": {**kyojin, "packets_per_second": round(kyojin_rate)},
        "tshark": {**tshark, "packets_per_second": round(tshark_rate)},
        "ratio_kyojin_over_tshark": round(kyojin_rate / tshark_rate, 2),
    }
    print(
        f"kyojin: {kyojin['packets']:,.0f} packets in {kyojin['seconds']:.1f} s = "
        f"{kyojin_rate:,.0f} packets/s, peak RSS {kyojin['peak_rss_mib']:.0f} MiB, "
        f"{kyojin['flows']:.0f} flows"
    )
    print(
        f"tshark: {tshark['packets']:,.0f} packets in {tshark['seconds']:.1f} s = "
        f"{tshark_rate:,.0f} packets/s, peak RSS {tshark['peak_rss_mib']:.0f} MiB"
    )
    print(f"ratio (kyojin / tshark packets/s): {result['ratio_kyojin_over_tshark']}")
    out = ROOT / "bench" / "results" / f"pcap-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()

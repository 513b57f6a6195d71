"""Benchmark: poll N SNMP devices with the Kyojin collector and with net-snmp's snmpbulkwalk.

Two agents are available:

``--agent snmpd`` (default)
    net-snmp ``snmpd`` (a C agent, so the agent is not the bottleneck) inside a network namespace
    created for the run, with ``--veth-pairs`` veth pairs (2 interfaces each) and ``--neighbors``
    permanent neighbour entries, so every device has a switch-sized ifTable/ifXTable and ARP
    table. Each benchmark "device" is one community of that agent (``rocommunity bench-N``).
    The whole benchmark re-executes itself inside the namespace (``ip netns exec``); needs root.

``--agent lab``
    The lab's synthetic city of N devices (``auditor.lab.synthetic.synthetic_city``: six
    platforms, 24 access ports per edge switch, every 100th device SNMPv3) served by the lab's
    snmpsim. snmpsim is written in Python on top of pysnmp, so it is the bottleneck for both
    clients and the ratio says little about the clients; it shows the lab at scale.

``--agent snmpsim``
    N copies of one example-city device's recording in one snmpsim process (same caveat).

Both clients walk exactly the same columns (``auditor.platforms.snmp_columns.TABLES``) of the same
devices with the same max-repetitions and the same number of devices in flight. Kyojin's probe of
default communities is switched off (snmpbulkwalk does not do it).

**The fair ratio (reference: net-snmp, both counted as processes).** ``snmpbulkwalk`` walks one
OID per process. The reference spends one ``snmpbulkwalk`` process per device and *column set*:
one per table, walking the table's entry subtree (the longest OID prefix shared by the columns
Kyojin asks for: a superset of them), plus one ``snmpget`` for the system scalars — 17 processes
per device instead of the 43 a per-column walk needs. Its client CPU is the children's resource
usage (user + system) ÷ devices. Kyojin is counted the same way: one child process
(``python -c …``) that imports the collector and polls every device with one worker; its CPU,
interpreter start-up and imports included, ÷ devices. The last line is
``fair cpu ratio (kyojin/net-snmp): N.NN`` (median over the repetitions; ≤ 3 is the goal of
issue 20). net-snmp process start-up (≈5 ms) still dominates the reference, so a second,
stricter figure is printed too: CPU per *row* against ONE ``snmpbulkwalk`` per device of the
whole IF-MIB interfaces subtree (start-up spread over ~1,000 rows; issue 20's 0.007 CPU-s).
The last line takes the less favourable of the two ratios for Kyojin. rows/s are wall-clock
figures of each run (the per-table reference walks whole table entries: more rows than asked).

With the snmpd agent every device is also an SNMPv3 user (authPriv SHA/AES-128 like the lab, and
``<name>-np`` authNoPriv SHA); ``--modes`` (default ``v2c,v3,v3-authnopriv``) are measured in turn
within each repetition, each against net-snmp speaking the same protocol, with a ``fair cpu ratio
<mode>`` line each; the last line is the worst mode.

The two clients run interleaved (net-snmp, Kyojin, net-snmp, …) ``--repetitions`` times (≥ 3);
min/median/max are printed and written to ``bench/results/snmp_poll-….json``.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import cProfile
import io
import json
import os
import pstats
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from auditor.collect.snmp import PollOptions, collect_snmp  # noqa: E402
from auditor.inventory.models import CredentialRef, Device, SnmpSettings  # noqa: E402
from auditor.platforms.snmp_columns import TABLES  # noqa: E402
from bench.common import show, spread, write_results  # noqa: E402

NAMESPACE = "kyojin-bench-snmp"


@dataclass
class Figures:
    client: str
    devices: int
    succeeded: int
    rows: int
    wall_seconds: float
    cpu_seconds: float
    peak_rss_mib: float
    processes: int = 0

    @property
    def devices_per_second(self) -> float:
        return self.devices / self.wall_seconds if self.wall_seconds else 0.0

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.wall_seconds if self.wall_seconds else 0.0

    @property
    def cpu_per_device(self) -> float:
        return self.cpu_seconds / self.devices if self.devices else 0.0

    def as_dict(self) -> dict[str, object]:
        data = asdict(self)
        data.update(
            devices_per_second=round(self.devices_per_second, 2),
            rows_per_second=round(self.rows_per_second, 1),
            cpu_seconds_per_device=round(self.cpu_per_device, 5),
        )
        return data


_NETSNMP_AUTH = {
    "md5": "MD5",
    "sha": "SHA",
    "sha224": "SHA-224",
    "sha256": "SHA-256",
    "sha384": "SHA-384",
    "sha512": "SHA-512",
}
_NETSNMP_PRIV = {"des": "DES", "aes": "AES", "aes192": "AES-192", "aes256": "AES-256"}


@dataclass(frozen=True)
class Target:
    """One benchmark device: where it answers and with which credentials (lab secrets)."""

    name: str
    port: int
    community: str | None = None
    user: str | None = None
    auth_protocol: str = "sha"
    auth_key: str | None = None
    priv_protocol: str = "none"
    priv_key: str | None = None

    def netsnmp_auth(self) -> list[str]:
        if self.community is not None:
            return ["-v2c", "-c", self.community]
        level = "authPriv" if self.priv_protocol != "none" else "authNoPriv"
        args = ["-v3", "-l", level, "-u", self.user or "", "-a"]
        args += [_NETSNMP_AUTH[self.auth_protocol], "-A", self.auth_key or ""]
        if self.priv_protocol != "none":
            args += ["-x", _NETSNMP_PRIV[self.priv_protocol], "-X", self.priv_key or ""]
        return args

    def device(self, timeout: float, repetitions: int) -> Device:
        def ref(kind: str, value: str | None) -> CredentialRef | None:
            return CredentialRef(env=f"{self.name}/{kind}") if value is not None else None

        settings = SnmpSettings(
            version="v2c" if self.community is not None else "v3",
            port=self.port,
            community=ref("community", self.community),
            user=self.user,
            auth_protocol=self.auth_protocol,  # type: ignore[arg-type]
            auth_key=ref("auth", self.auth_key),
            priv_protocol=self.priv_protocol,  # type: ignore[arg-type]
            priv_key=ref("priv", self.priv_key),
            timeout=timeout,
            retries=1,
            max_repetitions=repetitions,
        )
        return Device(name=self.name, address="127.0.0.1", platform="generic", snmp=settings)

    def secrets(self) -> dict[str, str]:
        values = {"community": self.community, "auth": self.auth_key, "priv": self.priv_key}
        return {f"{self.name}/{k}": v for k, v in values.items() if v is not None}


def free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_answers(port: int, community: str, deadline: float = 120.0) -> None:
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        result = subprocess.run(
            [
                "snmpget",
                "-v2c",
                "-c",
                community,
                "-t",
                "0.5",
                "-r",
                "0",
                "-On",
                f"127.0.0.1:{port}",
                "1.3.6.1.2.1.1.3.0",
            ],
            capture_output=True,
            env={**os.environ, "MIBS": ""},
            check=False,
        )
        if result.returncode == 0:
            return
        time.sleep(0.2)
    raise RuntimeError(f"agent on {port} never answered {community}")


# ------------------------------------------------------------------ agents


def prepare_namespace(veth_pairs: int, neighbors: int) -> None:
    subprocess.run(["ip", "netns", "add", NAMESPACE], check=True)
    script = ["ip link set lo up"]
    for index in range(veth_pairs):
        script.append(f"ip link add bva{index} type veth peer name bvb{index}")
        script.append(f"ip link set bva{index} up")
        script.append(f"ip link set bvb{index} up")
    script.append("ip addr add 10.250.0.1/16 dev bva0")
    for index in range(neighbors):
        high, low = divmod(index + 2, 250)
        mac = f"02:42:{high:02x}:{low:02x}:{index % 256:02x}:01"
        script.append(f"ip neigh add 10.250.{high}.{low} lladdr {mac} dev bva0 nud permanent")
    subprocess.run(
        ["ip", "netns", "exec", NAMESPACE, "sh", "-e"],
        input="\n".join(script).encode(),
        check=True,
    )


def delete_namespace() -> None:
    subprocess.run(["ip", "netns", "del", NAMESPACE], check=False, stderr=subprocess.DEVNULL)


def start_snmpd(work: Path, devices: int) -> tuple[subprocess.Popen[bytes], list[Target]]:
    """snmpd cannot bind port 0 and report it: pick a free port, retry if it was taken."""
    for attempt in range(3):
        try:
            return _start_snmpd(work, devices, attempt)
        except RuntimeError as exc:
            print(f"  snmpd did not start ({exc}); retrying on another port", file=sys.stderr)
    raise RuntimeError("snmpd did not start in three attempts")


def _stop(process: subprocess.Popen[bytes], group: bool = False) -> None:
    if process.poll() is None:
        if group:
            os.killpg(process.pid, signal.SIGTERM)
        else:
            process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


def _start_snmpd(
    work: Path, devices: int, attempt: int
) -> tuple[subprocess.Popen[bytes], list[Target]]:
    communities = [f"bench-{index:04d}" for index in range(devices)]
    port = free_udp_port()
    work = work / f"snmpd-{attempt}"
    work.mkdir()
    config = work / "snmpd.conf"
    lines = [f"agentAddress udp:127.0.0.1:{port}"]
    lines += [f"rocommunity {community} 127.0.0.1" for community in communities]
    # SNMPv3: one USM user per benchmark device (authPriv SHA/AES like the lab, and authNoPriv).
    for community in communities:
        lines.append(f'createUser {community} SHA "{V3_AUTH_KEY}" AES "{V3_PRIV_KEY}"')
        lines.append(f"rouser {community} priv")
        lines.append(f'createUser {community}-np SHA "{V3_AUTH_KEY}"')
        lines.append(f"rouser {community}-np auth")
    config.write_text("\n".join(lines) + "\n")
    process = subprocess.Popen(
        [
            "snmpd",
            "-f",
            "-Lf",
            str(work / "snmpd.log"),
            "-C",
            "-c",
            str(config),
            "-p",
            str(work / "snmpd.pid"),
            f"--persistentDir={work / 'persist'}",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "MIBS": ""},
    )
    try:
        wait_answers(port, communities[0], deadline=30.0)
    except BaseException:
        _stop(process)
        raise
    return process, [Target(name=c, port=port, community=c) for c in communities]


V3_AUTH_KEY = "bench-auth-pass"
V3_PRIV_KEY = "bench-priv-pass"
MODES = ("v2c", "v3", "v3-authnopriv")


def as_mode(targets: list[Target], mode: str) -> list[Target]:
    """The snmpd targets spoken over ``mode``: v2c communities or the matching v3 users."""
    if mode == "v2c":
        return targets
    if mode == "v3":
        return [
            Target(t.name, t.port, None, t.name, "sha", V3_AUTH_KEY, "aes", V3_PRIV_KEY)
            for t in targets
        ]
    return [Target(t.name, t.port, None, f"{t.name}-np", "sha", V3_AUTH_KEY) for t in targets]


def start_snmpsim(work: Path, devices: int) -> tuple[subprocess.Popen[bytes], list[Target]]:
    communities = [f"bench-{index:04d}" for index in range(devices)]
    from auditor.lab.scenario import load_example_city
    from auditor.lab.snmprec import device_records

    scenario = load_example_city()
    template = next(d for d in scenario.devices if d.name == "myn-core-sw1")
    text = "\n".join(device_records(scenario, template)) + "\n"
    data = work / "data"
    data.mkdir()
    for community in communities:
        (data / f"{community}.snmprec").write_text(text, encoding="utf-8")
    port = free_udp_port()
    executable = shutil.which("snmpsim-command-responder") or str(
        Path(sys.executable).parent / "snmpsim-command-responder"
    )
    process = subprocess.Popen(
        [
            executable,
            f"--data-dir={data}",
            f"--cache-dir={work / 'cache'}",
            f"--agent-udpv4-endpoint=127.0.0.1:{port}",
            "--log-level=error",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "SNMPSIM_ALLOW_ROOT": "true"},
    )
    try:
        for community in communities:
            wait_answers(port, community)
    except BaseException:
        _stop(process)
        raise
    return process, [Target(name=c, port=port, community=c) for c in communities]


def start_lab(work: Path, devices: int) -> tuple[subprocess.Popen[bytes], list[Target]]:
    """The lab's synthetic city of ``devices`` devices (``auditor.lab.synthetic``) in snmpsim."""
    from auditor.lab.snmp_agent import plan_snmp_agent, start_snmp_agent, wait_snmp_ready
    from auditor.lab.synthetic import synthetic_city

    scenario = synthetic_city(devices)
    snmp_devices = [device for device in scenario.devices if device.snmp is not None]
    plan = plan_snmp_agent(scenario, snmp_devices, work)
    process = start_snmp_agent(plan)
    try:
        wait_snmp_ready(plan, process, deadline_seconds=900)
    except BaseException:
        _stop(process, group=True)
        raise
    targets = [
        Target(
            name=access.device,
            port=access.port,
            community=access.community,
            user=access.user,
            auth_protocol=access.auth_protocol or "sha",
            auth_key=access.auth_key,
            priv_protocol=access.priv_protocol or "none",
            priv_key=access.priv_key,
        )
        for access in plan.access.values()
    ]
    return process, targets


# ------------------------------------------------------------------ clients


def columns() -> list[str]:
    return [column for table in TABLES.values() for column in table]


IF_MIB_INTERFACES = "1.3.6.1.2.1.2"


def column_sets() -> list[str | list[str]]:
    """The system scalars (one GET) and, per table, the subtree shared by its walked columns."""
    from auditor.platforms.snmp_columns import SYSTEM_SCALARS

    sets: list[str | list[str]] = [[oid + ".0" for oid in SYSTEM_SCALARS]]
    for table in TABLES.values():
        split = [column.split(".") for column in table]
        shared = 0
        while all(len(parts) > shared and parts[shared] == split[0][shared] for parts in split):
            shared += 1
        sets.append(".".join(split[0][:shared]))
    return sets


def run_netsnmp(
    targets: list[Target],
    concurrency: int,
    repetitions: int,
    timeout: float,
    subtree: str | None = None,
) -> Figures:
    """One process per (device, column set); devices in flight bounded like the Kyojin run.

    ``subtree``: instead, ONE snmpbulkwalk per device of that subtree (raw net-snmp speed).
    """
    environment = {**os.environ, "MIBS": "", "MIBDIRS": "/nonexistent"}
    walked = column_sets()
    if subtree is not None:
        walked = [subtree]

    def one_device(target: Target) -> tuple[int, bool]:
        rows = 0
        ok = True
        for column in walked:
            scalars = isinstance(column, list)
            oids = column if isinstance(column, list) else [column]
            result = subprocess.run(
                [
                    "snmpget" if scalars else "snmpbulkwalk",
                    *target.netsnmp_auth(),
                    *([] if scalars else [f"-Cr{repetitions}"]),
                    "-On",
                    "-Oq",
                    "-t",
                    str(timeout),
                    "-r",
                    "1",
                    f"127.0.0.1:{target.port}",
                    *oids,
                ],
                capture_output=True,
                env=environment,
                check=False,
            )
            ok = ok and result.returncode == 0
            rows += sum(
                1
                for line in result.stdout.splitlines()
                if line.startswith(b".") and b"No Such" not in line
            )
        return rows, ok

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(max_workers=concurrency) as pool:
        outcomes = list(pool.map(one_device, targets))
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Figures(
        client="net-snmp one subtree walk" if subtree else "net-snmp per column set",
        devices=len(targets),
        succeeded=sum(1 for _, ok in outcomes if ok),
        rows=sum(rows for rows, _ in outcomes),
        wall_seconds=wall,
        cpu_seconds=cpu,
        peak_rss_mib=after.ru_maxrss / 1024,
        processes=len(targets) * len(walked),
    )


def run_kyojin(
    targets: list[Target],
    concurrency: int,
    repetitions: int,
    timeout: float,
    workers: int,
    profile_to: Path | None,
    fast: bool = True,
) -> Figures:
    devices = [target.device(timeout, repetitions) for target in targets]
    secrets = {key: value for target in targets for key, value in target.secrets().items()}
    options = PollOptions(concurrency=concurrency, probe_communities=None, fast_path=fast)
    stats: dict[str, int] = {}
    before_self = resource.getrusage(resource.RUSAGE_SELF)
    before_children = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    profiler = cProfile.Profile() if profile_to is not None else None
    if profiler is not None:
        profiler.enable()
    result = collect_snmp(
        devices,
        lambda reference: secrets[reference.env or ""],
        options=options,
        workers=workers,
        stats=stats,
    )
    if profiler is not None:
        profiler.disable()
    wall = time.perf_counter() - start
    after_self = resource.getrusage(resource.RUSAGE_SELF)
    after_children = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = sum(
        (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        for before, after in ((before_self, after_self), (before_children, after_children))
    )
    if profiler is not None and profile_to is not None:
        buffer = io.StringIO()
        pstats.Stats(profiler, stream=buffer).sort_stats("cumulative").print_stats(40)
        profile_to.write_text(buffer.getvalue())
    for error in result.errors[:5]:
        print(
            f"  error: {error.kind} {error.device} {error.subject}: {error.detail}", file=sys.stderr
        )
    return Figures(
        client=f"kyojin {'fast path' if fast else 'pysnmp'} ({workers} worker(s))",
        devices=len(devices),
        succeeded=len(result.snapshots),
        rows=stats.get("rows", 0),
        wall_seconds=wall,
        cpu_seconds=cpu,
        peak_rss_mib=max(after_self.ru_maxrss, after_children.ru_maxrss) / 1024,
    )


def run_kyojin_process(
    targets: list[Target],
    work: Path,
    concurrency: int,
    repetitions: int,
    timeout: float,
    fast: bool,
    profile: bool,
) -> tuple[Figures, Figures]:
    """Kyojin counted as a process: (whole child process, the poll inside it)."""
    spec = work / "targets.json"
    spec.write_text(json.dumps([asdict(target) for target in targets]))
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--kyojin-child",
        str(spec),
        "--concurrency",
        str(concurrency),
        "--max-repetitions",
        str(repetitions),
        "--timeout",
        str(timeout),
        *([] if fast else ["--no-fast-path"]),
        *(["--profile"] if profile else []),
    ]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    completed = subprocess.run(command, capture_output=True, text=True, check=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    sys.stderr.write(completed.stderr)
    inner = Figures(**json.loads(completed.stdout.strip().splitlines()[-1]))
    outer = Figures(
        client=f"kyojin process ({'fast path' if fast else 'pysnmp'})",
        devices=inner.devices,
        succeeded=inner.succeeded,
        rows=inner.rows,
        wall_seconds=wall,
        cpu_seconds=(after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime),
        peak_rss_mib=inner.peak_rss_mib,
        processes=1,
    )
    return outer, inner


def report(figures: list[Figures]) -> None:
    print(
        f"{'client':32} {'devices/s':>10} {'rows/s':>10} {'CPU s/dev':>10} "
        f"{'peak MiB':>9} {'ok':>5} {'rows':>8}"
    )
    for item in figures:
        print(
            f"{item.client:32} {item.devices_per_second:10.1f} {item.rows_per_second:10.0f} "
            f"{item.cpu_per_device:10.4f} {item.peak_rss_mib:9.1f} "
            f"{item.succeeded:5d} {item.rows:8d}"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", type=int, default=500)
    parser.add_argument("--agent", choices=["snmpd", "snmpsim", "lab"], default="snmpd")
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--max-repetitions", type=int, default=50)
    parser.add_argument("--workers", type=int, default=1, help="Kyojin worker processes")
    parser.add_argument("--timeout", type=float, default=5.0)
    parser.add_argument("--repetitions", type=int, default=3)
    parser.add_argument("--veth-pairs", type=int, default=24)
    parser.add_argument("--neighbors", type=int, default=200)
    parser.add_argument(
        "--no-fast-path", action="store_true", help="Kyojin through pysnmp only (v2c too)"
    )
    parser.add_argument(
        "--modes",
        default=",".join(MODES),
        help="snmpd agent: comma-separated protocols to measure (v2c, v3 = authPriv SHA/AES, "
        "v3-authnopriv = SHA)",
    )
    parser.add_argument("--profile", action="store_true", help="cProfile the first Kyojin run")
    parser.add_argument("--inside", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--kyojin-child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.repetitions = max(3, args.repetitions)

    if args.kyojin_child is not None:
        targets = [Target(**item) for item in json.loads(args.kyojin_child.read_text())]
        profile_path = REPO / "bench" / "results" / "snmp_poll_profile.txt"
        figures = run_kyojin(
            targets,
            args.concurrency,
            args.max_repetitions,
            args.timeout,
            1,
            profile_path if args.profile else None,
            fast=not args.no_fast_path,
        )
        print(json.dumps(asdict(figures)))
        return 0

    if args.agent == "snmpd" and not args.inside:
        if os.geteuid() != 0:
            print("the snmpd agent needs root (network namespace); try --agent snmpsim")
            return 2
        delete_namespace()
        try:
            prepare_namespace(args.veth_pairs, args.neighbors)
            command = ["ip", "netns", "exec", NAMESPACE, sys.executable, *sys.argv, "--inside"]
            return subprocess.run(command, check=False).returncode
        finally:
            delete_namespace()

    work = Path(tempfile.mkdtemp(prefix="kyojin-bench-"))
    starters = {"snmpd": start_snmpd, "snmpsim": start_snmpsim, "lab": start_lab}
    process: subprocess.Popen[bytes] | None = None
    modes = [mode for mode in args.modes.split(",") if mode] if args.agent == "snmpd" else ["as-is"]
    runs: dict[str, dict[str, list[Figures]]] = {
        mode: {"netsnmp": [], "kyojin": [], "subtree": [], "polls": []} for mode in modes
    }
    try:
        process, all_targets = starters[args.agent](work, args.devices)
        v3 = sum(1 for target in all_targets if target.community is None)
        spoken = f"{v3} SNMPv3" if args.agent != "snmpd" else "each over every mode"
        print(
            f"agent {args.agent}, {len(all_targets)} devices ({spoken}), "
            f"{len(columns())} columns, concurrency {args.concurrency}, "
            f"max-repetitions {args.max_repetitions}, {os.cpu_count()} CPUs, "
            f"{args.repetitions} interleaved repetitions, modes {', '.join(modes)}"
        )
        common = (args.concurrency, args.max_repetitions, args.timeout)
        for repetition in range(args.repetitions):
            for mode in modes:  # interleaved: every mode and client once per repetition
                targets = all_targets if mode == "as-is" else as_mode(all_targets, mode)
                bucket = runs[mode]
                bucket["netsnmp"].append(run_netsnmp(targets, *common))
                outer, inner = run_kyojin_process(
                    targets,
                    work,
                    *common,
                    fast=not args.no_fast_path,
                    profile=args.profile and repetition == 0,
                )
                bucket["kyojin"].append(outer)
                bucket["polls"].append(inner)
                bucket["subtree"].append(run_netsnmp(targets, *common, subtree=IF_MIB_INTERFACES))
            print(f"  repetition {repetition + 1}/{args.repetitions} done", file=sys.stderr)
    finally:
        if process is not None:
            _stop(process, group=args.agent == "lab")
        shutil.rmtree(work, ignore_errors=True)

    results: dict[str, object] = {
        "reference": "net-snmp: one snmpbulkwalk per device and table; both as processes",
        "arguments": {k: v for k, v in vars(args).items() if k not in ("inside",)},
    }
    headlines: dict[str, float] = {}
    for mode in modes:
        bucket = runs[mode]
        netsnmp, kyojin = bucket["netsnmp"], bucket["kyojin"]
        polls, subtree = bucket["polls"], bucket["subtree"]
        print(f"--- {mode}")
        report(netsnmp + kyojin + polls + subtree)
        ratios = [k.cpu_per_device / n.cpu_per_device for k, n in zip(kyojin, netsnmp, strict=True)]
        rows_ratio = [
            n.rows_per_second / k.rows_per_second if k.rows_per_second else float("inf")
            for n, k in zip(netsnmp, kyojin, strict=True)
        ]
        per_row = [
            (k.cpu_seconds / k.rows) / (t.cpu_seconds / t.rows)
            for k, t in zip(polls, subtree, strict=True)
            if k.rows and t.rows and t.cpu_seconds
        ]
        print(
            f"reference ({mode}): net-snmp, one snmpbulkwalk per device and column set (table), "
            "both clients counted as processes"
        )
        print(show("net-snmp CPU s/device", [f.cpu_per_device for f in netsnmp]))
        print(show("kyojin CPU s/device (process)", [f.cpu_per_device for f in kyojin]))
        print(show("kyojin CPU s/device (poll only)", [f.cpu_per_device for f in polls]))
        print(show("net-snmp one-subtree CPU s/device", [f.cpu_per_device for f in subtree]))
        print(show("rows/s net-snmp", [f.rows_per_second for f in netsnmp], digits=0))
        print(show("rows/s kyojin (process)", [f.rows_per_second for f in kyojin], digits=0))
        print(show("rows/s ratio net-snmp/kyojin", rows_ratio, digits=2))
        print(show("CPU/row ratio kyojin poll / net-snmp one-subtree walk", per_row, digits=2))
        print(show("cpu ratio kyojin/net-snmp", ratios, digits=2))
        # Per mode, the less favourable of the two definitions for Kyojin.
        headlines[mode] = max(
            spread(ratios)["median"], spread(per_row)["median"] if per_row else 0.0
        )
        print(f"fair cpu ratio {mode} (kyojin/net-snmp): {headlines[mode]:.2f}")
        results[mode] = {
            "netsnmp": [item.as_dict() for item in netsnmp],
            "kyojin_process": [item.as_dict() for item in kyojin],
            "kyojin_poll": [item.as_dict() for item in polls],
            "netsnmp_one_subtree": [item.as_dict() for item in subtree],
            "fair_cpu_ratio": spread(ratios),
            "rows_per_second_ratio_netsnmp_over_kyojin": spread(rows_ratio),
            "cpu_per_row_ratio_vs_one_subtree_walk": spread(per_row) if per_row else None,
            "headline": round(headlines[mode], 3),
        }
    worst = max(headlines, key=lambda mode: headlines[mode])
    results["headline"] = {"mode": worst, "ratio": round(headlines[worst], 3)}
    path = write_results(f"snmp_poll-{args.agent}-{args.devices}", results)
    print(f"results: {path.relative_to(REPO)}")
    print(f"the last line is the worst mode: {worst}")
    print(f"fair cpu ratio (kyojin/net-snmp): {headlines[worst]:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""A segmentation lab in network namespaces: one router with nftables, one namespace per zone.

Built from the policy so that the probe's expectations and the router's filter come from the same
source, plus ONE deliberate hole the probe must find. Every namespace gets only the policy's
private addresses and no link to the host's network. What was created is written to a state file
as it is created, so ``down`` removes exactly that, even after a half-finished ``up``.
"""

from __future__ import annotations

import ipaddress
import json
import os
import subprocess
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from auditor.policy.models import Policy, ZoneKind, parse_service

HOLE_COMMENT = "kyojin-lab-hole"


class NetnsLabError(Exception):
    """The lab could not be built or removed (the message names the failing command)."""


@dataclass(frozen=True)
class Hole:
    source_zone: str
    target_zone: str
    service: str  # tcp/PORT or udp/PORT

    def __str__(self) -> str:
        return f"{self.source_zone}->{self.target_zone}:{self.service}"

    @classmethod
    def parse(cls, text: str) -> Hole:
        pair, _, service = text.partition(":")
        source, _, target = pair.partition("->")
        if not (source and target and service):
            raise ValueError(f"hole {text!r}: expected FROM->TO:tcp/PORT")
        parse_service(service)
        return cls(source, target, service)


@dataclass
class LabState:
    prefix: str
    router: str
    namespaces: list[str] = field(default_factory=list)  # every namespace created, in order
    zones: dict[str, str] = field(default_factory=dict)  # zone id → namespace
    targets: dict[str, list[str]] = field(default_factory=dict)  # zone id → addresses
    links: dict[str, str] = field(default_factory=dict)  # zone id → router-side veth name
    hole: str | None = None
    ruleset: str = ""

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(asdict(self), indent=2, ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> LabState:
        return cls(**json.loads(path.read_text(encoding="utf-8")))

    def all_targets(self) -> list[str]:
        return [address for addresses in self.targets.values() for address in addresses]


def default_prefix() -> str:
    return f"kyj-{os.getpid()}-"


def _run(*args: str, stdin: str | None = None) -> None:
    completed = subprocess.run(list(args), input=stdin, capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        raise NetnsLabError(f"{' '.join(args)}: {completed.stderr.strip()}")


def zone_plan(policy: Policy) -> dict[str, tuple[ipaddress.IPv4Network, str, list[str]]]:
    """Zone → (subnet, router address, target addresses) for zones with an IPv4 subnet."""
    plan: dict[str, tuple[ipaddress.IPv4Network, str, list[str]]] = {}
    for zone in policy.zones:
        subnet = next((s for s in zone.subnets if isinstance(s, ipaddress.IPv4Network)), None)
        if subnet is None or subnet.num_addresses < 16:
            continue
        if not subnet.is_private:
            raise NetnsLabError(f"zone {zone.id}: {subnet} is not a private network")
        router = str(subnet.network_address + 1)
        targets = list(zone.probe_targets)
        if not targets:
            targets = [h.address for h in policy.hosts.values() if h.zone == zone.id]
            targets.append(str(subnet.network_address + 10))
        kept = [
            t for t in dict.fromkeys(targets) if ipaddress.ip_address(t) in subnet and t != router
        ]
        plan[zone.id] = (subnet, router, kept)
    return plan


def default_hole(policy: Policy, zones: list[str]) -> Hole:
    """The first zone pair (My Number tier first) without any policy flow, on tcp/443."""
    mynumber = {z.id for z in policy.zones if z.kind == ZoneKind.MYNUMBER}
    ordered = [z for z in zones if z in mynumber] + [z for z in zones if z not in mynumber]
    for source in ordered:
        for target in zones:
            if source != target and not policy.flows_between(source, target):
                return Hole(source, target, "tcp/443")
    raise NetnsLabError("every zone pair has a policy flow: no place for a hole")


def _match_service(service: str) -> str | None:
    kind, first, last = parse_service(service)
    if kind in ("any", "ip"):
        return ""
    if kind in ("icmp", "icmpv6"):
        return "ip protocol icmp"
    if first is None or last is None:
        return f"ip protocol {kind}"
    ports = str(first) if first == last else f"{first}-{last}"
    return f"{kind} dport {ports}"


def ruleset(
    policy: Policy,
    plan: dict[str, tuple[ipaddress.IPv4Network, str, list[str]]],
    hole: Hole,
    table: str,
) -> str:
    """The router's forward filter: policy drop, established back, the policy's flows, the hole."""
    lines = [
        f"table inet {table} {{",
        "  chain forward {",
        "    type filter hook forward priority 0; policy drop;",
        "    ct state established,related accept",
    ]
    for flow in policy.flows:
        if flow.via or flow.from_ not in plan or flow.to not in plan:
            continue  # relay-only flows: the lab has no relay, so the direct path stays closed
        source = plan[flow.from_][0]
        destinations = [str(plan[flow.to][0])]
        if flow.destinations:
            destinations = []
            for name in flow.destinations:
                host = policy.hosts.get(name)
                text = host.address if host is not None else name
                try:
                    destinations.append(str(ipaddress.ip_network(text, strict=False)))
                except ValueError:
                    continue
            if not destinations:
                continue
        for service in flow.services:
            match = _match_service(service)
            if match is None:
                continue
            daddr = ", ".join(destinations)
            words = ["ip saddr", str(source), "ip daddr", f"{{ {daddr} }}", match, "accept"]
            comment = f'comment "{flow.id or "flow"}"'
            lines.append("    " + " ".join(w for w in [*words, comment] if w))
    match = _match_service(hole.service)
    lines.append(
        f"    ip saddr {plan[hole.source_zone][0]} ip daddr {plan[hole.target_zone][0]} "
        f'{match} accept comment "{HOLE_COMMENT}"'
    )
    lines += ["  }", "}", ""]
    return "\n".join(lines)


def lab_up(
    policy: Policy, state_path: Path, prefix: str | None = None, hole: Hole | None = None
) -> LabState:
    """Build the lab; on any failure everything created so far is removed again."""
    prefix = prefix or default_prefix()
    plan = zone_plan(policy)
    if len(plan) < 2:
        raise NetnsLabError("the policy needs at least two zones with a private IPv4 subnet")
    hole = hole or default_hole(policy, list(plan))
    if hole.source_zone not in plan or hole.target_zone not in plan:
        raise NetnsLabError(f"hole {hole}: both zones need an IPv4 subnet")
    state = LabState(prefix=prefix, router=f"{prefix}router", hole=str(hole))
    try:
        _create_namespace(state, state.router, state_path)
        _run("ip", "netns", "exec", state.router, "sysctl", "-qw", "net.ipv4.ip_forward=1")
        for index, (zone_id, (subnet, router_ip, targets)) in enumerate(plan.items()):
            namespace = f"{prefix}{zone_id}"
            _create_namespace(state, namespace, state_path)
            state.zones[zone_id] = namespace
            state.targets[zone_id] = targets
            state.save(state_path)
            link = f"z{index}"
            state.links[zone_id] = link
            _run(
                "ip", "link", "add", link, "netns", state.router, "type", "veth",
                "peer", "name", "eth0", "netns", namespace,
            )  # fmt: skip
            _run("ip", "-n", state.router, "addr", "add", f"{router_ip}/{subnet.prefixlen}",
                 "dev", link)  # fmt: skip
            _run("ip", "-n", state.router, "link", "set", link, "up")
            for target in targets:
                _run("ip", "-n", namespace, "addr", "add", f"{target}/{subnet.prefixlen}",
                     "dev", "eth0")  # fmt: skip
            _run("ip", "-n", namespace, "link", "set", "eth0", "up")
            _run("ip", "-n", namespace, "route", "add", "default", "via", router_ip)
            # Answers to UDP probes are ICMP port-unreachable: never rate-limit them in the lab.
            _run("ip", "netns", "exec", namespace, "sysctl", "-qw", "net.ipv4.icmp_ratelimit=0")
        state.ruleset = ruleset(policy, plan, hole, "kyojin_lab")
        _run("ip", "netns", "exec", state.router, "nft", "-f", "-", stdin=state.ruleset)
        state.save(state_path)
        wait_until_ready(state)
    except Exception:
        lab_down(state_path)
        raise
    return state


def _link_up(namespace: str, device: str) -> bool:
    """The kernel says the link carries traffic (operstate UP), not just that it was set up."""
    shown = subprocess.run(
        ["ip", "-n", namespace, "-j", "link", "show", "dev", device],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if shown.returncode != 0:
        return False
    links = json.loads(shown.stdout or "[]")
    return bool(links) and links[0].get("operstate") == "UP"


def wait_until_ready(state: LabState, timeout: float = 60.0) -> None:
    """Return once every veth end reports operstate UP; probes sent earlier can be lost.

    ``ip link set up`` returns before the veth pair has carrier; on a loaded machine that gap
    was long enough for the first probes to vanish.
    """
    ends = [(state.router, link) for link in state.links.values()]
    ends += [(namespace, "eth0") for namespace in state.zones.values()]
    deadline = time.monotonic() + timeout
    while True:
        pending = [end for end in ends if not _link_up(*end)]
        if not pending:
            return
        if time.monotonic() > deadline:
            names = ", ".join(f"{namespace}/{device}" for namespace, device in pending)
            raise NetnsLabError(f"links not up after {timeout:g} s: {names}")
        time.sleep(0.05)  # poll the kernel's state, bounded by the deadline above


def _create_namespace(state: LabState, name: str, state_path: Path) -> None:
    _run("ip", "netns", "add", name)
    state.namespaces.append(name)
    state.save(state_path)
    _run("ip", "-n", name, "link", "set", "lo", "up")


def lab_down(state_path: Path) -> list[str]:
    """Delete every namespace the state file lists (veths and rules go with them)."""
    if not state_path.exists():
        return []
    state = LabState.load(state_path)
    removed: list[str] = []
    problems: list[str] = []
    for name in reversed(state.namespaces):
        try:
            _run("ip", "netns", "delete", name)
            removed.append(name)
        except NetnsLabError as exc:
            if name in existing_namespaces(state.prefix):
                problems.append(str(exc))
    if problems:
        raise NetnsLabError("; ".join(problems))
    state_path.unlink()
    return removed


def existing_namespaces(prefix: str) -> list[str]:
    completed = subprocess.run(
        ["ip", "netns", "list"],
        capture_output=True,
        text=True,
        check=False,
    )
    names = [line.split()[0] for line in completed.stdout.splitlines() if line.strip()]
    return [name for name in names if name.startswith(prefix)]

"""Live capture: frames from a raw socket on one interface, aggregated like a capture file."""

from __future__ import annotations

import contextlib
import socket
import time
from collections.abc import Callable, Iterator

from auditor.collect.traffic import TrafficAggregator
from auditor.model.traffic import TrafficSummary
from auditor.policy.models import Policy

ETH_P_ALL = 0x0003


def live_frames(
    interface: str, duration: float, on_ready: Callable[[], None] | None = None
) -> Iterator[tuple[float, int, bytes, int]]:
    """Frames from an AF_PACKET raw socket (needs CAP_NET_RAW) for ``duration`` seconds or until
    SIGINT.

    The kernel hands VLAN tags to raw sockets out of band, so frames arrive untagged; zones then
    come from addresses, as for any capture on an access port.
    """
    sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    try:
        sock.bind((interface, 0))
        if on_ready is not None:
            on_ready()
        deadline = time.monotonic() + duration
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return
            sock.settimeout(min(remaining, 0.5))
            try:
                data = sock.recv(65535)
            except TimeoutError:
                continue
            except KeyboardInterrupt:  # Ctrl-C / SIGINT ends the capture early, not the analysis
                return
            yield time.time(), 1, data, len(data)
    finally:
        sock.close()


def watch_interface(
    interface: str,
    duration: float,
    policy: Policy,
    on_ready: Callable[[], None] | None = None,
) -> TrafficSummary:
    aggregator = TrafficAggregator(policy)
    aggregator.sources.append(f"live:{interface}")
    # Interrupted between two frames: what was counted so far stands.
    with contextlib.suppress(KeyboardInterrupt):
        aggregator.feed(live_frames(interface, duration, on_ready))

    return aggregator.summary()

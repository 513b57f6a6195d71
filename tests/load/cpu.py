"""CPU load for tests that must hold on a busy machine: busy-looping processes, stopped on exit.

The Debian ``stress-ng --cpu N`` does the same; this needs nothing installed.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterator
from contextlib import contextmanager


def _spin(stop: multiprocessing.synchronize.Event) -> None:
    value = 0
    while not stop.is_set():
        for _ in range(100_000):
            value = (value * 31 + 7) % 1_000_003


@contextmanager
def cpu_load(workers: int | None = None) -> Iterator[int]:
    """``workers`` busy processes (default: twice the CPUs) for the duration of the block."""
    count = workers or 2 * (os.cpu_count() or 1)
    context = multiprocessing.get_context("spawn")
    stop = context.Event()
    spinners = [context.Process(target=_spin, args=(stop,), daemon=True) for _ in range(count)]
    for spinner in spinners:
        spinner.start()
    try:
        yield count
    finally:
        stop.set()
        for spinner in spinners:
            spinner.join(timeout=10)
            if spinner.is_alive():
                spinner.terminate()
                spinner.join()

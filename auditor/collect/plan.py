"""Which collectors a run uses: every collector whose code exists, or the ones asked for."""

from __future__ import annotations

import importlib
import logging

from auditor.collect.base import Collector

log = logging.getLogger(__name__)

# name → (module, class). The name is also the Device attribute holding its settings.
KNOWN_COLLECTORS: dict[str, tuple[str, str]] = {
    "snmp": ("auditor.collect.snmp", "SnmpCollector"),
    "ssh": ("auditor.collect.ssh", "SshCollector"),
}


def build_collectors(only: set[str] | None = None) -> list[Collector]:
    """Instantiate the requested collectors (all known ones by default)."""
    collectors: list[Collector] = []
    for name, (module_name, class_name) in KNOWN_COLLECTORS.items():
        if only is not None and name not in only:
            continue
        try:
            module = importlib.import_module(module_name)
        except ImportError as exc:
            if only is not None:
                raise ValueError(f"collector {name!r} is not available: {exc}") from exc
            log.debug("collector %s not available: %s", name, exc)
            continue
        collectors.append(getattr(module, class_name)())
    return collectors

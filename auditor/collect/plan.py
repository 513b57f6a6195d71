"""Which collectors a run uses: every collector whose code exists, or the ones asked for."""

from __future__ import annotations

import importlib
import logging

from auditor.collect.base import Collector
from auditor.policy.models import Policy

log = logging.getLogger(__name__)

# name → (module, class). The name is also the Device attribute holding its settings.
KNOWN_COLLECTORS: dict[str, tuple[str, str]] = {
    "snmp": ("auditor.collect.snmp", "SnmpCollector"),
    "ssh": ("auditor.collect.ssh", "SshCollector"),
    "source": ("auditor.collect.files", "FileCollector"),
}


def build_collectors(only: set[str] | None = None, policy: Policy | None = None) -> list[Collector]:
    """Instantiate the requested collectors (all known ones by default).

    With a policy, collectors that take policy settings (the SNMP probe of the policy's forbidden
    communities) are built from it.
    """
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
        collector_class = getattr(module, class_name)
        for_policy = getattr(collector_class, "for_policy", None)
        if policy is not None and for_policy is not None:
            collectors.append(for_policy(policy))
        else:
            collectors.append(collector_class())
    return collectors

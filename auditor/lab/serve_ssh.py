"""Entry point of one detached SSH-device process: ``python -m auditor.lab.serve_ssh PLAN.json``.

The plan names the scenario file, the loopback address and the TCP port of each device this
process serves (no secrets: they stay in the scenario file, mode 0600 in the lab's state
directory). The process runs until it is signalled; ``lab down`` stops its process group.
"""

from __future__ import annotations

import json
import sys
import threading
from pathlib import Path


def drop_unusable_kex() -> None:
    """Stop paramiko's server from offering group-exchange KEX when it has no moduli file.

    Without /etc/ssh/moduli a paramiko server still advertises diffie-hellman-group-exchange but
    then expects a plain DH exchange; clients that prefer group exchange (netmiko's FortiGate
    driver) fail with MessageOrderError. This runs only in the lab's server process.
    """
    import paramiko

    if not paramiko.Transport.load_server_moduli():
        paramiko.Transport._preferred_kex = tuple(
            kex for kex in paramiko.Transport._preferred_kex if "group-exchange" not in kex
        )


def serve(plan_path: Path) -> None:
    from auditor.lab.scenario import load_scenario
    from auditor.lab.ssh_devices import build_fakenos

    plan = json.loads(plan_path.read_text(encoding="utf-8"))
    scenario = load_scenario(plan["scenario"])
    ports = {str(name): int(port) for name, port in plan["ports"].items()}
    drop_unusable_kex()
    network = build_fakenos(scenario, ports, host=plan.get("host", "127.0.0.1"))
    network.start()
    # Serve until SIGTERM/SIGKILL from `lab down` (the default SIGTERM action ends the process).
    threading.Event().wait()


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        sys.stderr.write("usage: python -m auditor.lab.serve_ssh PLAN.json\n")
        return 2
    serve(Path(args[0]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

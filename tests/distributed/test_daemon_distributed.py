"""The daemon as dispatcher: with ``distributed = true`` and no broker, the audit is recorded as
partial with a COL finding per device, never complete and never lost."""

from __future__ import annotations

import socket
from pathlib import Path

from auditor.store.opening import open_store
from tests.daemon.harness import DaemonProcess, daemon_env, events, store_at_head

POLICY = """\
zones:
  - id: lgwan
    kind: lgwan
    name_ja: LGWAN接続系
    name_en: LGWAN
    vlans: ["20-29"]
    subnets: [10.20.0.0/16]
"""
INVENTORY = """\
devices:
  - name: lg-sw1
    address: 127.0.0.1
    platform: cisco_ios
    zones: [lgwan]
    snmp: {version: v2c, port: 9, community: {env: NEVER_RESOLVED}}
"""


def test_a_daemon_whose_broker_is_down_records_a_partial_run(tmp_path: Path) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text(POLICY, encoding="utf-8")
    inventory = tmp_path / "devices.yaml"
    inventory.write_text(INVENTORY, encoding="utf-8")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = daemon_env(
        tmp_path,
        policy,
        inventory,
        AUDITOR_DISTRIBUTED="true",
        AUDITOR_BROKER_URL=f"redis://127.0.0.1:{port}/0",
        AUDITOR_AUDIT_INTERVAL_MINUTES="0.005",
        AUDITOR_SNMP_INTERVAL_MINUTES="600",
    )
    store_at_head(tmp_path)
    daemon = DaemonProcess(env)
    try:
        assert daemon.wait_for(lambda: bool(events(daemon, "run", kind="audit")), timeout=120), (
            daemon.output()
        )
    finally:
        daemon.stop()
    assert events(daemon, "dispatch-failed"), daemon.output()
    (first, *_) = events(daemon, "run", kind="audit")
    assert first["status"] == "partial"
    with open_store(str(tmp_path / "state" / "auditor.db")) as store:
        findings = store.list_findings(check_id="COL-000")
    assert [f.device for f in findings] == ["lg-sw1"]

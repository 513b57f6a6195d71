"""The daemon as systemd runs it: notify protocol, reload, clean stop."""

from __future__ import annotations

import signal
from pathlib import Path

from auditor.store.opening import open_store
from tests.daemon.harness import DaemonProcess, daemon_env, store_at_head

POLICY = """\
zones:
  - id: lgwan
    kind: lgwan
    name_ja: LGWAN接続系
    name_en: LGWAN
    vlans: ["20-29"]
    subnets: [10.20.0.0/16]
"""
BROKEN_FLOW = """\
flows:
  - from: lgwan
    to: lgwan2
"""


def _files(tmp_path: Path) -> tuple[Path, Path]:
    policy = tmp_path / "policy.yaml"
    policy.write_text(POLICY, encoding="utf-8")
    inventory = tmp_path / "devices.yaml"
    inventory.write_text("devices: []\n", encoding="utf-8")
    return policy, inventory


def test_the_daemon_speaks_the_systemd_notify_protocol(tmp_path: Path) -> None:
    policy, inventory = _files(tmp_path)
    env = daemon_env(
        tmp_path,
        policy,
        inventory,
        NOTIFY_SOCKET=str(tmp_path / "notify.sock"),
        WATCHDOG_USEC="1000000",
    )
    daemon = DaemonProcess(env)
    try:
        assert daemon.wait_for(lambda: "READY=1" in daemon.notifications), daemon.output()
        assert daemon.wait_for(lambda: "WATCHDOG=1" in daemon.notifications), daemon.output()
    finally:
        code = daemon.stop()
    assert code == 0, daemon.output()
    assert daemon.wait_for(lambda: "STOPPING=1" in daemon.notifications, timeout=5)
    # The process leaves without the interpreter's teardown, but only after closing the
    # database: its last connection folded the WAL back into the file and removed it.
    db = tmp_path / "state" / "auditor.db"
    assert db.is_file() and not db.with_name("auditor.db-wal").exists()


def test_sighup_with_a_broken_policy_keeps_the_last_good_one(tmp_path: Path) -> None:
    policy, inventory = _files(tmp_path)
    store_at_head(tmp_path)  # the first start migrating it is the other test's
    env = daemon_env(tmp_path, policy, inventory, AUDITOR_SNMP_INTERVAL_MINUTES="0.005")
    daemon = DaemonProcess(env)
    try:
        assert daemon.wait_for(lambda: daemon.saw("event=started")), daemon.output()
        policy.write_text(POLICY + BROKEN_FLOW, encoding="utf-8")
        daemon.signal(signal.SIGHUP)
        assert daemon.wait_for(lambda: daemon.saw("event=reload-rejected")), daemon.output()
        rejected = next(line for line in daemon.lines if "reload-rejected" in line)
        assert f"{policy}:10: flows[0].to:" in rejected
        assert daemon.process.poll() is None
        policy.write_text(POLICY, encoding="utf-8")
        daemon.signal(signal.SIGHUP)
        assert daemon.wait_for(lambda: daemon.saw("event=reloaded")), daemon.output()
        assert daemon.wait_for(lambda: sum("event=run " in line for line in daemon.lines) >= 2), (
            daemon.output()
        )
    finally:
        code = daemon.stop()
    assert code == 0, daemon.output()
    store = open_store(str(tmp_path / "state" / "auditor.db"))
    polls = store.list_runs(kind="poll")
    assert len(polls) >= 2
    assert store.verify().ok

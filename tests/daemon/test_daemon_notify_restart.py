"""The real daemon SIGKILLed between enqueue and delivery: the message is delivered after the
restart, exactly once (issue 21).

The mail server of the first daemon accepts the connection and never greets, so delivery hangs
with the outbox row written and not yet accepted; the test kills the daemon then, and restarts it
against a working SMTP server. The event is a device that never answers ("stopped answering"),
so no lab is needed: its SNMP port is a closed loopback port.
"""

from __future__ import annotations

import shutil
import signal
from pathlib import Path

import pytest

from tests.daemon.harness import DaemonProcess, daemon_env, events, store_at_head
from tests.daemon.labfiles import EXAMPLE_POLICY, write_inventory
from tests.notify.conftest import SMTP_PASSWORD, SMTP_USER
from tests.notify.daemon_support import (
    SilentSmtp,
    notify_toml,
    outbox_rows,
    parse_mail,
    smtp_credentials,
)
from tests.notify.servers import Certs, SmtpServer, free_port, free_udp_port, make_certs


@pytest.fixture(scope="module")
def certs(tmp_path_factory: pytest.TempPathFactory) -> Certs:
    return make_certs(tmp_path_factory.mktemp("certs"))


DEVICE_RULE = {"name": "devices", "events": ["device_down", "device_up"], "channels": ["mail"]}


def _silent_inventory(tmp_path: Path) -> Path:
    community = tmp_path / "community"
    community.write_text("not-a-real-community\n", encoding="utf-8")
    device = {
        "name": "silent-sw",
        "address": "127.0.0.1",
        "platform": "alaxala_ax",
        "zones": ["lgwan"],
        "snmp": {
            "version": "v2c",
            "port": free_udp_port(),  # nothing listens: every poll times out
            "community": {"file": str(community)},
            # Nothing ever answers, so any timeout proves the same; each poll waits all of it.
            "timeout": 0.1,
            "retries": 0,
        },
    }
    return write_inventory(tmp_path / "inventory" / "devices.yaml", [device])


def test_sigkill_between_enqueue_and_delivery_delivers_after_restart_exactly_once(
    tmp_path: Path, certs: Certs
) -> None:
    if shutil.which("snmpbulkwalk") is None:
        pytest.skip("net-snmp tools are not installed (scripts/install-system-deps.sh)")
    inventory = _silent_inventory(tmp_path)
    db = store_at_head(tmp_path)
    env = daemon_env(
        tmp_path,
        EXAMPLE_POLICY,
        inventory,
        AUDITOR_SNMP_INTERVAL_MINUTES="0.005",
        CREDENTIALS_DIRECTORY=str(smtp_credentials(tmp_path / "credentials")),
    )
    config = Path(env["AUDITOR_CONFIG"])

    with SilentSmtp() as stalled:
        # The client would wait for the greeting far longer than the test needs.
        notify_toml(config, mail_port=stalled.port, certs=certs, rules=[DEVICE_RULE],
                    timeout_seconds=600)  # fmt: skip
        first = DaemonProcess(env)
        try:
            # Ready to kill: the row is in the outbox, pending, and delivery is on the wire.
            assert first.wait_for(
                lambda: (
                    bool(stalled.accepted) and [r["status"] for r in outbox_rows(db)] == ["pending"]
                ),
                timeout=90,
            ), first.output()
            first.signal(signal.SIGKILL)
            assert first.process.wait(timeout=30) == -signal.SIGKILL
        finally:
            first.stop()
    [row] = outbox_rows(db)
    assert (row["kind"], row["subject"], row["status"]) == ("device_down", "silent-sw", "pending")

    server = SmtpServer(certs, user=SMTP_USER, password=SMTP_PASSWORD)
    server.start()
    try:
        notify_toml(config, mail_port=server.port, certs=certs, rules=[DEVICE_RULE])
        second = DaemonProcess(env)
        try:
            assert second.wait_for(
                lambda: [r["status"] for r in outbox_rows(db)] == ["sent"], timeout=90
            ), second.output()
            # The device still does not answer: two more polls must not tell it again.
            polls = len(events(second, "run", kind="poll"))
            assert second.wait_for(
                lambda: len(events(second, "run", kind="poll")) >= polls + 2, timeout=90
            ), second.output()
            assert second.wait_for(lambda: bool(events(second, "notify-dispatched"))), (
                second.output()
            )
        finally:
            code = second.stop()
        assert code == 0, second.output()
    finally:
        server.stop()

    [raw] = server.behaviour.messages
    message = parse_mail(raw)
    assert "silent-sw" in str(message["Subject"])
    assert f"kyojin-outbox-{row['id']}" in str(message["Message-ID"])
    [sent] = outbox_rows(db)
    assert (sent["id"], sent["status"], sent["attempts"]) == (row["id"], "sent", 1)


@pytest.mark.parametrize("stalled_in", ["run", "dispatch-job"])
def test_sigterm_while_delivery_hangs_stops_the_daemon_and_the_mail_goes_out_after_restart(
    tmp_path: Path, certs: Certs, stalled_in: str
) -> None:
    """A mail server that never answers must not hold the daemon past its stop deadline (the
    client's timeout is far longer); the pending row is delivered by the next daemon.

    The delivery hangs either right after the run that enqueued it (in the run's thread), or in
    the scheduled delivery job: the first attempt finds no server, and the retry meets one that
    never answers.
    """
    if shutil.which("snmpbulkwalk") is None:
        pytest.skip("net-snmp tools are not installed (scripts/install-system-deps.sh)")
    inventory = _silent_inventory(tmp_path)
    db = store_at_head(tmp_path)
    env = daemon_env(
        tmp_path,
        EXAMPLE_POLICY,
        inventory,
        AUDITOR_SNMP_INTERVAL_MINUTES="0.02",
        # Anything far below the client's hour-long timeout proves the deadline bounds the hang,
        # and all of it is waited: half a second. (Nothing is asserted about what the deadline
        # cuts short, so a loaded machine cannot make it too short.)
        AUDITOR_STOP_DEADLINE_SECONDS="0.5",
        CREDENTIALS_DIRECTORY=str(smtp_credentials(tmp_path / "credentials")),
    )
    config = Path(env["AUDITOR_CONFIG"])
    port = free_port()
    # The refused first attempt is retried by the delivery job 0.2 s later.
    notify_toml(config, mail_port=port, certs=certs, rules=[DEVICE_RULE], timeout_seconds=3600,
                dispatch_seconds=0.2)  # fmt: skip
    first = DaemonProcess(env) if stalled_in == "dispatch-job" else None
    try:
        if first is not None:  # nothing listens yet: the first attempt is refused, retried
            assert first.wait_for(
                lambda: [r["attempts"] for r in outbox_rows(db)] == [1], timeout=90
            ), first.output()
        with SilentSmtp(port) as stalled:
            first = first or DaemonProcess(env)
            assert first.wait_for(
                lambda: (
                    bool(stalled.accepted) and [r["status"] for r in outbox_rows(db)] == ["pending"]
                ),
                timeout=90,
            ), first.output()
            first.signal(signal.SIGTERM)
            # Far less than the client's hour-long timeout: the stop deadline bounds it.
            code = first.process.wait(timeout=120)
    finally:
        if first is not None:
            first.stop()
    assert code == 0, first.output()
    assert first.saw("event=stopped"), first.output()
    assert first.saw("event=stop-delivery-abandoned"), first.output()
    assert [r["status"] for r in outbox_rows(db)] == ["pending"]

    server = SmtpServer(certs, user=SMTP_USER, password=SMTP_PASSWORD)
    server.start()
    try:
        notify_toml(config, mail_port=server.port, certs=certs, rules=[DEVICE_RULE])
        second = DaemonProcess(env)
        try:
            assert second.wait_for(
                lambda: [r["status"] for r in outbox_rows(db)] == ["sent"], timeout=90
            ), second.output()
        finally:
            assert second.stop() == 0, second.output()
    finally:
        server.stop()
    assert len(server.behaviour.messages) == 1

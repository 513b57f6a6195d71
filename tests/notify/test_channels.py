"""Every channel against a real server on loopback; faults; no secret in any message."""

from __future__ import annotations

import email
import json
import subprocess
import sys
from datetime import timedelta
from email import policy
from pathlib import Path

from auditor.model.notification import HISTORY_KEY
from auditor.rules import AuditContext, History
from auditor.store.outbox import Outbox, OutboxStatus
from checks.monitoring.notification_channel_failing import NotificationChannelFailing
from tests import builders
from tests.notify.conftest import SMTP_PASSWORD, SMTP_USER
from tests.notify.helpers import NOW, finding_event, notifier
from tests.notify.servers import Certs, Rsyslogd, SmtpServer, WebhookReceiver, free_port


def mail_channel(port: int, certs: Certs, **extra: object) -> dict[str, object]:
    return {
        "type": "mail",
        "host": "127.0.0.1",
        "port": port,
        "security": "starttls",
        "ca_file": str(certs.ca),
        "username": SMTP_USER,
        "password_credential": "smtp-password",
        "sender": "auditor@city.example.lg.jp",
        "recipients": ["johokanri@city.example.lg.jp"],
        **extra,
    }


def parse(raw: bytes) -> email.message.EmailMessage:
    message = email.message_from_bytes(raw, policy=policy.default)
    assert isinstance(message, email.message.EmailMessage)
    return message


def test_mail_over_starttls_with_auth_carries_japanese_subject_body_and_html(
    outbox: Outbox, smtp: SmtpServer, certs: Certs, credentials: Path
) -> None:
    notes = notifier(outbox, {"mail-main": mail_channel(smtp.port, certs)})
    assert notes.emit([finding_event()], now=NOW)
    result = notes.deliver(NOW)
    assert result.sent and not result.failed, result.errors
    assert smtp.behaviour.logins == [SMTP_USER]
    [raw] = smtp.behaviour.messages
    message = parse(raw)
    assert "マイナンバー系からインターネットへの経路" in message["Subject"]
    assert message["Subject"].startswith("[Kyojin] 【重大】")
    assert b"=?utf-8?" in raw.split(b"\r\n\r\n", 1)[0]  # the header is MIME-encoded
    assert message["To"] == "johokanri@city.example.lg.jp"
    assert "kyojin-outbox-" in message["Message-ID"]
    plain = message.get_body(("plain",))
    rich = message.get_body(("html",))
    assert plain is not None and rich is not None
    assert "VLAN 10 からインターネットへ到達できます" in plain.get_content()
    assert "重大な不適合" in plain.get_content()
    assert "<h2>" in rich.get_content() and "lg-core1" in rich.get_content()
    assert SMTP_PASSWORD.encode() not in raw
    assert outbox.recent()[0].status is OutboxStatus.SENT


def test_mail_in_iso_2022_jp_for_old_mail_systems(
    outbox: Outbox, smtp: SmtpServer, certs: Certs, credentials: Path
) -> None:
    channel = mail_channel(smtp.port, certs, charset="iso-2022-jp")
    notes = notifier(outbox, {"mail-legacy": channel})
    notes.emit([finding_event()], now=NOW)
    assert notes.deliver(NOW).sent
    [raw] = smtp.behaviour.messages
    head, _ = raw.split(b"\r\n\r\n", 1)
    assert b"=?iso-2022-jp?b?" in head
    message = parse(raw)
    assert "マイナンバー系からインターネットへの経路" in message["Subject"]
    plain = message.get_body(("plain",))
    assert plain is not None
    assert plain.get_content_charset() == "iso-2022-jp"
    assert "インターネットへ到達できます" in plain.get_content()


def test_report_mail_inlines_the_html_with_its_text_alternative_and_caps_attachments(
    outbox: Outbox, smtp: SmtpServer, certs: Certs, credentials: Path, tmp_path: Path
) -> None:
    html = tmp_path / "report-2026-12-01.html"
    html.write_text("<html><body><h1>監査レポート</h1></body></html>", encoding="utf-8")
    html.with_suffix(".txt").write_text("監査レポート (テキスト)", encoding="utf-8")
    big = tmp_path / "auditor-pack.zip"
    big.write_bytes(b"0" * 2048)
    channel = mail_channel(smtp.port, certs, attach=True, max_attachment_bytes=1024)
    notes = notifier(outbox, {"mail": channel})
    report = finding_event(
        kind="report", key="report:2026-12-01", level="info", files=(str(html), str(big))
    )
    notes.emit([report], now=NOW)
    assert notes.deliver(NOW).sent
    message = parse(smtp.behaviour.messages[0])
    rich = message.get_body(("html",))
    plain = message.get_body(("plain",))
    assert rich is not None and "<h1>監査レポート</h1>" in rich.get_content()
    assert plain is not None and "監査レポート (テキスト)" in plain.get_content()
    assert "auditor-pack.zip" in plain.get_content()  # named as not attached (over the cap)
    assert not list(message.iter_attachments())


def test_smtp_down_twice_then_up_delivers_exactly_once(
    outbox: Outbox, certs: Certs, credentials: Path
) -> None:
    server = SmtpServer(certs, user=SMTP_USER, password=SMTP_PASSWORD, port=free_port())
    notes = notifier(outbox, {"mail": mail_channel(server.port, certs)})
    notes.emit([finding_event()], now=NOW)
    first = notes.deliver(NOW)
    assert first.retried and not first.sent
    assert not notes.deliver(NOW).retried  # backing off: not due yet
    second = notes.deliver(NOW + timedelta(seconds=31))
    assert second.retried
    [row] = outbox.recent()
    assert row.attempts == 2 and row.status is OutboxStatus.PENDING
    server.start()
    try:
        later = NOW + timedelta(minutes=5)
        assert notes.deliver(later).sent
        assert not notes.deliver(later + timedelta(hours=1)).sent
        assert len(server.behaviour.messages) == 1
    finally:
        server.stop()
    assert outbox.recent()[0].status is OutboxStatus.SENT


def test_a_permanently_rejected_message_raises_a_finding_about_the_channel(
    outbox: Outbox, smtp: SmtpServer, certs: Certs, credentials: Path
) -> None:
    smtp.behaviour.reject = "550 5.1.1 mailbox unavailable"
    notes = notifier(outbox, {"mail-main": mail_channel(smtp.port, certs)})
    notes.emit([finding_event()], now=NOW)
    result = notes.deliver(NOW)
    assert result.failed and not result.retried
    assert not notes.deliver(NOW + timedelta(hours=2)).sent  # never retried on its own
    context = AuditContext(
        policy=builders.policy(),
        inventory=builders.context().inventory,
        now=NOW,
        history=History(extra=notes.history_extra()),
    )
    [finding] = list(NotificationChannelFailing().evaluate(context))
    assert finding.check_id == "MON-008"
    assert finding.subject == "channel:mail-main"
    assert "550" in finding.message_en and "mail-main" in finding.message_ja
    # Once a message goes through, the channel is healthy and the finding resolves.
    smtp.behaviour.reject = None
    notes.emit([finding_event(key="finding:other:new")], now=NOW + timedelta(hours=3))
    assert notes.deliver(NOW + timedelta(hours=3)).sent
    states = notes.history_extra()[HISTORY_KEY]
    assert not states[0].failing


def test_syslog_rfc5424_over_tcp_and_tls_reaches_rsyslog_with_structured_data(
    outbox: Outbox, rsyslogd: Rsyslogd, certs: Certs
) -> None:
    channels = {
        "siem-tcp": {
            "type": "syslog",
            "host": "127.0.0.1",
            "port": rsyslogd.tcp_port,
            "transport": "tcp",
        },
        "siem-tls": {
            "type": "syslog",
            "host": "127.0.0.1",
            "port": rsyslogd.tls_port,
            "transport": "tls",
            "ca_file": str(certs.ca),
        },
    }
    before = len(rsyslogd.lines(0))  # the receiver is shared with the UDP test
    notes = notifier(outbox, channels)
    notes.emit([finding_event()], now=NOW)
    result = notes.deliver(NOW)
    assert len(result.sent) == 2, result.errors
    lines = rsyslogd.lines(before + 2)[before:]
    assert len(lines) == 2, lines
    for line in lines:
        pri, _host, app, msgid, data, text = line.split("|", 5)
        assert pri == str(13 * 8 + 2)  # log audit, critical
        assert app == "kyojin-auditor" and msgid == "finding"
        assert 'check="SEG-001"' in data and 'severity="critical"' in data
        assert 'grade="major"' in data and 'device="lg-core1"' in data
        assert 'fingerprint="abc123def4567890abc123def4567890"' in data
        assert "マイナンバー系からインターネットへの経路" in text


def test_syslog_rfc5424_over_udp_reaches_rsyslog_imudp(outbox: Outbox, rsyslogd: Rsyslogd) -> None:
    rsyslogd.wait_for_udp()
    before = len(rsyslogd.lines(0))  # the receiver is shared with the TCP/TLS test
    channels = {
        "siem-udp": {
            "type": "syslog",
            "host": "127.0.0.1",
            "port": rsyslogd.udp_port,
            "transport": "udp",
        }
    }
    notes = notifier(outbox, channels)
    notes.emit([finding_event()], now=NOW)
    result = notes.deliver(NOW)
    assert len(result.sent) == 1, result.errors
    lines = rsyslogd.lines(before + 1)[before:]
    assert len(lines) == 1, lines
    pri, _host, app, msgid, data, text = lines[0].split("|", 5)
    assert pri == str(13 * 8 + 2)
    assert app == "kyojin-auditor" and msgid == "finding"
    assert 'check="SEG-001"' in data and 'fingerprint="abc123def4567890abc123def4567890"' in data
    assert "マイナンバー系からインターネットへの経路" in text  # UTF-8 survives one datagram


def test_webhook_is_signed_with_hmac_and_retried_after_a_503(
    outbox: Outbox, credentials: Path
) -> None:
    receiver = WebhookReceiver("hook-secret-7a7a", fail_first=1)
    receiver.start()
    try:
        channel = {"type": "webhook", "url": receiver.url, "secret_credential": "webhook-secret"}
        notes = notifier(outbox, {"hook": channel})
        notes.emit([finding_event()], now=NOW)
        assert notes.deliver(NOW).retried
        assert notes.deliver(NOW + timedelta(seconds=31)).sent
        [delivery] = receiver.received
        assert delivery["valid"]
        [item] = delivery["body"]["events"]
        assert item["check_id"] == "SEG-001" and item["grade"] == "major"
        assert item["title_ja"].startswith("新規: SEG-001")
    finally:
        receiver.stop()


def test_no_secret_leaves_through_any_channel(
    outbox: Outbox, smtp: SmtpServer, certs: Certs, credentials: Path, rsyslogd: Rsyslogd
) -> None:
    community = "Sup3rS3cretCommunity"
    receiver = WebhookReceiver("hook-secret-7a7a")
    receiver.start()
    try:
        channels = {
            "mail": mail_channel(smtp.port, certs),
            "hook": {"type": "webhook", "url": receiver.url, "secret_credential": "webhook-secret"},
            "siem": {
                "type": "syslog",
                "host": "127.0.0.1",
                "port": rsyslogd.tcp_port,
                "transport": "tcp",
            },
        }
        notes = notifier(outbox, channels)
        notes.scrubber.add_secret(community)  # as the daemon does for resolved device secrets
        leaky = finding_event(
            key="finding:leaky:new",
            body_en=f"snmp-server community {community} RO; password {SMTP_PASSWORD}; "
            "enable secret 5 $1$mERr$hx5rVt7rPNoS4wqbXKX7m0",
            body_ja=f"コミュニティ {community} / パスワード hook-secret-7a7a",
        )
        before = len(rsyslogd.lines(0, timeout=0))
        notes.emit([leaky], now=NOW)
        result = notes.deliver(NOW)
        assert len(result.sent) == 3, result.errors
        mail = parse(smtp.behaviour.messages[0])
        texts = [
            str(mail["Subject"])
            + "".join(part.get_content() for part in mail.walk() if not part.is_multipart())
        ]
        texts.append(json.dumps(receiver.received[0]["body"], ensure_ascii=False))
        texts.extend(rsyslogd.lines(before + 1)[before:])
        for text in texts:
            for secret in (community, SMTP_PASSWORD, "hook-secret-7a7a", "hx5rVt7rPNoS4wqbXKX7m0"):
                assert secret not in text
            assert "<redacted:" in text
    finally:
        receiver.stop()


KILLED_AFTER_ENQUEUE = """
import os, signal, sys
from auditor.store import Store
from auditor.store.outbox import Outbox
from tests.notify.helpers import NOW, finding_event, notifier
store = Store(sys.argv[1]); store.upgrade()
notes = notifier(Outbox(store.engine), {"hook": {"type": "webhook", "url": sys.argv[2]}})
notes.emit([finding_event()], now=NOW)
os.kill(os.getpid(), signal.SIGKILL)
"""


def test_killed_between_enqueue_and_delivery_delivers_after_restart_exactly_once(
    tmp_path: Path,
) -> None:
    receiver = WebhookReceiver("unused")
    receiver.start()
    db = str(tmp_path / "killed.db")
    from auditor.store import Store

    with Store(db) as fresh:  # at head already: the child's upgrade finds nothing to do
        fresh.upgrade()
    try:
        process = subprocess.run(
            [sys.executable, "-c", KILLED_AFTER_ENQUEUE, db, receiver.url],
            cwd=Path(__file__).resolve().parents[2],
            check=False,
            capture_output=True,
        )
        assert process.returncode == -9, process.stderr
        assert receiver.received == []
        with Store(db) as store:
            notes = notifier(
                Outbox(store.engine), {"hook": {"type": "webhook", "url": receiver.url}}
            )
            assert notes.deliver(NOW).sent
            assert not notes.deliver(NOW + timedelta(hours=1)).sent
            notes.emit([finding_event()], now=NOW)  # the same event again: no repeat
            assert not notes.deliver(NOW + timedelta(hours=2)).sent
        assert len(receiver.received) == 1
    finally:
        receiver.stop()

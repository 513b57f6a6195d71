"""Mail over SMTP (STARTTLS, SMTPS or plain on a trusted relay), built with ``email``.

Subjects and bodies are MIME-encoded by :class:`email.message.EmailMessage` with the SMTP policy:
UTF-8 by default, or ISO-2022-JP for old municipal mail systems (headers as RFC 2047 encoded
words in ISO-2022-JP, bodies 7bit). A report's HTML goes inline with its plain-text alternative.
"""

from __future__ import annotations

import html
import mimetypes
import smtplib
import ssl
from collections.abc import Callable, Sequence
from email import policy as email_policy
from email.header import Header
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Any

from auditor.notify.channels.base import DeliveryError
from auditor.notify.events import GRADE_LABELS, Event
from auditor.notify.settings import MailChannel

LEVEL_TAGS = {
    "critical": ("重大", "CRITICAL"),
    "high": ("高", "HIGH"),
    "medium": ("中", "MEDIUM"),
    "low": ("低", "LOW"),
    "info": ("情報", "INFO"),
}


class _EncodedHeader(str):
    """A header pre-encoded in a legacy charset; the SMTP policy folds it as it is."""

    name: str
    _encoded: str

    def __new__(cls, name: str, text: str, charset: str) -> _EncodedHeader:
        value = super().__new__(cls, text)
        value.name = name
        value._encoded = Header(text, charset, header_name=name).encode(linesep="\r\n")
        return value

    def fold(self, *, policy: Any) -> str:
        return f"{self.name}: {self._encoded}{policy.linesep}"


def _legacy(text: str, charset: str) -> str:
    """Text the legacy charset can carry (unencodable characters become ``?``)."""
    if charset == "utf-8":
        return text
    return text.encode(charset, "replace").decode(charset)


def subject_of(events: Sequence[Event], lang: str) -> str:
    if len(events) == 1:
        event = events[0]
        tag_ja, tag_en = LEVEL_TAGS.get(event.level, ("", event.level.upper()))
        prefix = {"ja": f"【{tag_ja}】", "en": f"[{tag_en}] "}.get(lang, f"【{tag_ja}】")
        return f"[Kyojin] {prefix}{event.title(lang)}"
    count = len(events)
    title = {"ja": f"{count} 件の通知", "en": f"{count} notifications"}.get(
        lang, f"{count} 件の通知 / {count} notifications"
    )
    return f"[Kyojin] {title}"


def _fields(event: Event) -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    if event.check_id:
        rows.append(("check / チェック", event.check_id))
    if event.kind == "finding":
        ja, en = GRADE_LABELS[event.effective_grade]
        rows.append(("grade / 判定", f"{ja} ({en})"))
    rows.append(("severity / 重要度", event.level))
    if event.device:
        rows.append(("device / 機器", event.device))
    if event.zone:
        rows.append(("zone / ゾーン", event.zone))
    if event.fingerprint:
        rows.append(("fingerprint", event.fingerprint[:16]))
    rows.append(("at / 日時", event.at.isoformat(timespec="seconds")))
    return rows


def text_body(events: Sequence[Event], lang: str) -> str:
    parts: list[str] = []
    for event in events:
        lines = [event.title(lang), ""]
        body = event.body(lang)
        if body:
            lines += [body, ""]
        lines += [f"  {label}: {value}" for label, value in _fields(event)]
        parts.append("\n".join(lines))
    footer = "-- \nKyojin Auditor (自動送信 / sent automatically)"
    return "\n\n".join([*parts, footer]) + "\n"


def html_body(events: Sequence[Event], lang: str) -> str:
    blocks: list[str] = []
    for event in events:
        rows = "".join(
            f"<tr><th>{html.escape(label)}</th><td>{html.escape(value)}</td></tr>"
            for label, value in _fields(event)
        )
        body = html.escape(event.body(lang)).replace("\n", "<br>")
        blocks.append(
            f"<h2>{html.escape(event.title(lang))}</h2><p>{body}</p><table>{rows}</table>"
        )
    return (
        '<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8"><title>Kyojin Auditor'
        f"</title></head><body>{''.join(blocks)}</body></html>"
    )


def _report_parts(events: Sequence[Event]) -> tuple[str | None, str | None, list[Path]]:
    """The report's own HTML and text (inline) and the files to attach."""
    html_text: str | None = None
    plain: str | None = None
    files: list[Path] = []
    for event in events:
        for name in event.files:
            path = Path(name)
            if path.suffix == ".html" and html_text is None and path.is_file():
                html_text = path.read_text(encoding="utf-8", errors="replace")
                sibling = path.with_suffix(".txt")
                if sibling.is_file():
                    plain = sibling.read_text(encoding="utf-8", errors="replace")
            elif path.suffix != ".txt":
                files.append(path)
    return html_text, plain, files


def build_message(
    config: MailChannel, events: Sequence[Event], *, message_id: str, scrub: Callable[[str], str]
) -> EmailMessage:
    """The MIME message for ``events`` (one event, or a digest of many)."""
    charset = config.charset
    lang = config.lang
    message = EmailMessage(policy=email_policy.SMTP)
    subject = _legacy(scrub(subject_of(events, lang)), charset)
    if charset == "utf-8":
        message["Subject"] = subject
    else:
        message["Subject"] = _EncodedHeader("Subject", subject, charset)
    message["From"] = config.sender
    message["To"] = ", ".join(config.recipients)
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(idstring=message_id, domain="kyojin-auditor.invalid")
    message["X-Kyojin-Events"] = ",".join(event.kind for event in events)
    report_html, report_text, files = _report_parts(events)
    plain = scrub(report_text) if report_text is not None else text_body(events, lang)
    rich = scrub(report_html) if report_html is not None else html_body(events, lang)
    skipped: list[str] = []
    attachable: list[Path] = []
    if config.attach:
        budget = config.max_attachment_bytes
        for path in files:
            size = path.stat().st_size if path.is_file() else -1
            if 0 <= size <= budget:
                attachable.append(path)
                budget -= size
            else:
                skipped.append(path.name)
    if skipped:
        plain += (
            "\n添付しなかったファイル (サイズ上限超過) / not attached (over the size cap): "
            + ", ".join(skipped)
            + "\n"
        )
    message.set_content(_legacy(plain, charset), subtype="plain", charset=charset)
    message.add_alternative(_legacy(rich, charset), subtype="html", charset=charset)
    for path in attachable:
        media, _ = mimetypes.guess_type(path.name)
        maintype, subtype = (media or "application/octet-stream").split("/", 1)
        message.add_attachment(
            path.read_bytes(), maintype=maintype, subtype=subtype, filename=path.name
        )
    return message


class MailSender:
    kind = "mail"
    digest_capable = True

    def __init__(self, name: str, config: MailChannel, secret: Callable[[str], str]) -> None:
        self.name = name
        self.config = config
        self._secret = secret
        self.scrub: Callable[[str], str] = lambda text: text
        self.last_warning: str | None = None

    def _context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=self.config.ca_file)

    def _connect(self) -> smtplib.SMTP:
        config = self.config
        if config.security == "smtps":
            return smtplib.SMTP_SSL(
                config.host, config.port, timeout=config.timeout_seconds, context=self._context()
            )
        client = smtplib.SMTP(config.host, config.port, timeout=config.timeout_seconds)
        if config.security == "starttls":
            client.starttls(context=self._context())
        return client

    def send(self, events: Sequence[Event], *, message_id: str) -> None:
        message = build_message(self.config, events, message_id=message_id, scrub=self.scrub)
        try:
            with self._connect() as client:
                if self.config.username:
                    password = (
                        self._secret(self.config.password_credential)
                        if self.config.password_credential
                        else ""
                    )
                    client.login(self.config.username, password)
                refused = client.send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            raise DeliveryError(
                f"every recipient refused ({', '.join(map(str, codes))})",
                permanent=all(code >= 500 for code in codes),
            ) from None
        except smtplib.SMTPAuthenticationError as exc:
            raise DeliveryError(
                f"SMTP authentication refused ({exc.smtp_code})", permanent=True
            ) from None
        except smtplib.SMTPResponseException as exc:
            raise DeliveryError(
                f"SMTP server answered {exc.smtp_code}", permanent=exc.smtp_code >= 500
            ) from None
        except smtplib.SMTPNotSupportedError as exc:
            raise DeliveryError(f"SMTP server does not support {exc}", permanent=True) from None
        except ssl.SSLCertVerificationError as exc:
            raise DeliveryError(
                f"server certificate not trusted ({exc.verify_message})", permanent=True
            ) from None
        except (TimeoutError, smtplib.SMTPException, OSError) as exc:
            raise DeliveryError(f"{type(exc).__name__}: {exc}"[:200], permanent=False) from None
        self.last_warning = None
        if refused:
            # Accepted for the others: the message counts as sent; the refusal is logged.
            refused_codes = sorted({str(code) for code, _ in refused.values()})
            self.last_warning = f"some recipients refused ({', '.join(refused_codes)})"

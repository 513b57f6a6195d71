"""JSON POST with an HMAC-SHA256 signature, over stdlib ``urllib``.

Headers: ``X-Kyojin-Signature: sha256=<hex HMAC of the exact body>``, ``X-Kyojin-Delivery``
(the outbox id: a receiver can drop a repeated delivery). 2xx is accepted; 408, 429 and 5xx are
retried; any other 4xx means the receiver refuses this message for good.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import ssl
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from auditor.notify.channels.base import DeliveryError
from auditor.notify.events import Event
from auditor.notify.settings import WebhookChannel

SIGNATURE_HEADER = "X-Kyojin-Signature"
RETRYABLE_STATUS = frozenset({408, 425, 429})


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def body_of(events: Sequence[Event], *, message_id: str) -> bytes:
    payload = {
        "source": "kyojin-auditor",
        "delivery": message_id,
        "sent_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "events": [
            {
                **{k: v for k, v in event.to_payload().items() if k != "files"},
                "grade": event.effective_grade if event.kind == "finding" else None,
            }
            for event in events
        ],
    }
    return json.dumps(payload, ensure_ascii=False, sort_keys=True).encode("utf-8")


class WebhookSender:
    kind = "webhook"
    digest_capable = True

    def __init__(self, name: str, config: WebhookChannel, secret: Callable[[str], str]) -> None:
        self.name = name
        self.config = config
        self._secret = secret

    def send(self, events: Sequence[Event], *, message_id: str) -> None:
        body = body_of(events, message_id=message_id)
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "kyojin-auditor",
            "X-Kyojin-Delivery": message_id,
        }
        if self.config.secret_credential:
            headers[SIGNATURE_HEADER] = signature(self._secret(self.config.secret_credential), body)
        request = urllib.request.Request(  # noqa: S310 (the URL scheme is validated http/https)
            self.config.url, data=body, headers=headers, method="POST"
        )
        context = (
            ssl.create_default_context(cafile=self.config.ca_file)
            if self.config.url.startswith("https:")
            else None
        )
        try:
            with urllib.request.urlopen(  # noqa: S310
                request, timeout=self.config.timeout_seconds, context=context
            ) as response:
                response.read()
        except urllib.error.HTTPError as exc:
            code = exc.code
            raise DeliveryError(
                f"webhook answered HTTP {code}",
                permanent=400 <= code < 500 and code not in RETRYABLE_STATUS,
            ) from None
        except urllib.error.URLError as exc:
            reason = exc.reason
            permanent = isinstance(reason, ssl.SSLCertVerificationError)
            raise DeliveryError(
                f"webhook unreachable: {reason}"[:200], permanent=permanent
            ) from None
        except (OSError, TimeoutError) as exc:
            raise DeliveryError(f"{type(exc).__name__}: {exc}"[:200], permanent=False) from None

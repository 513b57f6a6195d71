"""Passwords (argon2), session tokens and the login rate limit of the web console."""

from __future__ import annotations

import functools
import hashlib
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_HASHER = PasswordHasher()


@functools.cache
def _dummy_hash(hasher: PasswordHasher) -> str:
    """A real hash to verify against when the user does not exist: the answer takes as long
    either way. Made on the first sign-in, not at import: a hash costs a tenth of a second and
    the ``web user`` commands never need it."""
    return hasher.hash(secrets.token_urlsafe(16))


MIN_PASSWORD_LENGTH = 12


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"the password must have at least {MIN_PASSWORD_LENGTH} characters")
    return _HASHER.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """``False`` for a wrong password, an account without one, or a broken hash."""
    try:
        _HASHER.verify(password_hash or _dummy_hash(_HASHER), password)
    except (VerificationError, InvalidHashError):
        return False
    return password_hash is not None


def new_token() -> str:
    """A session or CSRF token: 256 random bits."""
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """What the store keeps of a session cookie."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def same_token(a: str | None, b: str | None) -> bool:
    return bool(a) and bool(b) and secrets.compare_digest(str(a), str(b))


@dataclass
class RateLimiter:
    """Failed logins per key (user name, address) in a sliding window; in process memory.

    ``auditor web`` runs as one process, so one table sees every attempt; a restart forgets
    them (the limit slows guessing, the argon2 cost does the rest).
    """

    limit: int
    window_seconds: float
    clock: Callable[[], float] = time.monotonic
    _failures: dict[str, deque[float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _recent(self, key: str, now: float) -> deque[float]:
        found = self._failures.setdefault(key, deque())
        while found and found[0] <= now - self.window_seconds:
            found.popleft()
        return found

    def blocked(self, key: str) -> bool:
        with self._lock:
            return len(self._recent(key, self.clock())) >= self.limit

    def failed(self, key: str) -> None:
        with self._lock:
            now = self.clock()
            self._recent(key, now).append(now)
            if len(self._failures) > 10_000:  # forget idle keys so memory stays bounded
                for stale in [k for k, v in self._failures.items() if not v]:
                    del self._failures[stale]

    def succeeded(self, key: str) -> None:
        with self._lock:
            self._failures.pop(key, None)

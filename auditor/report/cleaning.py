"""Text hygiene for everything that leaves the store: secret redaction, spreadsheet safety."""

from __future__ import annotations

from collections.abc import Iterable

from auditor.redact import installation_salt, redact_text

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
FORMULA_FIRST = frozenset(_FORMULA_STARTS)
"""First characters that make a cell a formula (``cell[:1] in FORMULA_FIRST``: cheap pre-test)."""


class Redactor:
    """Runs every exported text through :func:`auditor.redact.redact_text` once.

    The store keeps redacted evidence, but a message may still quote device text that slipped past
    a parser; exports are the last gate before findings leave the building.
    """

    def __init__(self, salt: bytes | None = None, secrets: Iterable[str] = ()) -> None:
        # The installation's salt by default: the same secret, the same marker in every export.
        self._salt = salt if salt is not None else installation_salt()
        self._secrets = tuple(s for s in secrets if s)
        self._cache: dict[str, str] = {}

    def __call__(self, text: str) -> str:
        if not text:
            return text
        cached = self._cache.get(text)
        if cached is None:
            cached = redact_text(text, salt=self._salt, secrets=self._secrets)
            if len(self._cache) < 200_000:
                self._cache[text] = cached
        return cached

    def optional(self, text: str | None) -> str | None:
        return None if text is None else self(text)


def neutralize_formula(value: str) -> str:
    """Prefix ``'`` to a cell a spreadsheet would run as a formula (CSV/formula injection)."""
    if value and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def encodable(value: str, encoding: str) -> str:
    """Replace what ``encoding`` cannot hold by a visible ``?`` (with its code point), never crash."""
    if encoding.replace("-", "").replace("_", "").lower() in {"utf8", "utf8sig"}:
        return value
    try:
        value.encode(encoding)
    except UnicodeEncodeError:
        return "".join(_one_char(char, encoding) for char in value)
    return value


def _one_char(char: str, encoding: str) -> str:
    try:
        char.encode(encoding)
    except UnicodeEncodeError:
        return f"?(U+{ord(char):04X})"
    return char

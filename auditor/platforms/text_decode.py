"""Decode device output whose character set is not announced (UTF-8, Shift_JIS or EUC-JP).

Japanese municipal devices print descriptions and banners in whatever the console is set to
(Yamaha ``console character ja.sjis|euc-jp|ja.utf8``). We try the strictest decoder first and keep
the raw bytes so the evidence is never altered by a wrong guess.
"""

from __future__ import annotations

from dataclasses import dataclass

DECODERS: tuple[str, ...] = ("utf-8", "cp932", "euc_jp")


@dataclass(frozen=True)
class DecodedText:
    text: str
    encoding: str  # the decoder that succeeded; "utf-8-replace" if none did
    raw: bytes = b""


def decode_output(raw: bytes, *, preferred: str | None = None) -> DecodedText:
    """Decode ``raw`` with the first decoder that accepts it strictly.

    ``preferred`` (the inventory's ``ssh.encoding``) is tried first when given. Pure ASCII is
    reported as UTF-8. When every decoder fails, UTF-8 with replacement characters is returned.
    """
    candidates = [preferred, *DECODERS] if preferred else list(DECODERS)
    for encoding in candidates:
        if encoding is None:
            continue
        try:
            text = raw.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
        if encoding == "cp932" and preferred != "cp932" and _implausible_cp932(text):
            try:
                return DecodedText(raw.decode("euc_jp"), "euc_jp", raw)
            except UnicodeDecodeError:
                pass
        return DecodedText(text, encoding, raw)
    return DecodedText(raw.decode("utf-8", errors="replace"), "utf-8-replace", raw)


def _implausible_cp932(text: str) -> bool:
    """EUC-JP bytes often decode as CP932 half-width katakana or private-use characters.

    Consoles of Japanese network devices practically never print half-width katakana, so a CP932
    result full of them is a misreading of EUC-JP when EUC-JP also decodes.
    """
    odd = sum(1 for ch in text if "\uff61" <= ch <= "\uff9f" or "\ue000" <= ch <= "\uf8ff")
    return odd >= 2

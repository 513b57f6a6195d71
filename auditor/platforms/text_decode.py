"""Decode device output whose character set is not announced (UTF-8, Shift_JIS or EUC-JP).

Japanese municipal devices print descriptions and banners in whatever the console is set to
(Yamaha ``console character ja.sjis|euc-jp|ja.utf8``). We try the strictest decoder first and keep
the raw bytes so the evidence is never altered by a wrong guess.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

from charset_normalizer import from_bytes

DECODERS: tuple[str, ...] = ("utf-8", "cp932", "euc_jp")


@dataclass(frozen=True)
class DecodedText:
    text: str
    encoding: str  # the decoder that succeeded; "utf-8-replace" if none did
    raw: bytes = b""
    guessed: bool = False
    """True when no expected codec gave plausible text and the encoding is a detector's guess."""


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


JAPANESE_CODECS: tuple[tuple[str, str], ...] = (("cp932", "cp932"), ("euc_jp", "euc-jp"))
"""(Python codec, name reported in snapshots), tried in this order after strict UTF-8."""

DETECTOR_PREFERENCE: tuple[str, ...] = ("gb18030", "big5", "euc_kr", "cp949")
"""Among equally plausible detector candidates, the codecs of vendors that actually ship to
Japanese municipalities first (Chinese vendors' agents answer in GBK/GB18030 or Big5)."""

CHAOS_TOLERANCE = 0.1
_KANJI_LEVEL_1_ROWS = range(16, 48)
"""JIS X 0208 rows 16-47 hold the 2,965 common (level-1) kanji; rows 48-84 the rare level 2."""


def decode_unlabelled(raw: bytes) -> DecodedText:
    """Decode a short text of unknown charset (an SNMP DisplayString): never silently wrong.

    Strict UTF-8 first. Then CP932 and EUC-JP, each accepted only when it reads as plausible
    Japanese (:func:`japanese_reading_is_plausible`): GB2312/GBK bytes share EUC-JP's byte
    structure, so "EUC-JP decoded without error" alone would turn a Chinese ``sysLocation``
    into random kanji. When neither is plausible, charset-normalizer's candidates decide and the
    result is marked ``guessed``; if it has none, UTF-8 with replacement characters (also
    guessed). Known limit: a few GB2312 characters whose bytes all fall on common JIS kanji are
    indistinguishable from Japanese and read as EUC-JP.
    """
    raw = raw.rstrip(b"\x00")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        return DecodedText(text, "ascii" if text.isascii() else "utf-8", raw)
    readings: dict[str, str] = {}
    for codec, _ in JAPANESE_CODECS:
        with contextlib.suppress(UnicodeDecodeError):
            readings[codec] = raw.decode(codec)
    euc = readings.get("euc_jp")
    euc_plausible = euc is not None and japanese_reading_is_plausible(euc)
    for codec, name in JAPANESE_CODECS:
        reading = readings.get(codec)
        # Half-width katakana are CP932's reading of EUC-JP (or GBK) lead bytes, unless the
        # bytes are no plausible EUC-JP: then they are what the operator typed.
        halfwidth_ok = codec == "cp932" and not euc_plausible
        if reading is not None and japanese_reading_is_plausible(
            reading, halfwidth_ok=halfwidth_ok
        ):
            return DecodedText(reading, name, raw)
    guess = detector_guess(raw)
    if guess is not None:
        return guess
    return DecodedText(raw.decode("utf-8", errors="replace"), "utf-8-replace", raw, guessed=True)


def japanese_reading_is_plausible(text: str, *, halfwidth_ok: bool = False) -> bool:
    """Whether ``text`` looks like Japanese a person typed, not another charset misread.

    Rejected: half-width katakana (CP932's reading of EUC-JP/GBK lead bytes; network consoles
    practically never use them), private-use or control characters, characters outside JIS X
    0208 (CP932's NEC/IBM extensions), and JIS level-2 kanji beyond a small share: Japanese text
    uses them for about one kanji in a hundred, while GB2312 text read as EUC-JP lands on them for
    about one hanzi in four. Kana make a reading more credible, so one level-2 kanji in five is
    tolerated then; kanji-only text must be all level-1.
    """
    kanji = level_2 = 0
    kana = False
    for char in text:
        if char.isascii():
            if not char.isprintable() and char not in "\t\r\n":
                return False
            continue
        if "\uff61" <= char <= "\uff9f":
            if halfwidth_ok:
                continue
            return False
        if "\ue000" <= char <= "\uf8ff" or not char.isprintable():
            return False
        try:
            encoded = char.encode("euc_jp")
        except UnicodeEncodeError:
            # CP932's NEC row 13 symbols (①, ㈱) are common; its IBM extension kanji are not.
            if _is_cjk_ideograph(char) or not _encodes_as_cp932(char):
                return False
            continue
        if len(encoded) != 2:
            return False  # JIS X 0212 (3-byte) characters do not occur in device strings
        row = encoded[0] - 0xA0
        if row in (4, 5):
            kana = True
        elif row >= 16:
            kanji += 1
            if row not in _KANJI_LEVEL_1_ROWS:
                level_2 += 1
    if level_2 == 0:
        return True
    return kana and level_2 * 5 <= kanji


def detector_guess(raw: bytes) -> DecodedText | None:
    """charset-normalizer's least chaotic candidate (ties broken by DETECTOR_PREFERENCE)."""
    candidates = [
        match
        for match in from_bytes(raw)
        if match.encoding not in ("utf_16_be", "utf_16_le", "utf_32_be", "utf_32_le")
    ]
    if not candidates:
        return None

    # Short strings give the detector little to go on: chaos differs by noise between CJK
    # codecs, so every candidate near the least chaotic one competes on coherence, then on
    # which codec such a device plausibly speaks.
    floor = min(match.chaos for match in candidates) + CHAOS_TOLERANCE
    close = [match for match in candidates if match.chaos <= floor]

    def rank(encoding: str, coherence: float) -> tuple[float, int]:
        preference = (
            DETECTOR_PREFERENCE.index(encoding)
            if encoding in DETECTOR_PREFERENCE
            else len(DETECTOR_PREFERENCE)
        )
        return (-coherence, preference)

    best = min(close, key=lambda match: rank(match.encoding, match.coherence))
    return DecodedText(str(best), best.encoding.replace("_", "-"), raw, guessed=True)


def _is_cjk_ideograph(char: str) -> bool:
    return "\u4e00" <= char <= "\u9fff" or "\uf900" <= char <= "\ufaff"


def _encodes_as_cp932(char: str) -> bool:
    try:
        char.encode("cp932")
    except UnicodeEncodeError:
        return False
    return True

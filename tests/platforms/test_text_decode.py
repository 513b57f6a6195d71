from __future__ import annotations

from auditor.platforms.text_decode import decode_output

DESCRIPTION = "庁舎3階 マイナンバー系端末"


def test_utf8_output_is_decoded_as_utf8() -> None:
    decoded = decode_output(DESCRIPTION.encode("utf-8"))
    assert decoded.text == DESCRIPTION
    assert decoded.encoding == "utf-8"


def test_shift_jis_output_is_decoded_as_cp932_and_keeps_the_raw_bytes() -> None:
    raw = f"description {DESCRIPTION}".encode("cp932")
    decoded = decode_output(raw)
    assert decoded.text == f"description {DESCRIPTION}"
    assert decoded.encoding == "cp932"
    assert decoded.raw == raw


def test_euc_jp_output_that_is_not_valid_shift_jis_is_decoded_as_euc_jp() -> None:
    raw = f"description {DESCRIPTION}".encode("euc_jp")
    decoded = decode_output(raw)
    assert decoded.text == f"description {DESCRIPTION}"
    assert decoded.encoding == "euc_jp"


def test_a_preferred_encoding_from_the_inventory_is_tried_first() -> None:
    raw = DESCRIPTION.encode("euc_jp")
    assert decode_output(raw, preferred="euc_jp").encoding == "euc_jp"


def test_undecodable_bytes_fall_back_to_replacement_characters() -> None:
    decoded = decode_output(b"\x81\x20\x8e\x20")
    assert decoded.encoding == "utf-8-replace"
    assert "\ufffd" in decoded.text

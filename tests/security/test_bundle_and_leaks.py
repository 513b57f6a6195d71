"""The evidence bundle carries no credential file, only safe member names; logs use a real salt."""

from __future__ import annotations

import json
import stat
import struct
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest

from auditor.collect.pcap_reader import iter_frames
from auditor.daemon.logs import LOG_SALT_FILE, log_salt
from auditor.inventory.ledger import load_ledger
from auditor.redact import load_or_create_salt, marker
from auditor.report.bundle import BundleInputs, write_bundle

INSIDE_SECRET = "inside-community-7f3a"
OUTSIDE_SECRET = "outside-password-91c2"
INLINE_SECRET = "inline-secret-55d0"

DEVICES = """# comment that must not matter
devices:
  - name: sw1
    address: 10.0.0.1
    platform: cisco_ios
    snmp: {version: v2c, community: {file: secrets/community.txt}}
    ssh: {username: audit, password: {file: OUTSIDE}}
  - name: sw2
    address: 10.0.0.2
    platform: cisco_ios
    ssh: {username: audit, password: INLINE}
"""


def _bundle(tmp_path: Path, **extra: object) -> dict[str, bytes]:
    out = tmp_path / "bundle.zip"
    inputs = BundleInputs(
        generated_at=datetime(2026, 4, 1, tzinfo=UTC),
        tool_version="test",
        rule_pack_hash=None,
        **extra,  # type: ignore[arg-type]
    )
    write_bundle([], out, inputs, clean=lambda text: text)
    with zipfile.ZipFile(out) as archive:
        return {info.filename.split("/", 1)[1]: archive.read(info) for info in archive.infolist()}


def test_the_bundle_holds_documents_with_references_but_never_credential_files(
    tmp_path: Path,
) -> None:
    inventory = tmp_path / "inventory"
    (inventory / "secrets").mkdir(parents=True)
    (inventory / "secrets" / "community.txt").write_text(INSIDE_SECRET)
    (inventory / "notes.txt").write_text(INSIDE_SECRET)
    outside = tmp_path / "elsewhere" / "password.txt"
    outside.parent.mkdir()
    outside.write_text(OUTSIDE_SECRET)
    (inventory / "devices.yaml").write_text(
        DEVICES.replace("OUTSIDE", str(outside)).replace("INLINE", INLINE_SECRET)
    )
    (inventory / "ledger.csv").write_text("資産番号,設置場所\nA-1,本庁舎\n")

    members = _bundle(tmp_path, config_files=[("inventory", inventory)])

    everything = b"".join(members.values())
    for secret in (INSIDE_SECRET, OUTSIDE_SECRET, INLINE_SECRET):
        assert secret.encode() not in everything
    assert not any("secrets" in name or "notes" in name for name in members)
    devices = members["inventory/devices.yaml"].decode()
    assert "file: secrets/community.txt" in devices and str(outside) in devices
    assert "comment" not in devices  # re-serialised, not copied
    manifest = json.loads(members["manifest.json"])
    assert manifest["input_documents"] == ["inventory/devices.yaml", "inventory/ledger.csv"]
    assert manifest["input_documents_left_out"] == []
    listed = {line.split("  ", 1)[1] for line in members["SHA256SUMS"].decode().splitlines()}
    assert listed == set(members) - {"SHA256SUMS"}


def test_a_document_that_does_not_parse_is_named_in_the_manifest_not_silently_dropped(
    tmp_path: Path,
) -> None:
    policy = tmp_path / "policy"
    policy.mkdir()
    (policy / "policy.yaml").write_text("zones: []\n")
    (policy / "broken.yaml").write_text("zones: [\n")
    members = _bundle(tmp_path, config_files=[("policy", policy)])
    manifest = json.loads(members["manifest.json"])
    assert manifest["input_documents"] == ["policy/policy.yaml"]
    assert [item["document"] for item in manifest["input_documents_left_out"]] == [
        "policy/broken.yaml"
    ]
    assert "policy/broken.yaml" not in members


def test_a_ledger_that_a_credential_points_to_is_not_bundled(tmp_path: Path) -> None:
    inventory = tmp_path / "inventory"
    inventory.mkdir()
    (inventory / "ledger.csv").write_text(INSIDE_SECRET)
    (inventory / "devices.yaml").write_text(
        "devices:\n  - {name: a, address: 10.0.0.1, platform: generic,"
        " snmp: {community: {file: ledger.csv}}}\n"
    )
    members = _bundle(tmp_path, config_files=[("inventory", inventory)])
    assert INSIDE_SECRET.encode() not in b"".join(members.values())


def test_every_member_name_is_safe_short_and_unique(tmp_path: Path) -> None:
    texts = [
        ("configs/../../etc/passwd.cfg", "a"),
        ("configs/" + "x" * 5000 + ".cfg", "b"),
        ("configs/.hidden", "c"),
        ("configs/sw\u202e1.cfg", "d"),
        ("configs/sw_1.cfg", "e"),
    ]
    members = _bundle(tmp_path, text_files=texts, evidence=[("ab" * 32, "../" * 50, b"blob")])
    for name in members:
        parts = name.split("/")
        assert all(part not in {"", ".", ".."} and not part.startswith(".") for part in parts)
        assert all(len(part) <= 100 for part in parts)
        assert "\u202e" not in name
    assert len([n for n in members if n.startswith("configs/")]) == len(texts)


def test_device_text_in_bundle_members_is_neutralized(tmp_path: Path) -> None:
    members = _bundle(
        tmp_path, text_files=[("configs/sw1.cfg", "description \x1b[2J\x1b]0;pwn\x07 \u202eok\n")]
    )
    text = members["configs/sw1.cfg"].decode()
    assert "\x1b" not in text and "\u202e" not in text and "\x07" not in text
    assert "\\x1b[2J" in text and "\\u202e" in text


def test_the_log_salt_is_random_persistent_private_and_never_the_old_constant(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AUDITOR_LOG_SALT", raising=False)
    first = log_salt(tmp_path)
    assert first == log_salt(tmp_path) and len(first) == 32
    assert first != b"kyojin-log"
    assert stat.S_IMODE((tmp_path / LOG_SALT_FILE).stat().st_mode) == 0o600
    assert log_salt(tmp_path / "other") != first
    assert marker("public", salt=first) != marker("public", salt=b"kyojin-log")
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary left


def test_a_damaged_salt_file_is_replaced(tmp_path: Path) -> None:
    path = tmp_path / "salt"
    path.write_bytes(b"")
    value = load_or_create_salt(path)
    assert len(value) == 32 and path.read_bytes() == value


def _block(kind: int, body: bytes) -> bytes:
    body += b"\0" * (-len(body) % 4)
    length = 12 + len(body)
    return struct.pack("<II", kind, length) + body + struct.pack("<I", length)


def test_a_pcapng_simple_packet_block_is_read(tmp_path: Path) -> None:
    frame = bytes(range(60))
    path = tmp_path / "spb.pcapng"
    path.write_bytes(
        _block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))
        + _block(0x00000001, struct.pack("<HHI", 1, 0, 65535))
        + _block(0x00000006, struct.pack("<IIIII", 0, 0, 1_000_000, 60, 60) + frame)
        + _block(0x00000003, struct.pack("<I", 60) + frame)
    )
    frames = list(iter_frames(path))
    assert [data for _, _, data, _ in frames] == [frame, frame]
    assert frames[1][0] == frames[0][0]  # no timestamp of its own: the previous one
    assert all(linktype == 1 for _, linktype, _, _ in frames)


def test_an_empty_ledger_warns(tmp_path: Path) -> None:
    path = tmp_path / "ledger.csv"
    path.write_text("資産番号,設置場所\n", encoding="utf-8")
    ledger = load_ledger(path)
    assert not ledger.rows
    assert any("no asset rows" in warning.message for warning in ledger.warnings)

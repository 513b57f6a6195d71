"""Hostile policy, inventory and ledger files end in a clear error naming the file and exit 2.

Every case runs the real ``auditor validate`` in a process of its own under an address-space limit,
so a case that would exhaust memory fails here with a MemoryError traceback instead of swapping the
machine, and the timeout is a guard against hangs (not a timing assertion). The processes are forked
from one runner that has imported the CLI once (``tests/security/cli_forker.py``): each still enters
the console-script entry point, in its own working directory with its own limit and output. The
corpus is built by the test: nothing large or dangerous is kept in the repository.
"""

from __future__ import annotations

import io
import os
import shutil
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

from tests.security.cli_forker import Forker

REPO = Path(__file__).resolve().parents[2]
POLICY = REPO / "policies" / "example-city"
INVENTORY = REPO / "inventory" / "example-city"
MEMORY_LIMIT = 1536 * 1024 * 1024
TIMEOUT = 60

DEVICE = """devices:
  - name: {name}
    address: {address}
    platform: cisco_ios
    snmp: {{version: v2c, port: {port}, community: {{env: COMMUNITY}}}}
"""


@dataclass
class Case:
    """``build(folder)`` writes the hostile file and returns (CLI arguments, file to be named)."""

    id: str
    build: Callable[[Path], tuple[list[str], str]]


def _policy(content: str | bytes, name: str = "policy.yaml") -> Callable[[Path], Any]:
    def build(folder: Path) -> tuple[list[str], str]:
        path = folder / name
        path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
        return ["--policy", str(path), "--inventory", str(INVENTORY)], name

    return build


def _inventory(content: str, name: str = "devices.yaml") -> Callable[[Path], Any]:
    def build(folder: Path) -> tuple[list[str], str]:
        path = folder / name
        path.write_text(content, encoding="utf-8")
        return ["--policy", str(POLICY), "--inventory", str(path)], name

    return build


def _device(name: str = "sw1", address: str = "10.99.0.11", port: str = "161") -> str:
    return DEVICE.format(name=name, address=address, port=port)


def _ledger(write: Callable[[Path], None], name: str) -> Callable[[Path], Any]:
    def build(folder: Path) -> tuple[list[str], str]:
        path = folder / name
        write(path)
        return [
            "--policy",
            str(POLICY),
            "--inventory",
            str(INVENTORY / "devices.yaml"),
            "--ledger",
            str(path),
        ], name

    return build


def _alias_bomb(key: str) -> str:
    lines = ['l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, 10):
        below = f"*l{level - 1}"
        lines.append(f"l{level}: &l{level} [{', '.join([below] * 9)}]")
    return "\n".join(lines) + f"\n{key}: *l9\n"


def _huge_cell_csv(path: Path) -> None:
    path.write_text("資産番号,設置場所\nA-1," + "x" * 200_000 + "\n", encoding="utf-8")


def _bad_utf8_line_csv(path: Path) -> None:
    good = "資産番号,設置場所\nA-1,本庁舎\nA-2,支所\n".encode()
    path.write_bytes(good + b"A-3,\xff\xfe\xfd\n")


def _xlsx_bytes() -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["資産番号", "設置場所"])
    sheet.append(["A-1", "本庁舎"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _xlsx_zip_bomb(path: Path) -> None:
    """A small file whose sheet part unpacks to 300 MiB of one repeated cell."""
    with zipfile.ZipFile(io.BytesIO(_xlsx_bytes())) as original:
        parts = {info.filename: original.read(info) for info in original.infolist()}
    # level 1: a fifth of the time to build, still over 200:1 and under 3 MiB
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as bomb:
        for name, data in parts.items():
            if name != "xl/worksheets/sheet1.xml":
                bomb.writestr(name, data)
        with bomb.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(b'<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>')
            chunk = b"A" * (1 << 20)
            for _ in range(300):
                sheet.write(chunk)
            sheet.write(b"</t></is></c></row></sheetData></worksheet>")
    assert path.stat().st_size < 3 * 1024 * 1024


def _xlsx_entities(path: Path) -> None:
    with zipfile.ZipFile(io.BytesIO(_xlsx_bytes())) as original:
        parts = {info.filename: original.read(info) for info in original.infolist()}
    doctype = (
        b'<?xml version="1.0"?>\n<!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>\n'
    )
    sheet = parts["xl/worksheets/sheet1.xml"]
    parts["xl/worksheets/sheet1.xml"] = doctype + sheet.split(b"?>", 1)[-1]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for name, data in parts.items():
            out.writestr(name, data)


def _dev_zero(folder: Path) -> tuple[list[str], str]:
    return ["--policy", "/dev/zero", "--inventory", str(INVENTORY)], "/dev/zero"


def _fifo(folder: Path) -> tuple[list[str], str]:
    path = folder / "policy.yaml"
    os.mkfifo(path)
    return ["--policy", str(path), "--inventory", str(INVENTORY)], "policy.yaml"


def _oversized(folder: Path) -> tuple[list[str], str]:
    path = folder / "policy.yaml"
    with path.open("wb") as handle:
        handle.truncate(17 * 1024 * 1024)  # sparse: costs no disk
    return ["--policy", str(path), "--inventory", str(INVENTORY)], "policy.yaml"


def _broken_link(folder: Path) -> tuple[list[str], str]:
    policy = folder / "policy"
    shutil.copytree(POLICY, policy)
    (policy / "zz-extra.yaml").symlink_to(folder / "missing.yaml")
    return ["--policy", str(policy), "--inventory", str(INVENTORY)], "zz-extra.yaml"


CASES = [
    Case("policy-alias-bomb", _policy(_alias_bomb("zones"))),
    Case("inventory-alias-bomb", _inventory(_alias_bomb("devices"))),
    Case("policy-deep-list", _policy("[" * 100_000)),
    Case("policy-deep-map", _policy("{a: " * 5_000)),
    Case("inventory-deep-list", _inventory("devices: " + "[" * 100_000)),
    Case(
        "policy-5000-digit-integer", _policy("zones:\n  - id: x\n    vlans: [" + "9" * 5000 + "]\n")
    ),
    Case("policy-nul-byte", _policy(b"zones:\n  - id: x\x00\n")),
    Case("policy-not-utf8", _policy(b"zones:\n  - id: \xff\xfe\n")),
    Case("policy-dev-zero", _dev_zero),
    Case("policy-fifo", _fifo),
    Case("policy-oversized", _oversized),
    Case("policy-broken-symlink", _broken_link),
    Case("port-70000", _inventory(_device(port="70000"))),
    Case("port-negative", _inventory(_device(port="-1"))),
    Case("port-huge", _inventory(_device(port="99999999999999999999"))),
    Case("address-999", _inventory(_device(address="999.1.1.1"))),
    Case("address-garbage", _inventory(_device(address="'sw 1; rm -rf'"))),
    Case("name-300", _inventory(_device(name="a" * 300))),
    Case("name-5000", _inventory(_device(name="b" * 5_000))),
    Case("name-1000000", _inventory(_device(name="c" * 1_000_000))),
    Case("ledger-huge-cell", _ledger(_huge_cell_csv, "ledger.csv")),
    Case("ledger-bad-utf8-line", _ledger(_bad_utf8_line_csv, "ledger.csv")),
    Case("ledger-xlsx-zip-bomb", _ledger(_xlsx_zip_bomb, "ledger.xlsx")),
    Case("ledger-xlsx-entities", _ledger(_xlsx_entities, "ledger.xlsx")),
]


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_hostile_input_is_a_clear_error_naming_the_file(
    case: Case, tmp_path: Path, forker: Forker
) -> None:
    work = tmp_path / "work"
    work.mkdir()
    arguments, named = case.build(work)
    result = forker.run(
        ["validate", *arguments],
        cwd=work,
        output=tmp_path / "output",
        memory_limit=MEMORY_LIMIT,
        timeout=TIMEOUT,
    )
    assert result.returncode is not None, "the command outlived its timeout"
    output = result.stdout + result.stderr
    assert "Traceback" not in output, output[-3000:]
    assert result.returncode == 2, output[-3000:]
    assert named in result.stderr, result.stderr[-3000:]
    assert len(result.stderr) < 20_000  # the error quotes the value briefly, never all of it

"""Every export carries the event-chain head, so `auditor verify --expect-head` can anchor it."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from openpyxl import load_workbook

from auditor.report.exports import json_header, write_json, write_sarif, write_xlsx

HEAD = "ab" * 32


def test_json_sarif_and_xlsx_name_the_chain_head(tmp_path: Path) -> None:
    header = json_header(
        generated_at=datetime(2026, 4, 1, tzinfo=UTC),
        tool_version="test",
        rule_pack_hash=None,
        filters={},
        count=0,
        chain_head=HEAD,
    )
    write_json([], tmp_path / "f.json", header)
    assert json.loads((tmp_path / "f.json").read_text())["event_chain_head"] == HEAD

    write_sarif([], tmp_path / "f.sarif", tool_version="test", chain_head=HEAD)
    sarif = json.loads((tmp_path / "f.sarif").read_text())
    assert sarif["runs"][0]["properties"]["eventChainHead"] == HEAD

    write_xlsx([], tmp_path / "f.xlsx", lang="en", chain_head=HEAD)
    sheet = load_workbook(tmp_path / "f.xlsx")["Provenance"]
    assert [cell.value for cell in sheet[1]] == ["Event hash-chain head", HEAD]

"""`auditor path` over a stored example city (snapshots a perfect collector would build; no lab)."""

from __future__ import annotations

import json
from pathlib import Path

from auditor.analysis.matrix import ZoneMatrix, zone_matrix_from_json
from tests.cli_tree import CliRunner, build_app
from tests.test_matrix_cli import POLICY, _city_store


def _path(tmp_path: Path, *args: str, lang: str = "en") -> tuple[int, str]:
    inventory, database = _city_store(tmp_path)
    result = CliRunner().invoke(
        build_app(lang),  # type: ignore[arg-type]
        [
            "path",
            *args,
            "--policy",
            str(POLICY),
            "--inventory",
            str(inventory),
            "--db",
            str(database),
            "--lang",
            lang,
        ],
    )
    return result.exit_code, result.stdout


def test_internet_to_my_number_is_unknown_because_of_the_planted_pppoe_route(
    tmp_path: Path,
) -> None:
    """inet-rt1's second default route leaves by pp1, an interface no snapshot describes."""
    code, out = _path(tmp_path, "internet", "mynumber", "--service", "tcp/443", "--format", "json")
    assert code == 0, out
    answer = json.loads(out)
    (result,) = answer["results"]
    assert result["status"] == "unknown"
    assert any("pp1" in gap and "inet-rt1" in gap for gap in result["gaps"])
    assert answer["source"]["kind"] == "zone" and answer["destination"]["zones"] == ["mynumber"]


def test_the_planted_lgwan_to_internet_path_is_printed_hop_by_hop_in_japanese(
    tmp_path: Path,
) -> None:
    code, out = _path(tmp_path, "lgwan", "internet", "--service", "tcp/443", lang="ja")
    assert code == 0, out
    assert "到達可能" in out and "無害化・中継ホストを経由しない" in out
    assert "1. inet-core-sw1  Vlan21 → Vlan30" in out
    assert "acl:LGWAN-IN:20" in out


def test_a_host_an_address_and_a_bad_name(tmp_path: Path) -> None:
    code, out = _path(
        tmp_path, "screen-gw", "10.30.0.5", "--service", "tcp/443", "--format", "json"
    )
    assert code == 0, out
    answer = json.loads(out)
    assert answer["source"]["kind"] == "host" and answer["source"]["zones"] == ["sanitizer"]
    assert answer["destination"]["kind"] == "address"
    assert answer["results"][0]["status"] in {"reachable", "not-reachable", "unknown"}
    (tmp_path / "again").mkdir()
    code, _ = _path(tmp_path / "again", "no-such-thing", "internet")
    assert code == 2


def test_the_matrix_column_round_trips_and_old_json_still_loads(tmp_path: Path) -> None:
    inventory, database = _city_store(tmp_path)
    result = CliRunner().invoke(
        build_app("en"),
        [
            "matrix",
            "--policy",
            str(POLICY),
            "--inventory",
            str(inventory),
            "--db",
            str(database),
            "--format",
            "json",
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    cells = {(c["from"], c["to"]): c for c in data["cells"]}
    myn = cells[("mynumber", "internet")]["reachable_by_path"]
    assert myn["status"] == "reachable" and myn["violations"][0]["service"] == "tcp/443"
    unknown = cells[("internet", "mynumber")]["reachable_by_path"]
    assert unknown["status"] == "unknown" and any("pp1" in why for why in unknown["why"])
    lgwan = cells[("lgwan", "internet")]["reachable_by_path"]
    assert lgwan["status"] == "reachable"
    assert {"service": "tcp/443", "reason": "bypasses the relay"}.items() <= lgwan["violations"][
        0
    ].items()
    rebuilt: ZoneMatrix = zone_matrix_from_json(data)
    assert rebuilt.cell("lgwan", "internet").path_violation
    for cell in data["cells"]:  # a matrix stored before the column existed
        cell.pop("reachable_by_path")
    old = zone_matrix_from_json(data)
    assert old.cell("lgwan", "internet").path_status is None

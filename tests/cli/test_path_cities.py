"""`auditor path mynumber internet` on the demo city (planted path) and on the remediated city.

The remediated city is the example city with every plant's ``fix`` applied
(``auditor.lab.scenario.remediated``): the same devices and topology without the mistakes.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from auditor.lab.scenario import Scenario, remediated
from tests.builders import example_city
from tests.cli_tree import CliRunner, build_app
from tests.test_matrix_cli import POLICY, _city_store


def _path(tmp_path: Path, scenario: Scenario, *args: str, lang: str = "en") -> str:
    inventory, database = _city_store(tmp_path, scenario)
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
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.mark.parametrize(("lang", "word"), [("en", "not reachable"), ("ja", "到達不可")])
def test_my_number_to_internet_is_not_reachable_on_the_remediated_city(
    tmp_path: Path, lang: str, word: str
) -> None:
    out = _path(tmp_path, remediated(example_city()), "mynumber", "internet", lang=lang)
    statuses = [line for line in out.splitlines() if line.startswith("[")]
    assert statuses and all(word in line for line in statuses), out
    assert "tcp/443" in out


def test_the_remediated_city_has_no_path_beyond_the_policy(tmp_path: Path) -> None:
    out = _path(tmp_path, remediated(example_city()), "mynumber", "lgwan", "--format", "json")
    assert {r["status"] for r in json.loads(out)["results"]} == {"not-reachable"}


def test_the_demo_city_prints_the_planted_my_number_to_internet_path_hop_by_hop(
    tmp_path: Path,
) -> None:
    city = example_city()
    out = _path(tmp_path, city, "mynumber", "internet", "--service", "tcp/443", lang="ja")
    assert "[tcp/443] 到達可能 — ポリシー違反: マイナンバー利用事務系の許可宛先外" in out
    assert "1. myn-fw1  port1 → port2" in out
    assert "static 0.0.0.0/0 via 10.20.255.3" in out and "fw:2" in out
    assert "2. inet-fw1  port1 → port2" in out and "fw:3" in out
    # From a user VLAN the same path starts at the core switch's ACL line MYN-OUT 30.
    (tmp_path / "vlan").mkdir()
    out = _path(tmp_path / "vlan", city, "10.10.10.0/24", "internet", "--service", "tcp/443")
    assert "1. myn-core-sw1  VLAN0010 → gigabitethernet 1/0/3" in out
    assert "acl:MYN-OUT:30" in out and "static 0.0.0.0/0 via 10.10.255.2" in out
    assert "2. myn-fw1  port1 → port2" in out and "3. inet-fw1  port1 → port2" in out


def test_a_plant_hidden_behind_a_shorter_path_shows_once_that_one_is_fixed(
    tmp_path: Path,
) -> None:
    """inet-fw1 policy 4 (SMTP around the mail relay) is masked by the planted SVI path."""
    city = remediated(example_city(), keep={"P-SEG-20"})
    out = _path(tmp_path, city, "internet", "lgwan", "--service", "tcp/25", "--format", "json")
    (result,) = json.loads(out)["results"]
    assert result["status"] == "reachable" and result["violation"] == "bypasses the relay"
    firewall = next(hop for hop in result["path"] if hop["device"] == "inet-fw1")
    assert any(line.startswith("fw:4") for line in firewall["permits"])

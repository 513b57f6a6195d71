"""A bundle round trip against the lab: SNMP collection of one tier inside it, import centrally."""

from __future__ import annotations

import io
import json
import shutil
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from auditor.cli.app import build_app
from auditor.distributed import sealing
from auditor.lab.runner import LabState

from .conftest import POLICY

pytestmark = pytest.mark.lab


def _cli(args: list[str]) -> tuple[int, str]:
    result = CliRunner().invoke(build_app("en"), args)
    return result.exit_code, result.output


def test_a_my_number_bundle_from_the_lab_is_imported_as_a_run(
    scaled_lab: LabState, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AUDITOR_REDACTION_SALT", "bundle-lab-test")
    monkeypatch.setenv("AUDITOR_STATE_DIR", str(tmp_path / "state"))
    collector, central = tmp_path / "ck", tmp_path / "zk"
    assert _cli(["keys", "init", "--collector", "myn", "--dir", str(collector)])[0] == 0
    assert _cli(["keys", "init", "--central", "--dir", str(central)])[0] == 0
    shutil.copy(collector / "collector.pub", central / "trusted" / "myn.pub")
    inventory = scaled_lab.inventory_file
    drop = tmp_path / "drop"
    drop.mkdir()
    code, output = _cli(
        [
            "collect",
            "--bundle",
            str(drop),
            "--tier",
            "mynumber",
            "--policy",
            str(POLICY),
            "--inventory",
            inventory,
            "--keys",
            str(collector),
            "--recipient",
            str(central / "central.pub"),
        ]
    )
    assert code == 0, output
    (bundle,) = drop.glob("*.kjb")
    # No credential of the lab (the files the inventory references) is inside the bundle.
    _, payload = sealing.unseal(
        bundle.read_bytes(), sealing.load_central(central), sealing.load_trusted(central)
    )
    archive = zipfile.ZipFile(io.BytesIO(payload))
    secrets = [p.read_text().strip() for p in (Path(scaled_lab.state_dir) / "secrets").iterdir()]
    assert secrets
    for name in archive.namelist():
        data = archive.read(name)
        for secret in secrets:
            assert secret.encode() not in data, name
    code, output = _cli(
        [
            "import",
            str(bundle),
            "--policy",
            str(POLICY),
            "--inventory",
            inventory,
            "--db",
            str(tmp_path / "central.db"),
            "--keys",
            str(central),
            "--fail-on",
            "never",
            "--format",
            "json",
        ]
    )
    assert code == 0, output
    result = json.loads(output[output.index("{") :])
    assert result["status"] == "complete"
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["tier"] == "mynumber"
    assert len(manifest["devices"]) == 10
    assert all(name.startswith("s0000-") for name in manifest["devices"])

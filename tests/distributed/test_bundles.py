"""One-way hand-over (issue 23): collection bundles written by a collector, imported centrally.

The collector is the real file collector (inventory ``source: {file: …}`` devices rendered from the
example city), the bundle is sealed with real keys, and the import goes through the CLI into a real
store. Every refusal is exit 2 and leaves the store without a run and without a register entry.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import zipfile
from pathlib import Path

import pytest

from auditor.distributed import sealing
from auditor.lab.scenario import Scenario
from auditor.store.repository import Store
from tests.builders import example_city
from tests.cli_tree import CliRunner, build_app
from tests.offline.conftest import REPO, save_city

POLICY = REPO / "policies" / "example-city"
FILE_DEVICES = ("lg-core-sw1", "edu-rt1", "myn-core-sw1")
MISSING = "inet-fw1"  # its file is never written: a collection failure inside the bundle
COMMUNITY = "rei-lgcore-ro"  # lg-core-sw1's SNMP community, written in its configuration


def _cli(args: list[str], lang: str = "en") -> tuple[int, str]:
    result = CliRunner().invoke(build_app(lang), args)
    return result.exit_code, result.output


def _set_env(monkeypatch: pytest.MonkeyPatch, state: Path) -> None:
    monkeypatch.setenv("AUDITOR_REDACTION_SALT", "bundle-test")
    monkeypatch.setenv("AUDITOR_STATE_DIR", str(state))
    monkeypatch.delenv("AUDITOR_KEYS_DIR", raising=False)


@pytest.fixture(autouse=True)
def _env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _set_env(monkeypatch, tmp_path / "state")


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    return example_city()


@pytest.fixture
def city(scenario: Scenario, tmp_path: Path) -> Path:
    """An inventory of saved-file devices (plus one whose file is missing)."""
    return _write_city(scenario, tmp_path / "inventory")


def _write_city(scenario: Scenario, folder: Path) -> Path:
    save_city(scenario, folder / "configs", FILE_DEVICES)
    lines = ["devices:"]
    for name in (*FILE_DEVICES, MISSING):
        device = scenario.device(name)
        lines += [
            f"  - name: {name}",
            f"    address: {device.address}",
            f"    platform: {device.platform}",
            f"    zones: [{', '.join(device.zones)}]",
            f"    source: {{file: configs/{name}.cfg}}",
        ]
    (folder / "devices.yaml").write_text("\n".join(lines) + "\n")
    return folder / "devices.yaml"


@pytest.fixture
def keys(tmp_path: Path) -> dict[str, Path]:
    return _make_keys(tmp_path)


def _make_keys(tmp_path: Path) -> dict[str, Path]:
    collector, central = tmp_path / "collector-keys", tmp_path / "central-keys"
    assert _cli(["keys", "init", "--collector", "myn-col1", "--dir", str(collector)])[0] == 0
    assert _cli(["keys", "init", "--central", "--dir", str(central)])[0] == 0
    shutil.copy(collector / "collector.pub", central / "trusted" / "myn-col1.pub")
    return {"collector": collector, "central": central}


def _collect(city: Path, keys: dict[str, Path], out: Path, tenant: str | None = None) -> Path:
    out.mkdir(exist_ok=True)
    code, output = _cli(
        [
            *(["--tenant", tenant] if tenant else []),
            "collect",
            "--bundle",
            str(out),
            "--policy",
            str(POLICY),
            "--inventory",
            str(city),
            "--keys",
            str(keys["collector"]),
            "--recipient",
            str(keys["central"] / "central.pub"),
        ]
    )
    assert code == 0, output
    (bundle,) = sorted(out.glob("*.kjb"))
    return bundle


def _import(bundle: Path, city: Path, keys: dict[str, Path], db: Path, lang: str = "en"):
    return _cli(
        [
            "import",
            str(bundle),
            "--policy",
            str(POLICY),
            "--inventory",
            str(city),
            "--db",
            str(db),
            "--keys",
            str(keys["central"]),
            "--fail-on",
            "never",
            "--format",
            "json",
        ],
        lang,
    )


def _stored(db: Path) -> tuple[int, int]:
    """(runs, register rows) in the store."""
    if not db.exists():
        return 0, 0
    from sqlalchemy import text

    with Store(str(db)) as store, store.engine.connect() as connection:
        runs = connection.execute(text("select count(*) from runs")).scalar_one()
        register = connection.execute(text("select count(*) from imported_bundles")).scalar_one()
    return int(runs), int(register)


def test_keys_are_private_and_never_overwritten(keys: dict[str, Path]) -> None:
    for path in (keys["collector"] / "collector.key", keys["central"] / "central.key"):
        assert os.stat(path).st_mode & 0o777 == 0o600
    code, output = _cli(["keys", "init", "--central", "--dir", str(keys["central"])])
    assert code == 2
    assert "never overwritten" in output


def test_a_valid_bundle_is_audited_as_a_normal_run(
    city: Path, keys: dict[str, Path], tmp_path: Path
) -> None:
    bundle = _collect(city, keys, tmp_path / "drop")
    db = tmp_path / "central.db"
    code, output = _import(bundle, city, keys, db)
    assert code == 3, output  # the missing file makes the run incomplete for that device
    payload = json.loads(output[output.index("{") :])
    assert payload["bundles"][0]["collector_id"] == "myn-col1"
    assert payload["bundles"][0]["sequence"] == 1
    findings = payload["findings"]
    # The planted violation in edu-rt1's configuration is found centrally, as in a live run.
    assert any(f["device"] == "edu-rt1" and f["check_id"].startswith("HRD-") for f in findings)
    # The bundle's collection failure is a COL finding of the run.
    assert any(f["device"] == MISSING and f["check_id"].startswith("COL-") for f in findings)
    assert _stored(db) == (1, 1)
    with Store(str(db)) as store:
        run = store.get_run(payload["run_id"])
        assert set(run.devices) == {*FILE_DEVICES, MISSING}
        assert set(store.latest_snapshots(FILE_DEVICES)) == set(FILE_DEVICES)


def test_secrets_are_redacted_before_they_enter_the_bundle(
    city: Path, keys: dict[str, Path], tmp_path: Path
) -> None:
    assert COMMUNITY in (city.parent / "configs" / "lg-core-sw1.cfg").read_text()
    bundle = _collect(city, keys, tmp_path / "drop")
    _, payload = sealing.unseal(
        bundle.read_bytes(),
        sealing.load_central(keys["central"]),
        sealing.load_trusted(keys["central"]),
    )
    archive = zipfile.ZipFile(io.BytesIO(payload))
    members = {name: archive.read(name) for name in archive.namelist()}
    assert any(name.startswith("snapshots/") for name in members)
    for name, data in members.items():
        assert COMMUNITY.encode() not in data, name
    assert any(b"<redacted:sha256:" in data for data in members.values())


@pytest.fixture(scope="module")
def collected(
    scenario: Scenario, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, dict[str, Path], bytes]:
    """(inventory, keys, sealed bundle) made once for the tests that only read them."""
    folder = tmp_path_factory.mktemp("collected")
    with pytest.MonkeyPatch.context() as monkeypatch:
        _set_env(monkeypatch, folder / "state")
        city, keys = _write_city(scenario, folder / "inventory"), _make_keys(folder)
        bundle = _collect(city, keys, folder / "drop")
    return city, keys, bundle.read_bytes()


@pytest.mark.parametrize("where", ["magic", "header", "early", "middle", "tag"])
def test_a_tampered_bundle_is_refused_and_nothing_is_stored(
    where: str, collected: tuple[Path, dict[str, Path], bytes], tmp_path: Path
) -> None:
    city, keys, sealed = collected  # one collection for every position
    bundle = tmp_path / "tampered.kjb"
    data = bytearray(sealed)
    position = {
        "magic": 2,
        "header": 20,
        "early": 200,
        "middle": len(data) // 2,
        "tag": len(data) - 1,
    }[where]
    data[position] ^= 0x01
    bundle.write_bytes(bytes(data))
    db = tmp_path / "central.db"
    code, output = _import(bundle, city, keys, db)
    assert code == 2, output
    assert "refused" in output
    assert _stored(db) == (0, 0)


def test_every_single_byte_flip_is_refused(keys: dict[str, Path]) -> None:
    """Sign-then-encrypt with an AEAD over the whole file: no byte can change unnoticed."""
    sealed = sealing.seal(
        b"payload " * 40,
        sealing.load_collector(keys["collector"]),
        sealing.read_central_public(keys["central"] / "central.pub"),
    )
    central = sealing.load_central(keys["central"])
    trusted = sealing.load_trusted(keys["central"])
    for position in range(len(sealed)):
        data = bytearray(sealed)
        data[position] ^= 0x80
        with pytest.raises(sealing.BundleError):
            sealing.unseal(bytes(data), central, trusted)


def test_a_truncated_bundle_is_refused(city: Path, keys: dict[str, Path], tmp_path: Path) -> None:
    bundle = _collect(city, keys, tmp_path / "drop")
    db = tmp_path / "central.db"
    for length in (5, 40, bundle.stat().st_size - 1):
        cut = tmp_path / f"cut-{length}.kjb"
        cut.write_bytes(bundle.read_bytes()[:length])
        code, output = _import(cut, city, keys, db)
        assert code == 2, output
    assert _stored(db) == (0, 0)


def test_a_replayed_bundle_is_refused(city: Path, keys: dict[str, Path], tmp_path: Path) -> None:
    bundle = _collect(city, keys, tmp_path / "drop")
    db = tmp_path / "central.db"
    assert _import(bundle, city, keys, db)[0] == 3
    code, output = _import(bundle, city, keys, db, lang="ja")
    assert code == 2, output
    assert "再送は拒否します" in output
    assert _stored(db) == (1, 1)
    # A copy under another name is the same bundle: still refused.
    copy = tmp_path / "copy.kjb"
    shutil.copy(bundle, copy)
    assert _import(copy, city, keys, db)[0] == 2
    # The collector's next bundle is accepted.
    newer = _collect(city, keys, tmp_path / "drop2")
    assert _import(newer, city, keys, db)[0] == 3
    assert _stored(db) == (2, 2)


def test_an_older_bundle_after_a_newer_one_is_refused(
    city: Path, keys: dict[str, Path], tmp_path: Path
) -> None:
    first = _collect(city, keys, tmp_path / "one")
    second = _collect(city, keys, tmp_path / "two")
    db = tmp_path / "central.db"
    assert _import(second, city, keys, db)[0] == 3
    code, output = _import(first, city, keys, db)
    assert code == 2
    assert "not newer" in output
    assert _stored(db) == (1, 1)


def test_a_bundle_for_another_central_key_is_refused(
    city: Path, keys: dict[str, Path], tmp_path: Path
) -> None:
    other = tmp_path / "other-central"
    assert _cli(["keys", "init", "--central", "--dir", str(other)])[0] == 0
    shutil.copy(keys["collector"] / "collector.pub", other / "trusted" / "myn-col1.pub")
    bundle = _collect(city, {**keys, "central": other}, tmp_path / "drop")
    db = tmp_path / "central.db"
    code, output = _import(bundle, city, keys, db)
    assert code == 2
    assert "another central key" in output
    assert _stored(db) == (0, 0)


def test_an_unknown_collector_and_a_forged_signature_are_refused(
    city: Path, keys: dict[str, Path], tmp_path: Path
) -> None:
    db = tmp_path / "central.db"
    # A collector whose public key the central side never trusted.
    stranger = tmp_path / "stranger"
    assert _cli(["keys", "init", "--collector", "stranger", "--dir", str(stranger)])[0] == 0
    bundle = _collect(city, {**keys, "collector": stranger}, tmp_path / "s")
    code, output = _import(bundle, city, keys, db)
    assert code == 2
    assert "not trusted" in output
    # Someone with their own key who claims to be the trusted collector myn-col1.
    forger = tmp_path / "forger"
    assert _cli(["keys", "init", "--collector", "myn-col1", "--dir", str(forger)])[0] == 0
    bundle = _collect(city, {**keys, "collector": forger}, tmp_path / "f")
    code, output = _import(bundle, city, keys, db)
    assert code == 2
    assert "signature does not match" in output
    assert _stored(db) == (0, 0)

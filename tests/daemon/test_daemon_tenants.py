"""One daemon per city: each runs with its city's inputs, secrets and channels, into its tenant."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.daemon.scheduler import tenant_may_read
from auditor.daemon.settings import Settings, sample_config
from auditor.inventory.credentials import CredentialError, resolve_secret
from auditor.inventory.models import CredentialRef
from auditor.store import Store
from auditor.store.tenancy import TenantChoiceError
from tests.daemon.harness import DaemonProcess, daemon_env
from tests.daemon.test_daemon_basics import POLICY

CITIES = ("kita", "minami")


def _tenants_toml(tmp_path: Path, *, channel: bool = False) -> str:
    blocks = []
    for name in CITIES:
        folder = tmp_path / name
        (folder / "credentials").mkdir(parents=True, exist_ok=True)
        (folder / "credentials" / "snmp").write_text(f"secret-of-{name}\n", encoding="utf-8")
        (folder / "policy.yaml").write_text(POLICY, encoding="utf-8")
        (folder / "devices.yaml").write_text("devices: []\n", encoding="utf-8")
        block = (
            f'[[tenants]]\nname = "{name}"\ndisplay_name_ja = "{name}市"\n'
            f'display_name_en = "{name.title()} City"\npolicy = "{folder / "policy.yaml"}"\n'
            f'inventory = "{folder / "devices.yaml"}"\n'
            f'credentials_directory = "{folder / "credentials"}"\n'
        )
        if channel:
            block += (
                f'[tenants.notify.channels.hook-{name}]\ntype = "webhook"\n'
                f'url = "https://hooks.{name}.example.lg.jp/x"\n'
            )
        blocks.append(block)
    return "\n".join(blocks)


@pytest.fixture
def configured(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    config = tmp_path / "auditor.toml"
    config.write_text(_tenants_toml(tmp_path, channel=True), encoding="utf-8")
    monkeypatch.setenv("AUDITOR_CONFIG", str(config))
    monkeypatch.delenv("AUDITOR_TENANT", raising=False)
    return config


def test_a_daemon_of_a_multi_city_deployment_must_be_told_its_city(configured: Path) -> None:
    settings = Settings()
    with pytest.raises(TenantChoiceError) as refused:
        settings.for_tenant()
    assert refused.value.choices == CITIES
    with pytest.raises(TenantChoiceError):
        settings.model_copy(update={"tenant": "nishi"}).for_tenant()


def test_the_city_settings_hold_that_city_only(configured: Path, tmp_path: Path) -> None:
    kita = Settings(tenant="kita").for_tenant()
    assert kita.policy == tmp_path / "kita" / "policy.yaml"
    assert kita.inventory == tmp_path / "kita" / "devices.yaml"
    assert kita.credentials_directory == tmp_path / "kita" / "credentials"
    assert list(kita.notify.channels) == ["hook-kita"]
    assert [tenant.name for tenant in kita.tenants] == ["kita"]
    assert kita.effective_report_dir() == kita.state_dir / "reports" / "kita"
    assert kita.status_file_name() == "daemon-status-kita.json"
    single = Settings(tenants=[])
    assert single.for_tenant().tenant_key() == "default"
    assert single.status_file_name() == "daemon-status.json"
    assert "[[tenants]]" in sample_config()


def test_a_city_never_reads_another_citys_secret(configured: Path, tmp_path: Path) -> None:
    kita = Settings(tenant="kita").for_tenant()
    inventory_dir = kita.inventory.parent
    own = CredentialRef(systemd="snmp")
    tenant_may_read(own, kita, inventory_dir)
    assert resolve_secret(own, credentials_directory=kita.credentials_directory) == "secret-of-kita"
    theirs = CredentialRef(file=str(tmp_path / "minami" / "credentials" / "snmp"))
    with pytest.raises(CredentialError, match="outside the credentials of tenant 'kita'"):
        tenant_may_read(theirs, kita, inventory_dir)
    sneaky = CredentialRef(file="../minami/credentials/snmp")
    with pytest.raises(CredentialError):
        tenant_may_read(sneaky, kita, inventory_dir)
    tenant_may_read(CredentialRef(file=str(tmp_path / "kita" / "credentials" / "snmp")), kita, None)


def test_two_city_daemons_share_one_database_and_keep_to_their_city(tmp_path: Path) -> None:
    config = tmp_path / "auditor.toml"
    config.write_text(_tenants_toml(tmp_path), encoding="utf-8")
    unused = tmp_path / "unused.yaml"
    daemons = {}
    try:
        for name in CITIES:
            env = daemon_env(
                tmp_path,
                unused,
                unused,
                AUDITOR_TENANT=name,
                AUDITOR_SNMP_INTERVAL_MINUTES="0.005",
            )
            daemons[name] = DaemonProcess(env)
        for daemon in daemons.values():
            assert daemon.wait_for(
                lambda d=daemon: sum("event=run " in line for line in d.lines) >= 2
            ), daemon.output()
    finally:
        codes = {name: daemon.stop() for name, daemon in daemons.items()}
    assert codes == {"kita": 0, "minami": 0}, [d.output() for d in daemons.values()]
    url = f"sqlite:///{tmp_path / 'state' / 'auditor.db'}"
    for name in CITIES:
        assert (tmp_path / "state" / f"daemon-status-{name}.json").is_file()
        with Store(url, tenant=name) as store:
            assert len(store.list_runs(kind="poll")) >= 2
            assert store.verify().ok
    with Store(url) as default:
        assert default.list_runs() == []
    # Without a city the daemon refuses at once (exit 2) instead of guessing.
    lone = DaemonProcess(daemon_env(tmp_path, unused, unused))
    try:
        code = lone.process.wait(timeout=60)
    finally:
        lone.stop()
    assert code == 2, lone.output()
    assert "--tenant" in lone.output()

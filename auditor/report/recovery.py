"""The recovery kit (plan item 4-3-4, ICT business continuity): what it takes to rebuild.

``auditor config export-all --out DIR`` writes, per device, its last known-good configuration
(the newest snapshot of a run in which its collection did not fail), the inventory re-serialised
with credential references only (as the evidence bundle does), the asset ledger, a manifest, a
ja/en README and ``SHA256SUMS`` (``cd DIR && sha256sum -c SHA256SUMS``).

The store only ever holds redacted configurations, so a kit from the store is redacted: secrets
must be set again from the credential store when rebuilding. An unredacted kit can only come from
original saved files the operator hands over (``--from-files``); who asked, when, for which devices
and in which form is appended to the event hash chain before anything is written.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Protocol

from auditor.model.snapshot import DeviceSnapshot
from auditor.report.bundle import config_documents
from auditor.report.exports import iso_jst
from auditor.textsafe import json_dumps

EXPORT_SUBJECT = "operator:config-export"
"""The event-chain subject of recovery-kit exports (no finding has this fingerprint)."""

_LEDGER_FILES = ("ledger.csv", "ledger.xlsx")


class LastGoodStore(Protocol):
    def last_good_configs(
        self, devices: Iterable[str] | None = None
    ) -> dict[str, DeviceSnapshot]: ...


@dataclass(frozen=True)
class KitConfig:
    """One device's configuration as it goes into the kit."""

    device: str
    data: bytes
    origin: str
    """``store-redacted`` or ``saved-file-unredacted``."""
    collected_at: datetime | None = None
    stored_hash: str | None = None
    """``config_hash`` of the store's last known-good snapshot, when there is one."""
    file_label: str | None = None
    matches_store: bool | None = None
    """For a saved file: whether its redacted form equals the store's last known-good config."""


def redacted_configs(store: LastGoodStore, devices: Iterable[str] | None) -> list[KitConfig]:
    """The last known-good configurations the store holds (already redacted)."""
    found = store.last_good_configs(devices)
    return [
        KitConfig(
            device=name,
            data=(snapshot.config_redacted or "").encode("utf-8"),
            origin="store-redacted",
            collected_at=snapshot.collected_at,
            stored_hash=snapshot.config_hash,
        )
        for name, snapshot in sorted(found.items())
    ]


@dataclass(frozen=True)
class KitInputs:
    generated_at: datetime
    tool_version: str
    actor: str
    configs: Sequence[KitConfig]
    inventory: Path | None = None
    ledger: Path | None = None
    event: Mapping[str, object] | None = None
    """The chain event that recorded this export (id, hash)."""
    missing: Sequence[str] = ()
    """Inventory devices with no known-good configuration (named in the manifest and README)."""


def _write(root: Path, name: str, data: bytes, sums: dict[str, str], mode: int = 0o600) -> None:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)
    sums[name] = hashlib.sha256(data).hexdigest()


def _ledger(inputs: KitInputs) -> Path | None:
    if inputs.ledger is not None:
        return inputs.ledger if inputs.ledger.is_file() else None
    if inputs.inventory is None:
        return None
    folder = inputs.inventory if inputs.inventory.is_dir() else inputs.inventory.parent
    for name in _LEDGER_FILES:
        candidate = folder / name
        if candidate.is_file() and not candidate.is_symlink():
            return candidate
    return None


def write_kit(out: Path, inputs: KitInputs) -> list[str]:
    """Write the kit into ``out`` (created 0700; files 0600); returns the names in SHA256SUMS."""
    out.mkdir(parents=True, exist_ok=True, mode=0o700)
    out.chmod(0o700)
    sums: dict[str, str] = {}
    unredacted = any(c.origin != "store-redacted" for c in inputs.configs)
    for config in inputs.configs:
        _write(out, f"configs/{config.device}.cfg", config.data, sums)
    documents: list[str] = []
    if inputs.inventory is not None:
        for name, text in config_documents("inventory", inputs.inventory):
            _write(out, name, text.encode("utf-8"), sums)
            documents.append(name)
    ledger = _ledger(inputs)
    if ledger is not None:
        name = f"ledger/{ledger.name}"
        _write(out, name, ledger.read_bytes(), sums)
        documents.append(name)
    manifest = {
        "kind": "kyojin-recovery-kit",
        "generated_at": iso_jst(inputs.generated_at),
        "timezone": "Asia/Tokyo",
        "tool": {"name": "kyojin-auditor", "version": inputs.tool_version},
        "requested_by": inputs.actor,
        "redacted": not unredacted,
        "event": dict(inputs.event) if inputs.event else None,
        "devices": [
            {
                "device": c.device,
                "file": f"configs/{c.device}.cfg",
                "origin": c.origin,
                "collected_at": iso_jst(c.collected_at) if c.collected_at else None,
                "stored_config_hash": c.stored_hash,
                "saved_file": c.file_label,
                "matches_store": c.matches_store,
                "sha256": sums[f"configs/{c.device}.cfg"],
            }
            for c in inputs.configs
        ],
        "missing_devices": sorted(inputs.missing),
        "documents": sorted(documents),
    }
    _write(out, "manifest.json", json_dumps(manifest, ensure_ascii=False, indent=2).encode(), sums)
    _write(out, "README.md", readme(inputs, unredacted=unredacted).encode("utf-8"), sums)
    names = sorted(sums)
    text = "".join(f"{sums[name]}  {name}\n" for name in names)
    _write(out, "SHA256SUMS", text.encode("utf-8"), {})
    return names


def readme(inputs: KitInputs, *, unredacted: bool) -> str:
    """Rebuild instructions, Japanese first; what the kit lacks is said, not implied."""
    devices = ", ".join(c.device for c in inputs.configs) or "-"
    missing = ", ".join(sorted(inputs.missing)) or "なし / none"
    if unredacted:
        form_ja = (
            "**この一式には秘密情報(パスワード、コミュニティ名、鍵)がそのまま含まれます。**"
            "暗号化した媒体に保管し、施錠管理してください。"
        )
        form_en = (
            "**This kit contains secrets (passwords, communities, keys) in the clear.** Keep it on "
            "encrypted media under lock."
        )
    else:
        form_ja = (
            "設定の秘密情報はマスク済みです (`<redacted …>`)。復旧時は認証情報の保管先から"
            "設定し直してください。"
        )
        form_en = (
            "Secrets in the configurations are redacted (`<redacted …>`); set them again from the "
            "credential store when rebuilding."
        )
    event = inputs.event or {}
    return f"""# 復旧キット / Recovery kit

作成 / generated: {iso_jst(inputs.generated_at)} — {inputs.actor}
ハッシュチェーンの記録 / hash-chain event: {event.get("id", "-")} {event.get("hash", "-")}

## 日本語

ICT 部門の業務継続計画(計画 4-3-4)のための、各機器の最後の正常な設定一式です。

- `configs/機器名.cfg`: 収集に失敗しなかった最新の実行時点の設定。対象: {devices}
- 正常な設定が保存されていない機器: {missing}
- `inventory/`: 機器一覧(認証情報は参照のみ)。`ledger/`: 資産台帳。
- `manifest.json`: 機器ごとの収集日時・設定ハッシュ・出所。

{form_ja}

手順:
1. `sha256sum -c SHA256SUMS` で改ざん・欠損がないことを確認します。
2. 代替機を台帳のアドレスと機種で用意し、`configs/` の設定を投入します。
3. 秘密情報を設定し直し、`auditor run` で監査して指摘がないことを確認します。

## English

The last known-good configuration of every device, for ICT business continuity (plan 4-3-4).

- `configs/DEVICE.cfg`: the configuration of the newest run in which collecting the device did
  not fail. Devices: {devices}
- Devices with no known-good configuration stored: {missing}
- `inventory/`: the inventory (credentials as references only); `ledger/`: the asset ledger.
- `manifest.json`: per device, when it was collected, the configuration hash and its origin.

{form_en}

To rebuild:
1. Check the kit: `sha256sum -c SHA256SUMS`.
2. Prepare replacement hardware with the inventory's address and platform; load `configs/`.
3. Set the secrets again, then audit with `auditor run` and confirm no new findings.
"""


def event_payload(
    configs: Sequence[KitConfig], *, out: Path, unredacted: bool, source: str
) -> dict[str, object]:
    """What the hash chain records about an export (never a secret)."""
    return {
        "devices": [c.device for c in configs],
        "unredacted": unredacted,
        "source": source,
        "out": str(out),
    }

"""One-way hand-over: write a sealed collection bundle inside a tier, import it centrally.

``write_bundle`` runs the ordinary collectors for a shard of the inventory, redacts, packs and
seals the result; it opens no connection except to the devices. ``import_bundles`` verifies
every bundle completely (signature, decryption, member hashes, replay register) before the
store is touched, then audits their content as one normal run through the one audit service;
the bundles' collection failures become COL findings like those of a live run.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from auditor.audit.engine import RunOutcome, collect
from auditor.audit.inputs import Bundle
from auditor.audit.service import RunRequest, run
from auditor.collect.base import Collector, ProgressCallback
from auditor.distributed.bundle import OpenedBundle, build_payload, read_payload, redact_result
from auditor.distributed.sealing import (
    BundleError,
    load_central,
    load_collector,
    load_trusted,
    next_sequence,
    read_central_public,
    seal,
    unseal,
)
from auditor.inventory.models import Device
from auditor.rules import Registry
from auditor.store.handover import (
    BundleAlreadyImportedError,
    BundleClaim,
    attach_run,
    claim_bundles,
    find_bundle,
    last_sequence,
    release_bundles,
    utcnow,
)
from auditor.store.repository import Store

BUNDLE_SUFFIX = ".kjb"
MAX_BUNDLE_BYTES = 2 * 1024 * 1024 * 1024


@dataclass(frozen=True)
class WrittenBundle:
    path: Path
    bundle_id: str
    sequence: int
    devices: int
    failures: int


def write_bundle(
    devices: Sequence[Device],
    collectors: Sequence[Collector],
    resolve_secret: Callable[[Any], str],
    *,
    key_dir: Path,
    recipient: Path,
    out: Path,
    salt: bytes,
    tier: str | None = None,
    site: str | None = None,
    tenant: str = "default",
    progress: ProgressCallback | None = None,
) -> WrittenBundle:
    """Collect ``devices`` and write one sealed bundle to ``out`` (a file, or a drop folder)."""
    collector_key = load_collector(key_dir)
    central_public = read_central_public(recipient)
    secrets: list[str] = []

    def remembering(reference: Any) -> str:
        secret = resolve_secret(reference)
        secrets.append(secret)
        return secret

    result = collect(collectors, devices, remembering, progress)
    redact_result(result, salt=salt, secrets=secrets)
    sequence = next_sequence(key_dir)
    payload, manifest = build_payload(
        result,
        collector_id=collector_key.collector_id,
        sequence=sequence,
        devices=[d.name for d in devices],
        tier=tier,
        site=site,
        tenant=tenant,
    )
    sealed = seal(payload, collector_key, central_public)
    target = out
    if out.is_dir():
        target = out / f"{collector_key.collector_id}-{sequence:08d}{BUNDLE_SUFFIX}"
    # Written beside the target and renamed: an importer watching the drop folder never sees
    # half a bundle under the final name.
    partial = target.with_name(f".{target.name}.partial")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(sealed)
        handle.flush()
        os.fsync(handle.fileno())
    partial.replace(target)
    return WrittenBundle(
        path=target,
        bundle_id=manifest.bundle_id,
        sequence=sequence,
        devices=len(result.snapshots),
        failures=len(result.errors),
    )


@dataclass
class VerifiedBundle:
    path: Path
    sha256: str
    opened: OpenedBundle


def open_bundle(path: Path, central_dir: Path) -> VerifiedBundle:
    """Read, decrypt and verify one bundle file; raises :class:`BundleError`."""
    try:
        size = path.stat().st_size
        if size > MAX_BUNDLE_BYTES:
            raise BundleError(
                "too_large",
                f"{path}: {size} bytes is more than a bundle may hold",
                f"{path}: {size} バイトはバンドルの上限を超えています",
            )
        data = path.read_bytes()
    except OSError as exc:
        raise BundleError(
            "unreadable", f"{path}: cannot be read ({exc})", f"{path}: 読み取れません ({exc})"
        ) from exc
    collector_id, payload = unseal(data, load_central(central_dir), load_trusted(central_dir))
    opened = read_payload(payload, collector_id=collector_id)
    return VerifiedBundle(path, hashlib.sha256(data).hexdigest(), opened)


def _check_register(store: Store, bundles: Sequence[VerifiedBundle]) -> None:
    seen: dict[tuple[str, int], str] = {}
    for bundle in bundles:
        manifest = bundle.opened.manifest
        if manifest.tenant != store.tenant:
            raise BundleError(
                "wrong_city",
                f"{bundle.path}: collected for city {manifest.tenant!r}, not for "
                f"{store.tenant!r}; import it with --tenant {manifest.tenant}",
                f"{bundle.path}: 団体 {manifest.tenant!r} 向けに収集されたバンドルで、"
                f"{store.tenant!r} のものではありません(--tenant {manifest.tenant} で取り込んで"
                "ください)",
            )
        key = (manifest.collector_id, manifest.sequence)
        if key in seen:
            raise BundleError(
                "replayed",
                f"{bundle.path} and {seen[key]} are the same bundle (collector "
                f"{manifest.collector_id}, sequence {manifest.sequence})",
                f"{bundle.path} と {seen[key]} は同じバンドルです(収集器 "
                f"{manifest.collector_id}、通番 {manifest.sequence})",
            )
        seen[key] = str(bundle.path)
        known = find_bundle(store, manifest.bundle_id)
        if known is not None:
            raise BundleError(
                "replayed",
                f"{bundle.path}: bundle {manifest.bundle_id} was already imported on "
                f"{known.imported_at:%Y-%m-%d %H:%M} UTC (run #{known.run_id}); a replay is refused",
                f"{bundle.path}: バンドル {manifest.bundle_id} は {known.imported_at:%Y-%m-%d %H:%M} "
                f"UTC に取り込み済みです(実行 #{known.run_id})。再送は拒否します",
            )
        last = last_sequence(store, manifest.collector_id)
        if last is not None and manifest.sequence <= last:
            raise BundleError(
                "replayed",
                f"{bundle.path}: sequence {manifest.sequence} of collector "
                f"{manifest.collector_id} is not newer than the last imported ({last}); a replayed "
                "or out-of-date bundle is refused (import bundles in order)",
                f"{bundle.path}: 収集器 {manifest.collector_id} の通番 {manifest.sequence} は取り込み"
                f"済みの最新 ({last}) より新しくありません。再送または古いバンドルは拒否します"
                "(通番の順に取り込んでください)",
            )


def import_bundles(
    inputs: Bundle,
    registry: Registry,
    store: Store,
    paths: Sequence[Path],
    central_dir: Path,
) -> tuple[RunOutcome, list[VerifiedBundle]]:
    """Verify every bundle, then audit them together as one run (full when they cover the
    whole inventory, partial otherwise). Any refusal raises before the store is written."""
    bundles = sorted(
        (open_bundle(path, central_dir) for path in paths),
        key=lambda b: (b.opened.manifest.collector_id, b.opened.manifest.sequence),
    )
    _check_register(store, bundles)
    names: set[str] = set()
    snapshots = {}
    failures = []
    evidence: dict[str, list[tuple[str, bytes]]] = {}
    for bundle in bundles:
        opened = bundle.opened
        names.update(opened.manifest.devices)
        snapshots.update(opened.result.snapshots)
        failures.extend(opened.result.errors)
        for device, items in opened.result.evidence.items():
            evidence.setdefault(device, []).extend(items)
    unknown = sorted(n for n in names if inputs.inventory.device(n) is None)
    if unknown:
        raise BundleError(
            "unknown_device",
            f"the bundles name devices that are not in the central inventory: {', '.join(unknown[:10])}",
            f"バンドルに中央側の機器一覧にない機器があります: {', '.join(unknown[:10])}",
        )
    devices = [d for d in inputs.inventory.devices if d.name in names]
    everything = {d.name for d in inputs.inventory.devices}
    claims = [
        BundleClaim(
            bundle_id=b.opened.manifest.bundle_id,
            collector_id=b.opened.manifest.collector_id,
            sequence=b.opened.manifest.sequence,
            sha256=b.sha256,
            created_at=b.opened.manifest.created_at,
        )
        for b in bundles
    ]
    try:
        claim_bundles(store, claims, now=utcnow())
    except BundleAlreadyImportedError as exc:
        raise BundleError(
            "replayed",
            f"the bundle was imported concurrently by another process ({exc})",
            f"このバンドルは別の処理で同時に取り込まれました ({exc})",
        ) from exc
    ids = [c.bundle_id for c in claims]
    request = RunRequest(
        scope="full" if names >= everything else "partial",
        devices=devices,
        snapshots=snapshots,
        failures=failures,
        evidence=evidence,
        now=max(b.opened.manifest.created_at for b in bundles),
    )
    try:
        outcome = run(inputs, registry, store, request)
    except BaseException:
        release_bundles(store, ids)
        raise
    attach_run(store, ids, outcome.run_id)
    return outcome, bundles

"""The content of a collection bundle: snapshots, raw evidence, collection failures, a manifest.

The payload is a ZIP archive (fixed timestamps) whose ``manifest.json`` names the tool version,
the collector, its tier and site, the creation time, a monotonic sequence number, a bundle id and
the SHA-256 of every other member. Reading checks that the archive holds exactly the members the
manifest names and that every hash matches, before anything is parsed.

Secrets are redacted before a byte enters the payload: snapshots carry only redacted
configurations already (the collectors redact), and evidence and failure texts pass through
:func:`auditor.redact.redact_text` again with every secret the collection resolved.
"""

from __future__ import annotations

import hashlib
import io
import json
import uuid
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from auditor import __version__
from auditor.collect.base import CollectionResult
from auditor.distributed.sealing import BundleError
from auditor.model.collection import CollectionFailure, FailureKind
from auditor.model.snapshot import DeviceSnapshot
from auditor.redact import redact_text

MANIFEST = "manifest.json"
FAILURES = "failures.json"
_ZIP_TIME = (2000, 1, 1, 0, 0, 0)
MAX_MEMBER_BYTES = 256 * 1024 * 1024
MAX_MEMBERS = 200_000


@dataclass
class BundleManifest:
    bundle_id: str
    collector_id: str
    sequence: int
    created_at: datetime
    tool_version: str
    tier: str | None
    site: str | None
    devices: list[str]
    tenant: str = "default"
    """The city the collector collected for: signed with the rest, so a bundle cannot be
    imported into another city's store (format 1 bundles without it mean ``default``)."""
    members: dict[str, str] = field(default_factory=dict)
    evidence: list[dict[str, str]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "format": 1,
            "bundle_id": self.bundle_id,
            "collector_id": self.collector_id,
            "sequence": self.sequence,
            "created_at": self.created_at.isoformat(),
            "tool_version": self.tool_version,
            "tier": self.tier,
            "site": self.site,
            "tenant": self.tenant,
            "devices": self.devices,
            "members": self.members,
            "evidence": self.evidence,
        }


@dataclass
class OpenedBundle:
    """A verified bundle's manifest and its content, ready for the audit service."""

    manifest: BundleManifest
    result: CollectionResult


def failure_to_json(failure: CollectionFailure) -> dict[str, Any]:
    return {
        "device": failure.device,
        "kind": str(failure.kind),
        "subject": failure.subject,
        "detail": failure.detail,
        "facts": dict(failure.facts),
    }


def failure_from_json(data: dict[str, Any]) -> CollectionFailure:
    try:
        kind = FailureKind(data["kind"])
    except ValueError:
        kind = FailureKind.CRASHED  # a newer collector's kind: still a COL finding, never lost
    return CollectionFailure(
        device=str(data["device"]),
        kind=kind,
        subject=str(data.get("subject") or "collection"),
        detail=data.get("detail"),
        facts={str(k): str(v) for k, v in (data.get("facts") or {}).items()},
    )


def redact_result(result: CollectionResult, *, salt: bytes, secrets: Iterable[str]) -> None:
    """Redact, in place, every text of ``result`` that could still hold a resolved secret."""
    known = sorted({s for s in secrets if s})

    def clean(text: str) -> str:
        return redact_text(text, salt=salt, secrets=known)

    for name, items in result.evidence.items():
        result.evidence[name] = [
            (
                label,
                clean(data.decode("utf-8", "surrogateescape")).encode("utf-8", "surrogateescape"),
            )
            for label, data in items
        ]
    result.errors[:] = [
        CollectionFailure(
            device=f.device,
            kind=f.kind,
            subject=f.subject,
            detail=clean(f.detail) if f.detail else f.detail,
            facts={k: clean(v) for k, v in f.facts.items()},
        )
        for f in result.errors
    ]
    for name, snapshot in result.snapshots.items():
        if snapshot.config_redacted is not None and known:
            result.snapshots[name] = snapshot.model_copy(
                update={"config_redacted": clean(snapshot.config_redacted)}
            )


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def build_payload(
    result: CollectionResult,
    *,
    collector_id: str,
    sequence: int,
    devices: list[str],
    tier: str | None = None,
    site: str | None = None,
    tenant: str = "default",
    now: datetime | None = None,
) -> tuple[bytes, BundleManifest]:
    """The ZIP payload of ``result`` (already redacted) and its manifest."""
    manifest = BundleManifest(
        bundle_id=str(uuid.uuid4()),
        collector_id=collector_id,
        sequence=sequence,
        created_at=(now or datetime.now(UTC)).astimezone(UTC),
        tool_version=__version__,
        tier=tier,
        site=site,
        devices=sorted(devices),
        tenant=tenant,
    )
    members: dict[str, bytes] = {}
    for name in sorted(result.snapshots):
        members[f"snapshots/{len(members):06d}.json"] = (
            result.snapshots[name].model_dump_json().encode("utf-8")
        )
    members[FAILURES] = json.dumps(
        [failure_to_json(f) for f in result.errors], ensure_ascii=False, sort_keys=True
    ).encode("utf-8")
    for device in sorted(result.evidence):
        for label, data in result.evidence[device]:
            member = f"evidence/{len(manifest.evidence):06d}"
            manifest.evidence.append({"device": device, "label": label, "member": member})
            members[member] = data
    manifest.members = {name: _sha(data) for name, data in members.items()}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in [
            (MANIFEST, json.dumps(manifest.to_json(), sort_keys=True).encode()),
            *members.items(),
        ]:
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return buffer.getvalue(), manifest


def _damaged(detail: str) -> BundleError:
    return BundleError(
        "tampered",
        f"the bundle content does not match its manifest: {detail}",
        f"バンドルの内容がマニフェストと一致しません: {detail}",
    )


def _manifest(data: dict[str, Any]) -> BundleManifest:
    try:
        created = datetime.fromisoformat(str(data["created_at"]))
        if created.tzinfo is None:
            created = created.replace(tzinfo=UTC)
        return BundleManifest(
            bundle_id=str(uuid.UUID(str(data["bundle_id"]))),
            collector_id=str(data["collector_id"]),
            sequence=int(data["sequence"]),
            created_at=created,
            tool_version=str(data["tool_version"]),
            tier=data.get("tier"),
            site=data.get("site"),
            tenant=str(data.get("tenant") or "default"),
            devices=[str(d) for d in data["devices"]],
            members={str(k): str(v) for k, v in data["members"].items()},
            evidence=[{str(k): str(v) for k, v in e.items()} for e in data.get("evidence", [])],
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise _damaged(f"manifest.json is malformed ({exc})") from exc


def read_payload(payload: bytes, *, collector_id: str) -> OpenedBundle:
    """Check the members against the manifest (names and SHA-256), then parse them."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(payload))
        infos = archive.infolist()
        if len(infos) > MAX_MEMBERS or any(i.file_size > MAX_MEMBER_BYTES for i in infos):
            raise _damaged("too many or too large members")
        contents = {info.filename: archive.read(info) for info in infos}
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise _damaged(f"unreadable archive ({exc})") from exc
    if MANIFEST not in contents:
        raise _damaged("manifest.json is missing")
    try:
        manifest = _manifest(json.loads(contents.pop(MANIFEST)))
    except json.JSONDecodeError as exc:
        raise _damaged("manifest.json is not JSON") from exc
    if manifest.collector_id != collector_id:
        raise _damaged(f"signed by collector {collector_id!r} but names {manifest.collector_id!r}")
    if set(contents) != set(manifest.members):
        extra = sorted(set(contents) - set(manifest.members))
        missing = sorted(set(manifest.members) - set(contents))
        raise _damaged(f"members not in the manifest {extra[:5]}, missing {missing[:5]}")
    for name, data in contents.items():
        if _sha(data) != manifest.members[name]:
            raise _damaged(f"SHA-256 of {name} differs")
    result = CollectionResult()
    try:
        for name, data in contents.items():
            if name.startswith("snapshots/"):
                snapshot = DeviceSnapshot.model_validate_json(data)
                result.snapshots[snapshot.device] = snapshot
        result.errors = [failure_from_json(f) for f in json.loads(contents[FAILURES])]
        for entry in manifest.evidence:
            result.evidence.setdefault(entry["device"], []).append(
                (entry["label"], contents[entry["member"]])
            )
    except (KeyError, ValueError, TypeError) as exc:
        raise _damaged(f"a member does not parse ({type(exc).__name__})") from exc
    named = set(manifest.devices)
    stray = sorted({*result.snapshots, *(f.device for f in result.errors)} - named)
    if stray:
        raise _damaged(f"content for devices the manifest does not list: {stray[:5]}")
    return OpenedBundle(manifest=manifest, result=result)

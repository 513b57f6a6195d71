"""The offline collector: saved configuration files become snapshots, exactly as SSH output does.

Many cities cannot give an auditor credentials, only a folder of saved configurations (or an
Oxidized/RANCID backup). This collector does I/O only — it reads bytes — and hands the text to the
platform profile's own parser, so an offline snapshot holds the same facts a live ``show
running-config`` would give, stamped ``Source.FILE``. Secrets are redacted on read with the same
redaction as live collection, before anything is stored, printed or exported. Live state (FDB,
ARP, LLDP, counters, SNMP answers) is never in a file, so the audit service marks the checks that
need it not applicable instead of letting them pass.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from auditor.collect.base import CollectionResult, ProgressCallback, SecretResolver
from auditor.collect.config_text import clean_config, decode_config, hostname_of
from auditor.inventory.models import Device
from auditor.model.collection import CollectionFailure, FailureKind
from auditor.model.snapshot import DeviceSnapshot, Source
from auditor.platforms.registry import detect_platform, profile_for
from auditor.redact import redact_config, redact_text

log = logging.getLogger(__name__)

MAX_CONFIG_BYTES = 16 * 1024 * 1024
"""A saved configuration larger than this is refused (a wrong file, not a device)."""


@dataclass(frozen=True)
class SavedConfig:
    """One saved configuration to audit: where it came from and what is known about it.

    ``device`` is the name the inventory, RANCID's ``router.db`` or Oxidized gives; ``None`` means
    the configuration's own hostname names it. ``data`` holds the bytes when they do not come from
    a file on disk; ``load`` fetches them when read (a commit of a git repository), so a history
    of many commits never holds every commit's raw, unredacted text at once. ``label`` is what
    messages and evidence cite.
    """

    label: str
    path: Path | None = None
    data: bytes | None = None
    device: str | None = None
    platform: str | None = None
    rancid: bool = False
    collected_at: datetime | None = None
    load: Callable[[], bytes] | None = None

    def read(self) -> bytes:
        if self.data is not None:
            return self.data
        if self.load is not None:
            data = self.load()
            if len(data) > MAX_CONFIG_BYTES:
                raise ValueError(f"{len(data)} bytes, more than the {MAX_CONFIG_BYTES}-byte limit")
            return data
        if self.path is None:
            raise ValueError("a saved configuration needs a path or data")
        size = self.path.stat().st_size
        if size > MAX_CONFIG_BYTES:
            raise ValueError(f"{size} bytes, more than the {MAX_CONFIG_BYTES}-byte limit")
        return self.path.read_bytes()


def _failure(
    device: str, kind: FailureKind, label: str, detail: str, **facts: str
) -> CollectionFailure:
    return CollectionFailure(
        device=device,
        kind=kind,
        subject=f"file:{label}",
        detail=detail,
        facts={"file": label, **facts},
    )


def _device_name(label: str) -> str:
    """A name for a file that names no device yet (for its failure finding only)."""
    stem = Path(label).name
    return "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in stem)[:64] or "file"


def read_saved_configs(
    configs: Iterable[SavedConfig],
    *,
    salt: bytes,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    progress: ProgressCallback | None = None,
) -> CollectionResult:
    """Snapshots, failures and evidence (redacted text, SHA-256 of the file, cleaning notes)."""
    result = CollectionResult()
    for config in configs:
        ok = _read_one(config, salt=salt, clock=clock, result=result)
        if progress is not None:
            progress(config.device or config.label, ok)
    return result


def _read_one(
    config: SavedConfig,
    *,
    salt: bytes,
    clock: Callable[[], datetime],
    result: CollectionResult,
) -> bool:
    provisional = config.device or _device_name(config.label)
    try:
        raw = config.read()
    except (OSError, ValueError) as exc:
        result.errors.append(
            _failure(
                provisional,
                FailureKind.OFFLINE_UNREADABLE,
                config.label,
                redact_text(f"{type(exc).__name__}: {exc}", salt=salt)[:400],
            )
        )
        return False
    digest = hashlib.sha256(raw).hexdigest()
    text, cleaning = decode_config(raw)
    text = clean_config(text, cleaning, rancid=config.rancid)
    platform = config.platform
    scores: dict[str, float] = {}
    if platform is None:
        platform, scores = detect_platform(text)
    name = config.device or hostname_of(text) or provisional
    profile = profile_for(platform) if platform else None
    if profile is None:
        ranked = sorted(scores.items(), key=lambda item: item[1], reverse=True)[:3]
        shown = ", ".join(f"{p}={s:.1f}" for p, s in ranked) or "no profile"
        result.errors.append(
            _failure(
                name,
                FailureKind.OFFLINE_PLATFORM,
                config.label,
                f"platform {platform or 'undecided'} ({shown}); sha256 {digest}",
                platform=platform or "",
                scores=shown,
                sha256=digest,
            )
        )
        return False
    config_redacted = redact_config(text, salt=salt)
    manifest = {
        "file": config.label,
        "sha256": digest,
        "bytes": len(raw),
        "platform": platform,
        "platform_detected": config.platform is None,
        "platform_scores": {p: round(s, 2) for p, s in scores.items() if s},
        "cleaning": cleaning.summary(),
    }
    evidence = result.evidence.setdefault(name, [])
    evidence.append(("running-config", config_redacted.encode("utf-8")))
    evidence.append(
        ("offline-file", json.dumps(manifest, ensure_ascii=False, indent=2).encode("utf-8"))
    )
    if cleaning.changed:
        result.errors.append(
            _failure(
                name,
                FailureKind.OFFLINE_CLEANED,
                config.label,
                redact_text(cleaning.describe(), salt=salt),
                removed=cleaning.describe(),
                sha256=digest,
            )
        )
    try:
        parts = profile.parse({profile.config_command: text}, salt=salt)
    except Exception as exc:  # a parser bug on one file must not stop the others
        log.exception("parser of %s failed on %s", platform, config.label)
        result.errors.append(
            _failure(
                name,
                FailureKind.PARSER,
                config.label,
                redact_text(f"{type(exc).__name__}: {exc}", salt=salt)[:400],
                platform=profile.platform,
                exception=type(exc).__name__,
            )
        )
        return False
    parts.unparsed_config_lines = [
        redact_config(line, salt=salt) for line in parts.unparsed_config_lines
    ]
    snapshot = parts.to_snapshot(
        name,
        config.collected_at or clock(),
        config_redacted=config_redacted,
        config_hash=hashlib.sha256(config_redacted.encode("utf-8")).hexdigest(),
        source=Source.FILE,
    )
    if name in result.snapshots:
        result.errors.append(
            _failure(
                name,
                FailureKind.OFFLINE_UNREADABLE,
                config.label,
                f"a second configuration names {name}; the first one read is audited",
                duplicate="true",
            )
        )
        return False
    result.snapshots[name] = snapshot
    return True


def offline_failure(device: str, label: str, detail: str) -> CollectionFailure:
    """A problem with the offline input itself (missing folder entry, unreadable router.db)."""
    return _failure(device, FailureKind.OFFLINE_UNREADABLE, label, detail)


class FileCollector:
    """Collector for inventory devices whose ``source: {file: …}`` points to a saved config.

    The collector's name is the :class:`Device` attribute holding its settings, so the engine
    hands it exactly the devices that have a ``source``.
    """

    name = "source"

    def __init__(self, *, base_dir: Path | None = None, salt: bytes | None = None) -> None:
        self.base_dir = base_dir or Path()
        self._salt = salt

    @property
    def salt(self) -> bytes:
        if self._salt is None:
            from auditor.collect.ssh import default_salt

            self._salt = default_salt()
        return self._salt

    def configs(self, devices: Sequence[Device]) -> list[SavedConfig]:
        configs: list[SavedConfig] = []
        for device in devices:
            source = device.source
            if source is None:
                continue
            path = Path(source.file)
            if not path.is_absolute():
                path = self.base_dir / path
            configs.append(
                SavedConfig(
                    label=source.file,
                    path=path,
                    device=device.name,
                    platform=device.platform if profile_for(device.platform) else None,
                )
            )
        return configs

    def collect(
        self,
        devices: Sequence[Device],
        resolve_secret: SecretResolver,
        progress: ProgressCallback | None = None,
    ) -> CollectionResult:
        return read_saved_configs(self.configs(devices), salt=self.salt, progress=progress)


def snapshot_is_offline(snapshot: DeviceSnapshot) -> bool:
    return Source.FILE in snapshot.sources

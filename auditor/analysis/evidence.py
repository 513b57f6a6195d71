"""Evidence grading shared by the network view's facts: which kind of fact supports a finding.

Facts carry their *kind* (``config``: what the configuration says; ``live``: what the tables of the
running device show; ``observed``: captured traffic) and their *source* (``ssh``/``snmp``…), so a
finding can say which of them supports it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from auditor.model.findings import EvidenceRef
from auditor.model.snapshot import DeviceSnapshot, Source

FactKind = Literal["config", "live", "observed"]
EvidenceSource = Literal[
    "snmp", "ssh", "traffic", "policy", "inventory", "ledger", "store", "engine"
]


@dataclass
class Support:
    """Which kinds of facts back a finding (configuration, live state, observed traffic)."""

    config: set[str] = field(default_factory=set)
    live: set[str] = field(default_factory=set)
    observed: set[str] = field(default_factory=set)
    evidence: list[EvidenceRef] = field(default_factory=list)

    def add(self, kind: FactKind, source: Source | str | None, detail: str) -> None:
        name = source_name(source)
        getattr(self, kind).add(name)
        if len(self.evidence) < 20:
            self.evidence.append(EvidenceRef(source=name, detail=f"{kind}: {detail}"))

    def merge(self, other: Support) -> None:
        self.config |= other.config
        self.live |= other.live
        self.observed |= other.observed
        for ref in other.evidence:
            if len(self.evidence) < 20:
                self.evidence.append(ref)

    @property
    def kinds(self) -> tuple[str, ...]:
        return tuple(k for k in ("config", "live", "observed") if getattr(self, k))

    def phrase_en(self) -> str:
        parts = []
        if self.config:
            parts.append(f"configuration ({', '.join(sorted(self.config))})")
        if self.live:
            parts.append(f"live state ({', '.join(sorted(self.live))})")
        if self.observed:
            parts.append(f"observed traffic ({', '.join(sorted(self.observed))})")
        return "supported by " + (" and ".join(parts) if parts else "no collected evidence")

    def phrase_ja(self) -> str:
        parts = []
        if self.config:
            parts.append(f"設定({', '.join(sorted(self.config))})")
        if self.live:
            parts.append(f"稼働状態({', '.join(sorted(self.live))})")
        if self.observed:
            parts.append(f"観測通信({', '.join(sorted(self.observed))})")
        return "根拠: " + ("・".join(parts) if parts else "収集済みの証跡なし")


def source_name(source: Source | str | None) -> EvidenceSource:
    value = str(source.value if isinstance(source, Source) else source or "engine")
    if value in ("snmp", "ssh", "traffic", "policy", "inventory", "ledger", "store", "engine"):
        return value  # type: ignore[return-value]
    return "engine"


def snapshot_source(snapshot: DeviceSnapshot, live: bool = False) -> Source | None:
    """The collector a fact most likely came from when the fact does not say: configuration is
    read over SSH, tables (FDB, ARP, LLDP, routes) are walked over SNMP."""
    preferred = Source.SNMP if live else Source.SSH
    if preferred in snapshot.sources:
        return preferred
    return snapshot.sources[0] if snapshot.sources else None

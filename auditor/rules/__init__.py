"""The check contract and the registry that discovers checks.

A check is a class with code-first metadata and a pure ``evaluate(context)``: it reads snapshots,
policy, inventory, ledger and history from the :class:`AuditContext` and returns findings. It never
performs I/O. Checks are discovered by walking the ``auditor_checks`` package (the repository's
``checks/`` folder) and any package registered under the ``kyojin_auditor.checks`` entry point.

A check's policy parameters are a pydantic model (``Check.Params``, ``extra="forbid"``): the policy
loader validates ``rules.<ID>.parameters`` against it, so a misspelt key fails ``auditor validate``
instead of silently falling back to the default. Rule metadata has one source, the class
attributes: the ``References`` documentation section is generated from ``references``.
"""

from __future__ import annotations

import hashlib
import importlib
import inspect
import pkgutil
import re
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from importlib.metadata import entry_points
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any, ClassVar, Literal, Protocol, TypeVar

from pydantic import BaseModel, ConfigDict

from auditor.inventory.models import AssetLedger, Device, Inventory
from auditor.model.collection import CollectionFailure
from auditor.model.findings import EvidenceRef, Finding, Outcome, Reference, Severity
from auditor.model.snapshot import DeviceSnapshot
from auditor.policy.clauses import PLAN_ITEMS
from auditor.policy.models import Policy

if TYPE_CHECKING:
    from auditor.analysis.network import NetworkView
    from auditor.model.traffic import TrafficSummary

# "traffic" checks read ``AuditContext.traffic`` and are skipped by runs that carry no traffic.
Scope = Literal["device", "network", "policy", "ledger", "history", "collection", "traffic"]
DOC_SECTIONS = (
    "What it checks",
    "Why is this bad?",
    "Example",
    "Remediation",
    "Parameters",
    "References",
)


# Sections of the rule documentation generated from code rather than written in the docstring.
GENERATED_SECTIONS = frozenset({"References"})


class CheckParams(BaseModel):
    """Base of every check's parameter model: the keys allowed under ``rules.<ID>.parameters``.

    Unknown keys are refused so a typo is an error, not a silent default; every field has a
    default (a check runs without any policy setting) and a ``description`` for the catalogue.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)


@dataclass(frozen=True)
class ParameterDoc:
    """One parameter as the catalogue and ``auditor rules --format json`` show it."""

    name: str
    type: str
    default: Any
    description: str


P = TypeVar("P", bound=CheckParams)
P_co = TypeVar("P_co", bound=CheckParams, covariant=True)


class _HasParams(Protocol[P_co]):
    """What :meth:`Check.params` needs, so it returns the check's own ``Params`` type."""

    @property
    def id(self) -> str: ...

    @property
    def Params(self) -> type[P_co]: ...  # noqa: N802 (a nested model class)


@dataclass
class History:
    """What earlier runs saw, loaded by the engine before evaluation (checks do no I/O)."""

    previous_snapshots: dict[str, DeviceSnapshot] = field(default_factory=dict)
    collection_failures: dict[str, list[datetime]] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)
    # Earlier snapshots per device, oldest first, this run excluded (flapping, last seen).
    snapshot_history: Mapping[str, Sequence[DeviceSnapshot]] = field(default_factory=dict)
    # Time of the last run in which each device was collected without error.
    last_success: dict[str, datetime] = field(default_factory=dict)
    # Start of the earliest stored run: how far back "not seen for N days" can be judged.
    first_run_at: datetime | None = None


@dataclass
class AuditContext:
    """Everything a check may read during one run."""

    policy: Policy
    inventory: Inventory
    now: datetime
    snapshots: dict[str, DeviceSnapshot] = field(default_factory=dict)
    ledger: AssetLedger = field(default_factory=AssetLedger)
    history: History = field(default_factory=History)
    known_check_ids: frozenset[str] = frozenset()
    collection_errors: list[CollectionFailure] = field(default_factory=list)
    # Flows and sightings from captured traffic (``auditor traffic``); None when none was read.
    traffic: TrafficSummary | None = None
    # The network view of this evaluation with the identity of the inputs it was built from.
    _network_view: tuple[tuple[int, ...], NetworkView] | None = field(
        default=None, init=False, repr=False, compare=False
    )

    def device(self, name: str) -> Device | None:
        return self.inventory.device(name)

    def network_view(self) -> NetworkView:
        """The joined network view, built once per evaluation and again only when an input is
        replaced (network checks share it instead of each indexing every snapshot)."""
        from auditor.analysis.network import NetworkView

        key = (
            id(self.snapshots),
            len(self.snapshots),
            id(self.policy),
            id(self.inventory),
            id(self.ledger),
        )
        if self._network_view is None or self._network_view[0] != key:
            view = NetworkView(self.policy, self.inventory, self.snapshots, self.ledger)
            self._network_view = (key, view)
        return self._network_view[1]


class Check:
    """Base class of every rule. Subclasses set the metadata and implement ``evaluate``."""

    id: ClassVar[str]
    slug: ClassVar[str]
    severity: ClassVar[Severity]
    title_ja: ClassVar[str]
    title_en: ClassVar[str]
    scope: ClassVar[Scope]
    Params: ClassVar[type[CheckParams]] = CheckParams
    references: ClassVar[tuple[Reference, ...]] = ()
    needs: ClassVar[frozenset[str]] = frozenset()
    """What the check reads beyond the configuration. ``"live"``: state only a running device
    gives (FDB, ARP, LLDP/CDP, counters, uptime, SNMP answers). An offline run (saved configuration
    files) marks such checks not applicable instead of letting an empty table pass."""

    def evaluate(self, context: AuditContext) -> Iterable[Finding]:
        raise NotImplementedError

    # Helpers so checks stay short and consistent.

    def params(self: _HasParams[P], context: AuditContext) -> P:
        """The policy's ``rules.<ID>.parameters`` as this check's validated ``Params`` model.

        The policy loader already refused invalid parameters; a policy built in code that skips
        the loader raises ``ValidationError`` here, which the engine reports as a check error.
        """
        return self.Params.model_validate(context.policy.rule(self.id).parameters)

    def effective_severity(self, context: AuditContext) -> Severity:
        override = context.policy.rule(self.id).severity
        return Severity(override) if override else self.severity

    def finding(
        self,
        context: AuditContext,
        *,
        subject: str,
        message_en: str,
        message_ja: str,
        device: str | None = None,
        zone: str | None = None,
        severity: Severity | None = None,
        evidence: Iterable[EvidenceRef] = (),
        outcome: Outcome = Outcome.FAIL,
    ) -> Finding:
        return Finding(
            check_id=self.id,
            outcome=outcome,
            severity=severity or self.effective_severity(context),
            device=device,
            subject=subject,
            zone=zone,
            message_en=message_en,
            message_ja=message_ja,
            evidence=list(evidence),
            references=list(self.references),
        )

    @classmethod
    def documentation(cls) -> dict[str, str]:
        """The docstring split into its ``Section:`` blocks, plus the sections built from code.

        ``References`` comes from ``references`` only (a docstring section of that name is
        ignored), so the catalogue and the findings cannot cite different clauses.
        """
        sections = parse_doc_sections(inspect.getdoc(cls) or "")
        sections["References"] = render_references(cls.references)
        return sections

    @classmethod
    def parameter_docs(cls) -> list[ParameterDoc]:
        """The ``Params`` fields with type, default and description, in declaration order."""
        defaults = cls.Params().model_dump(mode="json")
        return [
            ParameterDoc(name, _type_text(info.annotation), defaults[name], info.description or "")
            for name, info in cls.Params.model_fields.items()
        ]

    @classmethod
    def summary(cls) -> dict[str, Any]:
        return {
            "id": cls.id,
            "slug": cls.slug,
            "severity": cls.severity.value,
            "title_ja": cls.title_ja,
            "title_en": cls.title_en,
            "scope": cls.scope,
            "parameters": [
                {
                    "name": p.name,
                    "type": p.type,
                    "default": p.default,
                    "description": p.description,
                }
                for p in cls.parameter_docs()
            ],
            "references": [ref.model_dump() for ref in cls.references],
        }


def _type_text(annotation: Any) -> str:
    """``dict[str, str]`` rather than ``<class 'dict'>``; nested models by their class name."""
    if isinstance(annotation, type) and not getattr(annotation, "__args__", None):
        return annotation.__name__
    text = str(annotation).replace("NoneType", "None")
    return re.sub(r"\b(?:[A-Za-z_]\w*\.)+([A-Za-z_]\w*)", r"\1", text)


def reference_text(reference: Reference) -> str:
    """A reference as the rule documentation prints it (guideline titles in 「」)."""
    if reference.kind == "guideline":
        text = f"総務省ガイドライン「{reference.key}」"
    elif reference.kind == "plan":
        item = PLAN_ITEMS.get(reference.key)
        text = f"計画 {reference.key}" + (f" {item.name_ja}" if item is not None else "")
    else:
        text = reference.label()
    return f"{text} — {reference.note}" if reference.note else text


def render_references(references: Iterable[Reference]) -> str:
    """The generated ``References`` section: one line per reference."""
    return "\n".join(f"- {reference_text(reference)}" for reference in references)


def parse_doc_sections(doc: str) -> dict[str, str]:
    """Split a docstring into the sections named in :data:`DOC_SECTIONS`."""
    sections: dict[str, list[str]] = {}
    current: str | None = None
    for line in doc.splitlines():
        stripped = line.strip()
        if stripped.endswith(":") and stripped[:-1] in DOC_SECTIONS:
            current = stripped[:-1]
            sections[current] = []
        elif current is not None:
            sections[current].append(line)
    return {name: "\n".join(lines).strip() for name, lines in sections.items()}


class Registry:
    """All known checks, keyed by id."""

    def __init__(self, checks: Iterable[type[Check]] = ()) -> None:
        self._checks: dict[str, type[Check]] = {}
        for check in checks:
            self.add(check)

    def add(self, check: type[Check]) -> None:
        existing = self._checks.get(check.id)
        if existing is not None and existing is not check:
            raise ValueError(
                f"duplicate check id {check.id}: {existing.__name__}, {check.__name__}"
            )
        self._checks[check.id] = check

    def __iter__(self) -> Iterator[type[Check]]:
        return iter(sorted(self._checks.values(), key=lambda c: c.id))

    def __len__(self) -> int:
        return len(self._checks)

    def __contains__(self, check_id: object) -> bool:
        return check_id in self._checks

    def get(self, check_id: str) -> type[Check] | None:
        return self._checks.get(check_id.upper())

    def ids(self) -> frozenset[str]:
        return frozenset(self._checks)

    def parameter_models(self) -> dict[str, type[BaseModel]]:
        """Check id → its ``Params`` model, for the policy loader (which never imports checks)."""
        return {check_id: check.Params for check_id, check in self._checks.items()}

    def pack_hash(self) -> str:
        """Hash of every check's metadata and source: records which rules judged a run."""
        digest = hashlib.sha256()
        for check in self:
            digest.update(check.id.encode())
            digest.update(_check_source(check))
        return digest.hexdigest()


_SOURCES: dict[type[Check], bytes] = {}


def _check_source(check: type[Check]) -> bytes:
    """A check class's source, read once per process: every audit run hashes the whole pack, and
    ``inspect.getsource`` re-reads and re-tokenizes the module each time (a tenth of a small
    audit's CPU). Read once, it is also the source of the code loaded, even if the file on disk
    is replaced while a daemon runs."""
    source = _SOURCES.get(check)
    if source is None:
        try:
            source = inspect.getsource(check).encode("utf-8")
        except (OSError, TypeError):
            source = repr(check.summary()).encode("utf-8")
        _SOURCES[check] = source
    return source


def _checks_in_module(module: ModuleType) -> Iterator[type[Check]]:
    for _, value in vars(module).items():
        if (
            inspect.isclass(value)
            and issubclass(value, Check)
            and value is not Check
            and value.__module__ == module.__name__
            and getattr(value, "id", None)
        ):
            yield value


def _walk_package(package_name: str) -> Iterator[type[Check]]:
    package = importlib.import_module(package_name)
    yield from _checks_in_module(package)
    search_path = getattr(package, "__path__", None)
    if search_path is None:
        return
    for module_info in pkgutil.walk_packages(search_path, prefix=f"{package_name}."):
        module = importlib.import_module(module_info.name)
        yield from _checks_in_module(module)


Stamp = tuple[tuple[str, int | None], ...]
_WALKS: dict[str, tuple[Stamp, tuple[type[Check], ...]]] = {}
_PLUGINS: tuple[Stamp, tuple[str, ...]] | None = None


def _stamp(folders: Iterable[str]) -> Stamp:
    """Each folder with its modification time: a file added, removed or renamed changes it."""
    stamped: list[tuple[str, int | None]] = []
    for folder in folders:
        try:
            stamped.append((folder, Path(folder).stat().st_mtime_ns))
        except OSError:
            stamped.append((folder, None))
    return tuple(stamped)


def _package_checks(package_name: str) -> tuple[type[Check], ...]:
    """:func:`_walk_package`, walked again only when a folder of the package changed.

    Every audit, CLI command and web request discovers the checks; modules once imported stay
    imported, so what changes between calls is only a module file added to (or removed from)
    the package's folders, and that changes the folder's modification time.
    """
    hit = _WALKS.get(package_name)
    if hit is not None and _stamp(folder for folder, _ in hit[0]) == hit[0]:
        return hit[1]
    checks = tuple(_walk_package(package_name))
    folders = [
        folder
        for name, module in sorted(sys.modules.copy().items())  # other threads may import
        if (name == package_name or name.startswith(package_name + "."))
        for folder in getattr(module, "__path__", None) or ()
    ]
    _WALKS[package_name] = (_stamp(folders), checks)
    return checks


def _plugin_packages() -> tuple[str, ...]:
    """Packages registered under the ``kyojin_auditor.checks`` entry point, read again only when
    a folder on ``sys.path`` changed (installing a distribution adds its metadata there)."""
    global _PLUGINS
    stamp = _stamp(sys.path)
    if _PLUGINS is None or _PLUGINS[0] != stamp:
        packages = tuple(entry.value for entry in entry_points(group="kyojin_auditor.checks"))
        _PLUGINS = (stamp, packages)
    return _PLUGINS[1]


def discover(extra_packages: Iterable[str] = ()) -> Registry:
    """Find the built-in checks, entry-point plug-ins and any extra packages."""
    registry = Registry()
    packages = ["auditor_checks", *extra_packages]
    for value in _plugin_packages():
        if value not in packages:
            packages.append(value)
    for package_name in packages:
        for check in _package_checks(package_name):
            registry.add(check)
    return registry


def rule_settings_for(policy: Policy) -> Mapping[str, Any]:
    return {check_id: setting.model_dump() for check_id, setting in policy.rules.items()}

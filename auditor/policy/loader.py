"""Load a city's policy: one YAML file or a folder of them, on top of a shipped preset.

Merge rules (documented in ``policies/presets/README.md``):
- several files of one folder are combined: lists are concatenated, a key set twice is an error;
- ``extends: NAME`` puts the city on top of ``auditor/policy/presets/NAME.yaml`` (presets may
  extend presets); zones, hosts, flows, rules, exceptions and ``lbo_services`` of the city are
  added to the preset's; a zone, flow or exception with the same ``id`` as a preset one overrides
  it (for zones key by key, so a city may restate only VLANs and subnets); other keys replace.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from pydantic import BaseModel, ValidationError

from auditor.policy.issues import ConfigFileError, PolicyError, PolicyIssue
from auditor.policy.models import Policy
from auditor.policy.source import (
    Located,
    SourceMap,
    display_path,
    load_located,
    to_plain,
    validation_issues,
)
from auditor.policy.validation import validate_policy

__all__ = [
    "PRESET_DIRECTORY",
    "LoadedPolicy",
    "PolicyError",
    "PolicyIssue",
    "available_presets",
    "load_policy",
    "policy_sha256",
]

PRESET_DIRECTORY = Path(__file__).resolve().parent / "presets"
_PRESET_NAME = re.compile(r"^[a-z][a-z0-9-]*$")
_MERGED_BY_ID = frozenset({"zones", "flows", "exceptions"})
_MERGED_BY_KEY = frozenset({"flow_templates", "hosts", "clause_map", "ledger"})
_UNION_LISTS = frozenset({"lbo_services"})
_COMBINABLE_MAPPINGS = frozenset({"hosts", "rules", "clause_map", "ledger"})


@dataclass
class LoadedPolicy:
    """A validated policy plus what an audit run records about it."""

    policy: Policy
    warnings: list[PolicyIssue] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)
    sha256: str = ""
    source_map: SourceMap | None = None


def available_presets() -> list[str]:
    return sorted(path.stem for path in PRESET_DIRECTORY.glob("*.yaml"))


def preset_path(name: str) -> Path | None:
    if not _PRESET_NAME.match(name):
        return None
    path = PRESET_DIRECTORY / f"{name}.yaml"
    return path if path.is_file() else None


def load_policy(
    path: Path,
    known_check_ids: frozenset[str] | None = None,
    *,
    today: date | None = None,
    parameter_models: Mapping[str, type[BaseModel]] | None = None,
) -> LoadedPolicy:
    """Load, merge and validate; raise :class:`PolicyError` listing every error found.

    ``known_check_ids`` (the registry's ids) turns on the check for exceptions naming no check.
    ``today`` decides which exceptions have expired (warnings); it defaults to the local date.
    ``parameter_models`` (``Registry.parameter_models()``) validates ``rules.<ID>.parameters``.
    """
    files = policy_files(path)
    documents: list[Located] = []
    issues: list[PolicyIssue] = []
    for file in files:
        try:
            document = load_located(file, display_path(file))
        except ConfigFileError as exc:
            issues += exc.issues
            continue
        if not document.is_mapping:
            issues.append(
                PolicyIssue(document.file, document.line, "", "a policy file must be a mapping")
            )
            continue
        documents.append(document)
    if issues:
        raise PolicyError(issues)

    city, combine_issues = combine_documents(documents, display_path(path))
    issues += combine_issues
    root = city
    used_files = list(files)
    extends = city.get("extends")
    if extends is not None:
        try:
            preset, preset_files = _resolve_preset(extends, seen=())
        except PolicyError as exc:
            issues += exc.issues
        else:
            root = overlay(preset, city)
            used_files = preset_files + used_files
    root, shaping_issues = _apply_flow_templates(_drop_zones(root))
    issues += shaping_issues
    if issues:
        raise PolicyError(issues)

    data = to_plain(root)
    source_map = SourceMap.of(root)
    try:
        policy = Policy.model_validate(data)
    except ValidationError as exc:
        raise PolicyError(validation_issues(exc, data, source_map)) from None

    found = validate_policy(
        policy,
        source_map,
        known_check_ids=known_check_ids,
        today=today,
        parameter_models=parameter_models,
    )
    if any(issue.severity == "error" for issue in found):
        raise PolicyError(found)
    return LoadedPolicy(
        policy=policy,
        warnings=found,
        files=used_files,
        sha256=policy_sha256(policy),
        source_map=source_map,
    )


def policy_sha256(policy: Policy) -> str:
    """Hash of the canonical JSON of the resolved policy: records which policy judged a run."""
    canonical = json.dumps(
        policy.model_dump(mode="json", by_alias=True),
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def policy_files(path: Path) -> list[Path]:
    """The YAML files that make up a policy path (a folder is read in name order, not recursed)."""
    if path.is_dir():
        # Every *.yaml entry counts, so a dangling link or a FIFO is reported, not skipped.
        files = sorted(
            candidate
            for candidate in path.iterdir()
            if candidate.suffix in {".yaml", ".yml"} and not candidate.is_dir()
        )
        if not files:
            raise PolicyError([PolicyIssue(str(path), None, "", "no *.yaml files in this folder")])
        return files
    if not path.exists():
        raise PolicyError([PolicyIssue(str(path), None, "", "no such file or folder")])
    return [path]


def combine_documents(documents: Iterable[Located], name: str) -> tuple[Located, list[PolicyIssue]]:
    """Combine the files of one folder: lists add up, anything set twice is an error."""
    combined: dict[str, Located] = {}
    issues: list[PolicyIssue] = []
    first_file: str | None = None
    for document in documents:
        first_file = first_file or document.file
        for key, node in document.value.items():
            earlier = combined.get(key)
            if earlier is None:
                combined[key] = node
            elif earlier.is_sequence and node.is_sequence:
                combined[key] = Located([*earlier.value, *node.value], earlier.file, earlier.line)
            elif key in _COMBINABLE_MAPPINGS and earlier.is_mapping and node.is_mapping:
                merged = dict(earlier.value)
                for sub_key, sub_node in node.value.items():
                    if sub_key in merged:
                        issues.append(_duplicate(f"{key}.{sub_key}", sub_node, merged[sub_key]))
                    else:
                        merged[sub_key] = sub_node
                combined[key] = Located(merged, earlier.file, earlier.line)
            else:
                issues.append(_duplicate(key, node, earlier))
    return Located(combined, first_file or name, 1), issues


def _duplicate(field_name: str, node: Located, earlier: Located) -> PolicyIssue:
    where = earlier.file if earlier.line is None else f"{earlier.file}:{earlier.line}"
    return PolicyIssue(node.file, node.line, field_name, f"already set at {where}")


def overlay(base: Located, top: Located) -> Located:
    """Put a city (``top``) on a preset (``base``) following the module's merge rules."""
    result = dict(base.value)
    for key, node in top.value.items():
        below = result.get(key)
        if below is None:
            result[key] = node
        elif key in _MERGED_BY_ID and below.is_sequence and node.is_sequence:
            result[key] = _merge_by_id(below, node, merge_fields=key == "zones")
        elif key in _MERGED_BY_KEY and below.is_mapping and node.is_mapping:
            result[key] = Located({**below.value, **node.value}, node.file, node.line)
        elif key == "rules" and below.is_mapping and node.is_mapping:
            result[key] = _merge_rules(below, node)
        elif key in _UNION_LISTS and below.is_sequence and node.is_sequence:
            values = {repr(item.value) for item in below.value}
            extra = [item for item in node.value if repr(item.value) not in values]
            result[key] = Located([*below.value, *extra], node.file, node.line)
        else:
            result[key] = node
    return Located(result, top.file, top.line)


def _drop_zones(root: Located) -> Located:
    """Remove the zones named in ``drop_zones`` (a preset zone the city does not have)."""
    drop = root.get("drop_zones")
    zones = root.get("zones")
    if drop is None or not drop.is_sequence or zones is None or not zones.is_sequence:
        return root
    dropped = {item.value for item in drop.value if isinstance(item.value, str)}
    kept = [zone for zone in zones.value if _item_id(zone) not in dropped]
    return Located(
        {**root.value, "zones": Located(kept, zones.file, zones.line)}, root.file, root.line
    )


def _apply_flow_templates(root: Located) -> tuple[Located, list[PolicyIssue]]:
    """Fill each flow that says ``template: ID`` from ``flow_templates`` (its own keys win)."""
    flows = root.get("flows")
    if flows is None or not flows.is_sequence:
        return root, []
    templates = root.get("flow_templates")
    known = templates.value if templates is not None and templates.is_mapping else {}
    issues: list[PolicyIssue] = []
    filled: list[Located] = []
    for flow in flows.value:
        name = flow.get("template")
        if name is None:
            filled.append(flow)
            continue
        template = known.get(name.value) if isinstance(name.value, str) else None
        if template is None or not template.is_mapping:
            names = ", ".join(sorted(known)) or "none"
            issues.append(
                PolicyIssue(
                    name.file,
                    name.line,
                    "template",
                    f"unknown flow template {name.value!r} (templates of this policy: {names})",
                )
            )
            continue
        own = {key: value for key, value in flow.value.items() if key != "template"}
        filled.append(Located({**template.value, **own}, flow.file, flow.line))
    shaped = {**root.value, "flows": Located(filled, flows.file, flows.line)}
    return Located(shaped, root.file, root.line), issues


def _merge_by_id(base: Located, top: Located, *, merge_fields: bool) -> Located:
    items = list(base.value)
    positions = {_item_id(item): index for index, item in enumerate(items) if _item_id(item)}
    seen_in_top: set[str] = set()
    for item in top.value:
        item_id = _item_id(item)
        if item_id is None or item_id not in positions or item_id in seen_in_top:
            # A second entry with one id stays separate so validation reports the duplicate.
            items.append(item)
            continue
        seen_in_top.add(item_id)
        index = positions[item_id]
        if merge_fields and items[index].is_mapping and item.is_mapping:
            items[index] = Located({**items[index].value, **item.value}, item.file, item.line)
        else:
            items[index] = item
    return Located(items, top.file, top.line)


def _item_id(item: Located) -> str | None:
    node = item.get("id")
    if node is not None and isinstance(node.value, str):
        return node.value
    return None


def _merge_rules(base: Located, top: Located) -> Located:
    rules = dict(base.value)
    for check_id, setting in top.value.items():
        below = rules.get(check_id)
        if below is not None and below.is_mapping and setting.is_mapping:
            merged = {**below.value, **setting.value}
            below_parameters = below.get("parameters")
            top_parameters = setting.get("parameters")
            if (
                below_parameters is not None
                and top_parameters is not None
                and below_parameters.is_mapping
                and top_parameters.is_mapping
            ):
                merged["parameters"] = Located(
                    {**below_parameters.value, **top_parameters.value},
                    top_parameters.file,
                    top_parameters.line,
                )
            rules[check_id] = Located(merged, setting.file, setting.line)
        else:
            rules[check_id] = setting
    return Located(rules, top.file, top.line)


def _resolve_preset(extends: Located, seen: tuple[str, ...]) -> tuple[Located, list[Path]]:
    """Load the preset ``extends`` names (a shipped name, or a YAML path next to the file)."""
    name = extends.value
    if not isinstance(name, str) or not name:
        raise PolicyError(
            [PolicyIssue(extends.file, extends.line, "extends", "must be a preset name")]
        )
    path = preset_path(name)
    if path is None and name.endswith((".yaml", ".yml")):
        candidate = Path(name)
        if not candidate.is_absolute():
            candidate = Path(extends.file).parent / candidate
        path = candidate if candidate.is_file() else None
    if path is None:
        known = ", ".join(available_presets())
        raise PolicyError(
            [
                PolicyIssue(
                    extends.file,
                    extends.line,
                    "extends",
                    f"unknown preset '{name}' (shipped presets: {known})",
                )
            ]
        )
    if name in seen:
        raise PolicyError(
            [
                PolicyIssue(
                    extends.file, extends.line, "extends", f"presets extend in a loop: {name}"
                )
            ]
        )
    try:
        document = load_located(path, display_path(path))
    except ConfigFileError as exc:
        raise PolicyError(exc.issues) from None
    if not document.is_mapping:
        raise PolicyError([PolicyIssue(document.file, 1, "", "a preset must be a mapping")])
    parent = document.get("extends")
    if parent is None:
        return document, [path]
    base, files = _resolve_preset(parent, (*seen, name))
    without_extends = Located(
        {key: node for key, node in document.value.items() if key != "extends"},
        document.file,
        document.line,
    )
    return overlay(base, without_extends), [*files, path]

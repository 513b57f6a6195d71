"""Load the device inventory: devices with Nornir-style groups, secrets only by reference.

Layout: a folder with ``devices.yaml`` (and optionally ``groups.yaml``), or one YAML file with
``devices:`` and optionally ``groups:``. ``devices`` is a list of devices or a mapping name →
fields. A group is a mapping of device fields plus optional parent ``groups``; a device takes every
field it does not set from its groups (the first listed group wins), and ``snmp``/``ssh`` are
merged key by key. Errors carry ``file:line: field`` exactly like policy errors.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from pathlib import Path

from pydantic import ValidationError

from auditor.inventory.models import Inventory
from auditor.policy.issues import ConfigFileError, IssueSeverity, PolicyIssue
from auditor.policy.models import Policy
from auditor.policy.source import (
    FieldPath,
    Located,
    SourceMap,
    display_path,
    format_field,
    load_located,
    to_plain,
    validation_issues,
)

__all__ = [
    "CREDENTIAL_FIELDS",
    "InventoryError",
    "PolicyIssue",
    "load_inventory",
    "validate_against_policy",
]

CREDENTIAL_HINT = (
    "inline secrets are not allowed; use a credential reference: "
    "{env: NAME}, {file: PATH} or {systemd: NAME}"
)
CREDENTIAL_FIELDS: dict[str, tuple[str, ...]] = {
    "snmp": ("community", "auth_key", "priv_key"),
    "ssh": ("password", "private_key", "enable_secret"),
}
_DEEP_MERGED = frozenset(CREDENTIAL_FIELDS)
_DEVICE_FILES = ("devices.yaml", "devices.yml")
_GROUP_FILES = ("groups.yaml", "groups.yml")


class InventoryError(ConfigFileError):
    """The inventory is invalid; ``issues`` uses the same ``file:line: field`` type as policies."""


def load_inventory(path: Path) -> Inventory:
    """Load and validate the inventory at ``path``; raise :class:`InventoryError` with every error."""
    devices_root, groups_root = _read_documents(path)
    issues: list[PolicyIssue] = []

    groups_node = groups_root.get("groups") if groups_root is not None else None
    if groups_root is not None and groups_node is None:
        groups_node = groups_root  # groups.yaml may be a bare mapping of groups
    group_nodes: dict[str, Located] = {}
    if groups_node is not None:
        if not groups_node.is_mapping:
            issues.append(_issue(groups_node, ("groups",), "must be a mapping of group names"))
        else:
            group_nodes = dict(groups_node.value)
            for name, group in group_nodes.items():
                issues += _inline_secrets(group, ("groups", name))

    device_entries, list_issues = _device_entries(devices_root)
    issues += list_issues
    resolver = _GroupResolver(group_nodes)
    merged_devices: list[Located] = []
    for device_path, device in device_entries:
        issues += _inline_secrets(device, device_path)
        merged, group_issues = resolver.apply(device, device_path)
        issues += group_issues
        merged_devices.append(merged)
    issues += resolver.issues

    root = Located(
        {"devices": Located(merged_devices, devices_root.file, devices_root.line)},
        devices_root.file,
        1,
    )
    data = to_plain(root)
    source_map = SourceMap.of(root)
    # Messages name the YAML spelling of each device: devices[3] or devices.core-sw1.
    paths = {index: entry_path for index, (entry_path, _) in enumerate(device_entries)}
    try:
        inventory = Inventory.model_validate(data)
    except ValidationError as exc:
        for issue in validation_issues(exc, data, source_map):
            issues.append(_rename(issue, paths))
        raise InventoryError(issues) from None
    if issues:
        raise InventoryError(issues)

    issues += _duplicate_names(inventory, source_map, paths)
    if issues:
        raise InventoryError(issues)
    _absolutize_file_references(inventory, merged_devices)
    inventory._source_map = _DeviceSourceMap(source_map, paths)
    return inventory


def validate_against_policy(inventory: Inventory, policy: Policy) -> list[PolicyIssue]:
    """Cross-check devices with the policy: every zone a device serves must exist."""
    where = inventory._source_map
    issues: list[PolicyIssue] = []
    for index, device in enumerate(inventory.devices):
        for zone_index, zone_id in enumerate(device.zones):
            if policy.zone(zone_id) is None:
                message = f"unknown zone '{zone_id}'"
                path = ("devices", index, "zones", zone_index)
                if isinstance(where, _DeviceSourceMap):
                    issues.append(where.issue(path, message))
                else:
                    issues.append(
                        PolicyIssue("<inventory>", None, format_field(path), message, "error")
                    )
        issues += _address_warning(inventory, index, policy)
    return issues


def _address_warning(inventory: Inventory, index: int, policy: Policy) -> list[PolicyIssue]:
    """A device whose management address sits in a zone it does not list is probably a typo."""
    device = inventory.devices[index]
    try:
        ipaddress.ip_address(device.address)
    except ValueError:
        return []
    zone = policy.zone_of_address(device.address)
    if zone is None or not device.zones or zone.id in device.zones or zone.kind == "management":
        return []
    path = ("devices", index, "address")
    message = f"{device.address} is in zone '{zone.id}', which the device does not list in `zones`"
    where = inventory._source_map
    if isinstance(where, _DeviceSourceMap):
        return [where.issue(path, message, "warning")]
    return [PolicyIssue("<inventory>", None, format_field(path), message, "warning")]


def _read_documents(path: Path) -> tuple[Located, Located | None]:
    if path.is_dir():
        devices_file = next(
            (path / name for name in _DEVICE_FILES if (path / name).is_file()), None
        )
        if devices_file is None:
            raise InventoryError(
                [PolicyIssue(display_path(path), None, "", "no devices.yaml in this folder")]
            )
        groups_file = next((path / name for name in _GROUP_FILES if (path / name).is_file()), None)
        devices_root = _load(devices_file)
        inline_groups = devices_root.get("groups")
        if groups_file is None:
            return devices_root, _wrap_groups(inline_groups)
        if inline_groups is not None:
            raise InventoryError(
                [
                    PolicyIssue(
                        inline_groups.file,
                        inline_groups.line,
                        "groups",
                        f"groups are also defined in {display_path(groups_file)}; keep one",
                    )
                ]
            )
        return devices_root, _load(groups_file)
    if not path.exists():
        raise InventoryError([PolicyIssue(display_path(path), None, "", "no such file or folder")])
    root = _load(path)
    return root, _wrap_groups(root.get("groups"))


def _wrap_groups(groups: Located | None) -> Located | None:
    return Located({"groups": groups}, groups.file, groups.line) if groups else None


def _load(path: Path) -> Located:
    try:
        root = load_located(path, display_path(path))
    except ConfigFileError as exc:
        raise InventoryError(exc.issues) from None
    if not root.is_mapping:
        raise InventoryError(
            [PolicyIssue(root.file, 1, "", "an inventory file must be a mapping (devices: ...)")]
        )
    return root


def _device_entries(root: Located) -> tuple[list[tuple[FieldPath, Located]], list[PolicyIssue]]:
    unknown = [key for key in root.value if key not in {"devices", "groups"}]
    issues = [
        _issue(root.value[key], (key,), "unknown key (expected devices and groups)")
        for key in unknown
    ]
    devices = root.get("devices")
    if devices is None:
        issues.append(PolicyIssue(root.file, 1, "devices", "required field is missing"))
        return [], issues
    entries: list[tuple[FieldPath, Located]] = []
    if devices.is_sequence:
        for index, node in enumerate(devices.value):
            if not node.is_mapping:
                issues.append(_issue(node, ("devices", index), "a device must be a mapping"))
                continue
            entries.append((("devices", index), node))
    elif devices.is_mapping:
        for name, node in devices.value.items():
            if node.value is None:
                node = Located({}, node.file, node.line)
            if not node.is_mapping:
                issues.append(_issue(node, ("devices", name), "a device must be a mapping"))
                continue
            if "name" in node.value:
                entries.append((("devices", name), node))
            else:
                with_name = {"name": Located(name, node.file, node.line), **node.value}
                entries.append((("devices", name), Located(with_name, node.file, node.line)))
    else:
        issues.append(_issue(devices, ("devices",), "must be a list or a mapping of devices"))
    return entries, issues


class _GroupResolver:
    """Flattens groups with their parents, once each, reporting unknown names and loops."""

    def __init__(self, groups: dict[str, Located]) -> None:
        self.groups = groups
        self.resolved: dict[str, Located] = {}
        self.issues: list[PolicyIssue] = []
        self._resolving: list[str] = []

    def apply(self, device: Located, path: FieldPath) -> tuple[Located, list[PolicyIssue]]:
        issues: list[PolicyIssue] = []
        merged = device
        for index, name_node in enumerate(_names(device.get("groups"))):
            name = name_node.value
            if not isinstance(name, str) or name not in self.groups:
                issues.append(
                    _issue(name_node, (*path, "groups", index), f"unknown group '{name}'")
                )
                continue
            merged = _fill(merged, self.flattened(name))
        return merged, issues

    def flattened(self, name: str) -> Located:
        if name in self.resolved:
            return self.resolved[name]
        group = self.groups[name]
        if name in self._resolving:
            self.issues.append(_issue(group, ("groups", name), "groups inherit in a loop"))
            return Located({}, group.file, group.line)
        self._resolving.append(name)
        own = Located(
            {key: node for key, node in group.value.items() if key != "groups"},
            group.file,
            group.line,
        )
        merged = own
        for index, parent in enumerate(_names(group.get("groups"))):
            if not isinstance(parent.value, str) or parent.value not in self.groups:
                self.issues.append(
                    _issue(
                        parent, ("groups", name, "groups", index), f"unknown group '{parent.value}'"
                    )
                )
                continue
            merged = _fill(merged, self.flattened(parent.value))
        self._resolving.pop()
        self.resolved[name] = merged
        return merged


def _names(node: Located | None) -> list[Located]:
    if node is None or not node.is_sequence:
        return []
    return list(node.value)


def _fill(own: Located, inherited: Located) -> Located:
    """Fields ``own`` does not set come from ``inherited``; snmp/ssh merge key by key."""
    result = dict(own.value)
    for key, node in inherited.value.items():
        if key == "groups":
            continue
        mine = result.get(key)
        if mine is None or mine.value is None:
            result[key] = node
        elif key in _DEEP_MERGED and mine.is_mapping and node.is_mapping:
            result[key] = _fill(mine, node)
    return Located(result, own.file, own.line)


def _inline_secrets(entry: Located, path: FieldPath) -> list[PolicyIssue]:
    """Credential fields written as plain values; the value is dropped so it is never echoed."""
    issues: list[PolicyIssue] = []
    if not entry.is_mapping:
        return issues
    for section, names in CREDENTIAL_FIELDS.items():
        settings = entry.get(section)
        if settings is None or not settings.is_mapping:
            continue
        for name in names:
            value = settings.get(name)
            if value is None or value.value is None or value.is_mapping:
                continue
            issues.append(_issue(value, (*path, section, name), CREDENTIAL_HINT))
            del settings.value[name]
    return issues


def _duplicate_names(
    inventory: Inventory, source_map: SourceMap, paths: dict[int, FieldPath]
) -> Iterable[PolicyIssue]:
    seen: dict[str, int] = {}
    for index, device in enumerate(inventory.devices):
        if device.name in seen:
            file, line = source_map.locate(("devices", index, "name"))
            first_file, first_line = source_map.locate(("devices", seen[device.name], "name"))
            yield PolicyIssue(
                file,
                line,
                format_field((*paths.get(index, ("devices", index)), "name")),
                f"duplicate device name '{device.name}' (first at {first_file}:{first_line})",
            )
        else:
            seen[device.name] = index


def _absolutize_file_references(inventory: Inventory, devices: list[Located]) -> None:
    """``{file: PATH}`` relative to the file it was written in becomes absolute."""
    for device, node in zip(inventory.devices, devices, strict=True):
        for section, names in CREDENTIAL_FIELDS.items():
            settings = getattr(device, section)
            settings_node = node.get(section)
            if settings is None or settings_node is None:
                continue
            for name in names:
                reference = getattr(settings, name)
                reference_node = settings_node.get(name)
                if reference is None or reference.file is None or reference_node is None:
                    continue
                if not Path(reference.file).is_absolute():
                    base = Path(reference_node.file).resolve().parent
                    reference.file = str(base / reference.file)
        source, source_node = device.source, node.get("source")
        if source is not None and source_node is not None and not Path(source.file).is_absolute():
            source.file = str(Path(source_node.file).resolve().parent / source.file)


class _DeviceSourceMap:
    """Positions of the merged devices, printed with the spelling the file used."""

    def __init__(self, source_map: SourceMap, paths: dict[int, FieldPath]) -> None:
        self.source_map = source_map
        self.paths = paths

    def issue(
        self, path: FieldPath, message: str, severity: IssueSeverity = "error"
    ) -> PolicyIssue:
        return _rename(self.source_map.issue(path, message, severity), self.paths)


def _rename(issue: PolicyIssue, paths: dict[int, FieldPath]) -> PolicyIssue:
    """``devices[2].ssh`` → ``devices.core-sw1.ssh`` when the file used a mapping of devices."""
    prefix_text = issue.field
    for index, spelled in paths.items():
        generic = f"devices[{index}]"
        if prefix_text == generic or prefix_text.startswith((generic + ".", generic + "[")):
            field = format_field(spelled) + prefix_text[len(generic) :]
            return PolicyIssue(issue.file, issue.line, field, issue.message, issue.severity)
    return issue


def _issue(node: Located, path: FieldPath, message: str) -> PolicyIssue:
    return PolicyIssue(node.file, node.line, format_field(path), message)

"""Cross-field checks pydantic cannot do field by field: names that must exist, ranges that must
not overlap, addresses that must sit inside their zone. Each issue points at the offending value.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping
from datetime import date

from pydantic import BaseModel, ValidationError

from auditor.inventory.models import LedgerRow
from auditor.policy.clauses import SECTIONS_BY_TITLE
from auditor.policy.issues import PolicyIssue
from auditor.policy.models import (
    MYNUMBER_SCREEN_TRANSFER_EDITION,
    Policy,
    ZoneKind,
)
from auditor.policy.source import PathPart, SourceMap, validation_issues

IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


def validate_policy(
    policy: Policy,
    source_map: SourceMap | None = None,
    *,
    known_check_ids: frozenset[str] | None = None,
    today: date | None = None,
    parameter_models: Mapping[str, type[BaseModel]] | None = None,
) -> list[PolicyIssue]:
    """Every cross-field problem of ``policy``; expired exceptions are warnings, not errors.

    ``parameter_models`` (check id → the check's parameter model, from the registry: this package
    never imports checks) turns on the validation of ``rules.<ID>.parameters``.
    """
    where = source_map or SourceMap("<policy>")
    issues: list[PolicyIssue] = []
    issues += _zone_issues(policy, where)
    issues += _host_issues(policy, where)
    issues += _flow_issues(policy, where)
    issues += _unlisted_space_issues(policy, where)
    issues += _destination_list_issues(policy, where)
    issues += _exception_issues(policy, where, known_check_ids, today or date.today())
    issues += _rule_issues(policy, where, known_check_ids)
    issues += _parameter_issues(policy, where, parameter_models)
    issues += _misc_issues(policy, where)
    return issues


def _zone_issues(policy: Policy, where: SourceMap) -> Iterable[PolicyIssue]:
    if not policy.zones:
        yield where.issue(
            ("zones",), "the policy defines no zones, so no separation can be checked", "warning"
        )
    first_index: dict[str, int] = {}
    for index, zone in enumerate(policy.zones):
        if zone.id in first_index:
            file, line = where.locate(("zones", first_index[zone.id], "id"))
            yield where.issue(
                ("zones", index, "id"),
                f"duplicate zone id '{zone.id}' (first defined at {_at(file, line)})",
            )
        else:
            first_index[zone.id] = index
        if zone.external:
            for key in ("vlans", "ssids", "sites"):
                if getattr(zone, key):
                    yield where.issue(
                        ("zones", index, key),
                        f"zone '{zone.id}' is outside the city (kind {zone.kind.value}): it has "
                        f"networks only, no {key}",
                    )
            if zone.requires_port_auth:
                yield where.issue(
                    ("zones", index, "requires_port_auth"),
                    f"zone '{zone.id}' is outside the city: it has no access ports",
                )
            if zone.kind is not ZoneKind.EXTERNAL and not zone.subnets:
                yield where.issue(
                    ("zones", index),
                    f"external zone '{zone.id}' names no networks (subnets), so no address is "
                    "judged to be in it",
                    "warning",
                )
            continue
        if not zone.vlans and not zone.subnets and not zone.ssids:
            yield where.issue(
                ("zones", index),
                f"zone '{zone.id}' has no VLANs, subnets or SSIDs, so no device or address can be "
                "placed in it; define it in the city policy",
                "warning",
            )
    for later_index, later in enumerate(policy.zones):
        for earlier in policy.zones[:later_index]:
            if earlier.id == later.id:
                continue
            for range_index, vlans in enumerate(later.vlans):
                for other in earlier.vlans:
                    if vlans.overlaps(other):
                        yield where.issue(
                            ("zones", later_index, "vlans", range_index),
                            f"VLAN {vlans} overlaps VLAN {other} of zone '{earlier.id}'",
                        )
            for subnet_index, subnet in enumerate(later.subnets):
                for other_subnet in earlier.subnets:
                    if _networks_overlap(subnet, other_subnet):
                        yield where.issue(
                            ("zones", later_index, "subnets", subnet_index),
                            f"subnet {subnet} overlaps subnet {other_subnet} of zone '{earlier.id}'",
                        )


def _networks_overlap(first: IpNetwork, second: IpNetwork) -> bool:
    if first.version != second.version:
        return False
    return first.overlaps(second)


def _host_issues(policy: Policy, where: SourceMap) -> Iterable[PolicyIssue]:
    for name, host in policy.hosts.items():
        zone = policy.zone(host.zone)
        if zone is None:
            yield where.issue(("hosts", name, "zone"), f"unknown zone '{host.zone}'")
            continue
        try:
            address = ipaddress.ip_address(host.address.split("/")[0])
        except ValueError:
            yield where.issue(
                ("hosts", name, "address"),
                f"'{host.address}' is not an IP address; its zone cannot be checked",
                "warning",
            )
            continue
        if zone.subnets and not any(address in subnet for subnet in zone.subnets):
            subnets = ", ".join(str(subnet) for subnet in zone.subnets)
            yield where.issue(
                ("hosts", name, "address"),
                f"{address} is outside the subnets of zone '{zone.id}' ({subnets})",
            )


def _unlisted_space_issues(policy: Policy, where: SourceMap) -> Iterable[PolicyIssue]:
    if policy.unlisted_zone() is not None or not policy.zones:
        return
    if policy.unlisted_space == "internet":
        yield where.issue(
            ("unlisted_space",), "unlisted_space is internet but no zone has kind internet"
        )
    else:
        yield where.issue(
            ("zones",),
            "no zone of kind external: addresses outside every declared network have no zone of "
            "their own, and the network view counts them as the Internet tier; declare one (the "
            "presets do) or say `unlisted_space: internet`",
            "warning",
        )


def _flow_issues(policy: Policy, where: SourceMap) -> Iterable[PolicyIssue]:
    for index, flow in enumerate(policy.flows):
        if not policy.flow_in_force(flow):
            yield where.issue(
                ("flows", index, "via"),
                f"画面転送 to or from the My Number tier is allowed from guideline edition "
                f"{MYNUMBER_SCREEN_TRANSFER_EDITION} on; under {policy.guideline_edition} this "
                "flow is not in force and permits matching it are findings",
                "warning",
            )
        for key, zone_id in (("from", flow.from_), ("to", flow.to)):
            if policy.zone(zone_id) is None:
                yield where.issue(("flows", index, key), f"unknown zone '{zone_id}'")
        if flow.from_ == flow.to:
            yield where.issue(
                ("flows", index, "to"),
                f"a flow from zone '{flow.to}' to itself has no effect (traffic inside a zone is "
                "not restricted by flows)",
                "warning",
            )
        for via_index, relay in enumerate(flow.via):
            if relay not in policy.hosts:
                yield where.issue(
                    ("flows", index, "via", via_index),
                    f"unknown host '{relay}' (relays must be named in `hosts`)",
                )
        for destination_index, destination in enumerate(flow.destinations):
            path: tuple[PathPart, ...] = ("flows", index, "destinations", destination_index)
            host = policy.hosts.get(destination)
            if host is not None:
                if host.zone != flow.to and policy.zone(flow.to) is not None:
                    yield where.issue(
                        path,
                        f"host '{destination}' is in zone '{host.zone}', not in the flow's "
                        f"destination zone '{flow.to}'",
                        "warning",
                    )
            elif not _is_network(destination):
                yield where.issue(
                    path, f"unknown host '{destination}' (use a name from `hosts` or a CIDR)"
                )


def _destination_list_issues(policy: Policy, where: SourceMap) -> Iterable[PolicyIssue]:
    for index, destination in enumerate(policy.mynumber_destinations):
        if destination not in policy.hosts and not _is_network(destination):
            yield where.issue(
                ("mynumber_destinations", index),
                f"unknown host '{destination}' (use a name from `hosts` or a CIDR)",
            )
    for index, service in enumerate(policy.lbo_services):
        if service in policy.hosts or _is_network(service) or "." in service:
            continue
        yield where.issue(
            ("lbo_services", index),
            f"unknown host '{service}' (use a name from `hosts`, a CIDR or a DNS name)",
        )


def _exception_issues(
    policy: Policy, where: SourceMap, known_check_ids: frozenset[str] | None, today: date
) -> Iterable[PolicyIssue]:
    seen_ids: set[str] = set()
    for index, exception in enumerate(policy.exceptions):
        if exception.id is not None:
            if exception.id in seen_ids:
                yield where.issue(
                    ("exceptions", index, "id"), f"duplicate exception id '{exception.id}'"
                )
            seen_ids.add(exception.id)
        if known_check_ids is not None and exception.check not in known_check_ids:
            yield where.issue(
                ("exceptions", index, "check"), f"unknown check id '{exception.check}'"
            )
        if exception.expires < today:
            yield where.issue(
                ("exceptions", index, "expires"),
                f"exception expired on {exception.expires.isoformat()}; the findings it covered "
                "are reported again until it is renewed or removed",
                "warning",
            )


def _rule_issues(
    policy: Policy, where: SourceMap, known_check_ids: frozenset[str] | None
) -> Iterable[PolicyIssue]:
    if known_check_ids is None:
        return
    for check_id in policy.rules:
        if check_id not in known_check_ids:
            yield where.issue(
                ("rules", check_id),
                f"no check has the id '{check_id}'; this setting has no effect",
                "warning",
            )


def _parameter_issues(
    policy: Policy, where: SourceMap, models: Mapping[str, type[BaseModel]] | None
) -> Iterable[PolicyIssue]:
    """``rules.<ID>.parameters`` against the check's model: unknown keys and wrong types."""
    if models is None:
        return
    for check_id, setting in policy.rules.items():
        model = models.get(check_id)
        if model is None:
            continue  # an unknown check id is reported by _rule_issues
        try:
            model.model_validate(setting.parameters)
        except ValidationError as exc:
            yield from validation_issues(
                exc, setting.parameters, where, prefix=("rules", check_id, "parameters")
            )


def _misc_issues(policy: Policy, where: SourceMap) -> Iterable[PolicyIssue]:
    if policy.main_terminal_zone is not None and policy.zone(policy.main_terminal_zone) is None:
        yield where.issue(
            ("main_terminal_zone",),
            f"unknown zone '{policy.main_terminal_zone}'",
        )
    ledger_fields = set(LedgerRow.model_fields) - {"row_number"}
    for index, name in enumerate(policy.ledger.mandatory_fields):
        if name not in ledger_fields:
            yield where.issue(
                ("ledger", "mandatory_fields", index),
                f"unknown ledger field '{name}' (known: {', '.join(sorted(ledger_fields))})",
            )
    for title in policy.clause_map:
        if title not in SECTIONS_BY_TITLE:
            yield where.issue(
                ("clause_map", title),
                "not a guideline section title this auditor knows; references use the exact title",
                "warning",
            )


def _is_network(text: str) -> bool:
    try:
        ipaddress.ip_network(text, strict=False)
    except ValueError:
        return False
    return True


def _at(file: str, line: int | None) -> str:
    return file if line is None else f"{file}:{line}"

"""Where a device's NTP and syslog servers may be: the zone kinds each tier may use (pure)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from auditor.policy.models import Policy, ZoneKind

# Zone kinds a server may lie in, by the kind of zone the device serves; the device's own zones
# and the management zone are always allowed. The LGWAN WAN provides NTP (J-LIS); the Internet
# tier may use the security cloud's or the Internet's servers.
DEFAULT_NTP_KINDS: dict[str, list[str]] = {
    ZoneKind.MYNUMBER.value: [ZoneKind.LGWAN_WAN.value],
    ZoneKind.LGWAN.value: [ZoneKind.LGWAN_WAN.value],
    ZoneKind.MANAGEMENT.value: [ZoneKind.LGWAN_WAN.value],
    ZoneKind.INTERNET.value: [
        ZoneKind.SECURITY_CLOUD.value,
        ZoneKind.INTERNET.value,
        ZoneKind.EXTERNAL.value,
    ],
}
OUTSIDE_KINDS = frozenset(
    {ZoneKind.INTERNET.value, ZoneKind.SECURITY_CLOUD.value, ZoneKind.EXTERNAL.value}
)


def server_place(
    policy: Policy,
    server: str,
    device_zones: Iterable[str],
    device_kinds: Iterable[str],
    allowed_by_kind: Mapping[str, list[str]],
) -> tuple[bool, str, str] | None:
    """(allowed, zone text, zone kind) for one server address; None for a name (not judged)."""
    place = policy.classify_address(server)
    if place is None:
        return None
    zone_text = place.zone.id if place.zone is not None else place.kind.value
    if place.kind is ZoneKind.MANAGEMENT:
        return True, zone_text, place.kind.value
    if place.zone is not None and place.listed and place.zone.id in set(device_zones):
        return True, zone_text, place.kind.value
    kinds = set(device_kinds)
    allowed = {kind for device_kind in kinds for kind in allowed_by_kind.get(device_kind, [])}
    return place.kind.value in allowed, zone_text, place.kind.value

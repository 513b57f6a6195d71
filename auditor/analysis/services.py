"""Service ranges: the one shape in which analysis compares policy services with permits.

Policy flows are written ``tcp/443``; rule services arrive typed from the platform parsers
(:class:`~auditor.model.services.Service`). Both become :class:`ServiceRange` values here.
"""

from __future__ import annotations

from dataclasses import dataclass

from auditor.model.services import Service
from auditor.policy.models import parse_service


@dataclass(frozen=True, slots=True)
class ServiceRange:
    """A protocol with an inclusive destination-port range; ``None`` ports mean every port."""

    protocol: str  # any, tcp, udp, icmp, icmpv6, or a protocol name/number
    first: int | None = None
    last: int | None = None

    @classmethod
    def parse(cls, service: str) -> ServiceRange:
        protocol, first, last = parse_service(service)
        return cls("any" if protocol == "ip" else protocol, first, last)

    def covers(self, other: ServiceRange) -> bool:
        if self.protocol == "any":
            return True
        if other.protocol == "any" or self.protocol != other.protocol:
            return False
        if self.first is None or self.last is None:
            return True
        if other.first is None or other.last is None:
            return False
        return self.first <= other.first and other.last <= self.last

    def overlaps(self, other: ServiceRange) -> bool:
        if self.protocol == "any" or other.protocol == "any":
            return True
        if self.protocol != other.protocol:
            return False
        if None in (self.first, self.last, other.first, other.last):
            return True
        assert self.first is not None and self.last is not None
        assert other.first is not None and other.last is not None
        return self.first <= other.last and other.first <= self.last

    def __str__(self) -> str:
        if self.first is None:
            return self.protocol
        if self.first == self.last:
            return f"{self.protocol}/{self.first}"
        return f"{self.protocol}/{self.first}-{self.last}"


ANY_SERVICE = ServiceRange("any")


def service_ranges(service: Service) -> tuple[ServiceRange, ...]:
    """A typed service → one range per port range (``ip`` = any protocol, no ports = every port)."""
    if service.protocol == "ip":
        return (ANY_SERVICE,)
    protocol = str(service.protocol)
    if service.ports is None:
        return (ServiceRange(protocol),)
    return tuple(ServiceRange(protocol, r.first, r.last) for r in service.ports)

"""Typed services: the protocol and destination ports an ACL line or firewall policy lets through.

Platform parsers resolve every vendor spelling (IOS ``eq www``/``range``/``gt``, Yamaha filter
ports, FortiGate service objects and predefined names) into these values, so nothing outside
``auditor/platforms/`` ever reads vendor text to learn which ports a rule permits.
"""

from __future__ import annotations

from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, field_validator, model_validator

ProtocolName = Literal["ip", "tcp", "udp", "icmp", "icmpv6", "sctp", "gre", "esp", "ah"]
# IANA protocol numbers of the named protocols; other protocols are kept as their number.
PROTOCOL_NUMBERS: dict[int, ProtocolName] = {
    1: "icmp",
    6: "tcp",
    17: "udp",
    58: "icmpv6",
    132: "sctp",
    47: "gre",
    50: "esp",
    51: "ah",
}
PORT_PROTOCOLS = frozenset({"tcp", "udp", "sctp"})


class PortRange(BaseModel):
    """An inclusive range of destination ports."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    first: int
    last: int

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if not 0 <= self.first <= self.last <= 65535:
            raise ValueError(f"port range {self.first}-{self.last}: expected 0 <= first <= last")
        return self

    def __str__(self) -> str:
        return str(self.first) if self.first == self.last else f"{self.first}-{self.last}"


class Service(BaseModel):
    """A protocol (``ip`` = every protocol) and its destination ports (``None`` = every port)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    protocol: ProtocolName | int
    ports: tuple[PortRange, ...] | None = None

    @field_validator("protocol")
    @classmethod
    def _named(cls, value: ProtocolName | int) -> ProtocolName | int:
        """Protocol numbers that have a name are stored by name, so equal services compare equal."""
        if isinstance(value, int):
            if not 0 <= value <= 255:
                raise ValueError(f"protocol number {value} is not 0-255")
            return PROTOCOL_NUMBERS.get(value, value)
        return value

    @model_validator(mode="after")
    def _ports_fit(self) -> Self:
        if self.ports is not None and self.protocol not in PORT_PROTOCOLS:
            raise ValueError(f"protocol {self.protocol!r} has no ports")
        if self.ports == ():
            raise ValueError("an empty port list would permit nothing; use None for every port")
        return self

    @classmethod
    def any(cls) -> Service:
        """Every protocol, every port."""
        return cls(protocol="ip")

    @classmethod
    def of(cls, protocol: ProtocolName | int, *ranges: tuple[int, int] | int) -> Service:
        """``Service.of("tcp", 443, (8000, 8080))``; no ranges means every port."""
        ports = tuple(
            PortRange(first=r, last=r) if isinstance(r, int) else PortRange(first=r[0], last=r[1])
            for r in ranges
        )
        return cls(protocol=protocol, ports=ports or None)

    def __str__(self) -> str:
        if self.ports is None:
            return str(self.protocol)
        return f"{self.protocol}/{','.join(str(r) for r in self.ports)}"

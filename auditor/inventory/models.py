"""Inventory models: devices to poll (secrets by reference only) and asset-ledger rows."""

from __future__ import annotations

import ipaddress
import re
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, PrivateAttr, model_validator

MAX_NAME_LENGTH = 64
"""Device names become file names in the evidence bundle; 64 is the hostname label limit."""
_HOST_LABEL = re.compile(r"^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$")


def _check_address(value: str) -> str:
    """An IP address or a DNS host name; ``999.1.1.1`` is neither (a typo, not a host)."""
    try:
        ipaddress.ip_address(value)
        return value
    except ValueError:
        pass
    labels = value.rstrip(".").split(".")
    if len(value) > 253 or not all(_HOST_LABEL.match(label) for label in labels):
        raise ValueError(f"not an IP address or host name: '{value[:80]}'")
    if labels[-1].isdigit():
        raise ValueError(f"not a valid IP address: '{value[:80]}'")
    return value


Address = Annotated[str, AfterValidator(_check_address)]
Port = Annotated[int, Field(ge=1, le=65535)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


Platform = Literal[
    "cisco_ios",
    "alaxala_ax",
    "allied_telesis_awplus",
    "yamaha_rtx",
    "fortinet",
    "nec_ix",
    "net_snmp",
    "generic",
]


class CredentialRef(_Model):
    """Where a secret lives. Exactly one of ``env``, ``file`` or ``systemd`` is set.

    ``systemd`` names a credential passed with ``LoadCredential=`` and read from
    ``$CREDENTIALS_DIRECTORY``.
    """

    env: str | None = None
    file: str | None = None
    systemd: str | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> CredentialRef:
        given = [name for name in ("env", "file", "systemd") if getattr(self, name)]
        if len(given) != 1:
            raise ValueError("a credential reference needs exactly one of env, file or systemd")
        return self

    def describe(self) -> str:
        if self.env:
            return f"env:{self.env}"
        if self.file:
            return f"file:{self.file}"
        return f"systemd:{self.systemd}"


class SnmpSettings(_Model):
    version: Literal["v2c", "v3"] = "v3"
    port: Port = 161
    community: CredentialRef | None = None
    user: str | None = None
    auth_protocol: Literal["md5", "sha", "sha224", "sha256", "sha384", "sha512"] = "sha"
    auth_key: CredentialRef | None = None
    priv_protocol: Literal["none", "des", "aes", "aes192", "aes256"] = "aes"
    priv_key: CredentialRef | None = None
    context: str = ""
    timeout: float = Field(default=2.0, gt=0, le=600)
    retries: int = Field(default=1, ge=0, le=10)
    max_repetitions: int = Field(default=50, ge=1, le=1000)


class SshSettings(_Model):
    port: Port = 22
    username: str | None = None
    password: CredentialRef | None = None
    private_key: CredentialRef | None = None
    enable_secret: CredentialRef | None = None
    jump_host: str | None = None
    host_key_policy: Literal["known_hosts", "trust_on_first_use"] = "known_hosts"
    timeout: float = Field(default=20.0, gt=0, le=3600)
    encoding: str | None = None


class FileSource(_Model):
    """A saved configuration that stands in for live collection (offline audit).

    ``file`` is relative to the inventory file's folder unless absolute. The file is read and
    redacted like a live ``show running-config``; live state (FDB, ARP, LLDP) stays unknown.
    """

    file: str = Field(min_length=1)


class Device(_Model):
    name: str = Field(max_length=MAX_NAME_LENGTH, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    address: Address
    platform: Platform
    zones: list[str] = Field(default_factory=list)
    site: str | None = None
    role: str | None = None
    groups: list[str] = Field(default_factory=list)
    snmp: SnmpSettings | None = None
    ssh: SshSettings | None = None
    source: FileSource | None = None
    asset_id: str | None = None


class Inventory(_Model):
    devices: list[Device] = Field(default_factory=list)
    # Where each device was written (a ``SourceMap`` set by the loader), so later cross-checks
    # against the policy can still say ``file:line``. Private, so never dumped or exported.
    _source_map: Any = PrivateAttr(default=None)
    # name → device, rebuilt when ``devices`` is replaced or changes length: checks look devices
    # up once per device (and per name seen in the network), so a linear scan made a 10,000-device
    # offline audit quadratic (issue 18). A device renamed in place is caught on a hit, not on a
    # miss: the inventory is not edited in place after loading.
    _index: Any = PrivateAttr(default=None)

    def device(self, name: str) -> Device | None:
        key = (id(self.devices), len(self.devices))
        if self._index is None or self._index[0] != key:
            index: dict[str, Device] = {}
            for device in self.devices:
                index.setdefault(device.name, device)  # the first one, as a scan would
            self._index = (key, index)
        found: Device | None = self._index[1].get(name)
        if found is not None and found.name != name:
            self._index = None
            return self.device(name)
        return found


class LedgerRow(_Model):
    """One row of the 情報資産管理台帳, normalized from Japanese or English headers."""

    row_number: int
    asset_id: str | None = None
    name: str | None = None
    kind: str | None = None
    model: str | None = None
    serial: str | None = None
    mac: str | None = None
    ip: str | None = None
    hostname: str | None = None
    location: str | None = None
    owner_department: str | None = None
    zone: str | None = None
    confidentiality: str | None = None
    integrity: str | None = None
    availability: str | None = None
    lease_end: date | None = None
    end_of_support: date | None = None
    status: str | None = None
    firmware: str | None = None


class LedgerIssue(_Model):
    """A ledger row that could not be read; the other rows still load."""

    source: str
    row_number: int
    message: str
    severity: Literal["error", "warning"] = "error"


class AssetLedger(_Model):
    source: str | None = None
    rows: list[LedgerRow] = Field(default_factory=list)
    issues: list[LedgerIssue] = Field(default_factory=list)
    # Things worth telling the user that lose no row (ignored columns, unmapped 所属系 values).
    # Kept apart from ``issues`` because every entry there is a row that did not load.
    warnings: list[LedgerIssue] = Field(default_factory=list)
    encoding: str | None = Field(default=None, description="utf-8, utf-8-sig, cp932 or xlsx")

"""Run snmpsim's command responder with one small patch: SNMPv3 requests in the empty context.

Two patches, both to make the lab behave like many real agents, fast:

1. Real collectors send SNMPv3 requests with an empty context name. snmpsim 1.2 (on pysnmp 7)
selects data files only by context name, and it unregisters the empty context, so such requests
are silently dropped. This entry point maps the empty context of each SNMP engine to that
engine's data file named ``lab-default`` (the lab gives every v3 device its own engine), then
hands over to the unmodified snmpsim ``main``.
2. snmpsim keeps a per-file OID index in a dbm; this Python has no gdbm/ndbm, so it falls back to
   ``dbm.dumb`` (about 40 times slower), and because file times have one-second resolution it
   indexes every file twice. The lab keeps those indexes in memory instead (one process, built
   once at start; the lab writes data files with an older mtime so they count as fresh).

3. One engine serves every v2c device, each on its own UDP endpoint. snmpsim would answer any
   device's community on any endpoint; the lab passes a map (context of each community →
   transport id of its endpoint, ``$AUDITOR_LAB_ENDPOINT_MAP``) and requests arriving on another
   endpoint get no answer, exactly like a wrong community on a real agent.

Run as ``python -m auditor.lab.snmpsim_main ARGS``.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

DEFAULT_CONTEXT = b"lab-default"


def _patch_empty_context() -> None:
    from pysnmp.entity.rfc3413 import context
    from pysnmp.proto import rfc1902

    original = context.SnmpContext.get_mib_instrum

    def get_mib_instrum(self: Any, contextName: Any = b"") -> Any:  # noqa: N803 - pysnmp's name
        name = rfc1902.OctetString(contextName).asOctets()
        if name == b"" and name not in self.context_names and DEFAULT_CONTEXT in self.context_names:
            return self.context_names[DEFAULT_CONTEXT]
        return original(self, contextName)

    context.SnmpContext.get_mib_instrum = get_mib_instrum


class _MemoryIndex(dict[bytes, bytes]):
    """Keys and values are stored as bytes, as every dbm module returns them."""

    def __setitem__(self, key: str | bytes, value: str | bytes) -> None:
        super().__setitem__(_as_bytes(key), _as_bytes(value))

    def __getitem__(self, key: str | bytes) -> bytes:
        return super().__getitem__(_as_bytes(key))

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str | bytes) and super().__contains__(_as_bytes(key))

    def close(self) -> None:
        """Indexes live as long as the process; nothing to flush."""

    def sync(self) -> None:
        """Nothing to flush."""


def _as_bytes(value: str | bytes) -> bytes:
    return value.encode("utf-8") if isinstance(value, str) else value


class _MemoryDbm:
    """The slice of the ``dbm`` module API snmpsim uses (``open``, ``whichdb``), in memory.

    A marker file ``<path>.db`` is touched on creation so snmpsim's freshness check (data file
    older than its index) finds the index without reading it.
    """

    error = KeyError

    def __init__(self) -> None:
        self.tables: dict[str, _MemoryIndex] = {}

    def open(self, path: str, flag: str = "r", mode: int = 0o666) -> _MemoryIndex:
        if "n" in flag or ("c" in flag and path not in self.tables):
            self.tables[path] = _MemoryIndex()
            Path(path + ".db").touch()
        if path not in self.tables:
            raise KeyError(f"no index for {path}")
        return self.tables[path]

    def whichdb(self, path: str) -> str | None:
        return "memory" if path in self.tables else None


def _patch_memory_index() -> None:
    from snmpsim.record.search import database

    memory = _MemoryDbm()
    database.dbm = memory
    database.whichdb = memory


def _patch_endpoint_isolation(endpoints: dict[bytes, int]) -> None:
    from pysnmp.entity.rfc3413 import cmdrsp

    original = cmdrsp.CommandResponderBase.process_pdu

    def process_pdu(self: Any, snmpEngine: Any, *args: Any) -> Any:  # noqa: N803 - pysnmp's name
        # args: messageProcessingModel, securityModel, securityName, securityLevel,
        #       contextEngineId, contextName, pduVersion, PDU, maxSizeResponseScopedPDU, stateRef
        expected = endpoints.get(bytes(args[5]))
        if expected is not None:
            request = snmpEngine.observer.get_execution_context("rfc3412.receiveMessage:request")
            if tuple(request["transportDomain"])[-1] != expected:
                return None  # another device's community: silence, as a real agent
        return original(self, snmpEngine, *args)

    cmdrsp.CommandResponderBase.process_pdu = process_pdu


def _load_endpoints() -> dict[bytes, int]:
    path = os.environ.get("AUDITOR_LAB_ENDPOINT_MAP")
    if not path:
        return {}
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    return {str(context).encode("ascii"): int(index) for context, index in data.items()}


def main() -> int:
    _patch_empty_context()
    _patch_memory_index()
    endpoints = _load_endpoints()
    if endpoints:
        _patch_endpoint_isolation(endpoints)
    from snmpsim.commands import responder

    sys.argv[0] = "snmpsim-command-responder"
    result = responder.main()
    return int(result or 0)


if __name__ == "__main__":
    raise SystemExit(main())

"""Run snmpsim's command responder with one small patch: SNMPv3 requests in the empty context.

Real collectors send SNMPv3 requests with an empty context name. snmpsim 1.2 (on pysnmp 7)
selects data files only by context name, and it unregisters the empty context, so such requests
are silently dropped. This entry point maps the empty context of each SNMP engine to that
engine's data file named ``lab-default`` (the lab gives every v3 device its own engine), then
hands over to the unmodified snmpsim ``main``. Run as ``python -m auditor.lab.snmpsim_main ARGS``.
"""

from __future__ import annotations

import sys
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


def main() -> int:
    _patch_empty_context()
    from snmpsim.commands import responder

    sys.argv[0] = "snmpsim-command-responder"
    result = responder.main()
    return int(result or 0)


if __name__ == "__main__":
    raise SystemExit(main())

"""Where the inputs live when no option names them.

Kept apart from :mod:`auditor.audit.inputs` so the command line can show them in ``--help``
without importing the policy and inventory models.
"""

from pathlib import Path

DEFAULT_POLICY = Path("/etc/auditor/policy")
DEFAULT_INVENTORY = Path("/etc/auditor/inventory")

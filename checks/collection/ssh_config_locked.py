"""COL-110: the device's configuration mode was held by another session, so nothing was read."""

from __future__ import annotations

from ._base import CollectionErrorCheck


class SshConfigModeOccupied(CollectionErrorCheck):
    """NEC IX answered ``% CONFIG process is occupied.``: an administrator was configuring it.

    What it checks:
        Devices whose CLI shows the running configuration only in a mode one session at a time
        may hold (NEC UNIVERGE IX: ``show running-config`` and ``terminal length 0`` are accepted
        in config mode only). The collector enters that mode the non-intrusive way
        (``enable-config``); when another session holds it the device answers ``% CONFIG process
        is occupied.`` and this finding is reported with subject ``command:enable-config``.

    Why is this bad?:
        Nothing of the device's configuration was read in this run, so its configuration checks
        are blind until the next run. The auditor deliberately does not use ``svintr-config``,
        which would take config mode away from the administrator in the middle of their change.

    Example:
        ``lg-rt1`` is being reconfigured over the console during the nightly audit: one
        ``COL-110`` finding, and no snapshot of ``lg-rt1`` for that run.

    Remediation:
        Usually none: collect again after the maintenance work (``auditor check
        lg-rt1``). If the finding repeats, look for a session left in config mode on the device
        (``show users``) and end it, or schedule the audit outside maintenance windows.

    Parameters:
        None.
    """

    id = "COL-110"
    slug = "ssh-config-mode-occupied"
    title_ja = "設定モードが他の管理者に使用中のため収集不可"
    title_en = "Configuration mode held by another session"

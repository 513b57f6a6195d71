"""COL-201/202/203: problems with saved configurations read by an offline audit."""

from __future__ import annotations

from auditor.model.findings import Outcome, Severity

from ._base import CollectionErrorCheck


class OfflineInputUnreadable(CollectionErrorCheck):
    """A saved configuration given to an offline audit could not be used.

    What it checks:
        Offline audits (``auditor audit-configs``, inventory ``source: {file: …}``): a file that
        cannot be read (missing, too large, not a file), a RANCID ``router.db`` entry that is
        ``up`` without its ``configs/NAME`` file or is malformed, and a second file naming a
        device already read. Subject ``file:<path>``.

    Why is this bad?:
        The device the file stands for was not audited at all; without this finding its absence
        would look like a clean device.

    Example:
        ``router.db`` lists ``lg-core-sw1;cisco;up`` but ``configs/lg-core-sw1`` is missing: one
        ``COL-201`` finding.

    Remediation:
        Ask the maintenance vendor (保守事業者) for the missing or current configuration file and
        run the offline audit again.

    Parameters:
        None.
    """

    id = "COL-201"
    slug = "offline-input-unreadable"
    title_ja = "保存された設定ファイルを使用できない"
    title_en = "Saved configuration could not be used"


class OfflinePlatformUndecided(CollectionErrorCheck):
    """No platform profile recognised a saved configuration clearly, so it was not audited.

    What it checks:
        Files without a platform from the inventory or RANCID: each platform profile scores the
        text (``detect``); when no profile is sure enough, or two are too close, the file is
        reported with the scores instead of being parsed by a guess. Subject ``file:<path>``.

    Why is this bad?:
        A configuration read by the wrong parser looks like a device with every service switched
        off: a false pass. Undecided files are therefore not audited, and that is reported.

    Example:
        A fragment holding only ``login user`` lines: no profile is sure, one ``COL-202``
        finding naming the file.

    Remediation:
        Name the device and its platform in the inventory (``source: {file: …}``), or give the
        complete ``show running-config`` / ``show config`` output instead of a fragment.

    Parameters:
        None.
    """

    id = "COL-202"
    slug = "offline-platform-undecided"
    title_ja = "保存された設定の機種を判定できない"
    title_en = "Platform of a saved configuration undecided"


class OfflineInputCleaned(CollectionErrorCheck):
    """Terminal residue was removed from a saved configuration before it was parsed.

    What it checks:
        Saved configurations pasted from a terminal session: ``--More--`` pager prompts, the
        echoed prompt and ``show running-config`` line, a trailing prompt, terminal control
        sequences and RANCID's ``!`` header lines are removed and counted. Subject
        ``file:<path>``; the removed lines and the file's SHA-256 are stored as evidence.

    Why is this bad?:
        It is not a violation: it says the audited text is not byte-identical to the file, and
        exactly what differs, so nobody has to trust a silent clean-up.

    Example:
        A printout with 12 ``--More--`` prompts: one INFO finding "12 pager prompt(s)".

    Remediation:
        None needed; ask for configurations saved with paging off (``terminal length 0``) to
        keep the evidence byte-identical.

    Parameters:
        None.
    """

    id = "COL-203"
    slug = "offline-input-cleaned"
    severity = Severity.INFO
    outcome = Outcome.FAIL
    title_ja = "保存された設定から端末操作の残骸を除去"
    title_en = "Terminal residue removed from a saved configuration"

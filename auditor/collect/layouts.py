"""The layouts of a folder of saved configurations (``--layout``).

Apart from :mod:`auditor.collect.offline_sources` so the command line can offer the choice
without importing the readers and platform parsers behind it.
"""

from enum import StrEnum


class Layout(StrEnum):
    AUTO = "auto"
    FOLDER = "folder"
    OXIDIZED_GIT = "oxidized-git"
    RANCID = "rancid"

"""Kyojin Auditor: continuous 三層の対策 compliance auditing for Japanese municipal networks."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("kyojin-auditor")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0+unknown"

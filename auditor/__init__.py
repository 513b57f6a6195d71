"""Kyojin Auditor: continuous 三層の対策 compliance auditing for Japanese municipal networks."""

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    __version__: str


def __getattr__(name: str) -> str:
    """``__version__`` is read from the installed metadata on first use: ``importlib.metadata``
    costs every process start tens of milliseconds, and most commands never print the version."""
    if name != "__version__":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib.metadata import PackageNotFoundError, version

    try:
        found = version("kyojin-auditor")
    except PackageNotFoundError:  # running from a source tree without installation
        found = "0.0.0+unknown"
    globals()["__version__"] = found
    return found

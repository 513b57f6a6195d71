"""Turn a credential reference into the secret, at the moment a collector needs it.

Secrets never live in the inventory: it names an environment variable, a file, or a systemd
credential (``LoadCredential=``, read from ``$CREDENTIALS_DIRECTORY``). Every error message names
the reference (``env:SNMP_COMMUNITY``) and never the secret.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from auditor.inventory.models import CredentialRef

__all__ = ["CredentialError", "resolve_secret"]


class CredentialError(Exception):
    """A referenced secret is missing or unreadable; the message names only the reference."""

    def __init__(self, reference: CredentialRef, reason: str) -> None:
        self.reference = reference.describe()
        self.reason = reason
        super().__init__(f"credential {self.reference}: {reason}")


def resolve_secret(
    ref: CredentialRef,
    *,
    environ: Mapping[str, str] | None = None,
    credentials_directory: Path | None = None,
    base_dir: Path | None = None,
) -> str:
    """Read the secret ``ref`` points at.

    ``environ`` defaults to ``os.environ``. A relative ``file`` is read from ``base_dir`` (the
    inventory folder; the loader already makes references absolute). ``credentials_directory``
    defaults to ``$CREDENTIALS_DIRECTORY`` from ``environ``. One trailing newline is stripped from
    files, since editors and ``echo`` add one.
    """
    env = os.environ if environ is None else environ
    if ref.env:
        value = env.get(ref.env)
        if value is None:
            raise CredentialError(ref, "environment variable is not set")
        if value == "":
            raise CredentialError(ref, "environment variable is empty")
        return value
    if ref.file:
        path = Path(ref.file)
        if not path.is_absolute():
            path = (base_dir or Path.cwd()) / path
        return _read_secret_file(ref, path)
    name = ref.systemd or ""
    if not name or "/" in name or name in {".", ".."}:
        raise CredentialError(ref, "a systemd credential name is a plain file name")
    directory = credentials_directory
    if directory is None:
        configured = env.get("CREDENTIALS_DIRECTORY")
        if not configured:
            raise CredentialError(
                ref,
                "$CREDENTIALS_DIRECTORY is not set (run under systemd with LoadCredential=)",
            )
        directory = Path(configured)
    return _read_secret_file(ref, directory / name)


def _read_secret_file(ref: CredentialRef, path: Path) -> str:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise CredentialError(ref, f"file {path} does not exist") from None
    except PermissionError:
        raise CredentialError(ref, f"file {path} is not readable by this user") from None
    except IsADirectoryError:
        raise CredentialError(ref, f"{path} is a folder, not a file") from None
    except OSError as exc:
        raise CredentialError(ref, f"file {path} cannot be read ({exc.strerror})") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise CredentialError(ref, f"file {path} is not UTF-8 text") from None
    if text.endswith("\r\n"):
        text = text[:-2]
    elif text.endswith("\n"):
        text = text[:-1]
    if text == "":
        raise CredentialError(ref, f"file {path} is empty")
    return text

"""YAML loaded with the line each value came from, so every error can say ``file:line``.

The round-trip loader of ruamel.yaml keeps positions; we copy them into a small tree of
:class:`Located` nodes that survives merging (presets, several files, inventory groups), then turn
the tree into plain data for pydantic and into a :class:`SourceMap` that finds the line of any
field path pydantic or a cross-field check complains about.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.constructor import RoundTripConstructor
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from auditor.policy.issues import ConfigFileError, IssueSeverity, PolicyIssue

PathPart = str | int
FieldPath = tuple[PathPart, ...]


@dataclass
class Located:
    """A YAML value with the file and 1-based line it was written on.

    ``value`` is a ``dict[str, Located]``, a ``list[Located]`` or a plain scalar.
    """

    value: Any
    file: str
    line: int | None

    @property
    def is_mapping(self) -> bool:
        return isinstance(self.value, dict)

    @property
    def is_sequence(self) -> bool:
        return isinstance(self.value, list)

    def get(self, key: str) -> Located | None:
        if isinstance(self.value, dict):
            found: Located | None = self.value.get(key)
            return found
        return None


def display_path(path: Path) -> str:
    """How a file is named in messages: as the caller spelled it (relative stays relative)."""
    return str(path)


def load_located(path: Path, display: str | None = None) -> Located:
    """Parse one YAML file; raise :class:`ConfigFileError` with the line of a syntax error."""
    name = display if display is not None else display_path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigFileError(
            [PolicyIssue(name, None, "", f"not UTF-8 text ({exc.reason}); save the file as UTF-8")]
        ) from None
    except OSError as exc:
        raise ConfigFileError(
            [PolicyIssue(name, None, "", f"cannot read: {exc.strerror}")]
        ) from None
    return parse_located(text, name)


class _Constructor(RoundTripConstructor):
    """Round-trip constructor that leaves timestamps as text.

    ruamel would build ``datetime.date`` itself and crash with a bare ``ValueError`` (no line) on
    ``2027-13-01``; as text, pydantic parses it and the error gets its ``file:line``.
    """


_Constructor.add_constructor("tag:yaml.org,2002:timestamp", _Constructor.construct_yaml_str)
_DUPLICATE_KEY = re.compile(r'found duplicate key "([^"]*)"')


def parse_located(text: str, name: str) -> Located:
    yaml = YAML(typ="rt")
    yaml.Constructor = _Constructor
    try:
        document = yaml.load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        raise ConfigFileError(
            [PolicyIssue(name, line, "", f"YAML syntax error: {_describe(exc)}")]
        ) from None
    except (YAMLError, ValueError) as exc:
        raise ConfigFileError(
            [PolicyIssue(name, None, "", f"YAML error: {type(exc).__name__}")]
        ) from None
    if document is None:
        return Located({}, name, 1)
    return _convert(document, name, 1)


def _describe(exc: MarkedYAMLError) -> str:
    """The parser's complaint, minus any values it quotes (a duplicated key may hold a secret)."""
    problem = exc.problem or ""
    duplicate = _DUPLICATE_KEY.search(problem)
    if duplicate:
        return f'duplicate key "{duplicate.group(1)}"'
    return " ".join(part for part in (exc.context, problem) if part) or "invalid YAML"


def _convert(node: Any, name: str, line: int | None) -> Located:
    if isinstance(node, CommentedMap):
        children: dict[str, Located] = {}
        for key, value in node.items():
            position = node.lc.key(key)
            children[str(key)] = _convert(value, name, position[0] + 1 if position else line)
        return Located(children, name, line)
    if isinstance(node, CommentedSeq):
        items = []
        for index, value in enumerate(node):
            position = node.lc.item(index)
            items.append(_convert(value, name, position[0] + 1 if position else line))
        return Located(items, name, line)
    return Located(_plain_scalar(node), name, line)


def _plain_scalar(value: Any) -> Any:
    """Drop ruamel's scalar subclasses so hashing and pydantic see ordinary Python values."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str):
        return str(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, dt.datetime):
        return dt.datetime(
            value.year,
            value.month,
            value.day,
            value.hour,
            value.minute,
            value.second,
            value.microsecond,
            value.tzinfo,
        )
    if isinstance(value, dt.date):
        return dt.date(value.year, value.month, value.day)
    return value


def to_plain(node: Located) -> Any:
    if isinstance(node.value, dict):
        return {key: to_plain(child) for key, child in node.value.items()}
    if isinstance(node.value, list):
        return [to_plain(child) for child in node.value]
    return node.value


def format_field(parts: Iterable[PathPart]) -> str:
    """``("flows", 3, "to")`` → ``flows[3].to``."""
    text = ""
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


@dataclass
class SourceMap:
    """Field path → (file, line) for every value of a merged document."""

    default_file: str
    positions: dict[FieldPath, tuple[str, int | None]] = field(default_factory=dict)

    @classmethod
    def of(cls, root: Located) -> SourceMap:
        source_map = cls(root.file)
        source_map._index(root, ())
        return source_map

    def _index(self, node: Located, path: FieldPath) -> None:
        self.positions[path] = (node.file, node.line)
        if isinstance(node.value, dict):
            for key, child in node.value.items():
                self._index(child, (*path, key))
        elif isinstance(node.value, list):
            for index, child in enumerate(node.value):
                self._index(child, (*path, index))

    def locate(self, path: Sequence[PathPart]) -> tuple[str, int | None]:
        """The position of ``path`` or of its nearest ancestor that has one."""
        parts = tuple(path)
        while parts:
            found = self.positions.get(parts)
            if found is not None:
                return found
            parts = parts[:-1]
        return self.positions.get((), (self.default_file, None))

    def issue(
        self,
        path: Sequence[PathPart],
        message: str,
        severity: IssueSeverity = "error",
    ) -> PolicyIssue:
        file, line = self.locate(path)
        return PolicyIssue(file, line, format_field(path), message, severity)


_MESSAGES = {
    "missing": "required field is missing",
    "extra_forbidden": "unknown key (not allowed here; check the spelling)",
}


def validation_issues(
    exc: ValidationError, data: Any, source_map: SourceMap, prefix: FieldPath = ()
) -> list[PolicyIssue]:
    """Turn pydantic errors into issues whose field path uses the YAML spelling (``from``, ``[i]``).

    Parts of pydantic's ``loc`` that are not keys of the data (union member tags such as
    ``ipv4-network``, ``function-after[...]``) are skipped; a missing key is kept as the last part.
    """
    grouped: dict[FieldPath, list[str]] = {}
    for error in exc.errors(include_url=False, include_input=False):
        path = _data_path(data, error["loc"], error["type"])
        message = _MESSAGES.get(error["type"], _clean_message(error["msg"]))
        if "vlans" in path and error["type"] in {
            "model_type",
            "model_attributes_type",
            "dict_type",
        }:
            message = 'expected a VLAN id (10), a range ("10-19") or {first: 10, last: 19}'
        messages = grouped.setdefault((*prefix, *path), [])
        if message not in messages:
            messages.append(message)
    return [source_map.issue(path, "; ".join(messages)) for path, messages in grouped.items()]


def _data_path(data: Any, loc: Sequence[PathPart], error_type: str) -> FieldPath:
    path: list[PathPart] = []
    current = data
    for position, part in enumerate(loc):
        last = position == len(loc) - 1
        in_mapping = isinstance(current, Mapping) and isinstance(part, str) and part in current
        in_list = isinstance(current, list) and isinstance(part, int) and 0 <= part < len(current)
        if in_mapping or in_list:
            path.append(part)
            current = current[part]
        elif last and error_type == "missing":
            path.append(part)
    return tuple(path)


def _clean_message(message: str) -> str:
    for prefix in ("Value error, ", "Assertion failed, "):
        if message.startswith(prefix):
            return message[len(prefix) :]
    return message

"""YAML loaded with the line each value came from, so every error can say ``file:line``.

The round-trip loader of ruamel.yaml keeps positions; we copy them into a small tree of
:class:`Located` nodes that survives merging (presets, several files, inventory groups), then turn
the tree into plain data for pydantic and into a :class:`SourceMap` that finds the line of any
field path pydantic or a cross-field check complains about.
"""

from __future__ import annotations

import copy
import datetime as dt
import os
import re
import stat
import threading
from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.composer import Composer
from ruamel.yaml.constructor import ConstructorError, RoundTripConstructor
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import MappingStartEvent, SequenceStartEvent
from ruamel.yaml.reader import ReaderError
from ruamel.yaml.scanner import RoundTripScanner

from auditor.policy.issues import ConfigFileError, IssueSeverity, PolicyIssue

PathPart = str | int
FieldPath = tuple[PathPart, ...]

MAX_FILE_BYTES = 16 * 1024 * 1024
"""Largest policy or inventory file read; a real one is well under a megabyte."""
MAX_NODES = 200_000
"""Values a document may hold after aliases are expanded (a "billion laughs" file has 10^9)."""
MAX_DEPTH = 64
"""Nesting depth of mappings and lists; real files stay under ten."""


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
    data = read_config_bytes(path, name)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ConfigFileError(
            [PolicyIssue(name, line, "", f"not UTF-8 text ({exc.reason}); save the file as UTF-8")]
        ) from None
    return parse_located(text, name)


def read_config_bytes(path: Path, name: str, limit: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes, or a :class:`ConfigFileError`.

    Opened non-blocking and checked with ``fstat`` so a FIFO, a device such as ``/dev/zero`` or a
    dangling link is refused at once instead of hanging or filling memory.
    """
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        if path.is_symlink():
            reason = f"broken symbolic link ({reason})"
        raise ConfigFileError([PolicyIssue(name, None, "", f"cannot read: {reason}")]) from None
    with os.fdopen(descriptor, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise ConfigFileError(
                [PolicyIssue(name, None, "", "not a regular file (a device, FIFO or socket)")]
            )
        if info.st_size > limit:
            raise ConfigFileError([PolicyIssue(name, None, "", _too_large(info.st_size, limit))])
        data = handle.read(limit + 1)
    if len(data) > limit:  # grew while being read
        raise ConfigFileError([PolicyIssue(name, None, "", _too_large(len(data), limit))])
    return data


def _too_large(size: int, limit: int) -> str:
    return f"file too large ({size:,} bytes; the limit is {limit:,})"


class _Constructor(RoundTripConstructor):
    """Round-trip constructor that leaves timestamps as text.

    ruamel would build ``datetime.date`` itself and crash with a bare ``ValueError`` (no line) on
    ``2027-13-01``; as text, pydantic parses it and the error gets its ``file:line``.
    """

    def construct_yaml_int(self, node: Any) -> Any:
        """Python refuses to convert integers over 4,300 digits; say where instead of crashing."""
        try:
            return super().construct_yaml_int(node)
        except ValueError:
            raise ConstructorError(
                None, None, "integer too large or malformed", node.start_mark
            ) from None


class _TooDeepError(Exception):
    def __init__(self, line: int) -> None:
        self.line = line


class _Composer(Composer):
    """Composer that stops at the first mapping or list nested deeper than :data:`MAX_DEPTH`.

    Without it a file of 100,000 ``[`` is scanned until Python's recursion limit, and ruamel's
    scanner does work proportional to the open nesting for every token: seconds of CPU for a
    refusal the depth budget makes at level 65.
    """

    _depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        self._depth += 1
        try:
            # the document root is depth 0, as in _Converter
            if self._depth - 1 > MAX_DEPTH and self.parser.check_event(
                SequenceStartEvent, MappingStartEvent
            ):
                raise _TooDeepError(self.parser.peek_event().start_mark.line + 1)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


class _Scanner(RoundTripScanner):
    """Scanner that refuses a flow ``[`` or ``{`` nested deeper than :data:`MAX_DEPTH`.

    The composer's limit comes too late for flow collections: before it sees the node at level 65
    the scanner has looked up to 1,024 characters ahead, keeping a possible simple key per open
    level and revisiting all of them for every token (about a second for a line of ``[``). Flow
    nesting is never deeper than the document's, so this refuses nothing the composer accepts.
    """

    def fetch_flow_collection_start(self, TokenClass: Any, to_push: str) -> None:  # noqa: N803
        if self.flow_level >= MAX_DEPTH + 1:
            raise _TooDeepError(self.reader.line + 1)
        super().fetch_flow_collection_start(TokenClass, to_push)


_Constructor.add_constructor("tag:yaml.org,2002:timestamp", _Constructor.construct_yaml_str)
_Constructor.add_constructor("tag:yaml.org,2002:int", _Constructor.construct_yaml_int)
_DUPLICATE_KEY = re.compile(r'found duplicate key "([^"]*)"')


PARSED_CACHE_ENTRIES = 64
"""Documents kept parsed; a deployment reads a few dozen policy, preset and inventory files."""
PARSED_CACHE_TEXT = 1024 * 1024
"""Larger texts are parsed every time (the cache keeps the text as its key)."""
_parsed: OrderedDict[tuple[str, str], Located] = OrderedDict()
_parsed_lock = threading.Lock()


def parse_located(text: str, name: str) -> Located:
    """The document's :class:`Located` tree, a fresh copy for every caller.

    The round-trip YAML parser is pure Python (about 0.1 s for a city policy), and a daemon or
    web console reads the same unchanged files for every run: a text seen before under the same
    name is copied from the last parse instead. Only successful parses are kept.
    """
    key = (name, text)
    with _parsed_lock:
        cached = _parsed.get(key)
        if cached is not None:
            _parsed.move_to_end(key)
    if cached is not None:
        return _copy(cached)
    located = _parse_located(text, name)
    if len(text) <= PARSED_CACHE_TEXT:
        kept = _copy(located)
        with _parsed_lock:
            _parsed[key] = kept
            while len(_parsed) > PARSED_CACHE_ENTRIES:
                _parsed.popitem(last=False)
    return located


def _copy(node: Located) -> Located:
    """A copy callers may change (loaders merge and delete keys)."""
    value = node.value
    if isinstance(value, dict):
        value = {key: _copy(child) for key, child in value.items()}
    elif isinstance(value, list):
        value = [_copy(child) for child in value]
    elif not isinstance(value, _IMMUTABLE):  # e.g. a !!set: rare, copied the slow way
        value = copy.deepcopy(value)
    return Located(value, node.file, node.line)


_IMMUTABLE = (str, int, float, bool, type(None), bytes, dt.date, dt.datetime)


def _parse_located(text: str, name: str) -> Located:
    yaml = YAML(typ="rt")
    yaml.Constructor = _Constructor
    yaml.Composer = _Composer
    yaml.Scanner = _Scanner
    try:
        document = yaml.load(text)
    except _TooDeepError as exc:
        raise ConfigFileError(
            [PolicyIssue(name, exc.line, "", f"nested deeper than {MAX_DEPTH} levels")]
        ) from None
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        raise ConfigFileError(
            [PolicyIssue(name, line, "", f"YAML syntax error: {_describe(exc)}")]
        ) from None
    except ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        raise ConfigFileError(
            [PolicyIssue(name, line, "", f"character U+{exc.character:04X} is not allowed in YAML")]
        ) from None
    except RecursionError:
        raise ConfigFileError(
            [PolicyIssue(name, None, "", f"nested too deeply (the limit is {MAX_DEPTH} levels)")]
        ) from None
    except (YAMLError, ValueError) as exc:
        raise ConfigFileError(
            [PolicyIssue(name, None, "", f"YAML error: {type(exc).__name__}")]
        ) from None
    if document is None:
        return Located({}, name, 1)
    return _Converter(name).convert_document(document)


def _describe(exc: MarkedYAMLError) -> str:
    """The parser's complaint, minus any values it quotes (a duplicated key may hold a secret)."""
    problem = exc.problem or ""
    duplicate = _DUPLICATE_KEY.search(problem)
    if duplicate:
        return f'duplicate key "{duplicate.group(1)}"'
    return " ".join(part for part in (exc.context, problem) if part) or "invalid YAML"


class _Converter:
    """Copies ruamel's tree into :class:`Located` nodes within a value and depth budget.

    An alias is the same object in several places, and each place gets its own copy (positions
    differ), so nested aliases grow exponentially: the budget turns that into an error.
    """

    def __init__(self, name: str) -> None:
        self.name = name
        self.nodes = 0
        self.measured: dict[int, tuple[int, int | None] | None] = {}

    def convert_document(self, document: Any) -> Located:
        """The document's tree, or the error :meth:`convert` would raise, found without copying.

        An alias bomb used to be refused after copying 200,000 values (half a second); measuring
        each distinct node once tells whether the budget holds, and if it does not, a walk down
        the one branch where :meth:`convert` would stop raises the same error at the same line.
        """
        measured = _measure(document, 0, self.measured)
        if measured is not None:
            size, deepest = measured
            if size > MAX_NODES or (deepest is not None and deepest > MAX_DEPTH):
                self._refuse(document, 1, 0)
        return self.convert(document, 1, 0)

    def _count(self, line: int | None) -> None:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise ConfigFileError(
                [
                    PolicyIssue(
                        self.name,
                        line,
                        "",
                        f"more than {MAX_NODES:,} values once YAML aliases are expanded "
                        "(an alias bomb?)",
                    )
                ]
            )

    def _check_depth(self, node: Any, line: int | None, depth: int) -> None:
        if depth > MAX_DEPTH and isinstance(node, CommentedMap | CommentedSeq):
            raise ConfigFileError(
                [PolicyIssue(self.name, line, "", f"nested deeper than {MAX_DEPTH} levels")]
            )

    def _refuse(self, node: Any, line: int | None, depth: int) -> None:
        """Raise what :meth:`convert` raises on ``node``, known to fail; subtrees it would copy
        whole are only counted."""
        self._count(line)
        self._check_depth(node, line, depth)
        for child, where in _children(node, line):
            measured = _measure(child, depth + 1, self.measured)
            if measured is not None:
                size, deepest = measured
                fits = self.nodes + size <= MAX_NODES
                if fits and (deepest is None or depth + 1 + deepest <= MAX_DEPTH):
                    self.nodes += size
                    continue
            self._refuse(child, where, depth + 1)
        raise AssertionError("the measured failure was not found")  # pragma: no cover

    def convert(self, node: Any, line: int | None, depth: int) -> Located:
        self._count(line)
        self._check_depth(node, line, depth)
        if isinstance(node, CommentedMap):
            children: dict[str, Located] = {}
            for (key, value), (_, where) in zip(node.items(), _children(node, line), strict=True):
                children[str(key)] = self.convert(value, where, depth + 1)
            return Located(children, self.name, line)
        if isinstance(node, CommentedSeq):
            items = [
                self.convert(value, where, depth + 1) for value, where in _children(node, line)
            ]
            return Located(items, self.name, line)
        return Located(_plain_scalar(node), self.name, line)


def _children(node: Any, line: int | None) -> Iterable[tuple[Any, int | None]]:
    """A mapping's values or a list's items, each with the line it was written on."""
    if isinstance(node, CommentedMap):
        for key, value in node.items():
            position = node.lc.key(key)
            yield value, position[0] + 1 if position else line
    elif isinstance(node, CommentedSeq):
        for index, value in enumerate(node):
            position = node.lc.item(index)
            yield value, position[0] + 1 if position else line


def _measure(
    node: Any, depth: int, memo: dict[int, tuple[int, int | None] | None]
) -> tuple[int, int | None] | None:
    """(values once aliases are expanded, depth of the deepest mapping or list below ``node``
    counted from it, None without any), or None where a mapping or list lies deeper than
    :data:`MAX_DEPTH` (including a recursive alias): :meth:`_Converter.convert` decides those.

    Memoized by node identity: an alias is the same object wherever it is used.
    """
    if not isinstance(node, CommentedMap | CommentedSeq):
        return 1, None
    if depth > MAX_DEPTH:
        return None
    if id(node) in memo:
        return memo[id(node)]
    size, deepest = 1, 0
    values = node.values() if isinstance(node, CommentedMap) else node
    for child in values:
        measured = _measure(child, depth + 1, memo)
        if measured is None:
            return None  # not memoized: reached at a shallower depth it may measure
        size += measured[0]
        if measured[1] is not None:
            deepest = max(deepest, measured[1] + 1)
    memo[id(node)] = (size, deepest)
    return size, deepest


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

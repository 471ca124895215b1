"""Checks for text and documents that come from outside: control characters and nesting depth.

PostgreSQL text cannot hold NUL (SQLite can, so only one of the two databases fails on it), and no
other C0 control character or DEL belongs in a name, a search term or a remark; a lone surrogate
cannot even be encoded as UTF-8. Deeply nested documents crash parsers: ``json`` raises
``RecursionError`` and PyYAML's C loader overflows the C stack (the process dies). The request edge
(``onewindow.api.edge``) and the file importers use these checks, so a bad character or a bomb is a
clear 4xx, never a 500.
"""

from __future__ import annotations

import json
import re
from typing import Any

from onewindow.core.errors import InvalidInput

# Paths, query parameters and keys: no C0 control character, no DEL, no lone surrogate.
LINE_CONTROL = re.compile(r"[\x00-\x1f\x7f\ud800-\udfff]")
# Form fields, JSON strings and file contents: tab, line feed and carriage return are text;
# the rest of C0, DEL and lone surrogates are not.
TEXT_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
# No document we accept nests deeper than this (a catalogue file nests about six levels).
MAX_DEPTH = 64


class ControlCharacter(InvalidInput):
    """Text with a control character where none may be."""

    code, status, title = "control_character", 400, "输入中含有不允许的控制字符"

    def __init__(self, where: str, char: str) -> None:
        self.where, self.reason = where, f"含有不允许的控制字符 U+{ord(char):04X}"
        super().__init__(f"{where}{self.reason}，请删除后重试", where=where, char=f"U+{ord(char):04X}")


class TooDeep(InvalidInput):
    """A document nested deeper than ``MAX_DEPTH``."""

    code, status, title = "too_deeply_nested", 400, "数据嵌套层次过深"

    def __init__(self, where: str = "") -> None:
        self.where, self.reason = where, f"数据嵌套超过{MAX_DEPTH}层，无法处理"
        place = f"（{where}）" if where else ""
        super().__init__(f"{self.reason}{place}", where=where, max_depth=MAX_DEPTH)


def check_line(value: str, where: str) -> None:
    """Raise ``ControlCharacter`` if ``value`` (a path, a query parameter, a key) holds any C0
    control character, DEL or a lone surrogate."""
    found = LINE_CONTROL.search(value)
    if found:
        raise ControlCharacter(where, found.group())


def check_text(value: str, where: str) -> None:
    """Raise ``ControlCharacter`` if ``value`` (free text) holds a control character other than
    tab, line feed and carriage return, or a lone surrogate."""
    found = TEXT_CONTROL.search(value)
    if found:
        raise ControlCharacter(where, found.group())


def check_document(document: Any, where: str = "$", *, max_depth: int = MAX_DEPTH) -> None:
    """Walk a parsed JSON/YAML document without recursion: every key (a name) must pass
    ``check_line`` and every string value ``check_text``; nesting deeper than ``max_depth`` raises
    ``TooDeep``. Errors name the place as a JSON path (``$.extra[0].reason``)."""
    stack: list[tuple[Any, str, int]] = [(document, where, 0)]
    while stack:
        value, place, depth = stack.pop()
        if isinstance(value, str):
            check_text(value, place)
        elif isinstance(value, dict | list | tuple):
            if depth >= max_depth:
                raise TooDeep(place)
            if isinstance(value, dict):
                for key, item in value.items():
                    name = f"{place}.{key}" if isinstance(key, str) else f"{place}[{key!r}]"
                    if isinstance(key, str):
                        check_line(key, f"{place} 的键")
                    stack.append((item, name, depth + 1))
            else:
                stack.extend((item, f"{place}[{i}]", depth + 1) for i, item in enumerate(value))


def flow_depth(text: str) -> int:
    """The deepest nesting of ``[``/``{`` in ``text``, counting brackets inside strings too (an
    upper bound): checked before a YAML file reaches the C loader, which crashes on deep nesting.
    Block-style nesting needs indentation, so its depth is bounded by the file's size."""
    depth = deepest = 0
    for match in re.finditer(r"[\[\]{}]", text):
        if match.group() in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif depth:
            depth -= 1
    return deepest


def check_flow_depth(text: str, where: str = "") -> None:
    """Raise ``TooDeep`` if ``text`` opens more than ``MAX_DEPTH`` brackets without closing them."""
    if flow_depth(text) > MAX_DEPTH:
        raise TooDeep(where)


def load_json(text: str | bytes, where: str = "$") -> Any:
    """``json.loads`` for untrusted input, then ``check_document``. Raises ``TooDeep`` instead of
    ``RecursionError``, ``ControlCharacter``, and ``json.JSONDecodeError`` (a ``ValueError``) for
    text that is not JSON."""
    try:
        document = json.loads(text)
    except RecursionError:
        raise TooDeep(where) from None
    check_document(document, where)
    return document

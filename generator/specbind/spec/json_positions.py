"""Where the nodes at some JSON pointers start in a JSON file (line and column, 1-based, as PyYAML's
marks give them), without building the whole document twice.

PyYAML composes a node for every value of the file, which takes most of a second for a 4 MB spec
(Kubernetes) and is done on every run that has warnings to place. Here the json module's C scanner
skips each value off the pointers' paths, and only the objects and arrays on them are walked.
"""

from __future__ import annotations

import bisect
import json
import re
from typing import Any, Callable

from specbind.spec.problems import parts_of

# the json module's C scanners (not in its typed interface): one value, or the rest of a string
# after its opening quote, from an index; each with the index after it
_SCAN: Callable[[str, int], tuple[Any, int]] = getattr(json.JSONDecoder(), "scan_once")
_SCAN_STRING: Callable[[str, int], tuple[str, int]] = getattr(json.decoder, "scanstring")
_SPACE = re.compile(r"[ \t\n\r]*")
# what PyYAML's reader counts as a line break
_BREAK = re.compile("\r\n|[\n\r\x85\u2028\u2029]")

Trie = dict[str, "Trie"]


def json_positions(text: str, pointers: list[str]) -> dict[str, tuple[int, int]] | None:
    """Line and column of each pointer's node (or of its nearest parent there is); None when `text`
    is not one JSON value (the caller then asks PyYAML)."""
    trie: Trie = {}
    for pointer in pointers:
        node = trie
        for part in parts_of(pointer):
            node = node.setdefault(part, {})
    starts: dict[tuple[str, ...], int] = {}
    try:
        end = _value(text, _space(text, 0), trie, (), starts)
    except (ValueError, IndexError, StopIteration):
        return None
    if _space(text, end) != len(text):
        return None
    breaks = [match.end() for match in _BREAK.finditer(text)]
    found = {}
    for pointer in pointers:
        at = tuple(parts_of(pointer))
        while at not in starts:
            at = at[:-1]
        index = starts[at]
        line = bisect.bisect_right(breaks, index)
        found[pointer] = (line + 1, index - (breaks[line - 1] if line else 0) + 1)
    return found


def _value(
    text: str, index: int, trie: Trie, at: tuple[str, ...], starts: dict[tuple[str, ...], int]
) -> int:
    """Record where the value at `index` starts (and the values `trie` asks for inside it); the
    index just after it."""
    starts[at] = index
    first = text[index]
    if not trie or first not in "{[":
        return _skip(text, index)
    closing = "}" if first == "{" else "]"
    index = _space(text, index + 1)
    if text[index] == closing:
        return index + 1
    position = 0
    while True:
        if first == "{":
            if text[index] != '"':
                raise ValueError("a key")
            key, index = _SCAN_STRING(text, index + 1)
            index = _space(text, index)
            if text[index] != ":":
                raise ValueError("a colon")
            index = _space(text, index + 1)
        else:
            key = str(position)
            position += 1
        inner = trie.get(key)
        index = (
            _skip(text, index) if inner is None else _value(text, index, inner, at + (key,), starts)
        )
        index = _space(text, index)
        if text[index] == ",":
            index = _space(text, index + 1)
        elif text[index] == closing:
            return index + 1
        else:
            raise ValueError("a comma")


def _skip(text: str, index: int) -> int:
    return int(_SCAN(text, index)[1])


def _space(text: str, index: int) -> int:
    match = _SPACE.match(text, index)
    return match.end() if match else index

"""Spec text in generated code: one escaping function per context, and a guard that nothing else gets in.

Every string a spec holds (titles, descriptions, URLs, names on the wire, enum values, examples,
paths, event names) is someone else's text. It reaches generated code only through one of:

- `docstring(text, indent)`: a whole docstring literal (`inline` for text inside one);
- `string_literal(text)`: a Python string literal (`layout.string`, which uses `repr`);
- `comment(text)`: the text of a `#` comment.

The package templates see the spec's strings as `SpecText` (see `taint`); their Jinja2 environment
(`codegen/guard.py`) refuses to print a `SpecText` anywhere but through these functions, carries the mark
through `~`, `+` and every filter, and the layout helpers refuse it too, so a template that forgets
to escape fails to render instead of writing the spec's text into code.
"""

from __future__ import annotations

import dataclasses
import re
from functools import wraps
from typing import Any

from specbind.codegen.layout import string


class SpecText(str):
    """A string from the spec: text, never code. String methods keep the mark."""

    __slots__ = ()

    def __add__(self, other: str) -> SpecText:
        return SpecText(str.__add__(self, other))

    def __radd__(self, other: str) -> SpecText:
        return SpecText(str.__add__(other, self))

    def __getitem__(self, key: Any) -> SpecText:
        return SpecText(str.__getitem__(self, key))


def _keeps_mark(name: str) -> None:
    method = getattr(str, name)

    @wraps(method)
    def marked(self: SpecText, *args: Any, **kwargs: Any) -> Any:
        result = method(self, *args, **kwargs)
        if isinstance(result, str):
            return SpecText(result)
        if isinstance(result, (list, tuple)):
            return type(result)(SpecText(r) for r in result)
        return result

    setattr(SpecText, name, marked)


for _name in (
    "capitalize casefold center expandtabs format ljust lower lstrip partition removeprefix "
    "removesuffix replace rjust rpartition rsplit rstrip split splitlines strip swapcase title "
    "upper zfill __mod__ __mul__ __rmul__"
).split():
    _keeps_mark(_name)


def is_spec_text(value: Any) -> bool:
    """Whether `value` holds spec text anywhere (itself, or inside a list, tuple or dict)."""
    if isinstance(value, SpecText):
        return True
    if isinstance(value, (list, tuple)):
        return any(is_spec_text(v) for v in value)
    if isinstance(value, dict):
        return any(is_spec_text(k) or is_spec_text(v) for k, v in value.items())
    return False


# Fields of the pipeline's operation data (codegen/operations.py) that hold code the generator made
# (Python names, type hints, class names), not spec text; every other string is marked.
CODE_FIELDS = frozenset({"name", "type_hint", "kind", "location", "encode", "model", "decoder"})


def taint(data: Any, field: str = "") -> Any:
    """`data` (the pipeline's API description) with every string from the spec marked `SpecText`."""
    if isinstance(data, str):
        return data if field in CODE_FIELDS or isinstance(data, SpecText) else SpecText(data)
    if dataclasses.is_dataclass(data) and not isinstance(data, type):
        changes = {
            f.name: taint(getattr(data, f.name), f.name)
            for f in dataclasses.fields(data)
            if f.name != "models"  # schema pointer -> class name: code, used to import the classes
        }
        return dataclasses.replace(data, **changes)
    if isinstance(data, list):
        return [taint(v, field) for v in data]
    if isinstance(data, tuple):
        return tuple(taint(v, field) for v in data)
    if isinstance(data, dict):
        return {taint(k): taint(v, field) for k, v in data.items()}
    return data


# ------------------------------------------------------------------ the escaping functions


def docstring(text: str, indent: int = 4) -> str:
    """A docstring literal whose content stays inert text whatever the spec says, laid out as black
    lays docstrings out (first line stripped, the others dedented, quotes padded, leading tabs expanded).
    """
    pad = " " * indent
    lines = [line.rstrip() for line in _inert(text).split("\n")]
    while lines and not lines[0]:
        lines.pop(0)
    while lines and not lines[-1]:
        lines.pop()
    if not lines:
        return f'{pad}""""""'
    first = lines[0].strip()
    if first.startswith('"'):
        first = " " + first
    if len(lines) == 1:
        space = " " if first.endswith('"') else ""  # black's padding: no four quotes in a row
        return f'{pad}"""{first}{space}"""'
    rest = [_expand_leading_tabs(pad + line) if line else "" for line in lines[1:]]
    common = min(len(line) - len(line.lstrip()) for line in rest if line)
    body = "\n".join(pad + line[common:] if line else "" for line in rest)
    return f'{pad}"""{first}\n{body}\n{pad}"""'


def docstring_at(text: str | None, indent: int) -> str:
    """A docstring literal for the model templates, which write the indentation of its first line
    themselves; '' for no text. Laid out as datamodel-code-generator lays docstrings out (text on
    one line, or from the line after the opening quotes), escaped as `docstring` escapes."""
    if not text or not text.strip():
        return ""
    escaped = _inert(_dcg_unescaped(text))
    if "\n" not in escaped:
        return f'"""{_closable(escaped)}"""'
    pad = " " * indent
    body = "\n".join(pad + line if line else "" for line in escaped.split("\n"))
    return f'"""\n{body}\n{pad}"""'


def _dcg_unescaped(text: str) -> str:
    """The spec's text back from datamodel-code-generator's docstring escape, which it applies to
    what custom templates get (it marks such text with its own str subclass)."""
    if type(text).__name__ != "_EscapedDocstring":
        return text
    table = {"\\\\": "\\", '\\"': '"', "\\x00": "\x00"}
    return re.sub(r'\\\\|\\"|\\x00', lambda m: table[m.group(0)], str.__str__(text))


def inline(text: str) -> str:
    """Spec text as one line inside a docstring: inert whatever it contains."""
    return _closable(_inert(" ".join(text.split())))


def string_literal(text: str) -> str:
    """A Python string literal holding `text` exactly (double quotes unless single need fewer escapes)."""
    return string(str.__str__(text))


def fstring_text(text: str) -> str:
    """Text inside a double-quoted f-string literal, outside its replacement fields."""
    escaped = "".join(
        "\\\\" if c == "\\" else '\\"' if c == '"' else c if c.isprintable() else _escape(c)
        for c in text
    )
    return escaped.replace("{", "{{").replace("}", "}}")


def comment(text: str) -> str:
    """Text for a `#` comment: nothing in it can end the line. Backslash, the characters Python or
    black treat as line ends, and characters that are not printable are written as escapes, so
    `comment_text` gives the exact text back."""
    return "".join(c if c.isprintable() and c != "\\" else _escape(c) for c in text)


def comment_text(text: str) -> str:
    """The text a comment written by `comment` holds."""
    out, i = [], 0
    while i < len(text):
        if text[i] == "\\" and i + 1 < len(text):
            kind = text[i + 1]
            width = {"x": 2, "u": 4, "U": 8}.get(kind)
            if width:
                out.append(chr(int(text[i + 2 : i + 2 + width], 16)))
                i += 2 + width
                continue
            out.append(kind)
            i += 2
            continue
        out.append(text[i])
        i += 1
    return "".join(out)


def _closable(text: str) -> str:
    """One docstring line whose last character cannot merge with the closing quotes."""
    backslashes = len(text[:-1]) - len(text[:-1].rstrip("\\"))
    return text[:-1] + '\\"' if text.endswith('"') and backslashes % 2 == 0 else text


def _inert(text: str) -> str:
    """Text that cannot end a docstring or start an escape: backslashes doubled, triple quotes and
    characters that are not printable escaped, carriage returns dropped."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\\", "\\\\")
    text = text.replace('"""', '\\"\\"\\"')
    if text.replace("\n", "").replace("\t", "").isprintable():
        return text  # the usual case, checked at C speed
    return "".join(c if c.isprintable() or c in "\n\t" else _escape(c) for c in text)


def _escape(char: str) -> str:
    if char == "\\":
        return "\\\\"
    code = ord(char)
    return (
        f"\\x{code:02x}"
        if code < 0x100
        else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"
    )


def _expand_leading_tabs(line: str) -> str:
    """The line with tabs in its indentation expanded, as black does in docstrings."""
    stripped = line.lstrip()
    return line[: len(line) - len(stripped)].expandtabs() + stripped

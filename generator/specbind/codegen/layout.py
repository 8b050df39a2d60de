"""Python source laid out the way black lays it out, for the pieces the package templates fill in.

The format stage still runs isort and black over everything; but black formats a second time whenever
its first pass changed something, so code that is already in black's layout costs one pass, not two.
The templates write their fixed code in black's layout; what depends on the spec (signatures and calls
whose length depends on names, string literals, the `_checks.SCHEMAS` table) goes through this module.

Only the shapes the templates use are covered: an expression is an `Atom` (text that is never split)
or a `Brackets` (text, an opening bracket, items separated by commas, the closing bracket and text
after it). Black's rules for them, at the project's line length (`line_length`):

- the whole expression fits on its line: one line;
- otherwise the brackets' content goes on lines of its own, one level deeper: on one line if it fits
  (not for a collection literal of two or more items, which black always explodes), else one item per
  line with a trailing comma; an item that does not fit is laid out the same way, one level deeper;
- a `Statement` (`x = value`, `return value`) whose value's first line does not fit after the prefix
  gets the value wrapped in parentheses instead.

tests/test_layout.py checks these rules against black itself on random input.

The model templates (through `generator/models.py`) use the helpers at the end: string literals from
dcg's text, conditional and boolean expressions split at their operators, the sorted import block
(tests/test_model_layout.py).
"""

from __future__ import annotations

import ast
import math
import re
import sys
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Union

INDENT = 4
# The line length code is laid out for: the project's (see style.py), set by `line_length` around a
# rendering, so the many small helpers the templates call need not pass it along.
_LIMIT: ContextVar[int] = ContextVar("line_length", default=88)


@contextmanager
def line_length(columns: int) -> Iterator[None]:
    """Lay out code for `columns` columns inside the `with` block."""
    token = _LIMIT.set(columns)
    try:
        yield
    finally:
        _LIMIT.reset(token)


def current_line_length() -> int:
    """The line length code is being laid out for (see `line_length`)."""
    return _LIMIT.get()


@dataclass(frozen=True)
class Atom:
    """Text black never splits (a name, a literal, an expression without brackets)."""

    text: str


@dataclass(frozen=True)
class Brackets:
    """`head` + opening bracket, comma-separated `items`, closing bracket + `tail`.

    `collection`: a list/dict/tuple/set display, which black explodes one item per line whenever it
    splits it. `signature`: a `def`'s parameters, which get a trailing comma even when there is only one.
    """

    head: str
    items: Sequence[Node] = field(default_factory=list)
    tail: str = ""
    collection: bool = False
    signature: bool = False


@dataclass(frozen=True)
class Statement:
    """`prefix` (such as `x = ` or `return `) and a value that black may wrap in parentheses: when the
    value's first line would not fit after the prefix (for a value without brackets: if wrapping makes it
    fit, or the prefix has brackets, as in `X: dict[str, str] = `)."""

    prefix: str
    value: Node


Node = Union[Atom, Brackets]


def width(text: str) -> int:
    """Columns a line takes, as black counts them (wide East Asian characters count two)."""
    if text.isascii():
        return len(text)
    return sum(
        0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1
        for c in text
    )


def flat(node: Node) -> str:
    """The expression on one line."""
    if isinstance(node, Atom):
        return node.text
    return node.head + ", ".join(flat(item) for item in node.items) + node.tail


def lines(node: Node, indent: int = 0, after: str = "") -> list[str]:
    """The expression (followed by `after`, such as a comma) as black's lines, starting at `indent`."""
    pad = " " * indent
    one = pad + flat(node) + after
    limit = _LIMIT.get()
    if isinstance(node, Atom) or width(one) <= limit or not node.items:
        return [one]
    inner = indent + INDENT
    head, tail = pad + node.head, pad + node.tail + after
    items = node.items
    comma = "," if node.signature and len(items) == 1 else ""
    tail_lines = _return_annotation_lines(tail, indent) if node.signature else [tail]
    if not (node.collection and len(items) > 1):
        body = " " * inner + ", ".join(flat(item) for item in items) + comma
        if width(body) <= limit:
            return [head, body, *tail_lines]
    if len(items) == 1:
        return [head, *lines(items[0], inner, comma), *tail_lines]
    return [head, *(line for item in items for line in lines(item, inner, ",")), *tail_lines]


_RETURN = re.compile(r"\) -> (?P<annotation>[\w.]+(?P<subscript>\[[\w.]+\])?):")


def _return_annotation_lines(tail: str, indent: int) -> list[str]:
    """A def's closing line (`) -> X:`) that does not fit, as black splits it: a subscript at its
    bracket (`) -> RequestSpec[` / the name / `]:`); a plain name in parentheses when it then fits,
    else left as it is. Other annotations stay on one line (black lays them out)."""
    limit = _LIMIT.get()
    match = _RETURN.fullmatch(tail.strip())
    if width(tail) <= limit or match is None:
        return [tail]
    pad = " " * indent
    annotation = match["annotation"]
    if match["subscript"]:
        name, _, inner = annotation[:-1].partition("[")
        return [f"{pad}) -> {name}[", f"{pad}{' ' * INDENT}{inner}", f"{pad}]:"]
    if indent + INDENT + width(annotation) <= limit:
        return [f"{pad}) -> (", f"{pad}{' ' * INDENT}{annotation}", f"{pad}):"]
    return [tail]


def statement_lines(statement: Statement, indent: int = 0) -> list[str]:
    """The statement as black's lines, starting at `indent`."""
    pad, node = " " * indent, statement.value
    joined: Node = (
        Atom(statement.prefix + node.text)
        if isinstance(node, Atom)
        else Brackets(
            statement.prefix + node.head, node.items, node.tail, node.collection, node.signature
        )
    )
    out = lines(joined, indent)
    if width(out[0]) <= _LIMIT.get():
        return out
    wrapped = lines(node, indent + INDENT)
    if isinstance(node, Brackets) and any(width(line) > _LIMIT.get() for line in wrapped):
        return out  # black wraps in parentheses only when every line then fits
    if (
        isinstance(node, Atom)
        and width(wrapped[0]) > _LIMIT.get()
        and not any(b in statement.prefix for b in "([{")
    ):
        return out  # parentheses would not make it fit (black wraps anyway after an annotation with brackets)
    return [pad + statement.prefix + "(", *wrapped, pad + ")"]


def layout(node: Node | Statement, indent: int = 0, after: str = "") -> str:
    """`lines` (or `statement_lines`) joined; the first line carries its indentation."""
    if isinstance(node, Statement):
        return "\n".join(statement_lines(node, indent))
    return "\n".join(lines(node, indent, after))


def string(text: str) -> str:
    """A string literal with black's quotes: double, unless that needs more escapes than single."""
    return requote(repr(text))


def value(data: Any, head: str = "", tail: str = "") -> Node:
    """A JSON-like value (dicts with string keys, lists, str, int, float, bool, None) as an expression."""
    if isinstance(data, dict):
        items = [value(v, string(str(k)) + ": ") for k, v in data.items()]
        return Brackets(head + "{", items, "}" + tail, collection=True)
    if isinstance(data, (list, tuple)):
        return Brackets(head + "[", [value(v) for v in data], "]" + tail, collection=True)
    if isinstance(data, str):
        return Atom(head + string(data) + tail)
    # YAML's .inf and .nan: `inf` is no literal
    if isinstance(data, float) and not math.isfinite(data):
        return Atom(f'{head}float("{data}"){tail}')
    return Atom(head + repr(data) + tail)


# For the model templates.


def black_str(value: Any) -> str:
    """A literal for `value` as black writes it: a string in double quotes unless that needs more
    escapes than single quotes; any other value as its `repr`. Strings are escaped as dcg's filters
    escape them (the same text whatever Python version runs)."""
    from datamodel_code_generator.python_literal import stable_repr

    text = stable_repr(value)
    return requote(text) if isinstance(value, str) else text


def requote(text: str) -> str:
    """One single-quoted string literal as `repr` writes it (`'...'`), in black's quotes; any other
    text unchanged. In such a literal every `'` is escaped and no `"` is."""
    body = text[1:-1]
    if (
        len(text) < 2
        or text[0] != "'"
        or text[-1] != "'"
        or "'" in body.replace("\\\\", "").replace("\\'", "")
    ):
        return text
    # double quotes would need more escapes: black keeps these
    if body.count('"') > body.count("\\'"):
        return text
    return '"' + body.replace("\\'", "'").replace('"', '\\"') + '"'


_STRING = re.compile(r"'(?:[^'\\\n]|\\.)*'" + r'|"(?:[^"\\\n]|\\.)*"')


def requote_all(text: str) -> str:
    """Code text (a type hint such as `Literal['a', 'b']`) with each string literal in black's quotes."""
    return _STRING.sub(lambda m: requote(m.group(0)), text) if "'" in text else text


def black_line(indent: int, head: str, parts: list[str], tail: str = "") -> str:
    """`head` + the expression made of `parts` (joined by spaces) + `tail`, laid out as black does when
    the expression's top-level operators are the places between `parts` (a conditional expression:
    `[A, "if C", "else B"]`; a boolean one: `[A, "or B"]`): on one line if it fits; else in
    parentheses, on one line if that fits, else one part per line. Continuation lines carry the
    indentation; the first line does not (the template has it)."""
    inner = " ".join(parts)
    limit = _LIMIT.get()
    if indent + width(head + inner + tail) <= limit:
        return head + inner + tail
    pad = " " * indent
    if len(parts) == 1 and _is_display(inner) and indent + INDENT + width(inner[1:-1]) <= limit:
        # black splits a list/dict/set display or comprehension at its own brackets
        return f"{head}{inner[0]}\n{pad}    {inner[1:-1]}\n{pad}{inner[-1]}{tail}"
    if indent + INDENT + width(inner) <= limit:
        body = f"{pad}    {inner}"
    else:  # a part that is still too long is laid out as the call or display it is (see `expression`)
        body = "\n".join(layout(_part(part), indent + INDENT) for part in parts)
        if not _same_code(f"({inner})", f"(\n{body}\n)"):
            body = "\n".join(f"{pad}    {part}" for part in parts)
    return f"{head}(\n{body}\n{pad}){tail}"


# a call of one plain argument: `Name.from_dict(v)`
_ONE_ARGUMENT_CALL = re.compile(r"(?P<head>[\w.]+\()(?P<argument>[\w.]+)\)")


def _part(text: str) -> Node:
    """A part of a split expression as `expression` reads it; a call of one plain argument, which
    black splits at its brackets when it does not fit, too."""
    call = _ONE_ARGUMENT_CALL.fullmatch(text)
    if call is not None:
        return Brackets(call["head"], [Atom(call["argument"])], ")")
    return expression(text)


def _is_display(text: str) -> bool:
    """Whether `text` is one list, dict or set display or comprehension (its brackets enclose it all)."""
    return isinstance(
        _bracketed(text), (ast.List, ast.ListComp, ast.Dict, ast.DictComp, ast.Set, ast.SetComp)
    )


def _bracketed(text: str) -> ast.expr | None:
    """The expression `text` when it starts with `[` or `{` and parses, else None."""
    if text[:1] not in "[{":
        return None
    try:
        return ast.parse(text, mode="eval").body
    except SyntaxError:
        return None


def comprehension_clauses(text: str) -> list[str] | None:
    """The element and each `for`/`if` clause of a comprehension `text` (`[elt for v in it if c]`),
    in the order black puts them one per line when the comprehension does not fit; None for anything
    else."""
    node = _bracketed(text)
    if isinstance(node, (ast.ListComp, ast.SetComp)):
        head = ast.get_source_segment(text, node.elt)
    elif isinstance(node, ast.DictComp):
        key, value = ast.get_source_segment(text, node.key), ast.get_source_segment(
            text, node.value
        )
        head = None if key is None or value is None else f"{key}: {value}"
    else:
        return None
    clauses = [head]
    for generator in node.generators:
        target = ast.get_source_segment(text, generator.target)
        source = ast.get_source_segment(text, generator.iter)
        prefix = "async for" if generator.is_async else "for"
        clauses.append(
            None if target is None or source is None else f"{prefix} {target} in {source}"
        )
        clauses += [
            None if (segment := ast.get_source_segment(text, cond)) is None else f"if {segment}"
            for cond in generator.ifs
        ]
    if any(clause is None for clause in clauses):
        return None
    return [clause for clause in clauses if clause is not None]


def black_statement(indent: int, prefix: str, text: str) -> str:
    """`prefix` + the expression `text` (`result: X = decode_union(...)`) as black lays it out; the
    first line carries its indentation."""
    node = expression(text)
    if not _same_code(text, layout(node)):
        node = Atom(text)
    return layout(Statement(prefix, node), indent)


@lru_cache(maxsize=8192)
def _same_code(expected: str, laid_out: str) -> bool:
    """Whether the laid-out expression is the same code (a check on `expression`'s reading of the
    text). Kept per pair: a spec's models repeat the same long lines (Stripe: 3,220 pairs in 10,292).
    """
    try:
        return ast.dump(ast.parse(expected.strip(), mode="eval")) == ast.dump(
            ast.parse(laid_out.strip(), mode="eval")
        )
    except SyntaxError:
        return False


_OPENING = {"(": ")", "[": "]", "{": "}"}


def expression(text: str) -> Node:
    """The expression as `Brackets` when it ends in a bracket whose content has top-level commas (a call
    or a display), its items parsed the same way; else an `Atom`. Strings are skipped whole."""
    stack: list[int] = []
    commas: dict[int, list[int]] = {}  # opening bracket -> its top-level commas
    pairs: dict[int, int] = {}  # closing bracket -> opening bracket
    i = 0
    while i < len(text):
        c = text[i]
        if c in "'\"":
            match = _STRING.match(text, i)
            if match is None:
                return Atom(text)
            i = match.end()
            continue
        if c in _OPENING:
            stack.append(i)
            commas[i] = []
        elif c in ")]}":
            if not stack or _OPENING[text[stack[-1]]] != c:
                return Atom(text)
            pairs[i] = stack.pop()
        elif c == "," and stack:
            commas[stack[-1]].append(i)
        # a comprehension: not a list of items
        elif c == " " and stack and text.startswith(" for ", i):
            commas[stack[-1]].append(-1)
        i += 1
    end = len(text) - 1
    if (
        stack
        or end not in pairs
        or not commas[pairs[end]]
        or -1 in commas[pairs[end]]
        or text.startswith("lambda")
    ):
        return Atom(text)
    start = pairs[end]
    cuts = [start, *commas[start], end]
    items = [text[a + 1 : b].strip() for a, b in zip(cuts, cuts[1:])]
    if not items[-1]:  # a trailing comma
        items.pop()
    head = text[: start + 1]
    display = head in ("(", "[", "{") and len(items) > 1
    return Brackets(head, [expression(item) for item in items], text[end:], collection=display)


_FROM_IMPORT = re.compile(r"from ([\w.]+) import ([\w, ]+)")


def sorted_imports(lines: list[str]) -> str | None:
    """`from M import a, b` lines (one statement each, after `from __future__ import annotations`)
    merged and sorted as isort's black profile does; None for anything else (left to isort)."""
    modules: dict[str, set[str]] = {}
    for line in lines:
        match = _FROM_IMPORT.fullmatch(line)
        if match is None:
            return None
        modules.setdefault(match.group(1), set()).update(
            n.strip() for n in match.group(2).split(",")
        )
    stdlib = sorted((m for m in modules if not m.startswith(".")), key=_natural)
    local = sorted((m for m in modules if m.startswith(".")), key=_natural)
    if any(m.split(".")[0] not in sys.stdlib_module_names for m in stdlib):
        return None  # a third-party section: isort's business
    sections = [
        "".join(from_import(m, import_order(modules[m])) + "\n" for m in group)
        for group in (stdlib, local)
        if group
    ]
    return "\n".join(sections)


def from_import(module: str, names: list[str], indent: int = 0) -> str:
    """`from module import names` as isort (profile black) writes it at `indent`: wrapped one per
    line when too long."""
    pad = " " * indent
    line = f"{pad}from {module} import {', '.join(names)}"
    if width(line) <= _LIMIT.get():
        return line
    return (
        f"{pad}from {module} import (\n"
        + "".join(f"{pad}    {name},\n" for name in names)
        + f"{pad})"
    )


def import_order(names: Iterable[str]) -> list[str]:
    """Names of a `from x import ...` without repeats, in isort's order."""
    return sorted(set(names), key=name_key)


def name_key(name: str) -> tuple[int, list[Any]]:
    """isort's `order_by_type`: CONSTANTS, then Classes, then the rest; each in `_natural` order."""
    kind = 0 if name.isupper() and len(name) > 1 else 1 if name[:1].isupper() else 2
    return kind, _natural(name)


def _natural(text: str) -> list[Any]:
    """isort's order: case-insensitive, numbers by value (`x2` before `x10`)."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text.lower())]


def black_brackets(
    indent: int, head: str, items: list[str], tail: str, signature: bool = False
) -> str:
    """`head` (ending in an opening bracket), comma-separated `items` and `tail` (`) from None`,
    `) -> Name:`) as black lays them out at `indent`; `signature`: a `def`'s parameters. The first line
    carries its indentation."""
    return layout(Brackets(head, [Atom(item) for item in items], tail, signature=signature), indent)

"""The model templates (generator/layout.py, the helpers at its end) emit code already in black's layout,
so formatting models.py costs black one pass per chunk, not two."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import black
import pytest
from specbind.codegen import format as fmt
from specbind.codegen.layout import (
    black_line,
    black_statement,
    black_str,
    requote_all,
    sorted_imports,
)
from specbind.codegen.models import assignment, generate_models
from specbind.codegen.style import project_style
from specbind.spec.load import load

ROOT = Path(__file__).resolve().parent.parent
MODE = black.Mode(target_versions={black.TargetVersion.PY311})  # black's (and layout's) 88 columns

AWKWARD = [
    "plain",
    "it's",
    'say "hi"',
    "both ' and \"",
    "two '' one \"",
    "back\\slash",
    "new\nline",
    "tab\t\x00",
    "é ☃",
    "",
]


@pytest.mark.parametrize("value", AWKWARD)
def test_string_literals_are_quoted_as_black_quotes_them(value: str) -> None:
    line = f"x = {black_str(value)}\n"
    assert black.format_str(line, mode=MODE) == line
    assert eval(black_str(value)) == value


def test_type_hints_get_black_quotes_and_keep_their_values() -> None:
    hint = requote_all("Literal['a', 'x\"', \"it's\", 'both \\' \"']")
    assert hint == 'Literal["a", \'x"\', "it\'s", "both \' \\""]'
    assert black.format_str(f"x: {hint}\n", mode=MODE) == f"x: {hint}\n"


@pytest.mark.parametrize(
    "indent, head, parts",
    [
        (12, "obj.x = ", ["A.from_dict(v)", 'if (v := data.get("x")) is not None', "else None"]),
        (
            12,
            "obj.some_longer_name = ",
            [
                "SomeRatherLongClassName.from_dict(v)",
                'if (v := data.get("someLongerName")) is not None',
                "else None",
            ],
        ),
        (
            12,
            "obj.x = ",
            [
                "[SomeRatherLongClassName.from_dict(v0) for v0 in v]",
                'if (v := data.get("someRatherLongName")) is not None',
                "else None",
            ],
        ),
    ],
)
def test_long_conditional_lines_are_wrapped_as_black_wraps_them(
    indent: int, head: str, parts: list[str]
) -> None:
    code = (
        "def f():\n    if x:\n        try:\n"
        + " " * indent
        + black_line(indent, head, parts)
        + "\n        finally:\n            pass\n"
    )
    assert black.format_str(code, mode=MODE) == code


UNION = 'decode_union(value, (lambda u: Dog.from_dict(u), lambda u: expect(u, "str, or (not)")), "kind", {TAGS})'


@pytest.mark.parametrize(
    "tags",
    [
        '"dog": Dog.from_dict',
        '"dog": Dog.from_dict, "a-much-longer-tag-name": SomeLongerClassName.from_dict',
    ],
)
@pytest.mark.parametrize(
    "prefix", ["result: Pet = ", "result: AnAliasWithARatherLongNameForItsUnion = "]
)
def test_union_calls_are_laid_out_as_black_lays_them_out(tags: str, prefix: str) -> None:
    code = "def f(value):\n" + black_statement(4, prefix, UNION.replace("TAGS", tags)) + "\n"
    assert black.format_str(code, mode=MODE) == code


@pytest.mark.parametrize("head", ["obj.x = ", "obj.a_rather_long_attribute_name_for_this = "])
def test_a_too_long_part_of_a_conditional_is_laid_out_as_the_call_it_is(head: str) -> None:
    call = 'decode_union(v, (lambda u: Square.from_dict(u), lambda u: expect(u, "str"), lambda u: expect(u, "int")))'
    parts = [call, 'if (v := data.get("anything")) is not None', "else None"]
    code = (
        "def f():\n    if x:\n        try:\n            "
        + black_line(12, head, parts)
        + "\n        finally:\n            pass\n"
    )
    assert black.format_str(code, mode=MODE) == code


def test_a_comprehension_is_never_cut_at_its_commas() -> None:
    part = (
        "{k0: [SomeRatherLongClassNameForItems.from_dict(v1) for v1 in v0] for k0, v0 in v.items()}"
    )
    laid_out = black_line(
        12, "obj.x = ", [part, 'if (v := data.get("someLongWireName")) is not None', "else None"]
    )
    assert part in laid_out


def test_import_block_is_sorted_as_isort_sorts_it() -> None:
    lines = [
        "from typing import ClassVar, Any",
        "from ._codec import " + ", ".join(f"name_{i}" for i in range(12)),
        "from uuid import UUID",
        "from enum import StrEnum, Enum",
        "from dataclasses import dataclass",
    ]
    block = "from __future__ import annotations\n\n" + sorted_imports(lines)
    assert fmt._format(block) == block
    assert sorted_imports(["import os"]) is None  # anything else is left to isort


@pytest.mark.parametrize("columns", [100, 88])
def test_chat_api_models_need_no_change_from_black(columns: int) -> None:
    """At this repository's 100 columns and black's default 88: the model templates lay code out for
    the project's line length. (At another, the output is still black's, as black's second pass
    fixes what its first changed; at 79, two chunks of chat-api's models need it.)"""
    document = load(ROOT / "spec" / "chat-api.yaml").document
    raw = generate_models(document, '"""Generated."""\n\n', columns).code
    style = project_style(ROOT / "generated")  # this repository's: py311, 100 columns
    settings = style.settings
    style = replace(
        style,
        line_length=columns,
        settings={
            "black": settings["black"] | {"line-length": columns},
            "isort": settings["isort"] | {"line_length": columns},
        },
    )
    changed = [chunk for chunk in fmt.split_chunks(raw) if fmt._format(chunk, style) != chunk]
    assert changed == []


@pytest.mark.parametrize(
    "value",
    [
        "[enum_member(SomeRatherLongEnumClassName, v0) for v0 in expect_list(data['channels'])]",
        "{k0: SomeRatherLongClassName.from_dict(v0) for k0, v0 in expect_map(data['x']).items()}",
        "[decode_thing(v0) for v0 in expect_list(data['items']) if v0 is not None and v0 != 'x']",
        "[v0 for v0 in data['short']]",
    ],
)
def test_assignments_of_comprehensions_are_laid_out_as_black_lays_them_out(value: str) -> None:
    line = assignment(12, "obj.member_with_a_long_name = ", value.replace("'", '"'))
    source = "class A:\n    def f(self):\n        if x:\n" + line + "\n"
    mode = black.Mode(line_length=88)
    assert black.format_str(source, mode=mode) == source


def _long_named_spec(length: int) -> dict[str, object]:
    """Schemas whose generated names are `length` characters or so, as in Twilio's and Stripe's specs
    (`ApiV2010AccountAvailablePhoneNumberCountry...`): class lines, `from_dict` signatures, `raise`
    lines and nested decoders that do not fit on one line; an enum with a long value; a long member
    name; an object without properties."""
    name = ("Long" * 40)[: length - 8]
    return {
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": {},
        "components": {
            "schemas": {
                f"{name}Inner": {"type": "object", "properties": {"voice": {"type": "boolean"}}},
                f"{name}Method": {"type": "string", "enum": ["GET", "POST", "p" * (length - 8)]},
                f"{name}Empty": {"type": "object"},
                f"{name}Outer": {
                    "type": "object",
                    "properties": {
                        "capabilities": {"$ref": f"#/components/schemas/{name}Inner"},
                        "method": {"$ref": f"#/components/schemas/{name}Method"},
                        "empty": {"$ref": f"#/components/schemas/{name}Empty"},
                        "m" * (length // 3): {"type": "string"},
                    },
                },
            }
        },
    }


@pytest.mark.parametrize("length", [60, 70, 75, 79, 80, 82, 83, 84, 90, 110])
def test_models_with_long_names_need_no_change_from_black(length: int) -> None:
    """Long schema names (a class line, a `def ... -> Name:` or a `raise ...("Name")` past 88
    columns) are laid out as black lays them out, so their chunks cost black one pass."""
    raw = generate_models(_long_named_spec(length), '"""Generated."""\n\n').code
    style = project_style(ROOT / "generated")
    settings = style.settings
    style = replace(
        style,
        line_length=88,
        settings={
            "black": settings["black"] | {"line-length": 88},
            "isort": settings["isort"] | {"line_length": 88},
        },
    )
    changed = [chunk for chunk in fmt.split_chunks(raw) if fmt._format(chunk, style) != chunk]
    assert changed == []

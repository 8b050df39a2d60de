"""Code the package templates lay out themselves (generator/layout.py and the filters in
generator/endpoints.py) is exactly what black and isort would write, and means what it should."""

from __future__ import annotations

import ast
import random
from collections.abc import Iterator
from typing import Any

import black
import isort
import pytest
from specbind.codegen import endpoints, layout

LINE_LENGTH = 100
MODE = black.Mode(target_versions={black.TargetVersion.PY311}, line_length=LINE_LENGTH)


@pytest.fixture(autouse=True, params=[100, 79])
def columns(request: pytest.FixtureRequest) -> Iterator[int]:
    """Every rule holds at this repository's line length and at another: the layout follows the
    project's line length."""
    global LINE_LENGTH, MODE
    LINE_LENGTH = request.param
    MODE = black.Mode(target_versions={black.TargetVersion.PY311}, line_length=LINE_LENGTH)
    with layout.line_length(LINE_LENGTH):
        yield LINE_LENGTH


SEEDS = 3
PIECES = [
    "a",
    "b",
    " ",
    "'",
    '"',
    "\\",
    "\n",
    "\t",
    "é",
    "中",
    "x" * 30,
    "{",
    "}",
    "\x00",
    "\u2028",
]


def black_leaves_alone(code: str) -> bool:
    return black.format_str(code, mode=MODE) == code


def text(rnd: random.Random, most: int = 12) -> str:
    return "".join(rnd.choice(PIECES) for _ in range(rnd.randint(0, most)))


def json_like(rnd: random.Random, depth: int = 0) -> Any:
    roll = rnd.random()
    if depth < 4 and roll < 0.3:
        keys = ["type", "properties", "a" * rnd.randint(1, 40), text(rnd)]
        return {rnd.choice(keys): json_like(rnd, depth + 1) for _ in range(rnd.randint(0, 5))}
    if depth < 4 and roll < 0.45:
        return [json_like(rnd, depth + 1) for _ in range(rnd.randint(0, 4))]
    return rnd.choice([text(rnd), "y" * rnd.randint(0, 90), 0, -2.5, 1e-05, True, None, 10**20])


@pytest.mark.parametrize("seed", range(SEEDS))
def test_string_literals_use_blacks_quotes_and_keep_the_value(seed: int) -> None:
    rnd = random.Random(seed)
    for _ in range(200):
        value = text(rnd)
        literal = layout.string(value)
        assert ast.literal_eval(literal) == value
        assert black_leaves_alone(f"x = {literal}\n"), literal


@pytest.mark.parametrize("seed", range(SEEDS))
def test_json_like_values_are_laid_out_as_black_does(seed: int) -> None:
    rnd = random.Random(seed)
    for _ in range(150):
        value = json_like(rnd)
        code = endpoints.literal(value, "SCHEMAS: dict[str, Any] = ") + "\n"
        assert black_leaves_alone(code), code
        assert ast.literal_eval(code.split(" = ", 1)[1]) == value


def names(rnd: random.Random, count: int) -> list[str]:
    return ["n" + "x" * rnd.randint(0, 25) + str(i) for i in range(count)]


@pytest.mark.parametrize("seed", range(SEEDS))
def test_signatures_and_calls_are_laid_out_as_black_does(seed: int) -> None:
    rnd = random.Random(seed)
    for _ in range(100):
        for indent in (0, 4):
            params = names(rnd, rnd.randint(1, 8))
            body = " " * (indent + 4)
            head, tail = (
                "def " + "f" * rnd.randint(1, 60) + "(",
                ") -> " + "X" * rnd.randint(1, 60) + ":",
            )
            signature = endpoints.signature(head, [f"{p}: int" for p in params], tail, indent)
            inner = endpoints.nested("operations." + "g" * rnd.randint(1, 80) + "(", params)
            send = endpoints.nested("self.send(", [inner, "timeout=t"])
            returned = endpoints.statement(rnd.choice(["return ", "spec = "]), send, indent + 4)
            rows = [
                endpoints.collection("(", [endpoints.string(p), p, '"form"', "True"], ")")
                for p in params
            ]
            query = endpoints.collection("[", rows, "]")
            keyword = endpoints.call("params=_http.query_params(", [query], ")", indent + 8, ",")
            lines = ["class C:"] if indent else []
            lines += [signature, returned, body + "x = dict(", keyword, body + ")"]
            code = "\n".join(lines) + "\n"
            assert black_leaves_alone(code), code


@pytest.mark.parametrize("seed", range(SEEDS))
def test_docstrings_are_laid_out_as_black_does(seed: int) -> None:
    rnd = random.Random(seed)
    for _ in range(300):
        value = text(rnd, 20)
        for indent, template in ((4, "def f():\n{}\n"), (8, "class A:\n    def f(self):\n{}\n")):
            code = template.format(endpoints.docstring(value, indent))
            assert black_leaves_alone(code), code


def test_a_description_ending_in_a_quote_and_a_newline_makes_valid_code() -> None:
    code = "def f():\n" + endpoints.docstring('Says "hi"\n') + "\n"
    ast.parse(code)
    assert black_leaves_alone(code)
    assert endpoints.inline('version "2"') == 'version "2\\"'


@pytest.mark.parametrize("seed", range(3))
def test_imports_are_written_in_isorts_order_and_layout(seed: int) -> None:
    rnd = random.Random(seed)
    pool = [
        "Model4",
        "Model12",
        "Model40",
        "SMS",
        "SMSRequest",
        "Media",
        "decode_Pet",
        "Pet",
        "API",
        "a2b",
        "A",
    ]
    for _ in range(50):
        chosen = rnd.sample(pool, rnd.randint(1, len(pool))) + names(rnd, rnd.randint(0, 6))
        line = layout.from_import(".models", layout.import_order(chosen)) + "\n"
        assert isort.code(line, profile="black", line_length=LINE_LENGTH) == line


def test_infinite_and_nan_bounds_become_expressions_that_evaluate() -> None:
    code = endpoints.literal(
        {"maximum": float("inf"), "minimum": float("-inf"), "x": float("nan")}, "S = "
    )
    assert black_leaves_alone(code + "\n"), code
    namespace: dict[str, Any] = {}
    exec(code, namespace)
    bounds = namespace["S"]
    assert (
        bounds["maximum"] == float("inf")
        and bounds["minimum"] == float("-inf")
        and bounds["x"] != bounds["x"]
    )


@pytest.mark.parametrize("indent", [0, 4])
def test_long_names_are_laid_out_as_black_does(indent: int) -> None:
    """Names of every length around the line length (real specs have 100-character class names):
    a return annotation (`) -> Name:`, `) -> RequestSpec[Name]:`) that does not fit, a returned call
    whose parenthesized form would not fit either, a one-argument call in a conditional expression,
    a `raise` of a call."""
    pad = " " * indent
    head = ["class C:"] if indent else []
    params = ["response: httpx.Response", "other: int"]
    for length in range(LINE_LENGTH - 30, LINE_LENGTH + 12):
        name = "N" * length
        call = endpoints.nested(f"{name}.from_dict(", ["_http.read_json(response)"])
        parts = [f"{name}.from_dict(v)", 'if (v := data.get("x")) is not None', "else None"]
        body = [
            endpoints.statement("return ", call, indent + 4),
            pad + "    " + layout.black_line(indent + 4, "obj.x = ", parts),
            layout.black_brackets(
                indent + 4, "raise E.because(", [f'"{name}"', "exc"], ") from None"
            ),
        ]
        for tail in (f") -> {name}:", f") -> RequestSpec[{name}]:"):
            signature = endpoints.signature("def f(", params, tail, indent)
            for line in body:
                code = "\n".join([*head, signature, line]) + "\n"
                assert black_leaves_alone(code), code

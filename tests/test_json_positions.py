"""Issue 14: warnings in a JSON spec are placed without PyYAML composing every node; the line and
column are the ones PyYAML's marks give, for every node and for pointers to nothing (their nearest
parent)."""

from __future__ import annotations

import json
import random
from typing import Any

import pytest
import yaml
from specbind.spec.json_positions import json_positions
from specbind.spec.load import _Loader, _position
from specbind.spec.problems import pointer_of

from tests.real_specs import fetch, load_sources


def every_pointer(node: Any, at: tuple[object, ...] = ()) -> list[str]:
    found = [pointer_of(at)]
    if isinstance(node, dict):
        for key, value in node.items():
            found += every_pointer(value, at + (key,))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += every_pointer(value, at + (index,))
    return found


def yaml_positions(text: str, pointers: list[str]) -> dict[str, tuple[int, int] | None]:
    root = yaml.compose(text, Loader=_Loader)
    return {pointer: _position(root, pointer) for pointer in pointers}


AWKWARD = (
    '\ufeff{"a/b": {"~x": [1, {"y": "line\\nbreak \u2028 inside"}, [[]]]},\r\n'
    ' "": {"": null},\r  "c"  :  {  } ,\n"d": [ "\u2029", 2.5e3, true ]\n,"e":"\\u00e9\\""}\n'
)


def test_awkward_json_matches_pyyaml_everywhere() -> None:
    """Escaped pointer segments, empty keys, CR, CRLF, the line breaks PyYAML counts inside strings
    (U+2028, U+2029), spaces around colons and commas."""
    text = AWKWARD.lstrip("\ufeff")  # load reads with utf-8-sig
    pointers = every_pointer(json.loads(text))
    pointers += [p + "/missing/deeper" for p in pointers] + ["#/a~1b/~0x/7", "#/d/1/x"]
    assert json_positions(text, pointers) == yaml_positions(text, pointers)


@pytest.mark.parametrize(
    "text", ["", "{", '{"a": 1} trailing', "a: 1\n", '{"a" 1}', "[1,]", '{"a": 1\u2028}']
)
def test_what_is_not_one_json_value_is_left_to_pyyaml(text: str) -> None:
    assert json_positions(text, ["#/a"]) is None


@pytest.mark.parametrize("key", ["asana", "spotify", "codat_assess"])
def test_real_specs_match_pyyaml(key: str) -> None:
    path = fetch([s for s in load_sources() if s.key == key])[key]
    text = path.read_text(encoding="utf-8-sig")
    pointers = every_pointer(json.loads(text))
    sample = random.Random(key).sample(pointers, 2000)
    sample += [p + "/nowhere" for p in sample[:100]]
    assert json_positions(text, sample) == yaml_positions(text, sample)

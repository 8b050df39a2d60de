"""Issue 14, regeneration that costs what changed: after an edit, openapi-spec-validator checks only
the parts of the document (`spec/parts.py`) not found clean before, and the problems reported are
exactly those of checking the whole document."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest
from specbind.spec import validate as validation
from specbind.spec.load import load
from specbind.spec.parts import PARKED, cut, reduced

from tests.helpers import CHAT_SPEC, ROOT, mutated_specs

FEATURES = ROOT / "tests" / "specs" / "features"
BASES = [
    CHAT_SPEC,
    FEATURES / "http.yaml",
    FEATURES / "schemas30.yaml",
    FEATURES / "openapi31.yaml",
]


class Record:
    """The clean parts record, in memory."""

    def __init__(self) -> None:
        self.keys: set[str] = set()
        self.added: list[int] = []

    def known(self) -> set[str]:
        return self.keys

    def add(self, keys: Iterable[str]) -> None:
        new = set(keys)
        self.added.append(len(new))
        self.keys |= new


def document_of(path: Path) -> dict[str, Any]:
    return copy.deepcopy(load(path).document)


def test_a_key_changes_with_the_part_and_what_it_reaches_only() -> None:
    document = document_of(CHAT_SPEC)
    before = cut(document)
    assert before is not None
    document["components"]["schemas"]["Problem"]["description"] = "changed"
    after = cut(document)
    assert after is not None
    changed = {loc for loc in before.keys if before.keys[loc] != after.keys[loc]}
    problem = ("components", "schemas", "Problem")
    assert problem in changed
    # every other changed part reaches Problem; every part reaching it changed
    assert changed - {problem} == {loc for loc, reach in before.reaches.items() if problem in reach}
    assert any(loc[0] == "paths" for loc in changed)
    document["info"]["title"] = "Another title"  # outside the parts: every key changes
    assert all(cut(document).keys[loc] != after.keys[loc] for loc in after.keys)  # type: ignore[union-attr]


def test_a_reduced_document_holds_the_parts_and_everything_they_reach() -> None:
    document = document_of(CHAT_SPEC)
    parts = cut(document)
    assert parts is not None
    path = next(loc for loc in parts.keys if loc[0] == "paths")
    subset = reduced(document, parts.covering([path]))
    assert list(subset["paths"]) == [path[1]]
    assert subset["info"] == document["info"]
    refs = set(json.dumps(subset["paths"]).split('"$ref": ')[1:])
    held = {
        f'"#/components/{kind}/{name}"'
        for kind, items in subset["components"].items()
        for name in items
    }
    assert {ref.split(",")[0].split("}")[0] for ref in refs} <= held


def test_a_reference_into_paths_leaves_the_document_whole() -> None:
    document = document_of(CHAT_SPEC)
    path = next(iter(document["paths"]))
    pointer = "#/paths/" + path.replace("~", "~0").replace("/", "~1")
    document["components"]["schemas"]["Elsewhere"] = {"$ref": pointer}
    assert cut(document) is None


def test_unchanged_parts_are_not_checked_again(monkeypatch: pytest.MonkeyPatch) -> None:
    spec = load(CHAT_SPEC)
    record = Record()
    assert validation.validate(spec, record) == []
    parts = cut(spec.document)
    assert parts is not None and record.keys == set(parts.keys.values())
    checked: list[dict[str, Any]] = []
    real = validation._validator_problems
    monkeypatch.setattr(
        validation, "_validator_problems", lambda doc: checked.append(doc) or real(doc)
    )
    assert validation.validate(spec, record) == []
    assert checked == []  # nothing changed: nothing checked
    path = next(iter(spec.document["paths"]))
    spec.document["paths"][path]["description"] = "changed"
    assert validation.validate(spec, record) == []
    assert len(checked) == 1 and list(checked[0]["paths"]) == [path]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_problems_after_an_edit_are_those_of_the_whole_document(seed: int, tmp_path: Path) -> None:
    """Edits of valid specs, each checked with a record of the clean parts seen so far and without
    any: the problems (messages, places, order) are the same."""
    record = Record()
    for base in BASES:
        assert validation.validate(load(base), record) == []
    differing = []
    reduced_runs = 0
    for i, document in enumerate(mutated_specs(40, seed=seed, bases=BASES)):
        path = tmp_path / f"m{i}.json"
        path.write_text(json.dumps(document))
        try:
            whole = validation.validate(load(path))
        except Exception as exc:  # load refuses some edits: nothing to compare
            assert "SpecError" in type(exc).__name__, exc
            continue
        before = len(record.added)
        with_record = validation.validate(load(path), record)
        reduced_runs += len(record.added) - before
        if [str(p) for p in with_record] != [str(p) for p in whole]:
            differing.append((i, [str(p) for p in whole], [str(p) for p in with_record]))
    assert differing == []
    assert reduced_runs > 0  # some edits left a document checked in part, and found clean


@pytest.mark.parametrize(
    "edit",
    [
        lambda doc: doc.pop("info"),
        lambda doc: doc.__setitem__("servers", "https://example.com"),
        lambda doc: doc["components"]["securitySchemes"]["ApiKeyAuth"].__setitem__("type", "magic"),
    ],
    ids=["no info", "servers not a list", "unknown security scheme type"],
)
def test_a_problem_outside_the_parts_is_found(edit: Any, tmp_path: Path) -> None:
    """Outside the parts too, even when no part is left to check (no paths, no schemas)."""
    document = document_of(CHAT_SPEC)
    document["paths"] = {}
    document["components"] = {"securitySchemes": document["components"]["securitySchemes"]}
    record = Record()
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(document))
    assert validation.validate(load(path), record) == []
    edit(document)
    path.write_text(json.dumps(document))
    whole = [str(p) for p in validation.validate(load(path))]
    assert whole and [str(p) for p in validation.validate(load(path), record)] == whole


def test_parts_only_reached_are_parked_where_the_validator_does_not_look() -> None:
    """Stripe's schemas reach one another: checking one operation would mean checking them all.
    What the checked parts only refer to goes under an extension member, references rewritten."""
    document = document_of(CHAT_SPEC)
    parts = cut(document)
    assert parts is not None
    path = next(loc for loc in parts.keys if loc[0] == "paths" and parts.reaches[loc])
    parked = parts.covering([path]) - {path}
    subset = reduced(document, [path], parked=parked)
    assert not subset["components"].get("schemas")
    assert set(subset[PARKED]["schemas"]) == {loc[2] for loc in parked if loc[1] == "schemas"}
    refs = re.findall(r'"\$ref": "([^"]+)"', json.dumps(subset))
    assert refs and all(ref.startswith(f"#/{PARKED}/") for ref in refs)
    for ref in refs:  # every one resolves
        node: Any = subset
        for part in ref[2:].split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
    assert document_of(CHAT_SPEC) == document  # the document itself is untouched


def test_a_document_with_a_member_named_like_the_parking_keeps_everything_in_place() -> None:
    document = document_of(CHAT_SPEC)
    document[PARKED] = {"schemas": {"Mine": {"type": "string"}}}
    before = copy.deepcopy(document)
    parts = cut(document)
    assert parts is not None
    path = next(loc for loc in parts.keys if loc[0] == "paths" and parts.reaches[loc])
    subset = reduced(document, [path], parked=parts.covering([path]) - {path})
    assert subset[PARKED] == {"schemas": {"Mine": {"type": "string"}}}
    assert {loc[2] for loc in parts.reaches[path]} <= set(subset["components"]["schemas"])
    assert document == before

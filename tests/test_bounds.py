"""Bounded work: a spec may expand (YAML aliases, inlined files, local `$ref`s used many times)
to at most EXPANSION_FACTOR x the nodes written in it plus an allowance, never past MAX_NODES;
real-size specs stay far below. The bombs themselves are in tests/bad_specs (alias_bomb,
local_ref_bomb, ref_bomb_files, billion_laughs)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from specbind.spec import load as load_module
from specbind.spec.load import (
    EXPANSION_ALLOWANCE,
    EXPANSION_FACTOR,
    MAX_NODES,
    expansion_limit,
    load,
)
from specbind.spec.problems import SpecError

from tests.helpers import ROOT
from tests.synthetic import synthetic_spec


def test_a_ten_thousand_schema_spec_passes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spec = tmp_path / "big.json"
    spec.write_text(json.dumps(synthetic_spec(10_000, 1_000)))
    counted: list[int] = []
    real = load_module.expansion_limit

    def spy(written: int) -> int:
        counted.append(written)
        return real(written)

    monkeypatch.setattr(load_module, "expansion_limit", spy)
    document = load(spec).document
    assert len(document["components"]["schemas"]) == 10_000
    assert counted and counted[0] > 500_000  # counted as the real-size spec it is


def test_the_limit_follows_the_written_size() -> None:
    assert expansion_limit(0) == EXPANSION_ALLOWANCE
    assert expansion_limit(1_000) == EXPANSION_FACTOR * 1_000 + EXPANSION_ALLOWANCE
    assert expansion_limit(10**9) == MAX_NODES


def test_aliases_and_refs_within_the_factor_pass(tmp_path: Path) -> None:
    """A shared map used a few times, and a response used by many operations: ordinary use."""
    members = "".join(f"  p{i}: {{type: string}}\n" for i in range(200))
    schemas = "".join(f"    S{j}: {{type: object, properties: *m}}\n" for j in range(8))
    operations = "".join(
        f'  /p{i}:\n    get:\n      responses:\n        "404": {{$ref: "#/components/responses/NotFound"}}\n'
        for i in range(300)
    )
    spec = tmp_path / "api.yaml"
    spec.write_text(
        f'openapi: "3.0.3"\ninfo: {{title: t, version: "1"}}\npaths:\n{operations}'
        f"x-shared: &m\n{members}components:\n  schemas:\n{schemas}"
        "  responses:\n    NotFound: {description: not found}\n"
    )
    assert len(load(spec).document["components"]["schemas"]) == 8


def test_an_expansion_past_the_limit_is_refused_where_it_happens(tmp_path: Path) -> None:
    members = "".join(f"  p{i}: {{type: string}}\n" for i in range(200))
    schemas = "".join(f"    S{j}: {{type: object, properties: *m}}\n" for j in range(200))
    spec = tmp_path / "api.yaml"
    spec.write_text(
        f'openapi: "3.0.3"\ninfo: {{title: t, version: "1"}}\npaths: {{}}\n'
        f"x-shared: &m\n{members}components:\n  schemas:\n{schemas}"
    )
    with pytest.raises(SpecError) as caught:
        load(spec)
    (problem,) = caught.value.problems
    assert problem.pointer == "#/components/schemas" and problem.line == 207
    assert "expands to 80,601 nodes with YAML aliases expanded" in problem.message


def test_the_readme_states_the_limits() -> None:
    readme = (ROOT / "README.md").read_text()
    assert f"{MAX_NODES:,}" in readme
    assert f"{EXPANSION_FACTOR} times" in readme and f"{EXPANSION_ALLOWANCE:,}" in readme

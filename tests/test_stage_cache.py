"""Whole-stage results kept by content (codegen/cache.py): a run that reuses them writes the bytes
a cold run writes, and a result is only reused for the same input, tools and generator code."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import specbind.codegen.generate as pipeline
from specbind.codegen import cache

from tests.helpers import ROOT, package_files

EVOLUTION = ROOT / "tests" / "specs" / "evolution"


def _spec(tmp_path: Path, variant: str) -> Path:
    """The evolution spec `variant` as tmp_path/api.yaml: the same name, so the same header."""
    spec = tmp_path / "api.yaml"
    shutil.copyfile(EVOLUTION / f"{variant}.yaml", spec)
    return spec


def _refuse(*args: Any, **kwargs: Any) -> Any:
    raise AssertionError("this stage ran: its result was expected from the cache")


@pytest.fixture
def inline(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Stages run in this process (patches apply), with a cache of this test's own."""
    monkeypatch.setattr(pipeline, "available", lambda: 0)
    monkeypatch.setenv("SPECBIND_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv("SPECBIND_NO_CACHE", raising=False)
    return tmp_path / "cache"


@pytest.mark.parametrize(
    "variant",
    ["change-type", "add-operation", "rename-operation", "require-parameter", "rename-schema"],
)
def test_after_a_one_schema_or_one_operation_change_the_bytes_are_those_of_a_cold_run(
    inline: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, variant: str
) -> None:
    package_files(_spec(tmp_path, "base"), "pets")  # fills the cache
    changed = _spec(tmp_path, variant)
    incremental = package_files(changed, "pets")  # the one changed schema or operation is new
    again = package_files(changed, "pets")  # every stage from the cache now
    monkeypatch.setenv("SPECBIND_CACHE", str(tmp_path / "cold"))
    cold = package_files(changed, "pets")
    assert incremental == cold
    assert again == cold


def test_the_same_spec_again_skips_validation_and_models(
    inline: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = _spec(tmp_path, "base")
    first = package_files(spec, "pets")
    monkeypatch.setattr(pipeline, "check", _refuse)
    monkeypatch.setattr(pipeline, "generate_models", _refuse)
    assert package_files(spec, "pets") == first


def test_a_result_is_not_reused_when_the_spec_the_tools_or_the_generator_changed(
    inline: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package_files(_spec(tmp_path, "base"), "pets")
    ran = []
    real_models = pipeline.generate_models

    def counted(*args: Any) -> str:
        ran.append("models")
        return real_models(*args)

    monkeypatch.setattr(pipeline, "generate_models", counted)
    package_files(_spec(tmp_path, "change-type"), "pets")  # another document
    assert ran == ["models"]
    monkeypatch.setattr(cache, "code_hash", lambda: "another generator")
    package_files(_spec(tmp_path, "change-type"), "pets")
    assert ran == ["models"] * 2
    monkeypatch.setattr(cache, "_versions", lambda tools: "other versions")
    package_files(_spec(tmp_path, "change-type"), "pets")
    assert ran == ["models"] * 3


def test_an_unreadable_or_foreign_entry_is_recomputed(
    inline: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = _spec(tmp_path, "base")
    first = package_files(spec, "pets")
    entries = sorted((inline / "stages").rglob("*"))
    entries = [p for p in entries if p.is_file()]
    assert (
        len(entries) == 4
    )  # validation, the clean parts it found (spec/parts.py), models, operation blocks
    entries[0].write_bytes(b"not a pickle")
    # an entry copied under another key (a file renamed by hand, a collision of names)
    shutil.copyfile(entries[1], entries[1].with_name("f" * 64))
    entries[1].rename(entries[1].with_name("e" * 64))
    shutil.copyfile(entries[1].with_name("f" * 64), entries[1])
    assert cache.read("f" * 64) is None  # stored under another key: not trusted
    assert package_files(spec, "pets") == first


def test_no_cache_means_every_stage_runs_and_nothing_is_written(
    inline: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SPECBIND_NO_CACHE", "1")
    spec = _spec(tmp_path, "base")
    first = package_files(spec, "pets")
    assert not inline.exists()
    monkeypatch.setattr(pipeline, "generate_models", _refuse)
    with pytest.raises(AssertionError, match="this stage ran"):
        package_files(spec, "pets")


def test_an_operation_change_keeps_the_models_from_the_cache(
    inline: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package_files(_spec(tmp_path, "base"), "pets")
    monkeypatch.setattr(pipeline, "generate_models", _refuse)
    files = package_files(_spec(tmp_path, "add-operation"), "pets")  # a new path, no new schema
    assert "def delete_pet(" in files["client.py"]


def test_the_models_see_the_paths_when_something_reaches_into_them() -> None:
    schema = {"type": "object", "properties": {"id": {"type": "string"}}}
    operation = {"responses": {"200": {"description": "ok", "content": {}}}}
    plain = {
        "openapi": "3.0.3",
        "components": {"schemas": {"Pet": schema}},
        "paths": {"/pets": {"get": operation}},
    }
    assert pipeline.models_input(plain) == {k: v for k, v in plain.items() if k != "paths"}
    reached = {
        **plain,
        "components": {"schemas": {"Pet": {"$ref": "#/paths/~1pets/get/x-schema"}}},
    }
    assert pipeline.models_input(reached) == reached
    mapped = {
        **plain,
        "components": {
            "schemas": {
                "Pet": {**schema, "discriminator": {"mapping": {"a": "#/paths/~1pets/get/x-a"}}}
            }
        },
    }
    assert pipeline.models_input(mapped) == mapped
    # datamodel-code-generator collects discriminators from component schemas only (GitHub's
    # spec, with discriminators in its paths, gives the same models with and without them)
    tagged = {**plain, "paths": {"/pets": {"get": {**operation, "x": {"discriminator": {}}}}}}
    assert pipeline.models_input(tagged) == {k: v for k, v in tagged.items() if k != "paths"}


def test_a_changed_operation_renders_its_own_blocks_only(
    inline: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The request builder and client methods of the operations a change leaves alone come from
    the cache (`endpoints.OperationBlocks`); the changed one is rendered again."""
    from specbind.codegen import endpoints

    package_files(_spec(tmp_path, "base"), "pets")
    rendered: list[str] = []
    real = endpoints.OperationBlocks.__call__

    def counting(self: Any, name: str, op: Any, render: Any) -> str:
        return str(real(self, name, op, lambda o: rendered.append(f"{name} {o.name}") or render(o)))

    monkeypatch.setattr(endpoints.OperationBlocks, "__call__", counting)
    package_files(_spec(tmp_path, "base"), "pets")
    assert rendered == []
    package_files(_spec(tmp_path, "require-parameter"), "pets")
    assert rendered and len({entry.split()[1] for entry in rendered}) == 1, rendered
    assert {entry.split()[0] for entry in rendered} == {"operation", "sync_method", "async_method"}

"""A corpus of broken specs: each exits 1 with the message in its golden `.expected` file (naming the
file, the place and what is wrong), without a traceback, and writes nothing.

Cases are `tests/bad_specs/NAME.{yaml,json}` next to `NAME.expected`; the cases that cannot be
committed (a 50 MB file, a directory, a pipe, a missing file) are made here, at test time.
Refresh every golden file after an intended change of wording with:

    SPECBIND_UPDATE_GOLDEN=1 .venv/bin/pytest tests/test_bad_specs.py
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable

import pytest
from click.testing import CliRunner
from specbind.cli import main

from tests.helpers import ROOT, mutated_specs

CORPUS = ROOT / "tests" / "bad_specs"
UPDATE = os.environ.get("SPECBIND_UPDATE_GOLDEN") == "1"


def _huge(folder: Path) -> str:
    path = folder / "huge.yaml"
    with path.open("wb") as out:
        out.write(b'openapi: "3.0.3"\ninfo: {title: t, version: "1"}\npaths: {}\nx-padding: "')
        out.write(b"a" * (50 * 1024 * 1024))
        out.write(b'"\n')
    return path.name


def _directory(folder: Path) -> str:
    (folder / "folder.yaml").mkdir()
    return "folder.yaml"


def _pipe(folder: Path) -> str:
    os.mkfifo(folder / "pipe.yaml")
    return "pipe.yaml"


def _missing(folder: Path) -> str:
    return "no_such_spec.yaml"


def _through_a_file(folder: Path) -> str:
    (folder / "notes.txt").write_text("a file, not a folder")
    return "notes.txt/api.yaml"  # cannot be read: a path component is a file


def _deep_json(folder: Path) -> str:
    depth = 100_000  # deeper than the JSON parser itself can go
    (folder / "deep.json").write_text(
        '{"openapi": "3.0.3", "x-deep": ' + "[" * depth + "]" * depth + "}"
    )
    return "deep.json"


def _deep_yaml(folder: Path) -> str:
    nested = "[" * 500 + "]" * 500  # parses, but every later stage recurses
    (folder / "deep.yaml").write_text(
        f'openapi: "3.0.3"\ninfo: {{title: t, version: "1"}}\npaths: {{}}\nx-deep: {nested}\n'
    )
    return "deep.yaml"


def _alias_bomb(folder: Path) -> str:
    """63 KB: 400 schemas share one 2,000-member map through an alias (1.6 million nodes once
    expanded; it ran past 600 s and 8.6 GB before the expansion was bounded)."""
    members = "".join(f"  p{i}: {{type: string}}\n" for i in range(2000))
    schemas = "".join(f"    S{j}: {{type: object, properties: *m}}\n" for j in range(400))
    (folder / "alias_bomb.yaml").write_text(
        f'openapi: "3.0.3"\ninfo: {{title: t, version: "1"}}\npaths: {{}}\nx-shared: &m\n{members}'
        f"components:\n  schemas:\n{schemas}"
    )
    return "alias_bomb.yaml"


def _local_ref_bomb(folder: Path) -> str:
    """One response of 2,000 headers, referred to by 400 operations: each use is expanded."""
    operations = "".join(
        f'  /p{i}:\n    get:\n      responses:\n        "200": {{$ref: "#/components/responses/Big"}}\n'
        for i in range(400)
    )
    headers = "".join(f"        H{j}: {{schema: {{type: string}}}}\n" for j in range(2000))
    (folder / "local_ref_bomb.yaml").write_text(
        f'openapi: "3.0.3"\ninfo: {{title: t, version: "1"}}\npaths:\n{operations}'
        f"components:\n  responses:\n    Big:\n      description: big\n      headers:\n{headers}"
    )
    return "local_ref_bomb.yaml"


MADE_AT_TEST_TIME: dict[str, Callable[[Path], str]] = {
    "alias_bomb": _alias_bomb,
    "local_ref_bomb": _local_ref_bomb,
    "deep_json": _deep_json,
    "deep_yaml": _deep_yaml,
    "unreadable_path": _through_a_file,
    "huge": _huge,
    "directory": _directory,
    "pipe": _pipe,
    "missing_file": _missing,
}
COMMITTED = sorted(p for p in CORPUS.iterdir() if p.is_file() and p.suffix in (".yaml", ".json"))
CASES = [p.stem for p in COMMITTED] + sorted(MADE_AT_TEST_TIME)


def test_the_corpus_is_big_enough_and_every_case_has_a_golden_file() -> None:
    assert len(CASES) >= 40
    goldens = {p.stem for p in CORPUS.glob("*.expected")}
    assert goldens == set(CASES)


@pytest.mark.parametrize("case", CASES)
def test_bad_spec_fails_well(case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if case in MADE_AT_TEST_TIME:
        work = tmp_path / "specs"
        work.mkdir()
        spec = MADE_AT_TEST_TIME[case](work)
    else:
        work = CORPUS
        spec = next(p.name for p in COMMITTED if p.stem == case)
    out_dir = tmp_path / "out"
    monkeypatch.chdir(work)
    result = CliRunner().invoke(main, ["generate", spec, "-o", str(out_dir), "-p", "bad"])
    output = result.output
    assert result.exit_code == 1, output
    assert "Traceback" not in output and isinstance(result.exception, SystemExit)
    assert not out_dir.exists(), "nothing may be written for a bad spec"
    lines = output.splitlines()
    assert lines and all(line.split(":")[0] for line in lines)
    named = (spec, f"{case}.parts/")  # the spec, or the part of it where the problem is
    assert any(line.startswith(named) for line in lines), "the message names the file"
    golden = CORPUS / f"{case}.expected"
    if UPDATE:
        golden.write_text(output, encoding="utf-8")
    assert output == golden.read_text(encoding="utf-8")


def test_lenient_generates_what_it_can_and_says_what_it_dropped(tmp_path: Path) -> None:
    spec = ROOT / "tests" / "specs" / "lenient.yaml"
    runner = CliRunner()
    strict = runner.invoke(
        main, ["generate", str(spec), "-o", str(tmp_path / "strict"), "-p", "lenient_api"]
    )
    assert strict.exit_code == 1 and not (tmp_path / "strict").exists()
    result = runner.invoke(
        main, ["generate", "--lenient", str(spec), "-o", str(tmp_path), "-p", "lenient_api"]
    )
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.output.splitlines() if ": warning at " in line]
    assert len(warnings) == 6  # the three problems, and what each one cost
    assert any("dropped operation POST /pets" in w and "NewPet" in w for w in warnings)
    assert any("dropped every operation of path '/owners/{id}'" in w for w in warnings)
    assert any("free-form value (Any)" in w and "Owner" in w for w in warnings)
    from specbind.codegen.generate import Options

    from tests.helpers import generate_and_import

    pkg = generate_and_import(spec, "lenient_api", tmp_path / "imported", Options(lenient=True))
    assert hasattr(pkg.Client, "list_pets") and not hasattr(pkg.Client, "add_pet")
    assert pkg.models.Pet.from_dict({"name": "Rex", "owner": {"any": 1}}).owner == {"any": 1}


def test_lenient_keeps_both_operations_with_one_operation_id(tmp_path: Path) -> None:
    spec = CORPUS / "duplicate_operation_ids.yaml"
    result = CliRunner().invoke(
        main, ["generate", "--lenient", str(spec), "-o", str(tmp_path), "-p", "dup_ids"]
    )
    assert result.exit_code == 0, result.output
    assert "operationId 'fetch' is also used by GET /a" in result.output
    client = (tmp_path / "dup_ids" / "client.py").read_text()
    assert "def fetch(" in client and "def fetch_2(" in client


def test_lenient_drops_an_operation_it_cannot_describe_and_says_so(tmp_path: Path) -> None:
    spec = tmp_path / "api.yaml"
    spec.write_text(
        'openapi: "3.0.3"\ninfo: {title: t, version: "1"}\npaths:\n'
        "  /a:\n    get:\n      operationId: broken\n      parameters: 7\n      responses:\n        '204': {description: ok}\n"
        "  /b:\n    get:\n      operationId: fine\n      responses:\n        '204': {description: ok}\n"
    )
    runner = CliRunner()
    strict = runner.invoke(
        main, ["generate", str(spec), "-o", str(tmp_path / "strict"), "-p", "broken_api"]
    )
    assert strict.exit_code == 1 and "Traceback" not in strict.output
    result = runner.invoke(
        main, ["generate", "--lenient", str(spec), "-o", str(tmp_path), "-p", "broken_api"]
    )
    assert result.exit_code == 0, result.output
    assert (
        f"{spec}:6:7: warning at #/paths/~1a/get: dropped operation GET /a: it cannot be described (TypeError"
        in result.output
    )
    client = (tmp_path / "broken_api" / "client.py").read_text()
    assert "def fine(" in client and "def broken(" not in client


@pytest.mark.parametrize("lenient", [False, True], ids=["strict", "lenient"])
def test_mutated_specs_give_problems_never_crashes(tmp_path: Path, lenient: bool) -> None:
    """Broken specs go through validation, the models stage and the endpoints stage: each stage
    either passes (and what it made compiles) or raises SpecError; found a handful of crashes when
    written."""
    import json

    from specbind.codegen.endpoints import render_api
    from specbind.codegen.models import generate_models, usable_schemas
    from specbind.codegen.operations import describe
    from specbind.spec.load import load
    from specbind.spec.problems import SpecError
    from specbind.spec.validate import check

    stopped_at: list[str] = []
    for i, document in enumerate(mutated_specs(30, seed=6)):
        spec = tmp_path / f"m{i}.json"
        spec.write_text(json.dumps(document))
        stage = "validate"
        try:
            loaded = load(spec)
            check(loaded, lenient=lenient)
            stage = "models"
            document = usable_schemas(loaded.document)[0] if lenient else loaded.document
            models = generate_models(document, "")
            compile(models.code, f"{spec.name}: models.py", "exec")
            stage = "endpoints"
            schemas = models.schemas
            api = describe(loaded.document, schemas.model_classes(), set(), schemas.model_aliases())
            for name, source in render_api(api, "mutant").items():
                compile(source, f"{spec.name}: {name}", "exec")
            stage = "generated"
        except SpecError:
            pass
        stopped_at.append(stage)
    if lenient:  # --lenient frees every schema datamodel-code-generator cannot read: all generate
        assert set(stopped_at) == {"generated"}, stopped_at
    else:  # the mutations exercise the stages: some are rejected on the way, some make it to the end
        assert "generated" in stopped_at and len(set(stopped_at)) > 1, stopped_at


def test_an_unexpected_exception_is_one_line_asking_for_a_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from specbind.codegen import generate as pipeline

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("an internal bug\nover two lines")

    monkeypatch.setattr(pipeline, "describe", broken)
    monkeypatch.delenv("SPECBIND_DEBUG", raising=False)
    spec = str(ROOT / "tests" / "specs" / "features" / "vendors.yaml")
    args = ["generate", spec, "-o", str(tmp_path / "out"), "-p", "api"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 3, result.output
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"specbind generate: internal error at the endpoints stage of {spec} ")
    assert "RuntimeError: an internal bug over two lines" in line and "report" in line
    assert "Traceback" not in result.output and not (tmp_path / "out").exists()
    for debug_args, env in ((["--debug", *args], {}), (args, {"SPECBIND_DEBUG": "1"})):
        result = CliRunner().invoke(main, debug_args, env=env)
        assert isinstance(result.exception, RuntimeError) and result.exit_code == 1


def test_lenient_makes_each_unusable_schema_free_form_and_generates_the_rest(
    tmp_path: Path,
) -> None:
    spec = ROOT / "tests" / "specs" / "lenient_schemas.yaml"
    strict = CliRunner().invoke(main, ["generate", str(spec), "-o", str(tmp_path), "-p", "api"])
    assert strict.exit_code == 1 and not (tmp_path / "api").exists()
    result = CliRunner().invoke(
        main, ["generate", "--lenient", str(spec), "-o", str(tmp_path), "-p", "api"]
    )
    assert result.exit_code == 0, result.output
    freed = [line for line in result.stderr.splitlines() if "free-form" in line]
    assert freed == [
        f"{spec}:33:17: warning at #/components/schemas/Thing/properties/broken: null where a schema"
        " belongs: generated as a free-form value (Any)",
        f"{spec}:35:11: warning at #/components/schemas/Thing/properties/listed: a schema with a"
        " member of the wrong type: generated as a free-form value (Any)",
        f"{spec}:38:14: warning at #/components/schemas/Nothing: null where a schema belongs:"
        " generated as a free-form value (Any)",
        f"{spec}:22:25: warning at #/paths/~1things/post/responses/200/content/application~1json"
        "/schema/properties/$ref: a string where a schema belongs: generated as a free-form value"
        " (Any)",
    ]
    from specbind.codegen.options import Options

    from tests.helpers import generate_and_import

    pkg = generate_and_import(spec, "lenient_schemas", tmp_path / "imported", Options(lenient=True))
    thing = pkg.models.Thing.from_dict({"name": "n", "broken": [1], "listed": {"a": 1}, "fine": 2})
    assert (thing.name, thing.broken, thing.listed, thing.fine) == ("n", [1], {"a": 1}, 2)
    assert pkg.models.Good.from_dict({"id": 1}).id == 1 and hasattr(pkg.Client, "add_thing")

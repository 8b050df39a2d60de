"""`specbind check`: exit 0 only when committed bindings equal a fresh generation; otherwise say why."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from specbind.cli import _colour, main
from specbind.codegen.generate import generate
from specbind.codegen.options import Options
from specbind.vendoring.check import check_binding, compare, record_is_current
from specbind.vendoring.config import Binding
from specbind.vendoring.record import RECORD_NAME, dump_record, fingerprint, read_record, sha256
from specbind.vendoring.write import write_package

from tests.helpers import ROOT, chat_options, package_files

EVOLUTION = ROOT / "tests" / "specs" / "evolution"
MULTIFILE = ROOT / "tests" / "specs" / "multifile"


@pytest.fixture
def project(tmp_path: Path) -> Binding:
    """A project folder: spec/pets.yaml (the evolution base) generated into generated/pets."""
    (tmp_path / "spec").mkdir()
    shutil.copy(EVOLUTION / "base.yaml", tmp_path / "spec" / "pets.yaml")
    binding = Binding(tmp_path / "spec" / "pets.yaml", "pets", tmp_path / "generated")
    write_package(binding.output, binding.package, package_files(binding.spec, binding.package))
    return binding


def test_unchanged_package_is_clean_from_the_record_alone(project: Binding) -> None:
    drift = check_binding(project)
    assert drift.clean and drift.fast
    assert drift.reasons == [] and drift.diff == ""


def test_fast_path_does_not_import_the_pipeline(project: Binding) -> None:
    code = (
        "import sys\n"
        "from specbind.cli import main\n"
        "from specbind.vendoring.check import check_binding\n"
        "from specbind.vendoring.config import Binding\n"
        "from pathlib import Path\n"
        f"d = check_binding(Binding(Path({str(project.spec)!r}), 'pets', Path({str(project.output)!r})))\n"
        "assert d.clean and d.fast, d\n"
        "heavy = [m for m in ('datamodel_code_generator', 'black', 'isort', 'openapi_spec_validator',"
        " 'jinja2', 'yaml', 'specbind.codegen.generate') if m in sys.modules]\n"
        "print(heavy)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"


def test_hand_edit_is_never_hidden_by_the_fast_path(project: Binding) -> None:
    models = project.output / "pets" / "models.py"
    text = models.read_text()
    models.write_text(text.replace("class Pet(JsonCodec):", "class Pet(JsonCodec):  # tweaked"))
    assert models.read_text() != text
    assert not record_is_current(project.spec, project.output / "pets", Options().as_record())
    drift = check_binding(project)
    assert not drift.fast
    assert drift.reasons == ["edited by hand since generation: models.py"]
    assert "-class Pet(JsonCodec):  # tweaked\n+class Pet(JsonCodec):\n" in drift.diff


def test_deleted_generated_file_is_named(project: Binding) -> None:
    (project.output / "pets" / "errors.py").unlink()
    drift = check_binding(project)
    assert drift.reasons == ["edited by hand since generation: errors.py (deleted)"]
    assert "+++ " in drift.diff and "errors.py (generated now)" in drift.diff


def test_user_file_beside_the_bindings_is_not_drift(project: Binding) -> None:
    (project.output / "pets" / "extensions.py").write_text("X = 1\n")
    assert check_binding(project).clean


def test_multi_file_spec_change_in_a_referenced_file(tmp_path: Path) -> None:
    spec_dir = tmp_path / "spec"
    shutil.copytree(MULTIFILE, spec_dir)
    binding = Binding(spec_dir / "openapi.yaml", "multi", tmp_path / "out")
    write_package(binding.output, binding.package, package_files(binding.spec, binding.package))
    record = read_record(binding.output / "multi")
    assert record is not None and len(record["spec"]["files"]) > 1
    assert check_binding(binding).fast
    referenced = next(name for name in sorted(record["spec"]["files"]) if name != "openapi.yaml")
    with open(spec_dir / referenced, "a", encoding="utf-8") as f:
        f.write("\n# a comment changes the bytes, not the bindings\n")
    drift = check_binding(binding)
    assert not drift.fast and drift.diff == ""
    assert drift.reasons == [
        f"the spec changed: {referenced}",
        f"the generated code is identical; only {RECORD_NAME} is out of date (run `specbind generate` to refresh it)",
    ]


EVOLUTION_DIFFS = {
    "add-operation.yaml": "+    def delete_pet(",
    "remove-field.yaml": "-    tag: str | None = None",
    "make-field-required.yaml": "+    tag: str\n",
    "add-enum-value.yaml": '+    pending = "pending"',
    "rename-schema.yaml": "+class PetInput(JsonCodec):",
    "change-type.yaml": "+    id: str\n",
}


@pytest.mark.parametrize("variant", sorted(EVOLUTION_DIFFS))
def test_spec_change_is_the_reason_and_the_diff_shows_it(project: Binding, variant: str) -> None:
    shutil.copy(EVOLUTION / variant, project.spec)
    drift = check_binding(project)
    assert drift.reasons == ["the spec changed: pets.yaml"]
    assert EVOLUTION_DIFFS[variant] in drift.diff


def test_stale_generated_file_shows_as_removed(project: Binding) -> None:
    package_dir = project.output / "pets"
    (package_dir / "old_models.py").write_text("# Code generated by specbind. DO NOT EDIT.\n")
    _forge(
        package_dir,
        lambda r: r["files"].update(
            {"old_models.py": sha256((package_dir / "old_models.py").read_bytes())}
        ),
    )
    drift = check_binding(project)
    assert "+++ /dev/null" in drift.diff and "old_models.py (committed)" in drift.diff
    assert drift.reasons == [
        f"{RECORD_NAME} was edited by hand or merged: its fingerprint does not match its content"
    ]


def _forge(package_dir: Path, change: object, refresh_fingerprint: bool = False) -> None:
    record = read_record(package_dir)
    assert record is not None
    change(record)  # type: ignore[operator]
    if refresh_fingerprint:
        record["fingerprint"] = fingerprint(record)
    (package_dir / RECORD_NAME).write_text(dump_record(record))


def test_formatter_generator_template_and_option_changes_are_named(project: Binding) -> None:
    package_dir = project.output / "pets"

    def age(record: dict) -> None:  # type: ignore[type-arg]
        record["tools"]["black"] = "25.1.0"
        record["tools"]["datamodel-code-generator"] = "0.88.0"
        record["templates"]["package/client.py.jinja2"] = "0" * 64
        record["generator"]["operations.py"] = "0" * 64
        record["options"]["lenient"] = True

    _forge(package_dir, age, refresh_fingerprint=True)
    drift = check_binding(project)
    assert drift.reasons == [
        "the formatter version changed: black 25.1.0 -> " + read_record_tools()["black"],
        "the generator version changed: datamodel-code-generator 0.88.0 -> "
        + read_record_tools()["datamodel-code-generator"],
        "the generator's code changed: operations.py",
        "templates changed: package/client.py.jinja2",
        "the options changed: lenient True -> False",
        f"the generated code is identical; only {RECORD_NAME} is out of date (run `specbind generate` to refresh it)",
    ]


def read_record_tools() -> dict[str, str]:
    from specbind.vendoring.record import tool_versions

    return tool_versions()


def test_options_from_config_are_part_of_the_check(project: Binding) -> None:
    project.options = Options(idempotent=["createPet"])
    drift = check_binding(project)
    assert not drift.fast
    assert drift.reasons[0] == "the options changed: idempotent [] -> ['createPet']"


def test_missing_package_and_missing_record(project: Binding, tmp_path: Path) -> None:
    files = package_files(project.spec, "pets")
    assert compare(tmp_path / "nowhere" / "pets", files).reasons == [
        f"{tmp_path / 'nowhere' / 'pets'} does not exist; run `specbind generate`"
    ]
    (project.output / "pets" / RECORD_NAME).unlink()
    reasons = compare(project.output / "pets", files).reasons
    assert reasons == [
        f"{project.output / 'pets'} has no readable {RECORD_NAME}: it was not generated by specbind, "
        "or the record was removed",
        f"the generated code is identical; only {RECORD_NAME} is out of date (run `specbind generate` to refresh it)",
    ]


def test_cli_checks_every_configured_binding(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "spec").mkdir()
    shutil.copy(EVOLUTION / "base.yaml", tmp_path / "spec" / "pets.yaml")
    shutil.copytree(MULTIFILE, tmp_path / "spec" / "multi")
    (tmp_path / "pyproject.toml").write_text(
        "[tool.specbind]\n"
        '[[tool.specbind.bindings]]\nspec = "spec/pets.yaml"\npackage = "pets"\noutput = "gen"\n'
        '[[tool.specbind.bindings]]\nspec = "spec/multi/openapi.yaml"\npackage = "multi"\noutput = "gen"\n'
        'idempotent = ["createPet"]\n'
    )
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    first = runner.invoke(main, ["check"])
    assert first.exit_code == 1
    assert "gen/pets does not exist; run `specbind generate`" in first.stderr
    assert runner.invoke(main, ["generate"]).exit_code == 0
    clean = runner.invoke(main, ["check"])
    assert clean.exit_code == 0, clean.output
    assert clean.stdout == "gen/pets: up to date\ngen/multi: up to date\n"
    models = tmp_path / "gen" / "multi" / "models.py"
    models.write_text(models.read_text() + "\nHACK = 1\n")
    dirty = runner.invoke(main, ["check"])
    assert dirty.exit_code == 1
    assert (
        "gen/multi: out of date\n  - edited by hand since generation: models.py\n" in dirty.stderr
    )
    assert "-HACK = 1" in dirty.stdout and "gen/pets: up to date" in dirty.stdout


def test_cli_with_explicit_spec(project: Binding) -> None:
    args = ["check", str(project.spec), "-o", str(project.output), "-p", "pets"]
    assert CliRunner().invoke(main, args).exit_code == 0
    usage = CliRunner().invoke(main, ["check", str(project.spec)])
    assert usage.exit_code == 2


def test_diff_is_coloured_only_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    diff = "--- a (committed)\n+++ b (generated now)\n@@ -1 +1 @@\n-old\n+new\n same\n"
    monkeypatch.setattr(sys.stdout, "isatty", lambda: False)
    assert _colour(diff) == diff
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    coloured = _colour(diff)
    assert "\x1b[31m-old\n\x1b[0m" in coloured and "\x1b[32m+new\n\x1b[0m" in coloured
    assert coloured.endswith(" same\n")


def test_committed_chat_bindings_are_clean_on_the_fast_path() -> None:
    binding = Binding(
        ROOT / "spec" / "chat-api.yaml", "tyntec_chat", ROOT / "generated", chat_options()
    )
    drift = check_binding(binding)
    assert drift.clean and drift.fast, drift.reasons


def test_record_names_every_input(project: Binding) -> None:
    record = json.loads((project.output / "pets" / RECORD_NAME).read_text())
    assert set(record) == {
        "format",
        "spec",
        "tools",
        "generator",
        "templates",
        "options",
        "formatter",
        "files",
        "fingerprint",
    }
    assert record["fingerprint"] == fingerprint(record)
    assert record["formatter"]["name"] == "black"  # with black's defaults: no [tool.black] there
    assert record["formatter"]["settings"]["black"]["line-length"] == 88
    assert set(record["tools"]) == {
        "specbind",
        "datamodel-code-generator",
        "black",
        "isort",
        "Jinja2",
    }
    # Every module of the two packages that decide the output, found by folder, none of the others.
    package = ROOT / "generator" / "specbind"
    expected = {
        path.relative_to(package).as_posix()
        for folder in ("spec", "codegen")
        for path in (package / folder).rglob("*.py")
    }
    assert {"codegen/generate.py", "codegen/models.py", "spec/load.py"} <= expected
    assert set(record["generator"]) == expected
    for name, digest in record["generator"].items():
        assert sha256((package / name).read_bytes()) == digest
    assert record["spec"]["files"] == {"pets.yaml": sha256((EVOLUTION / "base.yaml").read_bytes())}
    for name, digest in record["files"].items():
        assert sha256((project.output / "pets" / name).read_bytes()) == digest


def test_console_script_answers_a_clean_check_without_click(project: Binding) -> None:
    root = project.spec.parent.parent
    (root / "pyproject.toml").write_text(
        '[tool.specbind]\n[[tool.specbind.bindings]]\nspec = "spec/pets.yaml"\npackage = "pets"\noutput = "generated"\n'
    )
    code = (
        "import sys\n"
        "sys.argv = ['specbind', 'check']\n"
        "from specbind.entry import main\n"
        "try:\n    main()\nexcept SystemExit as exc:\n    print('exit', exc.code, 'click' in sys.modules)\n"
    )
    clean = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True)
    assert clean.stdout == "generated/pets: up to date\nexit 0 False\n"
    (project.output / "pets" / "client.py").write_text("edited = True\n")
    dirty = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True)
    assert dirty.stdout.endswith("exit 1 True\n")  # drift goes through the full CLI
    assert "edited by hand since generation: client.py" in dirty.stderr


def test_a_folder_or_file_that_shadows_a_generated_module_is_drift(project: Binding) -> None:
    package = project.output / project.package
    (package / "client").mkdir()
    assert check_binding(project).clean  # a folder without __init__ does not shadow client.py
    (package / "client" / "__init__.py").write_text("def Client(): ...\n")
    drift = check_binding(project)
    assert not drift.clean and not drift.fast
    assert drift.reasons == [
        "client/__init__.py shadows the generated client.py: Python imports it instead "
        "(remove or rename it)"
    ]
    (package / "client" / "__init__.py").unlink()
    from importlib.machinery import EXTENSION_SUFFIXES

    (package / f"models{EXTENSION_SUFFIXES[0]}").write_bytes(b"")
    assert any("shadows the generated models.py" in r for r in check_binding(project).reasons)

"""External `$ref`s: what a spec may read (its own folder tree, folders named by `allow_ref_dirs`,
remote URLs mapped to local copies by `ref_map`), and what it may never read or fetch."""

from __future__ import annotations

import json
import os
import socket
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from specbind.cli import main
from specbind.codegen.options import Options
from specbind.spec import load as load_module
from specbind.spec.load import RefAccess, load
from specbind.spec.problems import SpecError
from specbind.vendoring.config import Binding, load_bindings
from specbind.vendoring.record import RECORD_NAME

from tests.helpers import ROOT, generate_and_import

SECRET = "TOPSECRET-first-line"
HEAD = 'openapi: "3.0.3"\ninfo: {title: t, version: "1"}\n'


def _schemas(**refs: str) -> str:
    lines = [HEAD + "paths: {}\ncomponents:\n  schemas:"]
    lines += [f"    {name}:\n      $ref: '{ref}'" for name, ref in refs.items()]
    return "\n".join(lines) + "\n"


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Every file the loader reads, in order."""
    seen: list[Path] = []
    real = load_module.read_bytes

    def spy(path: Path) -> bytes:
        seen.append(Path(os.path.realpath(path)))
        return real(path)

    monkeypatch.setattr(load_module, "read_bytes", spy)
    return seen


def test_files_outside_the_spec_folder_are_never_read(
    tmp_path: Path, reads: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = tmp_path / "secret.yaml"
    secret.write_text(SECRET + "\nmore: 1\n")
    folder = tmp_path / "project" / "spec"
    folder.mkdir(parents=True)
    (folder / "link.yaml").symlink_to(secret)  # a symlink inside the tree that leads out
    (folder / "outside").symlink_to(tmp_path, target_is_directory=True)
    (folder / "api.yaml").write_text(
        _schemas(
            Absolute=str(secret),
            FileUri=secret.as_uri(),
            Parent="../../secret.yaml",
            Link="link.yaml",
            ThroughDir="outside/secret.yaml",
            Passwd="/etc/passwd",
        )
    )
    monkeypatch.chdir(folder)
    result = CliRunner().invoke(main, ["generate", "api.yaml", "-o", "out", "-p", "p"])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert SECRET not in result.output and "root:" not in result.output
    lines = result.output.splitlines()
    assert len(lines) == 6
    for line, ref in zip(lines, ("Absolute", "FileUri", "Parent", "Link", "ThroughDir", "Passwd")):
        assert line.startswith("api.yaml:") and f"#/components/schemas/{ref}/$ref" in line
        assert "reaches outside the spec's folder" in line and "--allow-ref-dir" in line
    assert reads == [Path(os.path.realpath(folder / "api.yaml"))]
    assert not (folder / "out").exists()


def _outside_project(tmp_path: Path) -> Path:
    """spec/api.yaml refers to ../shared/pet.yaml, outside its folder; returns the spec."""
    (tmp_path / "shared").mkdir()
    (tmp_path / "shared" / "pet.yaml").write_text(
        "type: object\nproperties:\n  name: {type: string}\n"
    )
    (tmp_path / "spec").mkdir()
    spec = tmp_path / "spec" / "api.yaml"
    spec.write_text(_schemas(Pet="../shared/pet.yaml"))
    return spec


def test_a_folder_allowed_by_name_may_be_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = _outside_project(tmp_path)
    with pytest.raises(SpecError, match="reaches outside"):
        load(spec)
    assert (
        "pet"
        in load(spec, RefAccess(allow_dirs=(tmp_path / "shared",))).document["components"][
            "schemas"
        ]
    )
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    args = ["generate", "spec/api.yaml", "-o", "out", "-p", "pets"]
    assert runner.invoke(main, args).exit_code == 1
    result = runner.invoke(main, [*args, "--allow-ref-dir", "shared"])
    assert result.exit_code == 0, result.output
    assert (
        runner.invoke(main, ["validate", "spec/api.yaml", "--allow-ref-dir", "shared"]).exit_code
        == 0
    )
    # ... and per binding in [tool.specbind], relative to pyproject.toml
    (tmp_path / "pyproject.toml").write_text(
        '[[tool.specbind.bindings]]\nspec = "spec/api.yaml"\npackage = "pets"\noutput = "gen"\n'
        'allow_ref_dirs = ["shared"]\n'
    )
    monkeypatch.chdir(tmp_path / "spec")  # paths stay relative to pyproject.toml
    result = runner.invoke(main, ["generate"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(main, ["validate", "api.yaml"])  # the binding's folders apply
    assert result.exit_code == 0, result.output
    record = json.loads((tmp_path / "gen" / "pets" / RECORD_NAME).read_text())
    assert record["options"]["allow_ref_dirs"] == ["../shared"]
    assert "../shared/pet.yaml" in record["spec"]["files"]


def _mapped_project(tmp_path: Path) -> Path:
    """A project whose spec refers to https://example.com/specs/..., vendored under vendor/specs."""
    common = tmp_path / "vendor" / "specs" / "common"
    common.mkdir(parents=True)
    (common / "problem.yaml").write_text(
        "Problem:\n  type: object\n  properties:\n    title: {type: string}\n"
        "    code:\n      $ref: './types.yaml#/Code'\n"
    )
    (common / "types.yaml").write_text("Code:\n  type: string\n  enum: [a, b]\n")
    (tmp_path / "spec").mkdir()
    (tmp_path / "spec" / "api.yaml").write_text(
        HEAD
        + "paths:\n  /p:\n    get:\n      operationId: getP\n      responses:\n"
        + "        '400':\n          description: bad\n          content:\n"
        + "            application/json:\n              schema:\n"
        + "                $ref: 'https://example.com/specs/common/problem.yaml#/Problem'\n"
    )
    (tmp_path / "pyproject.toml").write_text(
        '[[tool.specbind.bindings]]\nspec = "spec/api.yaml"\npackage = "mapped"\noutput = "gen"\n'
        'ref_map = { "https://example.com/specs/" = "vendor/specs/" }\n'
    )
    return tmp_path / "spec" / "api.yaml"


def test_remote_refs_are_read_from_the_mapped_folder_and_recorded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_network(*args: Any) -> None:
        raise AssertionError("specbind opened a network connection")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    spec = _mapped_project(tmp_path)
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    result = runner.invoke(main, ["generate"])
    assert result.exit_code == 0, result.output
    package = tmp_path / "gen" / "mapped"
    record = json.loads((package / RECORD_NAME).read_text())
    assert record["options"]["ref_map"] == {"https://example.com/specs/": "../vendor/specs"}
    assert set(record["spec"]["files"]) == {
        "api.yaml",
        "../vendor/specs/common/problem.yaml",
        "../vendor/specs/common/types.yaml",
    }
    assert "class Problem" in (package / "models.py").read_text()
    from specbind.vendoring.check import check_binding

    (binding,) = load_bindings()
    assert check_binding(binding).fast  # the record proves it clean without generating
    # a change in a mapped file is a change of the spec, found by the check
    types = tmp_path / "vendor" / "specs" / "common" / "types.yaml"
    types.write_text("Code:\n  type: string\n  enum: [a, b, c]\n")
    drift = check_binding(binding)
    assert not drift.fast and not drift.clean
    assert "the spec changed: ../vendor/specs/common/types.yaml" in drift.reasons
    # the same on the command line, relative to the current folder
    result = runner.invoke(
        main,
        [
            "generate",
            str(spec),
            "-o",
            "cli",
            "-p",
            "mapped",
            "--ref-map",
            "https://example.com/specs/=vendor/specs",
        ],
    )
    assert result.exit_code == 0, result.output


def test_a_remote_ref_without_a_mapping_names_the_option_and_a_mapping_cannot_lead_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = _mapped_project(tmp_path)
    with pytest.raises(SpecError, match=r"not fetched; map its URL prefix .* --ref-map PREFIX=DIR"):
        load(spec)
    (tmp_path / "secret.yaml").write_text(SECRET + ": 1\n")
    spec.write_text(_schemas(Escape="https://example.com/specs/%2E%2E/%2E%2E/secret.yaml"))
    access = RefAccess(ref_map=(("https://example.com/specs/", tmp_path / "vendor" / "specs"),))
    with pytest.raises(SpecError) as caught:
        load(spec, access)
    assert "reaches outside" in str(caught.value) and SECRET not in str(caught.value)


def test_ref_map_and_allow_ref_dirs_in_the_configuration_are_checked(tmp_path: Path) -> None:
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text(
        '[[tool.specbind.bindings]]\nspec = "a.yaml"\npackage = "a"\n'
        'ref_map = ["https://x/"]\nallow_ref_dirs = "shared"\n'
    )
    with pytest.raises(SpecError) as caught:
        load_bindings(pyproject)
    text = str(caught.value)
    assert "tool.specbind.bindings[0].ref_map: 'ref_map' must map URL prefixes to folders" in text
    assert "tool.specbind.bindings[0].allow_ref_dirs: 'allow_ref_dirs' must be a list" in text


def test_ref_map_needs_prefix_equals_dir_on_the_command_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["generate", "a.yaml", "-o", "o", "-p", "p", "--ref-map", "https://x/"]
    )
    assert result.exit_code == 2 and "--ref-map takes PREFIX=DIR" in result.output


DISCRIMINATOR = ROOT / "tests" / "specs" / "discriminator_files" / "openapi.yaml"


def test_a_discriminator_mapping_into_other_files_is_read_from_the_file_that_holds_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # nowhere near the spec: nothing may resolve against this
    document = load(DISCRIMINATOR).document
    schemas = document["components"]["schemas"]
    assert schemas["pet"]["discriminator"]["mapping"] == {
        "dog": "#/components/schemas/dog",
        "cat": "#/components/schemas/cat",
    }
    assert schemas["Adoptable"]["discriminator"]["mapping"] == {
        "dog": "#/components/schemas/dog",
        "cat": "#/components/schemas/cat",
    }
    pkg = generate_and_import(DISCRIMINATOR, "disc_files", tmp_path / "out")
    models = pkg.models
    dog = models.Pet.from_dict({"petType": "dog", "name": "Rex", "barks": True})
    assert type(dog) is models.Dog and dog.barks is True
    cat = models.decode_Adoptable({"petType": "cat", "name": "Tom", "lives": 9})
    assert type(cat) is models.Cat and cat.lives == 9


def test_a_discriminator_mapping_to_a_missing_file_is_located(tmp_path: Path) -> None:
    spec = tmp_path / "api.yaml"
    spec.write_text(
        HEAD
        + "paths: {}\ncomponents:\n  schemas:\n    Pet:\n      type: object\n"
        + "      properties: {kind: {type: string}}\n      discriminator:\n"
        + "        propertyName: kind\n        mapping:\n          dog: 'pets/dog.yaml'\n"
    )
    with pytest.raises(SpecError) as caught:
        load(spec)
    (problem,) = [p for p in caught.value.problems if p.file == spec]
    assert problem.pointer == "#/components/schemas/Pet/discriminator/mapping/dog"
    assert problem.line == 12


def test_options_record_folders_relative_to_the_spec(tmp_path: Path) -> None:
    options = Options(
        ref_map={"https://x/": tmp_path / "vendor"}, allow_ref_dirs=[tmp_path / "shared"]
    )
    record = options.as_record(tmp_path / "spec" / "api.yaml")
    assert record["ref_map"] == {"https://x/": "../vendor"}
    assert record["allow_ref_dirs"] == ["../shared"]
    assert "ref_map" not in Options().as_record()  # records without them are unchanged
    assert Binding(Path("a"), "a", Path("o")).options.ref_access() == RefAccess()

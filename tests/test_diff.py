"""`specbind diff`: what regeneration changes in the Python API, classed, with a semver verdict."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from specbind.cli import main
from specbind.codegen.schema_model import Field, SchemaClass, Schemas
from specbind.vendoring.api_surface import Surface, models_of, surface_of
from specbind.vendoring.diff import Change, compare_surfaces, render

from tests.helpers import CHAT_SPEC, ROOT

EVOLUTION = ROOT / "tests" / "specs" / "evolution"
MULTIFILE = ROOT / "tests" / "specs" / "multifile"


@pytest.fixture(scope="module")
def base() -> Surface:
    return surface_of(EVOLUTION / "base.yaml")


# variant -> (the one change it makes, semver verdict)
EXPECTED = {
    "add-operation.yaml": (
        Change("method added", "Client.delete_pet", "DELETE /pets/{petId}", False),
        "minor",
    ),
    "remove-field.yaml": (Change("field removed", "models.Pet.tag", "str | None", True), "major"),
    "make-field-required.yaml": (
        Change("field newly required", "models.Pet.tag", "constructors must now pass it", True),
        "major",
    ),
    "add-enum-value.yaml": (
        Change("enum member added", "models.PetStatus.pending", "'pending'", False),
        "minor",
    ),
    "rename-schema.yaml": (
        Change("model renamed", "models.NewPet", "now models.PetInput", True),
        "major",
    ),
    "change-type.yaml": (
        Change("field type changed", "models.Pet.id", "int -> str", True),
        "major",
    ),
    "rename-operation.yaml": (
        Change(
            "method renamed",
            "Client.get_pet",
            "now Client.show_pet_by_id; GET /pets/{petId}, operationId getPet -> showPetById",
            True,
        ),
        "major",
    ),
    # the body's type is the alias the generated signature names (diff reads generation's own data)
    "body-to-union.yaml": (
        Change("parameter type changed", "Client.create_pet(body)", "NewPet -> PetInput", True),
        "major",
    ),
    "require-parameter.yaml": (
        Change("parameter newly required", "Client.list_pets(limit)", "query parameter", True),
        "major",
    ),
}


@pytest.mark.parametrize("variant", sorted(EXPECTED))
def test_each_evolution_is_reported_and_classed(base: Surface, variant: str) -> None:
    change, verdict = EXPECTED[variant]
    report = compare_surfaces(base, surface_of(EVOLUTION / variant))
    assert report.changes == [change]
    assert report.verdict == verdict


def test_the_reverse_changes_are_classed_too(base: Surface) -> None:
    back = compare_surfaces(surface_of(EVOLUTION / "add-enum-value.yaml"), base)
    assert back.changes == [
        Change("enum member removed", "models.PetStatus.pending", "'pending'", True)
    ]
    back = compare_surfaces(surface_of(EVOLUTION / "make-field-required.yaml"), base)
    assert back.changes == [
        Change("field now optional", "models.Pet.tag", "readers must now handle None", True)
    ]
    back = compare_surfaces(surface_of(EVOLUTION / "require-parameter.yaml"), base)
    assert back.changes == [
        Change("parameter now optional", "Client.list_pets(limit)", "query parameter", False)
    ]
    assert back.verdict == "minor"
    back = compare_surfaces(surface_of(EVOLUTION / "add-operation.yaml"), base)
    assert back.changes == [
        Change("method removed", "Client.delete_pet", "DELETE /pets/{petId}", True)
    ]


def test_no_api_change_is_a_patch(base: Surface) -> None:
    report = compare_surfaces(base, surface_of(EVOLUTION / "base.yaml"))
    assert report.changes == [] and report.verdict == "patch"
    assert render([report]).endswith(
        "no change to the generated Python API\nsemver: patch (0 changes, 0 breaking)\n"
    )


def test_chat_api_surface_is_read_from_the_generated_models() -> None:
    surface = surface_of(CHAT_SPEC)
    assert set(surface.methods) == {
        "send_message",
        "retrieve_message",
        "get_message_history",
        "download_media",
        "check_message_status",
    }
    assert surface.methods["retrieve_message"].params["message_id"].required
    sms = surface.models["SMSRequest"]
    assert sms.pointer == "#/components/schemas/SMSRequest"
    assert {n: (f.type_hint, f.required) for n, f in sms.fields.items()} == {
        "content_type": ("SMSRequestContentType", True),
        "from_": ("str | None", False),
        "text": ("str | None", False),
        "url": ("str | None", False),
    }
    assert surface.models["MessageRequestChannel"].members == {
        "sms": "'sms'",
        "whatsapp": "'whatsapp'",
        "tyntec_echo": "'tyntecEcho'",
    }


def test_models_of_reads_the_model_of_the_schemas() -> None:
    schemas = Schemas(
        (
            SchemaClass(
                "A",
                "#/components/schemas/A",
                "object",
                False,
                fields=(Field("x", "x", "int", True), Field("y", "y", "str | None", False)),
            ),
            SchemaClass("AKind", "#/components/schemas/A/properties/k", "enum", True),
            SchemaClass("B", "#/components/schemas/B", "alias", False, decoder=True),
        )
    )
    models = models_of(schemas)
    assert set(models) == {"A", "AKind"}  # aliases are types, not classes
    model = models["A"]
    assert model.pointer == "#/components/schemas/A" and model.kind == "dataclass"
    assert [(f.name, f.required) for f in model.fields.values()] == [("x", True), ("y", False)]


def _enum(name: str, *values: str) -> Surface:
    members = tuple((v, repr(v)) for v in values)
    return Surface(
        {}, models_of(Schemas((SchemaClass(name, "#/a/x", "enum", True, members=members),)))
    )


def test_renumbered_inline_class_is_a_rename_not_a_removal() -> None:
    old, new = _enum("Kind", "a"), _enum("Kind1", "a", "b")
    report = compare_surfaces(old, new)
    assert report.changes == [
        Change("enum renamed", "models.Kind", "now models.Kind1", True),
        Change("enum member added", "models.Kind1.b", "'b'", False),
    ]


def test_formats(base: Surface) -> None:
    report = compare_surfaces(base, surface_of(EVOLUTION / "remove-field.yaml"), "a.yaml", "b.yaml")
    text = render([report], "text")
    assert text == (
        "a.yaml -> b.yaml\n"
        "  BREAKING field removed: models.Pet.tag (str | None)\n"
        "semver: major (1 change, 1 breaking)\n"
    )
    markdown = render([report], "markdown")
    assert "| field removed | `models.Pet.tag` | str \\| None | **yes** |" in markdown
    assert markdown.rstrip().endswith("**Semver verdict: major** (1 change, 1 breaking)")
    data = json.loads(render([report], "json"))
    assert data["verdict"] == "major" and data["breaking"] == 1
    assert data["reports"][0]["changes"] == [
        {
            "kind": "field removed",
            "target": "models.Pet.tag",
            "detail": "str | None",
            "breaking": True,
            "level": "major",
        }
    ]


def test_cli_fail_on_breaking() -> None:
    runner = CliRunner()
    minor = [str(EVOLUTION / "base.yaml"), str(EVOLUTION / "add-operation.yaml")]
    major = [str(EVOLUTION / "base.yaml"), str(EVOLUTION / "change-type.yaml")]
    assert runner.invoke(main, ["diff", *minor, "--fail-on", "breaking"]).exit_code == 0
    assert runner.invoke(main, ["diff", *minor, "--fail-on", "any"]).exit_code == 1
    result = runner.invoke(main, ["diff", *major, "--fail-on", "breaking", "--format", "json"])
    assert result.exit_code == 1 and json.loads(result.stdout)["verdict"] == "major"
    assert runner.invoke(main, ["diff", *major]).exit_code == 0
    assert runner.invoke(main, ["diff", minor[0]]).exit_code == 2


def test_cli_reports_a_bad_spec_in_one_line(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text(
        (EVOLUTION / "base.yaml")
        .read_text()
        .replace("#/components/schemas/NewPet", "#/components/schemas/Nope")
    )
    result = CliRunner().invoke(main, ["diff", str(EVOLUTION / "base.yaml"), str(broken)])
    assert result.exit_code == 1
    assert "broken.yaml:" in result.stderr and "does not resolve" in result.stderr
    assert "Traceback" not in result.output


def _git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.email=t@example.com", "-c", "user.name=t", *args],
        cwd=repo,
        check=True,
        capture_output=True,
    )


def test_against_a_git_revision_with_a_multi_file_spec(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(MULTIFILE, repo / "api")
    (repo / "pyproject.toml").write_text(
        '[tool.specbind]\n[[tool.specbind.bindings]]\nspec = "api/openapi.yaml"\npackage = "multi"\noutput = "gen"\n'
    )
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "v1")
    pet = repo / "api" / "schemas" / "pet.yaml"  # a file the root spec references
    pet.write_text(pet.read_text().replace('    owner:\n      $ref: "owner.yaml"\n', ""))
    monkeypatch.chdir(repo)
    runner = CliRunner()
    _git(repo, "stash", "-q")
    unchanged = runner.invoke(main, ["diff", "--against", "HEAD"])
    _git(repo, "stash", "pop", "-q")
    assert unchanged.exit_code == 0, unchanged.output
    assert unchanged.stdout.endswith("semver: patch (0 changes, 0 breaking)\n")
    assert "api/openapi.yaml@HEAD -> api/openapi.yaml" in unchanged.stdout
    result = runner.invoke(
        main, ["diff", "--against", "HEAD", "api/openapi.yaml", "--fail-on", "breaking"]
    )
    assert result.exit_code == 1
    assert "BREAKING field removed: models.Pet.owner (Owner | None)" in result.stdout
    bad = runner.invoke(main, ["diff", "--against", "no-such-rev"])
    assert bad.exit_code == 1 and "no-such-rev" in bad.stderr and "Traceback" not in bad.output

"""Loading (multi-file, quirky YAML) and validation errors that name file, line, column and path."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from specbind.cli import main
from specbind.spec.load import load
from specbind.spec.problems import SpecError
from specbind.spec.validate import validate

from tests.helpers import CHAT_SPEC, ROOT, generate_and_import

SPECS = ROOT / "tests" / "specs"


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def write(tmp_path: Path, text: str, name: str = "api.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


MINIMAL = """openapi: "3.0.3"
info: {title: t, version: "1"}
paths: {}
"""


def test_chat_api_loads_as_shipped_and_is_valid() -> None:
    raw = CHAT_SPEC.read_bytes()
    assert re.search(rb"\n[ ]+\n", raw)  # the whitespace-only lines are there
    spec = load(CHAT_SPEC)
    assert validate(spec) == []
    # timestamps stay strings, so examples are JSON values
    assert (
        spec.document["components"]["schemas"]["MessageStatus"]["example"]["timestamp"]
        == "2019-06-26T11:41:28Z"
    )


def test_multi_file_spec_is_bundled_and_generates(tmp_path: Path) -> None:
    spec = load(SPECS / "multifile" / "openapi.yaml")
    schemas = spec.document["components"]["schemas"]
    assert {"Pet", "owner", "Error"} <= set(schemas)
    assert schemas["owner"]["properties"]["pets"]["items"] == {"$ref": "#/components/schemas/Pet"}
    assert len(spec.files) == 5
    assert validate(spec) == []
    pkg = generate_and_import(SPECS / "multifile" / "openapi.yaml", "pets_multi", tmp_path)
    pet = pkg.models.Pet.from_dict(
        {"name": "Rex", "owner": {"name": "Ann", "pets": [{"name": "Rex"}]}}
    )
    assert pet.owner.pets[0].name == "Rex"
    assert hasattr(pkg.Client, "get_pet") and hasattr(pkg.Client, "create_pet")


def test_error_in_a_referenced_file_names_that_file(tmp_path: Path) -> None:
    folder = tmp_path / "spec"
    shutil.copytree(SPECS / "multifile", folder)
    (folder / "schemas" / "owner.yaml").write_text(
        "type: object\nproperties:\n  name:\n    type: strin\n"
    )
    with pytest.raises(SpecError) as caught:
        from specbind.spec.validate import check

        check(load(folder / "openapi.yaml"))
    text = str(caught.value)
    assert "owner.yaml:4:11" in text and "strin" in text


def test_remote_ref_is_refused_with_a_clear_error(tmp_path: Path) -> None:
    spec = write(
        tmp_path,
        MINIMAL.replace(
            "paths: {}",
            "paths: {}\ncomponents:\n  schemas:\n    A:\n      $ref: 'https://example.com/a.yaml'\n",
        ),
    )
    code, out = run("validate", str(spec))
    assert code == 1
    assert "remote $ref 'https://example.com/a.yaml' is not fetched" in out
    assert "api.yaml" in out


def test_unquoted_version_is_reported_not_crashed_on(tmp_path: Path) -> None:
    spec = write(tmp_path, MINIMAL.replace('"3.0.3"', "3.0"))
    code, out = run("validate", str(spec))
    assert code == 1
    assert f"{spec}:1:10: error at #/openapi: 'openapi' must be a string" in out
    assert "Traceback" not in out


def test_dangling_ref_in_request_body_is_located(tmp_path: Path) -> None:
    text = CHAT_SPEC.read_text().replace(
        "              $ref: '#/components/schemas/MessageRequest'",
        "              $ref: '#/components/schemas/MessageRequets'",
    )
    spec = write(tmp_path, text, "chat.yaml")
    code, out = run("validate", str(spec))
    assert code == 1
    assert (
        f"{spec}:70:21: error at #/paths/~1messages/post/requestBody/content/application~1json/schema/$ref"
        in out
    )
    assert "'#/components/schemas/MessageRequets' does not resolve" in out
    assert len(out.splitlines()) == 1


def test_schema_errors_are_one_line_each_and_never_dump_the_spec(tmp_path: Path) -> None:
    text = CHAT_SPEC.read_text().replace("          maxLength: 3000", "          maxLength: many")
    spec = write(tmp_path, text, "chat.yaml")
    code, out = run("validate", str(spec))
    assert code == 1
    assert (
        "#/components/schemas/SMSRequest/properties/text/maxLength: 'many' is not of type 'integer'"
        in out
    )
    assert all(len(line) < 400 for line in out.splitlines())


def test_a_long_value_in_a_message_is_abbreviated_and_the_cause_kept(tmp_path: Path) -> None:
    # Codat's ExcelStatus: a schema-level `examples` mapping where 3.1 wants a list; the
    # message quoted the whole mapping and was cut off before saying what is wrong with it
    value = ", ".join(
        f"member{i}: {{type: string, description: {'long text ' * 20}}}" for i in range(9)
    )
    text = MINIMAL.replace("3.0.3", "3.1.0") + "components:\n  schemas:\n    Excel:\n"
    text += f"      examples: {{first: {{value: {{{value}}}}}}}\n      type: object\n"
    spec = write(tmp_path, text)
    code, out = run("validate", str(spec))
    assert code == 1
    line = next(line for line in out.splitlines() if "Excel/examples" in line)
    message = line.split("#/components/schemas/Excel/examples: ")[1]
    assert message == "{'first': {'value': {...}}} is not of type 'array'"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("", "file is empty"),
        ("openapi: [unclosed", "invalid YAML"),
        ("- just\n- a list\n", "top level is list"),
        (
            'swagger: "2.0"\ninfo: {title: t, version: "1"}\npaths: {}\n',
            "Swagger 2.0 is not supported",
        ),
        (MINIMAL.replace("3.0.3", "4.0.0"), "'4.0.0' is not supported"),
        ('openapi: "3.0.3"\npaths: {}\n', "'info' is a required property"),
    ],
)
def test_bad_input_exits_1_with_a_located_message(tmp_path: Path, text: str, expected: str) -> None:
    spec = write(tmp_path, text)
    code, out = run("validate", str(spec))
    assert code == 1, out
    assert expected in out and str(spec) in out


def test_a_failed_generation_leaves_the_output_untouched(tmp_path: Path) -> None:
    out_dir = tmp_path / "out"
    assert run("generate", str(CHAT_SPEC), "-o", str(out_dir), "-p", "chat")[0] == 0
    before = {p: p.read_bytes() for p in (out_dir / "chat").iterdir()}
    bad = write(
        tmp_path, CHAT_SPEC.read_text().replace("type: object", "type: objekt", 1), "bad.yaml"
    )
    code, out = run("generate", str(bad), "-o", str(out_dir), "-p", "chat")
    assert code == 1 and "objekt" in out
    assert {p: p.read_bytes() for p in (out_dir / "chat").iterdir()} == before
    assert sorted(p.name for p in out_dir.iterdir()) == ["chat"]


def test_files_specbind_did_not_write_survive_regeneration(tmp_path: Path) -> None:
    out_dir = tmp_path / "out"
    run("generate", str(CHAT_SPEC), "-o", str(out_dir), "-p", "chat")
    (out_dir / "chat" / "NOTES.md").write_text("mine")
    assert run("generate", str(CHAT_SPEC), "-o", str(out_dir), "-p", "chat")[0] == 0
    assert (out_dir / "chat" / "NOTES.md").read_text() == "mine"


def test_a_folder_not_written_by_specbind_is_not_overwritten(tmp_path: Path) -> None:
    (tmp_path / "chat").mkdir()
    (tmp_path / "chat" / "client.py").write_text("# hand-written\n")
    code, out = run("generate", str(CHAT_SPEC), "-o", str(tmp_path), "-p", "chat")
    assert code == 1 and "was not written by specbind" in out
    assert (tmp_path / "chat" / "client.py").read_text() == "# hand-written\n"


def test_usage_errors_exit_2() -> None:
    assert run("generate", str(CHAT_SPEC))[0] == 2
    assert run("frobnicate")[0] == 2
    assert run("generate", str(CHAT_SPEC), "-o", "x", "-p", "not-an-identifier")[0] == 1


def test_generate_without_arguments_uses_pyproject(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "spec").mkdir()
    shutil.copy(CHAT_SPEC, tmp_path / "spec" / "chat-api.yaml")
    (tmp_path / "pyproject.toml").write_text(
        '[tool.specbind]\n[[tool.specbind.bindings]]\nspec = "spec/chat-api.yaml"\npackage = "tyntec_chat"\noutput = "generated"\n'
    )
    monkeypatch.chdir(tmp_path)
    code, out = run("generate")
    assert code == 0, out
    assert (tmp_path / "generated" / "tyntec_chat" / "client.py").exists()
    assert run("check")[0] == 0


def test_unknown_config_keys_are_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.specbind]\n[[tool.specbind.bindings]]\nspec = "a.yaml"\npackage = "a"\nouptut = "x"\n'
    )
    monkeypatch.chdir(tmp_path)
    code, out = run("generate")
    assert code == 1 and "unknown key 'ouptut'" in out


def test_problems_in_one_file_are_located_with_one_parse_of_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A multi-MB spec takes seconds to parse for positions; a run may locate hundreds of warnings."""
    import yaml
    from specbind.spec import validate as validate_module
    from specbind.spec.load import locate

    spec = load(CHAT_SPEC)
    pointers = ["#/components/schemas/MessageRequest", "#/components/schemas/SMSRequest", "#/paths"]
    expected = [locate(CHAT_SPEC, pointer) for pointer in pointers]
    assert None not in expected and len(set(expected)) == 3
    parsed = []
    real = yaml.compose
    monkeypatch.setattr(yaml, "compose", lambda *a, **k: parsed.append(1) or real(*a, **k))
    validate_module._KNOWN_POSITIONS.clear()
    problems = validate_module.located(spec, [(p, "note") for p in pointers], "warning")
    assert [(p.line, p.column) for p in problems] == expected
    assert len(parsed) == 1
    validate_module.located(spec, [(pointers[0], "again")], "warning")
    assert len(parsed) == 1  # positions already found are kept

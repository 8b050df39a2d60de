"""`[tool.specbind]`: several bindings, their options, and clear errors for what is wrong."""

from __future__ import annotations

from pathlib import Path

import pytest
from specbind.codegen.options import Options
from specbind.spec.problems import SpecError
from specbind.vendoring.config import load_bindings


def _load(tmp_path: Path, text: str) -> list:  # type: ignore[type-arg]
    (tmp_path / "pyproject.toml").write_text(text)
    return load_bindings(tmp_path / "pyproject.toml")


def _errors(tmp_path: Path, text: str) -> list[str]:
    with pytest.raises(SpecError) as err:
        _load(tmp_path, text)
    return [str(p) for p in err.value.problems]


def test_several_bindings_with_their_options(tmp_path: Path) -> None:
    bindings = _load(
        tmp_path,
        "[tool.specbind]\n"
        '[[tool.specbind.bindings]]\nspec = "spec/chat.yaml"\npackage = "chat"\n'
        '[[tool.specbind.bindings]]\nspec = "spec/pets.yaml"\npackage = "pets"\noutput = "src/vendor"\n'
        'lenient = true\nidempotent = ["createPet"]\nwebhooks = { petAdded = "Pet" }\n',
    )
    assert [(b.spec, b.package, b.output) for b in bindings] == [
        (tmp_path / "spec/chat.yaml", "chat", tmp_path / "generated"),
        (tmp_path / "spec/pets.yaml", "pets", tmp_path / "src/vendor"),
    ]
    assert bindings[0].options == Options()
    assert bindings[1].options == Options(
        lenient=True, idempotent=["createPet"], webhooks={"petAdded": "Pet"}
    )


def test_unknown_keys_are_named_with_a_suggestion(tmp_path: Path) -> None:
    errors = _errors(
        tmp_path,
        '[tool.specbind]\nbindngs = []\n[[tool.specbind.bindings]]\nspec = "a.yaml"\npackage = "a"\noutptu = "x"\n',
    )
    toml = tmp_path / "pyproject.toml"
    assert errors == [
        f"{toml}: error at tool.specbind.bindngs: unknown key 'bindngs' (expected 'bindings')",
        f"{toml}: error at tool.specbind.bindings[0].outptu: unknown key 'outptu' (did you mean 'output'?); "
        "known keys: allow_ref_dirs, formatter, idempotent, lenient, output, package, ref_map, spec,"
        " webhooks",
    ]


def test_wrong_types_and_names(tmp_path: Path) -> None:
    errors = _errors(
        tmp_path,
        "[tool.specbind]\n"
        '[[tool.specbind.bindings]]\nspec = "a.yaml"\npackage = "my-api"\n'
        '[[tool.specbind.bindings]]\npackage = "b"\noutput = 3\n'
        '[[tool.specbind.bindings]]\nspec = "c.yaml"\npackage = "c"\nlenient = "yes"\nidempotent = "op"\n'
        "webhooks = [1]\n",
    )
    toml = tmp_path / "pyproject.toml"
    assert errors == [
        f"{toml}: error at tool.specbind.bindings[0].package: package name must be a Python identifier, "
        "such as 'my_api', not 'my-api'",
        f"{toml}: error at tool.specbind.bindings[1].spec: 'spec' is required and must be a string",
        f"{toml}: error at tool.specbind.bindings[1].output: 'output' must be a string (a folder)",
        f"{toml}: error at tool.specbind.bindings[2].lenient: 'lenient' must be true or false",
        f"{toml}: error at tool.specbind.bindings[2].idempotent: 'idempotent' must be a list of operationIds",
        f"{toml}: error at tool.specbind.bindings[2].webhooks: 'webhooks' must map event names to schema names",
    ]


def test_two_bindings_cannot_write_the_same_package(tmp_path: Path) -> None:
    errors = _errors(
        tmp_path,
        "[tool.specbind]\n"
        '[[tool.specbind.bindings]]\nspec = "a.yaml"\npackage = "api"\n'
        '[[tool.specbind.bindings]]\nspec = "b.yaml"\npackage = "api"\noutput = "./generated"\n',
    )
    assert errors == [
        f"{tmp_path / 'pyproject.toml'}: error at tool.specbind.bindings[1]: "
        f"writes {tmp_path / 'generated' / 'api'}, as bindings[0] does"
    ]


def test_missing_table_and_empty_bindings(tmp_path: Path) -> None:
    assert _errors(tmp_path, "[tool.other]\n") == [
        f"{tmp_path / 'pyproject.toml'}: error at tool.specbind: has no [tool.specbind] table"
    ]
    assert _errors(tmp_path, "[tool.specbind]\nbindings = []\n") == [
        f"{tmp_path / 'pyproject.toml'}: error at tool.specbind.bindings: needs at least one "
        "[[tool.specbind.bindings]] entry"
    ]

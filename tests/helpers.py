"""Shared test helpers: generate a spec into a folder and import the result."""

from __future__ import annotations

import importlib
import re
import sys
from pathlib import Path
from types import ModuleType

from specbind.codegen.generate import Options, generate
from specbind.codegen.schema_model import is_component_pointer
from specbind.codegen.text import comment_text
from specbind.spec.examples import as_instants  # noqa: F401  (tests import it from here)
from specbind.vendoring.record import with_record
from specbind.vendoring.write import write_package

ROOT = Path(__file__).resolve().parent.parent
CHAT_SPEC = ROOT / "spec" / "chat-api.yaml"


def chat_options() -> Options:
    """The options `[tool.specbind]` in pyproject.toml gives the chat-api binding (webhooks, ...)."""
    from specbind.vendoring.config import load_bindings

    (binding,) = [b for b in load_bindings(ROOT / "pyproject.toml") if b.package == "tyntec_chat"]
    return binding.options


def package_files(spec: Path, package: str, options: Options | None = None) -> dict[str, str]:
    """What `specbind generate` writes for `spec`: the generated files and their record."""
    return with_record(generate(spec, package, options), options or Options())


def generate_and_import(
    spec: Path, package: str, folder: Path, options: Options | None = None
) -> ModuleType:
    """Generate `spec` as `folder/package`, import it and return the package module."""
    write_package(folder, package, package_files(spec, package, options))
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))
    for name in [m for m in sys.modules if m == package or m.startswith(package + ".")]:
        del sys.modules[name]
    module = importlib.import_module(package)
    importlib.import_module(package + ".models")
    return module


_SPEC_CLASS = re.compile(r"^# spec: (.+)\n(?:@[^\n]*\n)*class (\w+)", re.MULTILINE)
_SPEC_ALIAS = re.compile(r"^# spec: (.+)\n(\w+): TypeAlias", re.MULTILINE)


def model_classes(code: str) -> dict[str, str]:
    """Component schema pointer -> class name, read from a generated models module's `# spec:`
    lines (the tests read what a package says of itself; specbind uses schema_model.Schemas)."""
    return {
        comment_text(m[1]): m[2]
        for m in _SPEC_CLASS.finditer(code)
        if is_component_pointer(comment_text(m[1]))
    }


def model_aliases(code: str) -> dict[str, str]:
    """Component schema pointer -> type alias name (`decode_NAME` when the module has a decoder)."""
    return {
        comment_text(pointer): f"decode_{name}" if f"\ndef decode_{name}(" in code else name
        for pointer, name in _SPEC_ALIAS.findall(code)
        if is_component_pointer(comment_text(pointer))
    }


def mutated_specs(
    count: int, seed: int, bases: list[Path] | None = None
) -> list[dict[str, object]]:
    """Valid specs (`bases`: chat-api and the HTTP feature spec unless given) with one to three
    values replaced by values of the wrong kind, or removed."""
    import copy
    import random

    from specbind.spec.load import load

    rng = random.Random(seed)
    documents_of = [
        load(path).document
        for path in bases or [CHAT_SPEC, ROOT / "tests" / "specs" / "features" / "http.yaml"]
    ]
    wrong: list[object] = [
        None,
        1,
        "x",
        [],
        {},
        True,
        {"$ref": "#/nope"},
        {"type": "wat"},
        [1, {}],
        3.5,
    ]

    def places(node: object, at: tuple[object, ...]) -> list[tuple[object, ...]]:
        found = [at] if at else []
        children = (
            node.items()
            if isinstance(node, dict)
            else enumerate(node) if isinstance(node, list) else []
        )
        for key, child in children:
            found += places(child, at + (key,))
        return found

    documents = []
    for _ in range(count):
        document = copy.deepcopy(rng.choice(documents_of))
        for _ in range(rng.randint(1, 3)):
            at = rng.choice(places(document, ()))
            parent: object = document
            for key in at[:-1]:
                parent = parent[key]  # type: ignore[index]
            if isinstance(parent, dict) and rng.random() < 0.3:
                parent.pop(at[-1], None)
            elif isinstance(parent, (dict, list)):
                parent[at[-1]] = copy.deepcopy(rng.choice(wrong))  # type: ignore[index]
        documents.append(document)
    return documents

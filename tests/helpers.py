"""Shared test helpers: generate a spec into a folder and import the result."""

from __future__ import annotations

import importlib
import sys
from datetime import datetime
from pathlib import Path
from types import ModuleType
from typing import Any

from specbind.codegen.generate import Options, generate
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


def as_instants(value: Any) -> Any:
    """JSON values with every RFC 3339 date-time string replaced by the instant it names."""
    if isinstance(value, dict):
        return {k: as_instants(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_instants(v) for v in value]
    if isinstance(value, str) and "T" in value and value[:4].isdigit():
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            return value
    return value

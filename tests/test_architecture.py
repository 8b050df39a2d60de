"""The package's layout is its design: imports between the subpackages point one way, and every
subpackage says what it is for."""

from __future__ import annotations

import ast
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.helpers import ROOT

PACKAGE = ROOT / "generator" / "specbind"

# subpackage -> the subpackages its modules may import from
ALLOWED = {
    "spec": {"spec"},
    "codegen": {"spec", "codegen"},
    "vendoring": {"spec", "codegen", "vendoring"},
    "mock": {"spec", "mock"},
}


def _imported_parts(path: Path) -> set[str]:
    """The specbind subpackages (or top-level modules) that a module imports, anywhere in it,
    relative imports (`from ..codegen import x`) included."""
    found = set()
    package = ["specbind", *path.relative_to(PACKAGE).parent.parts]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = []
        if isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join(base + ([node.module] if node.module else []))
            names = [module + "." + alias.name for alias in node.names]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        for name in names:
            parts = name.split(".")
            if parts[0] == "specbind" and len(parts) > 1:
                found.add(parts[1])
    return found


@pytest.mark.parametrize("subpackage", sorted(ALLOWED))
def test_imports_point_one_way(subpackage: str) -> None:
    wrong = {
        path.relative_to(PACKAGE).as_posix(): sorted(_imported_parts(path) - ALLOWED[subpackage])
        for path in sorted((PACKAGE / subpackage).rglob("*.py"))
    }
    assert {name: parts for name, parts in wrong.items() if parts} == {}


def test_the_package_holds_only_the_four_parts_and_the_command() -> None:
    folders = {p.name for p in PACKAGE.iterdir() if p.is_dir() and p.name != "__pycache__"}
    assert folders == set(ALLOWED)
    modules = {p.name for p in PACKAGE.glob("*.py")}
    assert modules == {"__init__.py", "__main__.py", "cli.py", "entry.py"}


@pytest.mark.parametrize("subpackage", sorted(ALLOWED))
def test_every_subpackage_says_what_it_is_for(subpackage: str) -> None:
    docstring = ast.get_docstring(ast.parse((PACKAGE / subpackage / "__init__.py").read_text()))
    assert docstring and len(docstring) > 80


def test_the_wheel_installs_only_specbind(tmp_path: Path) -> None:
    """`pip install specbind` puts one top-level name into site-packages; the templates ride inside."""
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("specbind-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    top = {name.split("/")[0] for name in names if not name.split("/")[0].endswith(".dist-info")}
    assert top == {"specbind"}
    assert "specbind/_templates/package/client.py.jinja2" in names
    assert "specbind/mock/pytest_plugin.py" in names


def test_the_pytest_plugin_leaves_a_project_with_its_own_generator_package_alone(
    tmp_path: Path,
) -> None:
    """The plugin loads in every pytest run of every project that installs specbind."""
    (tmp_path / "generator").mkdir()
    (tmp_path / "generator" / "__init__.py").write_text("VALUE = 1\n")
    (tmp_path / "test_own.py").write_text(
        "from generator import VALUE\n\ndef test_own():\n    assert VALUE == 1\n"
    )
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_own.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "1 passed" in run.stdout

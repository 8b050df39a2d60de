"""specbind holds its own code to what it asks of its output: black, isort and `mypy --strict`."""

from __future__ import annotations

import subprocess
import sys

from tests.helpers import ROOT

OWN_CODE = ["generator", "tests", "benchmarks"]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True)


def test_black_leaves_our_code_as_it_is() -> None:
    run = _run("black", "--check", "--quiet", *OWN_CODE)
    assert run.returncode == 0, "black would reformat:\n" + run.stderr


def test_isort_leaves_our_imports_as_they_are() -> None:
    run = _run("isort", "--check-only", "--quiet", *OWN_CODE)
    assert run.returncode == 0, "isort would change:\n" + run.stdout + run.stderr


def test_mypy_strict_passes_over_specbind() -> None:
    run = _run("mypy", "--strict", "--no-error-summary", "generator/specbind")
    assert run.returncode == 0, run.stdout + run.stderr

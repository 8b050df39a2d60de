"""Golden records: the committed output of every feature spec, so that a template or generator
change shows up in review as a diff of generated code (like `generated/tyntec_chat` for chat-api).

Refresh after an intended change: `SPECBIND_UPDATE_GOLDEN=1 .venv/bin/pytest tests/test_golden.py`.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from specbind.codegen.endpoints import PROBLEM_FILE, RUNTIME_FILES
from specbind.codegen.generate import generate
from specbind.codegen.options import Options
from specbind.codegen.style import project_style
from specbind.vendoring.record import RECORD_NAME

from tests.helpers import ROOT
from tests.test_features import FEATURES, OPTIONS

GOLDEN = ROOT / "tests" / "golden"


def _fresh(package: str) -> dict[str, str]:
    """The package as `specbind generate` makes it here (this repository's black settings), without
    the record, which hashes the generator's own code and so changes with every edit to it, and
    without the runtime modules, copies of `codegen/runtime/` (tests/test_runtime_files.py): those
    always copied, and `_problem.py` where it is the runtime's `ProblemDetails` (a spec whose error
    responses have no schema)."""
    base = OPTIONS.get(package, Options())
    options = Options(**{**vars(base), "style": project_style(GOLDEN)})
    files = generate(FEATURES[package], package, options).files
    return {
        name: text
        for name, text in files.items()
        if name != RECORD_NAME
        and name not in RUNTIME_FILES
        and not (name == PROBLEM_FILE and "\nclass ProblemDetails" in text)
    }


@pytest.mark.parametrize("package", sorted(FEATURES))
def test_feature_spec_output_equals_its_golden_record(package: str) -> None:
    files = _fresh(package)
    folder = GOLDEN / package
    if os.environ.get("SPECBIND_UPDATE_GOLDEN"):
        for old in folder.glob("*") if folder.is_dir() else ():
            old.unlink()
        folder.mkdir(parents=True, exist_ok=True)
        for name, text in files.items():
            (folder / name).write_text(text, encoding="utf-8")
    committed = {p.name: p.read_text(encoding="utf-8") for p in sorted(folder.glob("*"))}
    assert committed.keys() == files.keys(), "refresh with SPECBIND_UPDATE_GOLDEN=1"
    for name in files:
        assert committed[name] == files[name], f"{package}/{name} differs from its golden record"


def test_every_feature_spec_has_a_golden_record() -> None:
    assert {p.name for p in GOLDEN.iterdir() if p.is_dir()} == set(FEATURES)

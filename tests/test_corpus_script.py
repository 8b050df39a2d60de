"""benchmarks/corpus.py, which the team points at a folder of real specs: one row per spec, a
failure class for the ones that fail, and multi-file specs found by their root file."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from tests.helpers import ROOT

SPECS = ROOT / "tests" / "specs"


def test_the_corpus_script_checks_each_spec_and_classes_failures(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(SPECS / "features" / "vendors.yaml", corpus / "vendors.yaml")
    shutil.copy(SPECS / "lenient_schemas.yaml", corpus / "malformed.yaml")
    shutil.copytree(SPECS / "multifile", corpus / "multi")
    rows_file = tmp_path / "rows.json"
    done = subprocess.run(
        [sys.executable, ROOT / "benchmarks" / "corpus.py", corpus, "--no-mypy"]
        + ["--json", rows_file],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    rows = {row["spec"]: row for row in json.loads(rows_file.read_text())}
    assert set(rows) == {"vendors.yaml", "malformed.yaml", "multi"}
    vendors = rows["vendors.yaml"]
    assert (vendors["result"], vendors["methods"], vendors["operations"]) == ("ok", 4, 4)
    assert vendors["examples_ok"] == vendors["examples"] == 4
    assert (
        rows["multi"]["result"] == "ok" and rows["multi"]["methods"] == rows["multi"]["operations"]
    )
    malformed = rows["malformed.yaml"]
    assert malformed["result"] == "FAIL" and malformed["stage"] == "generate"
    assert malformed["failure"].startswith("spec error: ")
    assert "2 of 3 specs pass" in done.stdout

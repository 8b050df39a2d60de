"""The CI integrations work as shipped: the README's GitHub Actions recipe and the pre-commit hook."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from tests.helpers import ROOT

EVOLUTION = ROOT / "tests" / "specs" / "evolution"
BIN = Path(sys.executable).parent
PYPROJECT = '[tool.specbind]\n[[tool.specbind.bindings]]\nspec = "spec/pets.yaml"\npackage = "pets"\noutput = "generated"\n'


def _run(cmd: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}", **env}
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, env=full_env)


def _git(repo: Path, *args: str) -> None:
    result = _run(["git", "-c", "user.email=t@example.com", "-c", "user.name=t", *args], repo)
    assert result.returncode == 0, result.stderr


def _project(folder: Path, spec: Path = EVOLUTION / "base.yaml") -> Path:
    """A git repository using specbind: pyproject.toml, spec/pets.yaml, generated/pets, all committed."""
    (folder / "spec").mkdir(parents=True)
    shutil.copy(spec, folder / "spec" / "pets.yaml")
    (folder / "pyproject.toml").write_text(PYPROJECT)
    _git(folder, "init", "-q", "-b", "main")
    assert _run(["specbind", "generate"], folder).returncode == 0
    _git(folder, "add", "-A")
    _git(folder, "commit", "-qm", "bindings v1")
    return folder


def _readme_workflow() -> dict:  # type: ignore[type-arg]
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index("### GitHub Actions") :]
    block = re.search(r"```yaml\n(.*?)```", section, re.DOTALL)
    assert block is not None
    workflow = yaml.safe_load(block.group(1))
    assert isinstance(workflow, dict)
    return workflow


def _pr_steps(workflow: dict, base_ref: str) -> list[tuple[str, str]]:  # type: ignore[type-arg]
    """(name, shell command) of each `run:` step as it runs on a pull request into base_ref."""
    steps = []
    for step in workflow["jobs"]["specbind"]["steps"]:
        if "run" in step:
            command = step["run"].replace("${{ github.base_ref }}", base_ref)
            assert "${{" not in command, command
            steps.append((step["name"], command))
    return steps


def test_github_actions_recipe_runs_in_a_clone(tmp_path: Path) -> None:
    origin = _project(tmp_path / "origin")
    _git(origin, "checkout", "-q", "-b", "feature")
    shutil.copy(EVOLUTION / "change-type.yaml", origin / "spec" / "pets.yaml")
    assert _run(["specbind", "generate"], origin).returncode == 0
    _git(origin, "commit", "-qam", "Pet.id becomes a string")
    clone = tmp_path / "clone"
    _git(tmp_path, "clone", "-q", "--branch", "feature", str(origin), str(clone))

    steps = _pr_steps(_readme_workflow(), "main")
    names = [name for name, _ in steps]
    assert names[0] == "Install specbind" and steps[0][1] == "python -m pip install specbind"
    # specbind is not on a package index from here; this interpreter already has it installed.
    summary = tmp_path / "summary.md"
    results = {
        name: _run(["bash", "-e", "-c", cmd], clone, GITHUB_STEP_SUMMARY=str(summary))
        for name, cmd in steps[1:]
    }

    check = results["Committed bindings match their specs"]
    assert check.returncode == 0, check.stderr
    assert check.stdout == "generated/pets: up to date\n"
    report = results["What this pull request does to the Python API"]
    assert report.returncode == 0, report.stderr
    assert "| field type changed | `models.Pet.id` | int -> str | **yes** |" in summary.read_text()
    assert "**Semver verdict: major**" in summary.read_text()
    gate = results["No breaking change without a major version"]
    assert gate.returncode == 1 and "BREAKING field type changed: models.Pet.id" in gate.stdout


def test_github_actions_check_step_fails_on_a_forgotten_regeneration(tmp_path: Path) -> None:
    repo = _project(tmp_path / "repo")
    shutil.copy(EVOLUTION / "add-operation.yaml", repo / "spec" / "pets.yaml")
    _git(repo, "commit", "-qam", "spec changed, bindings not regenerated")
    check = dict(_pr_steps(_readme_workflow(), "main"))["Committed bindings match their specs"]
    result = _run(["bash", "-e", "-c", check], repo)
    assert result.returncode == 1
    assert "generated/pets: out of date\n  - the spec changed: pets.yaml\n" in result.stderr
    assert "+    def delete_pet(" in result.stdout


def _hook_repo(folder: Path) -> Path:
    """specbind's working tree (tracked and new files) committed in a repository of its own."""
    listed = _run(["git", "ls-files", "-co", "--exclude-standard", "-z"], ROOT).stdout.split("\0")
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file():
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, folder / name)
    _git(folder, "init", "-q")
    _git(folder, "add", "-A")
    _git(folder, "commit", "-qm", "specbind")
    return folder


def test_pre_commit_hook_via_try_repo(tmp_path: Path) -> None:
    hook_repo = _hook_repo(tmp_path / "specbind")
    project = _project(tmp_path / "project")
    home = {"PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home")}
    try_repo = [
        str(BIN / "pre-commit"),
        "try-repo",
        str(hook_repo),
        "specbind-check",
        "--all-files",
    ]

    clean = _run(try_repo, project, **home)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert re.search(r"specbind check .*Passed", clean.stdout)

    models = project / "generated" / "pets" / "models.py"
    text = models.read_text()
    models.write_text(text.replace("class Pet(JsonCodec):", "class Pet(JsonCodec):  # quick fix"))
    assert models.read_text() != text
    dirty = _run(try_repo, project, **home)
    assert dirty.returncode == 1
    assert re.search(r"specbind check .*Failed", dirty.stdout)
    assert "edited by hand since generation: models.py" in dirty.stdout
    assert "-class Pet(JsonCodec):  # quick fix" in dirty.stdout

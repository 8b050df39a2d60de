"""Generated code is formatted like the project it lands in: `black --check`, `isort --check` (or ruff's
checks) pass there on the vendored package, whatever that project's settings, and a change of
formatter or settings is reported as such by `specbind check`."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from specbind.cli import main
from specbind.codegen import format as fmt
from specbind.codegen.style import Style, project_style
from specbind.spec.problems import SpecError
from specbind.vendoring.check import check_binding
from specbind.vendoring.config import load_bindings
from specbind.vendoring.record import read_record

from tests.helpers import CHAT_SPEC, ROOT

BINDING = """
[tool.specbind]
[[tool.specbind.bindings]]
spec = "chat-api.yaml"
package = "chat"
output = "vendor"
"""
BLACK_SETTINGS = """
[project]
name = "team"
requires-python = ">=3.11"

[tool.black]
line-length = 79
skip-string-normalization = true
skip-magic-trailing-comma = true

[tool.isort]
profile = "black"
line_length = 79
"""
RUFF_SETTINGS = """
[tool.ruff]
line-length = 110

[tool.ruff.format]
quote-style = "single"

[tool.ruff.lint.isort]
force-single-line = true
"""


def _tool(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *args], cwd=cwd, capture_output=True, text=True, timeout=300
    )


def _project(tmp_path: Path, pyproject: str | None) -> Path:
    shutil.copy(CHAT_SPEC, tmp_path / "chat-api.yaml")
    if pyproject is not None:
        (tmp_path / "pyproject.toml").write_text(pyproject, encoding="utf-8")
    return tmp_path


def _generate(project: Path, monkeypatch: pytest.MonkeyPatch, *args: str) -> None:
    monkeypatch.chdir(project)
    result = CliRunner().invoke(main, ["generate", *args])
    assert result.exit_code == 0, result.output


def test_black_and_isort_pass_in_a_project_with_its_own_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = _project(tmp_path, BINDING + BLACK_SETTINGS)
    _generate(project, monkeypatch)
    black = _tool("black", "--check", ".", cwd=project)
    assert black.returncode == 0, black.stderr
    isort = _tool("isort", "--check", ".", cwd=project)
    assert isort.returncode == 0, isort.stdout + isort.stderr
    record = read_record(project / "vendor" / "chat")
    assert record is not None
    assert record["formatter"]["name"] == "black"
    assert record["formatter"]["settings"]["black"] == {
        "line-length": 79,
        "target-version": [],
        "requires-python": ">=3.11",
        "skip-string-normalization": True,
        "skip-magic-trailing-comma": True,
        "preview": False,
        "unstable": False,
        "enable-unstable-feature": [],
    }


def test_black_and_isort_pass_in_a_project_without_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = _project(tmp_path, None)
    _generate(project, monkeypatch, "chat-api.yaml", "-o", "vendor", "-p", "chat")
    black = _tool("black", "--check", ".", cwd=project)
    assert black.returncode == 0, black.stderr
    isort = _tool("isort", "--check", "--profile", "black", ".", cwd=project)
    assert isort.returncode == 0, isort.stdout + isort.stderr


@pytest.mark.parametrize("settings", [RUFF_SETTINGS, None], ids=["ruff-settings", "no-settings"])
def test_ruff_format_and_import_sorting_pass_in_the_project(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, settings: str | None
) -> None:
    project = _project(tmp_path, settings)
    _generate(
        project, monkeypatch, "chat-api.yaml", "-o", "vendor", "-p", "chat", "--formatter", "ruff"
    )
    isolated = [] if settings else ["--isolated"]
    formatted = _tool("ruff", "format", "--check", "--no-cache", *isolated, ".", cwd=project)
    assert formatted.returncode == 0, formatted.stdout + formatted.stderr
    imports = _tool("ruff", "check", "--select", "I", "--no-cache", *isolated, ".", cwd=project)
    assert imports.returncode == 0, imports.stdout + imports.stderr
    client = (project / "vendor" / "chat" / "client.py").read_text(encoding="utf-8")
    if settings:  # the project's settings, not ruff's defaults
        assert "from ._http import NOT_GIVEN\n" in client and "'" in client
    record = read_record(project / "vendor" / "chat")
    assert record is not None and record["formatter"]["name"] == "ruff"
    assert ("ruff" in record["tools"]) and ("black" not in record["tools"])


def test_check_names_a_change_of_settings_and_of_formatter(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = _project(tmp_path, BINDING + BLACK_SETTINGS)
    shutil.copy(ROOT / "tests" / "specs" / "evolution" / "base.yaml", project / "chat-api.yaml")
    _generate(project, monkeypatch)  # a small spec: this is about the record
    (binding,) = load_bindings(project / "pyproject.toml")
    assert check_binding(binding).fast
    pyproject = project / "pyproject.toml"
    pyproject.write_text(BINDING + BLACK_SETTINGS.replace("line-length = 79", "line-length = 88"))
    (binding,) = load_bindings(pyproject)
    drift = check_binding(binding)
    assert not drift.fast
    assert drift.reasons == [
        "the black settings of the project changed: black.line-length 79 -> 88"
    ]
    pyproject.write_text(BINDING + 'formatter = "ruff"\n' + BLACK_SETTINGS)
    (binding,) = load_bindings(pyproject)
    drift = check_binding(binding)
    assert drift.reasons == ["the formatter changed: black -> ruff"]
    result = CliRunner().invoke(main, ["check"])
    assert result.exit_code == 1 and "the formatter changed: black -> ruff" in result.output


def test_settings_are_found_where_black_isort_and_ruff_look(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.black]\nline-length = 120\n")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "pyproject.toml").write_text('[project]\nname = "sub"\n')  # no [tool.black]
    (tmp_path / "sub" / "ruff.toml").write_text(
        'extend = "../base.toml"\n[format]\nquote-style = "single"\n'
    )
    (tmp_path / "base.toml").write_text("line-length = 99\n")
    assert project_style(tmp_path / "sub" / "out").line_length == 120
    ruff = project_style(tmp_path / "sub" / "out", "ruff")
    assert (ruff.line_length, ruff.settings["format"]) == (99, {"quote-style": "single"})
    (tmp_path / "sub" / ".git").mkdir()  # a repository's root: black looks no higher
    assert project_style(tmp_path / "sub" / "out").line_length == 88


def test_bad_settings_and_formatter_names_are_located_errors(tmp_path: Path) -> None:
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text(BINDING + 'formatter = "yapf"\n')
    with pytest.raises(SpecError) as err:
        load_bindings(pyproject)
    assert [str(p) for p in err.value.problems] == [
        f"{pyproject}: error at tool.specbind.bindings[0].formatter: "
        "'formatter' must be 'black' or 'ruff', not 'yapf'"
    ]
    pyproject.write_text(
        BINDING + '[tool.black]\nline-length = "long"\ntarget-version = ["3.11"]\n'
    )
    with pytest.raises(SpecError) as err:
        load_bindings(pyproject)
    assert [str(p) for p in err.value.problems] == [
        f"{pyproject}: error at tool.black.line-length: must be a positive integer, not 'long'",
        f"{pyproject}: error at tool.black.target-version: "
        "must name Python versions such as 'py311', not ['3.11']",
    ]


def test_the_format_cache_keeps_styles_apart(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SPECBIND_CACHE", str(tmp_path))
    code = "def f(argument_one, argument_two, argument_three, argument_four, argument_five_x, arg_six): return 1\n"
    assert 88 < len(code.split(": return")[0]) + 1 <= 100
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "pyproject.toml").write_text("[tool.black]\nline-length = 100\n")
    wide, narrow = project_style(tmp_path / "a"), Style()
    assert fmt.format_code(code, wide).count("\n") == 2
    assert fmt.format_code(code, narrow).count("\n") > 2  # not the cached 100-column chunk
    assert fmt.format_code(code, wide).count("\n") == 2


def test_this_repository_checks_its_own_bindings_with_its_own_settings() -> None:
    """generated/ is not excluded from black here: formatted at this repository's 100 columns."""
    black = _tool("black", "--check", "generated", cwd=ROOT)
    assert black.returncode == 0, black.stderr
    assert "unchanged" in black.stderr  # black looked at the files
    isort = _tool("isort", "--check", "generated", cwd=ROOT)
    assert isort.returncode == 0, isort.stdout + isort.stderr

"""The formatting of the project the generated code lands in: which formatter, with which settings.

Generated code is formatted the way the project that receives it formats its own code, so that its
`black --check .` (or `ruff format --check`) and `isort --check` pass on the vendored package. The
settings are read with tomllib alone (the fast `specbind check` reads them too), found where the
formatters themselves look, starting at the output folder:

- black: `[tool.black]` of the nearest `pyproject.toml` that has one, not above a repository's root
  (`.git`, `.hg`): black's own rule for its project root. Without `target-version` there, black's
  inference from that file's `project.requires-python` applies; without any, black's defaults.
- isort (always its black profile, so it agrees with black): `[tool.isort]` of the nearest
  `pyproject.toml` that has one, found the same way; without one, the black profile at black's line
  length.
- ruff: the nearest `.ruff.toml`, `ruff.toml` or `pyproject.toml` with `[tool.ruff]`, with the files
  its `extend` names; without one, ruff's defaults (run `--isolated`, so no user-level file counts).

A user-level configuration (`~/.config/black`, ruff's user file) never applies: the bytes must be
the same on every machine. Bad values are errors located in the file that holds them.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from specbind.spec.problems import Problem, SpecError

FORMATTERS = ("black", "ruff")
BLACK_LINE_LENGTH = 88  # black's default, and ruff's
# [tool.black] keys that decide the bytes black writes, with their defaults.
BLACK_KEYS: dict[str, Any] = {
    "line-length": BLACK_LINE_LENGTH,
    "target-version": [],
    "skip-string-normalization": False,
    "skip-magic-trailing-comma": False,
    "preview": False,
    "unstable": False,
    "enable-unstable-feature": [],
}
# ruff settings that decide what `ruff format` and its import sorting write (top level of ruff.toml
# or [tool.ruff]); lint rules other than isort's do not.
RUFF_KEYS = ("line-length", "indent-width", "target-version", "preview", "src", "format", "isort")
_TARGET = re.compile(r"py3\d{1,2}")


@dataclass(frozen=True)
class Style:
    """A formatter and the project settings it formats with (black's defaults when made bare)."""

    formatter: str = "black"
    line_length: int = BLACK_LINE_LENGTH
    settings: dict[str, Any] = field(
        default_factory=lambda: _default_black()
    )  # what the record shows
    ruff_config: str | None = None  # the file ruff reads its settings from; None: defaults

    def as_record(self) -> dict[str, Any]:
        """Formatter name and effective settings: part of the generation's provenance."""
        return {"name": self.formatter, "settings": self.settings}


def project_style(output: Path, formatter: str = "black") -> Style:
    """The style of the project that the folder `output` belongs to (it need not exist yet)."""
    if formatter not in FORMATTERS:
        raise ValueError(f"unknown formatter {formatter!r}")
    start = output.absolute()
    if formatter == "ruff":
        return _ruff_style(start)
    black_file = _black_pyproject(start)
    data = _load(black_file) if black_file is not None else {}
    black_table = data.get("tool", {}).get("black", {})
    black = black_settings(black_table, data.get("project", {}).get("requires-python"), black_file)
    isort_file, isort_table = _nearest_table(start, "isort")
    isort = _isort_settings(isort_table, isort_file, black["line-length"])
    return Style("black", black["line-length"], {"black": black, "isort": isort})


def black_settings(table: Any, requires_python: Any, source: Path | None = None) -> dict[str, Any]:
    """The effective `[tool.black]` settings (every key that decides the bytes, defaults filled in)."""
    where = source or Path("pyproject.toml")
    if not isinstance(table, dict):
        raise SpecError([Problem(where, "must be a table", "tool.black")])
    problems = []
    settings = {}
    for key, default in BLACK_KEYS.items():
        value = table.get(key, table.get(key.replace("-", "_"), default))
        wrong = ""
        if isinstance(default, bool) and not isinstance(value, bool):
            wrong = "must be true or false"
        elif key == "line-length" and not (type(value) is int and value > 0):
            wrong = "must be a positive integer"
        elif isinstance(default, list) and not (
            isinstance(value, list) and all(isinstance(v, str) for v in value)
        ):
            wrong = "must be a list of strings"
        elif key == "target-version" and not all(_TARGET.fullmatch(v) for v in value):
            wrong = "must name Python versions such as 'py311'"
        if wrong:
            problems.append(Problem(where, f"{wrong}, not {value!r}", f"tool.black.{key}"))
        settings[key] = sorted(value) if isinstance(value, list) else value
    if problems:
        raise SpecError(problems)
    if not settings["target-version"] and isinstance(requires_python, str):
        settings["requires-python"] = requires_python  # black infers its targets from this
    return settings


def _isort_settings(table: dict[str, Any], source: Path | None, line_length: int) -> dict[str, Any]:
    """isort's settings: its black profile, the project's `[tool.isort]` over it; the line length
    is black's when the project does not configure isort."""
    settings: dict[str, Any] = {"line_length": line_length if source is None else BLACK_LINE_LENGTH}
    settings |= {key.replace("-", "_"): value for key, value in table.items() if key != "profile"}
    length = settings["line_length"]
    if not (type(length) is int and length > 0):
        raise SpecError(
            [
                Problem(
                    source or Path("pyproject.toml"),
                    f"must be a positive integer, not {length!r}",
                    "tool.isort.line_length",
                )
            ]
        )
    return {"profile": "black", **dict(sorted(settings.items()))}


def _ruff_style(start: Path) -> Style:
    config = _nearest_ruff_config(start)
    settings: dict[str, Any] = {}
    requires = None
    if config is not None:
        settings = _ruff_table(config, set())
        if config.name == "pyproject.toml" and "target-version" not in settings:
            requires = _load(config).get("project", {}).get("requires-python")
    if isinstance(requires, str):
        settings["requires-python"] = requires  # ruff infers its target version from this
    length = settings.get("line-length", BLACK_LINE_LENGTH)
    if not (type(length) is int and length > 0):
        raise SpecError(
            [
                Problem(
                    config or Path("ruff.toml"),
                    f"must be a positive integer, not {length!r}",
                    "line-length",
                )
            ]
        )
    return Style("ruff", length, dict(sorted(settings.items())), str(config) if config else None)


def _ruff_table(config: Path, seen: set[Path]) -> dict[str, Any]:
    """The format-deciding settings of a ruff configuration file, with those of the files its
    `extend` names underneath (as ruff merges them: the extending file's settings win)."""
    data = _load(config)
    table = data.get("tool", {}).get("ruff", {}) if config.name == "pyproject.toml" else data
    base: dict[str, Any] = {}
    extend = table.get("extend")
    if isinstance(extend, str) and config not in seen:
        parent = (config.parent / Path(extend).expanduser()).resolve()
        if parent.is_file():
            base = _ruff_table(parent, seen | {config})
    own: dict[str, Any] = {key: table[key] for key in RUFF_KEYS if key in table}
    lint = table.get("lint")
    if isinstance(lint, dict) and "isort" in lint:
        own["isort"] = lint["isort"]  # lint.isort and the older top-level isort are the same table
    for key, value in own.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            base[key] = base[key] | value
        else:
            base[key] = value
    return base


def _nearest_ruff_config(start: Path) -> Path | None:
    for folder in (start, *start.parents):
        for name in (".ruff.toml", "ruff.toml"):
            if (folder / name).is_file():
                return folder / name
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file() and "ruff" in _load(pyproject).get("tool", {}):
            return pyproject
    return None


def _default_black() -> dict[str, Any]:
    return {
        "black": black_settings({}, None),
        "isort": _isort_settings({}, None, BLACK_LINE_LENGTH),
    }


def _black_pyproject(start: Path) -> Path | None:
    """The pyproject.toml black reads for files in `start`: in the nearest folder that is a
    repository's root or holds a pyproject.toml with `[tool.black]` (black's project root)."""
    for folder in (start, *start.parents):
        pyproject = folder / "pyproject.toml"
        root = (folder / ".git").exists() or (folder / ".hg").is_dir()
        if pyproject.is_file() and (root or "black" in _load(pyproject).get("tool", {})):
            return pyproject
        if root:
            return None
    return None


def _nearest_table(start: Path, tool: str) -> tuple[Path | None, dict[str, Any]]:
    """The nearest pyproject.toml with a `[tool.TOOL]` table and that table, not looking above a
    repository's root."""
    for folder in (start, *start.parents):
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file():
            table = _load(pyproject).get("tool", {}).get(tool)
            if isinstance(table, dict):
                return pyproject, table
        if (folder / ".git").exists() or (folder / ".hg").is_dir():
            break
    return None, {}


def _load(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise SpecError([Problem(path, f"cannot read: {exc}")]) from None

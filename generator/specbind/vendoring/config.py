"""`[tool.specbind]` in pyproject.toml: which specs become which packages, with which options."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from specbind.codegen.names import package_name_problem
from specbind.codegen.options import Options
from specbind.codegen.style import FORMATTERS, project_style
from specbind.spec.problems import Problem, SpecError

BINDING_KEYS = {
    "spec",
    "package",
    "output",
    "lenient",
    "idempotent",
    "webhooks",
    "ref_map",
    "allow_ref_dirs",
    "formatter",
}


@dataclass
class Binding:
    spec: Path
    package: str
    output: Path
    options: Options = field(default_factory=Options)


def find_pyproject(start: Path | None = None) -> Path | None:
    here = (start or Path.cwd()).absolute()
    for folder in (here, *here.parents):
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            return candidate
    return None


def load_bindings(pyproject: Path | None = None) -> list[Binding]:
    """Every binding configured in `[tool.specbind]`; paths are relative to pyproject.toml's folder."""
    pyproject = pyproject or find_pyproject()
    if pyproject is None:
        raise SpecError([Problem(Path("pyproject.toml"), "not found here or in any parent folder")])
    try:
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise SpecError([Problem(pyproject, f"cannot read: {exc}")]) from None
    table = data.get("tool", {}).get("specbind")
    if not isinstance(table, dict):
        raise SpecError([Problem(pyproject, "has no [tool.specbind] table", "tool.specbind")])
    unknown = sorted(set(table) - {"bindings"})
    problems = [
        Problem(pyproject, f"unknown key {k!r} (expected 'bindings')", f"tool.specbind.{k}")
        for k in unknown
    ]
    raw = table.get("bindings", [])
    if not isinstance(raw, list) or not raw:
        problems.append(
            Problem(
                pyproject,
                "needs at least one [[tool.specbind.bindings]] entry",
                "tool.specbind.bindings",
            )
        )
        raise SpecError(problems)
    root = pyproject.parent
    bindings: list[tuple[int, Binding]] = []
    for i, entry in enumerate(raw):
        where = f"tool.specbind.bindings[{i}]"
        found_before = len(problems)
        if not isinstance(entry, dict):
            problems.append(Problem(pyproject, "must be a table", where))
            continue
        for key in sorted(set(entry) - BINDING_KEYS):
            problems.append(Problem(pyproject, _unknown(key), f"{where}.{key}"))
        for key in ("spec", "package"):
            if not isinstance(entry.get(key), str):
                problems.append(
                    Problem(
                        pyproject, f"{key!r} is required and must be a string", f"{where}.{key}"
                    )
                )
        if not isinstance(entry.get("output", "generated"), str):
            problems.append(
                Problem(pyproject, "'output' must be a string (a folder)", f"{where}.output")
            )
        package = entry.get("package")
        if isinstance(package, str) and package_name_problem(package):
            problems.append(
                Problem(pyproject, str(package_name_problem(package)), f"{where}.package")
            )
        options = _options(entry, pyproject, where, problems)
        _ref_options(entry, pyproject, where, problems, options)
        if len(problems) > found_before:
            continue
        output = _relative(root, entry.get("output", "generated"))
        try:  # the settings of the project the output folder belongs to
            options.style = project_style(output, entry.get("formatter", "black"))
        except SpecError as exc:
            problems.extend(exc.problems)
            continue
        bindings.append(
            (
                i,
                Binding(
                    spec=_relative(root, entry["spec"]),
                    package=entry["package"],
                    output=output,
                    options=options,
                ),
            )
        )
    seen: dict[Path, int] = {}
    for i, binding in bindings:
        folder = (binding.output / binding.package).absolute()
        if folder in seen:
            problems.append(
                Problem(
                    pyproject,
                    f"writes {binding.output / binding.package}, as bindings[{seen[folder]}] does",
                    f"tool.specbind.bindings[{i}]",
                )
            )
        seen.setdefault(folder, i)
    if problems:
        raise SpecError(problems)
    return [binding for _, binding in bindings]


def _unknown(key: str) -> str:
    from difflib import get_close_matches

    close = get_close_matches(key, sorted(BINDING_KEYS), n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return f"unknown key {key!r}{hint}; known keys: {', '.join(sorted(BINDING_KEYS))}"


def _relative(root: Path, value: str) -> Path:
    path = root / value
    try:
        return path.relative_to(Path.cwd())
    except ValueError:
        return path


def _options(
    entry: dict[str, Any], pyproject: Path, where: str, problems: list[Problem]
) -> Options:
    lenient = entry.get("lenient", False)
    idempotent = entry.get("idempotent", [])
    webhooks = entry.get("webhooks", {})
    if not isinstance(lenient, bool):
        problems.append(Problem(pyproject, "'lenient' must be true or false", f"{where}.lenient"))
        lenient = False
    if not (isinstance(idempotent, list) and all(isinstance(x, str) for x in idempotent)):
        problems.append(
            Problem(pyproject, "'idempotent' must be a list of operationIds", f"{where}.idempotent")
        )
        idempotent = []
    if not (isinstance(webhooks, dict) and all(isinstance(v, str) for v in webhooks.values())):
        problems.append(
            Problem(
                pyproject, "'webhooks' must map event names to schema names", f"{where}.webhooks"
            )
        )
        webhooks = {}
    formatter = entry.get("formatter", "black")
    if formatter not in FORMATTERS:
        choices = " or ".join(repr(name) for name in FORMATTERS)
        problems.append(
            Problem(
                pyproject, f"'formatter' must be {choices}, not {formatter!r}", f"{where}.formatter"
            )
        )
    return Options(lenient=bool(lenient), idempotent=list(idempotent), webhooks=dict(webhooks))


def _ref_options(
    entry: dict[str, Any], pyproject: Path, where: str, problems: list[Problem], options: Options
) -> None:
    """`ref_map` (URL prefix -> local folder) and `allow_ref_dirs`, folders relative to pyproject.toml."""
    root = pyproject.parent
    ref_map = entry.get("ref_map", {})
    if not (
        isinstance(ref_map, dict)
        and all(isinstance(k, str) and k and isinstance(v, str) for k, v in ref_map.items())
    ):
        problems.append(
            Problem(
                pyproject,
                "'ref_map' must map URL prefixes to folders, such as "
                '{ "https://example.com/specs/" = "vendor/specs/" }',
                f"{where}.ref_map",
            )
        )
    else:
        options.ref_map = {prefix: _relative(root, folder) for prefix, folder in ref_map.items()}
    allowed = entry.get("allow_ref_dirs", [])
    if not (isinstance(allowed, list) and all(isinstance(x, str) for x in allowed)):
        problems.append(
            Problem(
                pyproject, "'allow_ref_dirs' must be a list of folders", f"{where}.allow_ref_dirs"
            )
        )
    else:
        options.allow_ref_dirs = [_relative(root, folder) for folder in allowed]

"""Drift check: does the committed package equal what generation produces now, and if not, why.

Two paths. The fast path reads only the record: when the spec files, tool versions, generator
sources, templates and options it names are unchanged and every generated file still has the
hash it was written with, a fresh generation would give the same bytes, so the package is
clean without running the pipeline. Anything else takes the slow path: generate in memory,
compare file by file, and explain the difference from the two records.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from specbind.codegen.style import Style
from specbind.vendoring.record import (
    FORMATTERS,
    RECORD_FORMAT,
    RECORD_NAME,
    fingerprint,
    pipeline_modules,
    read_record,
    recorded_files,
    sha256,
    source_hashes,
    template_hashes,
    tool_versions,
    with_record,
)

if TYPE_CHECKING:
    from specbind.vendoring.config import Binding


@dataclass
class Drift:
    """Differences between a package on disk and a fresh generation."""

    package_dir: Path
    reasons: list[str] = field(default_factory=list)
    diff: str = ""
    fast: bool = False  # decided from the record alone

    @property
    def clean(self) -> bool:
        return not self.reasons


def check_binding(binding: Binding) -> Drift:
    """Drift of one configured binding: fast path when the record proves it clean, else generate."""
    package_dir = binding.output / binding.package
    options = binding.options
    if record_is_current(
        binding.spec, package_dir, options.as_record(binding.spec), options.style.as_record()
    ):
        return Drift(package_dir, fast=True)
    from specbind.codegen.generate import generate

    result = generate(binding.spec, binding.package, binding.options)
    return compare(package_dir, with_record(result, binding.options, binding.spec))


def record_is_current(
    spec: Path, package_dir: Path, options: dict[str, Any], formatter: dict[str, Any] | None = None
) -> bool:
    """True when the record proves a fresh generation would write exactly what is on disk.
    `formatter`: the formatter and settings a generation would use now (`Style.as_record`; black's
    defaults when None)."""
    formatter = formatter or Style().as_record()
    record = read_record(package_dir)
    if record is None or record.get("format") != RECORD_FORMAT:
        return False
    if record.get("fingerprint") != fingerprint(record):
        return False
    spec_files = record.get("spec", {}).get("files", {})
    generator = record.get("generator", {})
    if spec.name not in spec_files or not isinstance(generator, dict) or not generator:
        return False
    if record.get("options") != options or record.get("formatter") != formatter:
        return False
    if record.get("tools") != tool_versions(formatter["name"]):
        return False
    if (
        record.get("templates") != template_hashes()
        or source_hashes(pipeline_modules()) != generator
    ):
        return False
    if not _hashes_match(spec.parent, spec_files):
        return False
    files = recorded_files(record)
    return bool(files) and _hashes_match(package_dir, files) and not shadowed(package_dir, files)


def shadowed(package_dir: Path, generated: Iterable[str]) -> list[str]:
    """Files in the package that Python would import instead of a generated module: a package
    folder `client/` (with an `__init__`) or an extension module `client*.so` next to `client.py`.
    """
    from importlib.machinery import EXTENSION_SUFFIXES, all_suffixes

    found = []
    for name in sorted(generated):
        if not name.endswith(".py"):
            continue
        stem = package_dir / name[: -len(".py")]
        if stem.is_dir():
            found += [
                f"{name[:-3]}/__init__{suffix} shadows the generated {name}"
                for suffix in all_suffixes()
                if (stem / f"__init__{suffix}").exists()
            ][:1]
        found += [
            f"{stem.name}{suffix} shadows the generated {name}"
            for suffix in EXTENSION_SUFFIXES
            if stem.with_name(stem.name + suffix).exists()
        ]
    return found


def _hashes_match(folder: Path, expected: dict[str, str]) -> bool:
    for name, digest in expected.items():
        try:
            if sha256((folder / name).read_bytes()) != digest:
                return False
        except OSError:
            return False
    return True


def compare(package_dir: Path, files: dict[str, str]) -> Drift:
    """Compare the files of a fresh generation with the package on disk."""
    drift = Drift(package_dir)
    if not package_dir.is_dir():
        drift.reasons.append(f"{package_dir} does not exist; run `specbind generate`")
        return drift
    old_record = read_record(package_dir)
    new_record = _parse_record(files.get(RECORD_NAME))
    old_files = recorded_files(old_record or {})
    changed_code = []
    chunks = []
    for name in sorted((set(files) | set(old_files)) - {RECORD_NAME}):
        path = package_dir / name
        current = _read(path)
        wanted = files.get(name)
        if current == wanted or (current is None and wanted is None):
            continue
        changed_code.append(name)
        chunks.append(
            unified_diff(
                (current or "").splitlines(keepends=True),
                (wanted or "").splitlines(keepends=True),
                f"{path} (committed)" if current is not None else "/dev/null",
                f"{path} (generated now)" if wanted is not None else "/dev/null",
            )
        )
    drift.diff = "".join(chunks)
    shadows = [
        f"{shadow}: Python imports it instead (remove or rename it)"
        for shadow in shadowed(package_dir, files)
    ]
    record_current = _read(package_dir / RECORD_NAME) == files.get(RECORD_NAME)
    if not changed_code and record_current:
        drift.reasons += shadows
        return drift
    if old_record is None:
        drift.reasons.append(
            f"{package_dir} has no readable {RECORD_NAME}: it was not generated by specbind, "
            "or the record was removed"
        )
    else:
        if old_record.get("fingerprint") != fingerprint(old_record):
            drift.reasons.append(
                f"{RECORD_NAME} was edited by hand or merged: its fingerprint does not match its content"
            )
        drift.reasons.extend(input_reasons(old_record, new_record))
        drift.reasons.extend(edit_reasons(package_dir, old_files))
    if not changed_code:
        drift.reasons.append(
            f"the generated code is identical; only {RECORD_NAME} is out of date "
            "(run `specbind generate` to refresh it)"
        )
    elif not drift.reasons:
        drift.reasons.append(
            "generated files differ although the record's inputs match "
            "(a different Python version, or a non-deterministic generator?): "
            + ", ".join(changed_code)
        )
    drift.reasons += shadows
    return drift


_HUNK = re.compile(r"^@@ -(\d+)(,\d+)? \+(\d+)(,\d+)? @@", re.MULTILINE)


def unified_diff(
    old: list[str], new: list[str], fromfile: str, tofile: str, context: int = 3
) -> str:
    """difflib's unified diff of two lists of lines, computed on what lies between their common
    first and last lines (with the context around it): difflib's matcher is quadratic in places,
    and took 33 s on a 412,000-line `models.py` with two lines added (GitHub's spec)."""
    import difflib

    same = min(len(old), len(new))
    head = 0
    while head < same and old[head] == new[head]:
        head += 1
    tail = 0
    while tail < same - head and old[-1 - tail] == new[-1 - tail]:
        tail += 1
    start = max(0, head - context)
    keep = max(0, tail - context)
    diff = "".join(
        difflib.unified_diff(
            old[start : len(old) - keep],
            new[start : len(new) - keep],
            fromfile=fromfile,
            tofile=tofile,
            n=context,
        )
    )

    def shifted(match: re.Match[str]) -> str:
        a, a_len, b, b_len = match.groups()
        return f"@@ -{int(a) + start}{a_len or ''} +{int(b) + start}{b_len or ''} @@"

    return _HUNK.sub(shifted, diff) if start else diff


def input_reasons(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """What changed between the inputs recorded at generation and the inputs now."""
    reasons = []
    old_spec, new_spec = old.get("spec", {}).get("files", {}), new.get("spec", {}).get("files", {})
    changed = _changed_keys(old_spec, new_spec)
    if changed:
        reasons.append("the spec changed: " + ", ".join(changed))
    reasons.extend(formatter_reasons(old.get("formatter"), new.get("formatter")))
    switched = _name(old.get("formatter")) != _name(new.get("formatter"))
    old_tools, new_tools = old.get("tools", {}), new.get("tools", {})
    for tool in _changed_keys(old_tools, new_tools):
        if tool in FORMATTERS and switched:
            continue  # another formatter, with other tools: said above
        kind = "the formatter" if tool in FORMATTERS else "the generator"
        reasons.append(
            f"{kind} version changed: {tool} {old_tools.get(tool)} -> {new_tools.get(tool)}"
        )
    sources = _changed_keys(old.get("generator", {}), new.get("generator", {}))
    if sources:
        reasons.append("the generator's code changed: " + ", ".join(sources))
    templates = _changed_keys(old.get("templates", {}), new.get("templates", {}))
    if templates:
        reasons.append("templates changed: " + ", ".join(templates))
    old_opts, new_opts = old.get("options", {}), new.get("options", {})
    for option in _changed_keys(old_opts, new_opts):
        reasons.append(
            f"the options changed: {option} {old_opts.get(option)!r} -> {new_opts.get(option)!r}"
        )
    return reasons


def formatter_reasons(old: Any, new: Any) -> list[str]:
    """A change of formatter, or of the project's settings it formats with (naming each setting)."""
    if old == new:
        return []
    if _name(old) != _name(new):
        return [f"the formatter changed: {_name(old)} -> {_name(new)}"]
    old_settings = _flat(old.get("settings", {}))
    new_settings = _flat(new.get("settings", {}))
    changed = [
        f"{key} {old_settings.get(key, '(unset)')!r} -> {new_settings.get(key, '(unset)')!r}"
        for key in _changed_keys(old_settings, new_settings)
    ]
    return [f"the {_name(new)} settings of the project changed: " + ", ".join(changed)]


def _name(formatter: Any) -> str:
    """A recorded formatter's name ("(not recorded)" in a record older than formatter choice)."""
    return str(formatter.get("name")) if isinstance(formatter, dict) else "(not recorded)"


def _flat(settings: Any, prefix: str = "") -> dict[str, Any]:
    """Nested settings as `table.key` -> value."""
    if not isinstance(settings, dict):
        return {prefix.rstrip("."): settings} if prefix else {}
    out: dict[str, Any] = {}
    for key, value in settings.items():
        if isinstance(value, dict):
            out |= _flat(value, f"{prefix}{key}.")
        else:
            out[f"{prefix}{key}"] = value
    return out


def edit_reasons(package_dir: Path, recorded: dict[str, str]) -> list[str]:
    """Generated files whose bytes no longer match the hash they were written with."""
    edited = []
    for name, digest in sorted(recorded.items()):
        try:
            actual = sha256((package_dir / name).read_bytes())
        except OSError:
            edited.append(f"{name} (deleted)")
            continue
        if actual != digest:
            edited.append(name)
    return ["edited by hand since generation: " + ", ".join(edited)] if edited else []


def _changed_keys(old: Any, new: Any) -> list[str]:
    old = old if isinstance(old, dict) else {}
    new = new if isinstance(new, dict) else {}
    return sorted(k for k in set(old) | set(new) if old.get(k) != new.get(k))


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def _parse_record(text: str | None) -> dict[str, Any]:
    import json

    return json.loads(text) if text else {}

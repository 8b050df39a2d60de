"""What regenerating from a new spec changes in the Python API, classed for code that uses it.

Compares two `api_surface.Surface` values. A change is breaking when code written against the
old bindings can stop working (a type checker or the interpreter rejects it): removed or
renamed methods, models, fields, parameters and enum members; newly required parameters and
fields; changed types. Additions are not breaking. The verdict is the semver bump the change
set calls for: major for any breaking change, minor for additions, patch otherwise.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass
from pathlib import Path

from specbind.spec.problems import Problem, SpecError
from specbind.vendoring.api_surface import Field, Method, Model, Param, Surface

MAJOR, MINOR, PATCH = "major", "minor", "patch"


@dataclass(frozen=True)
class Change:
    kind: str  # e.g. "method removed", "field newly required"
    target: str  # e.g. "Client.get_pet", "models.Pet.tag"
    detail: str
    breaking: bool

    @property
    def level(self) -> str:
        return (
            MAJOR
            if self.breaking
            else MINOR if "added" in self.kind or "optional" in self.kind else PATCH
        )


@dataclass
class Report:
    old: str
    new: str
    changes: list[Change]

    @property
    def breaking(self) -> list[Change]:
        return [c for c in self.changes if c.breaking]

    @property
    def verdict(self) -> str:
        levels = {c.level for c in self.changes}
        return MAJOR if MAJOR in levels else MINOR if MINOR in levels else PATCH


def compare_surfaces(
    old: Surface, new: Surface, old_name: str = "old", new_name: str = "new"
) -> Report:
    """Every change to the generated API between two surfaces, methods first, then models."""
    changes: list[Change] = []
    renamed_models = _model_renames(old.models, new.models)
    changes += _method_changes(old.methods, new.methods, renamed_models)
    changes += _model_changes(old.models, new.models, renamed_models)
    return Report(old_name, new_name, changes)


def _method_changes(
    old: dict[str, Method], new: dict[str, Method], renames: dict[str, str]
) -> list[Change]:
    changes = []
    added = sorted(n for n in new if n not in old)
    renamed_to: set[str] = set()
    for name in sorted(n for n in old if n not in new):
        method = old[name]
        # same HTTP method and path under a new operationId: a rename
        twin = next((n for n in added if new[n].http == method.http and n not in renamed_to), None)
        if twin is None:
            changes.append(Change("method removed", f"Client.{name}", method.http, True))
            continue
        renamed_to.add(twin)
        detail = f"now Client.{twin}; {method.http}, operationId {method.operation_id} -> {new[twin].operation_id}"
        changes.append(Change("method renamed", f"Client.{name}", detail, True))
        changes += _method_diff(method, new[twin], renames)
    for name in added:
        if name not in renamed_to:
            changes.append(Change("method added", f"Client.{name}", new[name].http, False))
    for name in sorted(set(old) & set(new)):
        changes += _method_diff(old[name], new[name], renames)
    return changes


def _method_diff(old: Method, new: Method, renames: dict[str, str]) -> list[Change]:
    where = f"Client.{new.name}"
    changes = []
    for name, param in sorted(new.params.items()):
        if name not in old.params:
            changes.append(
                Change(
                    "parameter added" if not param.required else "required parameter added",
                    f"{where}({name})",
                    f"{param.location} parameter: {param.type_hint}",
                    param.required,
                )
            )
    for name, param in sorted(old.params.items()):
        if name not in new.params:
            changes.append(
                Change("parameter removed", f"{where}({name})", f"{param.location} parameter", True)
            )
            continue
        changes += _param_diff(where, param, new.params[name], renames)
    if _renamed(old.returns, renames) != new.returns:
        changes.append(
            Change("return type changed", where, f"{old.returns} -> {new.returns}", True)
        )
    return changes


def _param_diff(where: str, old: Param, new: Param, renames: dict[str, str]) -> list[Change]:
    target = f"{where}({new.name})"
    changes = []
    if not old.required and new.required:
        changes.append(
            Change("parameter newly required", target, f"{new.location} parameter", True)
        )
    elif old.required and not new.required:
        changes.append(Change("parameter now optional", target, f"{new.location} parameter", False))
    if _renamed(old.type_hint, renames) != new.type_hint:
        changes.append(
            Change("parameter type changed", target, f"{old.type_hint} -> {new.type_hint}", True)
        )
    return changes


def _model_renames(old: dict[str, Model], new: dict[str, Model]) -> dict[str, str]:
    """Old class name -> new one, for classes that vanished while an equivalent one appeared.

    Same spec pointer first (dcg renumbered an inline class), then same shape (a schema renamed).
    """
    gone = [m for n, m in old.items() if n not in new]
    came = [m for n, m in new.items() if n not in old]
    renames: dict[str, str] = {}
    for model in gone:
        twin = next((m for m in came if m.pointer and m.pointer == model.pointer), None)
        if twin is None:
            twin = next((m for m in came if _shape(m) == _shape(model)), None)
        if twin is not None:
            renames[model.name] = twin.name
            came.remove(twin)
    return renames


def _shape(model: Model) -> tuple[object, ...]:
    return (model.kind, tuple(sorted(model.fields.items())), tuple(sorted(model.members.items())))


def _model_changes(
    old: dict[str, Model], new: dict[str, Model], renames: dict[str, str]
) -> list[Change]:
    changes = []
    for name, model in sorted(old.items()):
        if name in new:
            changes += _model_diff(model, new[name], renames)
        elif name in renames:
            changes.append(
                Change(
                    f"{_noun(model)} renamed", f"models.{name}", f"now models.{renames[name]}", True
                )
            )
            changes += _model_diff(model, new[renames[name]], renames)
        else:
            changes.append(Change(f"{_noun(model)} removed", f"models.{name}", model.pointer, True))
    renamed_to = set(renames.values())
    for name, model in sorted(new.items()):
        if name not in old and name not in renamed_to:
            changes.append(Change(f"{_noun(model)} added", f"models.{name}", model.pointer, False))
    return changes


def _noun(model: Model) -> str:
    return "enum" if model.kind == "enum" else "model"


def _model_diff(old: Model, new: Model, renames: dict[str, str]) -> list[Change]:
    where = f"models.{new.name}"
    changes = []
    if old.kind != new.kind:
        return [Change("model kind changed", where, f"{old.kind} -> {new.kind}", True)]
    for member in sorted(set(new.members) - set(old.members)):
        changes.append(Change("enum member added", f"{where}.{member}", new.members[member], False))
    for member in sorted(set(old.members) - set(new.members)):
        changes.append(
            Change("enum member removed", f"{where}.{member}", old.members[member], True)
        )
    for name, fld in sorted(new.fields.items()):
        if name not in old.fields:
            kind = "required field added" if fld.required else "field added"
            changes.append(Change(kind, f"{where}.{name}", fld.type_hint, fld.required))
    for name, fld in sorted(old.fields.items()):
        if name not in new.fields:
            changes.append(Change("field removed", f"{where}.{name}", fld.type_hint, True))
        else:
            changes += _field_diff(f"{where}.{name}", fld, new.fields[name], renames)
    return changes


def _field_diff(target: str, old: Field, new: Field, renames: dict[str, str]) -> list[Change]:
    changes = []
    old_hint, new_hint = _renamed(old.type_hint, renames), new.type_hint
    if old.required != new.required:
        if new.required:
            changes.append(
                Change("field newly required", target, "constructors must now pass it", True)
            )
        else:
            changes.append(
                Change("field now optional", target, "readers must now handle None", True)
            )
        old_hint, new_hint = _without_none(old_hint), _without_none(new_hint)
    if old_hint != new_hint:
        changes.append(
            Change("field type changed", target, f"{old.type_hint} -> {new.type_hint}", True)
        )
    return changes


def _renamed(hint: str, renames: dict[str, str]) -> str:
    """A type hint with renamed classes replaced, so a rename is reported once, not per use."""
    if not renames:
        return hint
    return re.sub(r"\b\w+\b", lambda m: renames.get(m.group(0), m.group(0)), hint)


def _without_none(hint: str) -> str:
    parts = [p.strip() for p in hint.split("|")]
    return " | ".join(p for p in parts if p != "None")


# --- rendering ---------------------------------------------------------------------------------


def export_revision(rev: str, spec: Path, into: Path) -> Path:
    """Export the git tree at `rev` into `into` (every file, so multi-file specs resolve);
    returns where `spec` is in that export."""
    import io
    import subprocess
    import tarfile

    spec = spec.absolute()
    folder = spec.parent if spec.parent.is_dir() else Path.cwd()

    def git(*args: str, cwd: Path = folder) -> bytes:
        run = subprocess.run(["git", *args], cwd=cwd, capture_output=True)
        if run.returncode != 0:
            message = run.stderr.decode(errors="replace").strip().splitlines()
            raise SpecError(
                [
                    Problem(
                        spec,
                        f"git {args[0]} {rev}: {message[-1] if message else 'unknown revision'}",
                    )
                ]
            )
        return run.stdout

    top = Path(git("rev-parse", "--show-toplevel").decode().strip()).resolve()
    commit = git("rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}").decode().strip()
    # at the top: run in a subfolder, git archive exports only that subfolder
    with tarfile.open(
        fileobj=io.BytesIO(git("archive", "--format=tar", commit, cwd=top)), mode="r:"
    ) as tar:
        tar.extractall(into, filter="data")
    try:
        relative = spec.resolve().relative_to(top)
    except ValueError:
        raise SpecError([Problem(spec, f"is not inside the git repository at {top}")]) from None
    exported = into / relative
    if not exported.is_file():
        raise SpecError([Problem(spec, f"does not exist at revision {rev}")])
    return exported


def render(reports: list[Report], fmt: str = "text") -> str:
    """The reports as `text`, `markdown` or `json`; the last line (or key) is the semver verdict."""
    verdict = overall_verdict(reports)
    if fmt == "json":
        data = {
            "reports": [
                {
                    "old": r.old,
                    "new": r.new,
                    "changes": [{**asdict(c), "level": c.level} for c in r.changes],
                    "verdict": r.verdict,
                }
                for r in reports
            ],
            "breaking": sum(len(r.breaking) for r in reports),
            "verdict": verdict,
        }
        return json.dumps(data, indent=2) + "\n"
    lines = []
    for report in reports:
        if fmt == "markdown":
            lines += [f"### `{report.old}` → `{report.new}`", ""]
            if report.changes:
                lines += ["| change | where | detail | breaking |", "| --- | --- | --- | --- |"]
                lines += [
                    f"| {c.kind} | `{c.target}` | {_md(c.detail)} | {'**yes**' if c.breaking else 'no'} |"
                    for c in report.changes
                ]
            else:
                lines.append("No change to the generated Python API.")
            lines.append("")
        else:
            lines.append(f"{report.old} -> {report.new}")
            for c in report.changes:
                flag = "BREAKING" if c.breaking else "ok      "
                lines.append(
                    f"  {flag} {c.kind}: {c.target}" + (f" ({c.detail})" if c.detail else "")
                )
            if not report.changes:
                lines.append("  no change to the generated Python API")
    summary = _summary(reports)
    lines.append(
        f"**Semver verdict: {verdict}** ({summary})"
        if fmt == "markdown"
        else f"semver: {verdict} ({summary})"
    )
    return "\n".join(lines) + "\n"


def overall_verdict(reports: list[Report]) -> str:
    verdicts = {r.verdict for r in reports}
    return MAJOR if MAJOR in verdicts else MINOR if MINOR in verdicts else PATCH


def _summary(reports: list[Report]) -> str:
    total = sum(len(r.changes) for r in reports)
    breaking = sum(len(r.breaking) for r in reports)
    return f"{total} change{'s' if total != 1 else ''}, {breaking} breaking"


def _md(text: str) -> str:
    return text.replace("|", "\\|")

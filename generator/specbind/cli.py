"""The `specbind` command: a thin layer over the pipeline functions."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

import click
from specbind.spec.problems import SpecError

if TYPE_CHECKING:
    from specbind.spec.load import RefAccess

EXIT_OK, EXIT_BAD_INPUT, EXIT_USAGE, EXIT_BUG = 0, 1, 2, 3

# The spec and stage of the run in progress: all that a bug's one-line report can name.
_WHERE: dict[str, str] = {}


class _Guarded(click.Group):
    """The command group: an exception nobody expected is a bug in specbind, reported in one line
    naming the spec and the stage (exit 3); the traceback only with --debug or SPECBIND_DEBUG=1."""

    def invoke(self, ctx: click.Context) -> Any:
        _WHERE.clear()
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except Exception as exc:
            if ctx.params.get("debug") or os.environ.get("SPECBIND_DEBUG", "") not in ("", "0"):
                raise
            command = ctx.invoked_subcommand or "specbind"
            what = " ".join(f"{type(exc).__name__}: {exc}".split())
            click.echo(
                f"specbind {command}: internal error at the {_WHERE.get('stage', command)} stage"
                f" of {_WHERE.get('spec', 'the configured bindings')} ({what[:200]}). This is a bug"
                " in specbind: please report it with the spec; --debug or SPECBIND_DEBUG=1 shows"
                " the traceback.",
                err=True,
            )
            sys.exit(EXIT_BUG)


def _fail(exc: SpecError) -> None:
    for problem in exc.problems:
        click.echo(str(problem), err=True)
    sys.exit(EXIT_BAD_INPUT)


def _targets(
    spec: str | None,
    output: str | None,
    package: str | None,
    ref_map: tuple[str, ...] = (),
    allow_ref_dirs: tuple[str, ...] = (),
    formatter: str | None = None,
) -> list:  # type: ignore[type-arg]
    """The bindings to work on: every configured one, or SPEC -o OUTDIR -p PACKAGE; `formatter`
    (from --formatter) replaces the configured one (black by default)."""
    from specbind.codegen.style import project_style
    from specbind.vendoring.config import Binding, load_bindings

    if spec is None:
        if output or package:
            raise click.UsageError("-o and -p need a SPEC")
        bindings = load_bindings()
    elif not output or not package:
        raise click.UsageError("with a SPEC, give -o OUTDIR and -p PACKAGE")
    else:
        bindings = [Binding(Path(spec), package, Path(output))]
        formatter = formatter or "black"
    for binding in bindings:  # given on the command line: relative to the current folder
        binding.options.ref_map.update(_ref_map(ref_map))
        binding.options.allow_ref_dirs.extend(Path(folder) for folder in allow_ref_dirs)
        if formatter is not None:
            binding.options.style = project_style(binding.output, formatter)
    return bindings


def _ref_map(pairs: tuple[str, ...]) -> dict[str, Path]:
    mapping = {}
    for pair in pairs:
        prefix, equals, folder = pair.rpartition("=")
        if not equals or not prefix or not folder:
            raise click.UsageError(f"--ref-map takes PREFIX=DIR, not {pair!r}")
        mapping[prefix] = Path(folder)
    return mapping


def _ref_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """--ref-map and --allow-ref-dir, for the commands that read a spec."""
    command = click.option(
        "--allow-ref-dir",
        "allow_ref_dirs",
        multiple=True,
        metavar="DIR",
        help="A folder outside the spec's own whose files $refs may read (repeatable).",
    )(command)
    return click.option(
        "--ref-map",
        "ref_map",
        multiple=True,
        metavar="PREFIX=DIR",
        help="Read remote $refs under the URL PREFIX from the local folder DIR (repeatable).",
    )(command)


FORMATTER = click.option(
    "--formatter",
    type=click.Choice(["black", "ruff"]),
    help="Format with black (and isort) or ruff, with the settings of the output's project "
    "[default: the configured one, else black].",
)


def _progress() -> Callable[[str], None]:
    """Notes each pipeline stage for a bug report; on a terminal, also one line per stage with the
    time the previous one took (stderr)."""
    if not sys.stderr.isatty():
        return lambda stage: _WHERE.update(stage=stage or "write")
    started: list[Any] = [time.perf_counter(), ""]

    def report(stage: str) -> None:
        _WHERE.update(stage=stage or "write")
        now = time.perf_counter()
        if started[1]:
            click.echo(f"  {started[1]}: {now - started[0]:.1f}s", err=True)
        if stage:
            click.echo(f"specbind: {stage}…", err=True)
        started[:] = [now, stage]

    return report


@click.group(cls=_Guarded)
@click.version_option(package_name="specbind")
@click.option(
    "--debug", is_flag=True, help="Show the traceback of an internal error (or SPECBIND_DEBUG=1)."
)
def main(debug: bool) -> None:
    """Typed Python bindings from OpenAPI 3 specs, kept in sync with them."""


@main.command()
@click.argument("spec", required=False)
@click.option("-o", "--output", help="Folder that receives the package.")
@click.option("-p", "--package", help="Python package name.")
@click.option(
    "--lenient",
    is_flag=True,
    help="Generate despite validation errors that do not block generation.",
)
@_ref_options
@FORMATTER
def generate(
    spec: str | None,
    output: str | None,
    package: str | None,
    lenient: bool,
    ref_map: tuple[str, ...],
    allow_ref_dirs: tuple[str, ...],
    formatter: str | None,
) -> None:
    """Generate OUTDIR/PACKAGE from SPEC, or every binding in [tool.specbind]."""
    from specbind.codegen.generate import generate as run
    from specbind.vendoring.record import with_record
    from specbind.vendoring.write import write_package

    try:
        for binding in _targets(spec, output, package, ref_map, allow_ref_dirs, formatter):
            if lenient:
                binding.options.lenient = True
            _WHERE.update(spec=str(binding.spec), stage="load")
            result = run(binding.spec, binding.package, binding.options, progress=_progress())
            for warning in result.warnings:
                click.echo(str(warning), err=True)
            files = with_record(result, binding.options, binding.spec)
            target = write_package(binding.output, binding.package, files)
            click.echo(f"wrote {target} ({len(files)} files)")
    except SpecError as exc:
        _fail(exc)


@main.command()
@click.argument("spec")
@_ref_options
def validate(spec: str, ref_map: tuple[str, ...], allow_ref_dirs: tuple[str, ...]) -> None:
    """Validate SPEC only (with its binding's ref_map and allow_ref_dirs when it is configured)."""
    from specbind.spec.load import load
    from specbind.spec.validate import check

    _WHERE.update(spec=spec, stage="validate")
    try:
        warnings = check(load(spec, _access(spec, ref_map, allow_ref_dirs)))
    except SpecError as exc:
        _fail(exc)
    for warning in warnings:
        click.echo(str(warning), err=True)
    click.echo(f"{spec}: valid")


def _access(spec: str, ref_map: tuple[str, ...], allow_ref_dirs: tuple[str, ...]) -> RefAccess:
    """Where SPEC's `$ref`s may read: its binding's ref_map and allow_ref_dirs when it is
    configured, plus the command line's."""
    from specbind.spec.load import RefAccess

    options = _diff_targets(spec)[0].options  # a configured binding's, when SPEC is one
    return RefAccess(
        tuple({**options.ref_map, **_ref_map(ref_map)}.items()),
        (*options.allow_ref_dirs, *(Path(folder) for folder in allow_ref_dirs)),
    )


@main.command()
@click.argument("spec", required=False)
@click.option("-o", "--output", help="Folder holding the package.")
@click.option("-p", "--package", help="Python package name.")
@_ref_options
@FORMATTER
def check(
    spec: str | None,
    output: str | None,
    package: str | None,
    ref_map: tuple[str, ...],
    allow_ref_dirs: tuple[str, ...],
    formatter: str | None,
) -> None:
    """Exit 1 when committed bindings differ from what generation produces now.

    Prints the reasons (spec, generator, templates, options, formatter or its settings changed;
    files edited by hand) and a unified diff from the committed files to the ones generation would write.
    """
    from specbind.vendoring.check import check_binding

    dirty = False
    try:
        for binding in _targets(spec, output, package, ref_map, allow_ref_dirs, formatter):
            _WHERE.update(spec=str(binding.spec), stage="check")
            drift = check_binding(binding)
            if drift.clean:
                click.echo(f"{drift.package_dir}: up to date")
                continue
            dirty = True
            click.echo(f"{drift.package_dir}: out of date", err=True)
            for reason in drift.reasons:
                click.echo(f"  - {reason}", err=True)
            if drift.diff:
                click.echo(_colour(drift.diff), nl=False)
    except SpecError as exc:
        _fail(exc)
    sys.exit(EXIT_BAD_INPUT if dirty else EXIT_OK)


@main.command()
@click.argument("specs", nargs=-1)
@click.option(
    "--against",
    "rev",
    metavar="GIT_REV",
    help="Compare the spec at this git revision with the working tree.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "markdown", "json"]),
    default="text",
    show_default=True,
)
@click.option(
    "--fail-on",
    type=click.Choice(["breaking", "any", "never"]),
    default="never",
    show_default=True,
    help="Exit 1 when the report has a breaking change (or any change).",
)
def diff(specs: tuple[str, ...], rev: str | None, fmt: str, fail_on: str) -> None:
    """Report what regenerating changes in the Python API, with a semver verdict.

    specbind diff OLD_SPEC NEW_SPEC, or specbind diff --against GIT_REV [SPEC] (every binding in
    [tool.specbind] without SPEC).
    """
    import tempfile

    from specbind.vendoring.api_surface import surface_of
    from specbind.vendoring.diff import compare_surfaces, export_revision, render

    if rev is None and len(specs) != 2:
        raise click.UsageError("give OLD_SPEC NEW_SPEC, or --against GIT_REV [SPEC]")
    if rev is not None and len(specs) > 1:
        raise click.UsageError("with --against, give at most one SPEC")
    reports = []
    try:
        if rev is None:
            old, new = (Path(s) for s in specs)
            _WHERE.update(spec=f"{old} and {new}", stage="diff")
            reports.append(compare_surfaces(surface_of(old), surface_of(new), str(old), str(new)))
        else:
            targets = _diff_targets(specs[0] if specs else None)
            with tempfile.TemporaryDirectory(prefix="specbind-diff-") as tmp:
                for binding in targets:
                    _WHERE.update(spec=str(binding.spec), stage="diff")
                    old_spec = export_revision(rev, binding.spec, Path(tmp) / str(len(reports)))
                    reports.append(
                        compare_surfaces(
                            surface_of(old_spec, binding.options),
                            surface_of(binding.spec, binding.options),
                            f"{binding.spec}@{rev}",
                            str(binding.spec),
                        )
                    )
    except SpecError as exc:
        _fail(exc)
    click.echo(render(reports, fmt), nl=False)
    changed = any(r.changes for r in reports)
    breaking = any(r.breaking for r in reports)
    failed = (fail_on == "breaking" and breaking) or (fail_on == "any" and changed)
    sys.exit(EXIT_BAD_INPUT if failed else EXIT_OK)


def _diff_targets(spec: str | None) -> list:  # type: ignore[type-arg]
    """The bindings to diff: all configured, or the one for SPEC (its options when configured)."""
    from specbind.vendoring.config import Binding, find_pyproject, load_bindings

    if spec is None:
        return load_bindings()
    if find_pyproject() is not None:
        try:
            for binding in load_bindings():
                if binding.spec.resolve() == Path(spec).resolve():
                    return [binding]
        except SpecError:
            pass
    return [Binding(Path(spec), "", Path())]


def _colour(diff: str) -> str:
    """Added lines green, removed lines red, when stdout is a terminal."""
    if not sys.stdout.isatty():
        return diff
    out = []
    for line in diff.splitlines(keepends=True):
        if line.startswith(("+++", "---")):
            out.append(click.style(line, bold=True))
        elif line.startswith(("+", "-", "@@")):
            colour = {"+": "green", "-": "red", "@": "cyan"}[line[0]]
            out.append(click.style(line, fg=colour))
        else:
            out.append(line)
    return "".join(out)


_UNITS = {
    "": 1,
    "b": 1,
    "k": 1024,
    "kib": 1024,
    "m": 1024**2,
    "mib": 1024**2,
    "g": 1024**3,
    "gib": 1024**3,
}


def _byte_size(text: str) -> int:
    """`16MiB`, `512k`, `1048576` as a number of bytes; a usage error otherwise."""
    digits = text.strip().rstrip("bBiIkKmMgG ")
    unit = text.strip()[len(digits) :].strip().lower()
    if not digits.isdigit() or unit not in _UNITS:
        raise click.BadParameter(
            f"{text!r} is not a size (bytes, or a number with KiB, MiB or GiB)"
        )
    return int(digits) * _UNITS[unit]


@main.command()
@click.argument("spec")
@click.option(
    "--host", default="127.0.0.1", show_default=True, help="Interface to listen on, only it."
)
@click.option(
    "--port", default=4010, show_default=True, type=click.IntRange(0, 65535), help="0: any free."
)
@click.option(
    "--max-body-size",
    default="16MiB",
    show_default=True,
    metavar="SIZE",
    callback=lambda _ctx, _param, value: _byte_size(value),
    help="Larger request bodies get 413 (bytes, or with KiB, MiB, GiB).",
)
@_ref_options
def mock(
    spec: str,
    host: str,
    port: int,
    max_body_size: int,
    ref_map: tuple[str, ...],
    allow_ref_dirs: tuple[str, ...],
) -> None:
    """Serve an offline mock of SPEC: requests validated, answers from the spec's examples."""
    from specbind.mock.routing import Mock

    try:
        from specbind.mock.server import run
    except ImportError as exc:
        extra = "pip install 'specbind[mock]'"
        click.echo(
            f"specbind mock needs the 'mock' extra ({exc.name} is missing): {extra}", err=True
        )
        sys.exit(EXIT_BAD_INPUT)
    _WHERE.update(spec=spec, stage="mock")
    try:
        server = Mock.from_spec(spec, access=_access(spec, ref_map, allow_ref_dirs))
    except SpecError as exc:
        _fail(exc)

    def announce(url: str) -> None:
        click.echo(
            f"specbind mock: {len(server.routes)} operations of {spec} at {url} (Ctrl+C stops)"
        )

    try:
        stopped_by = run(server, host, port, announce, max_body_size=max_body_size)
    except OSError as exc:
        click.echo(
            f"specbind mock: cannot listen on {host}:{port}: {exc.strerror or exc}", err=True
        )
        sys.exit(EXIT_BAD_INPUT)
    click.echo(f"specbind mock: stopped{f' by {stopped_by}' if stopped_by else ''}")


if __name__ == "__main__":
    main()

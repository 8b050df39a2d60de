"""The `specbind` command: a thin layer over the pipeline functions."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from generator.problems import SpecError

EXIT_OK, EXIT_BAD_INPUT, EXIT_USAGE = 0, 1, 2


def _fail(exc: SpecError) -> None:
    for problem in exc.problems:
        click.echo(str(problem), err=True)
    sys.exit(EXIT_BAD_INPUT)


def _targets(spec: str | None, output: str | None, package: str | None) -> list:  # type: ignore[type-arg]
    from generator.config import Binding, load_bindings

    if spec is None:
        if output or package:
            raise click.UsageError("-o and -p need a SPEC")
        return load_bindings()
    if not output or not package:
        raise click.UsageError("with a SPEC, give -o OUTDIR and -p PACKAGE")
    return [Binding(Path(spec), package, Path(output))]


@click.group()
@click.version_option(package_name="specbind")
def main() -> None:
    """Typed Python bindings from OpenAPI 3 specs, kept in sync with them."""


@main.command()
@click.argument("spec", required=False)
@click.option("-o", "--output", help="Folder that receives the package.")
@click.option("-p", "--package", help="Python package name.")
@click.option("--lenient", is_flag=True, help="Generate despite validation errors that do not block generation.")
def generate(spec: str | None, output: str | None, package: str | None, lenient: bool) -> None:
    """Generate OUTDIR/PACKAGE from SPEC, or every binding in [tool.specbind]."""
    from generator.generate import generate as run
    from generator.write import write_package

    try:
        for binding in _targets(spec, output, package):
            if lenient:
                binding.options.lenient = True
            result = run(binding.spec, binding.package, binding.options)
            for warning in result.warnings:
                click.echo(str(warning), err=True)
            target = write_package(binding.output, binding.package, result.files)
            click.echo(f"wrote {target} ({len(result.files)} files)")
    except SpecError as exc:
        _fail(exc)


@main.command()
@click.argument("spec")
def validate(spec: str) -> None:
    """Validate SPEC only."""
    from generator.load import load
    from generator.validate import check

    try:
        warnings = check(load(spec))
    except SpecError as exc:
        _fail(exc)
    for warning in warnings:
        click.echo(str(warning), err=True)
    click.echo(f"{spec}: valid")


@main.command()
@click.argument("spec", required=False)
@click.option("-o", "--output", help="Folder holding the package.")
@click.option("-p", "--package", help="Python package name.")
def check(spec: str | None, output: str | None, package: str | None) -> None:
    """Exit 1 when committed bindings differ from what generation produces now."""
    from generator.check import compare
    from generator.generate import generate as run

    dirty = False
    try:
        for binding in _targets(spec, output, package):
            result = run(binding.spec, binding.package, binding.options)
            drift = compare(binding.output / binding.package, result.files)
            if drift.clean:
                click.echo(f"{drift.package_dir}: up to date")
                continue
            dirty = True
            click.echo(f"{drift.package_dir}: out of date", err=True)
            for reason in drift.reasons:
                click.echo(f"  - {reason}", err=True)
            if drift.diff:
                click.echo(_colour(drift.diff), err=True)
    except SpecError as exc:
        _fail(exc)
    sys.exit(EXIT_BAD_INPUT if dirty else EXIT_OK)


def _colour(diff: str) -> str:
    if not sys.stderr.isatty():
        return diff
    out = []
    for line in diff.splitlines():
        colour = "green" if line.startswith("+") else "red" if line.startswith("-") else None
        out.append(click.style(line, fg=colour) if colour and not line.startswith(("+++", "---")) else line)
    return "\n".join(out)


if __name__ == "__main__":
    main()

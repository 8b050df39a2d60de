"""The `specbind` console script: a cheap front door to the click CLI.

`specbind check` with no arguments is what pre-commit and CI run on every commit. When the record
proves every configured binding clean, answer without importing click (about half the run time of
the fast check); anything else, including any drift or error, goes to the full CLI in cli.py.
"""

from __future__ import annotations

import sys


def main() -> None:
    if sys.argv[1:] == ["check"] and _all_clean():
        sys.exit(0)
    from specbind.cli import main as cli

    cli()


def _all_clean() -> bool:
    from specbind.spec.problems import SpecError
    from specbind.vendoring.check import record_is_current
    from specbind.vendoring.config import load_bindings

    try:
        bindings = load_bindings()
    except SpecError:
        return False
    lines = []
    for binding in bindings:
        package_dir = binding.output / binding.package
        options = binding.options
        if not record_is_current(
            binding.spec, package_dir, options.as_record(binding.spec), options.style.as_record()
        ):
            return False
        lines.append(f"{package_dir}: up to date\n")
    sys.stdout.write("".join(lines))
    return True

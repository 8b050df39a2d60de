"""Run specbind over a folder of real specs and print one row per spec: does it generate, import,
pass `mypy --strict`, give every operation a client method, and round-trip every example?

    .venv/bin/python benchmarks/corpus.py [FOLDER]    # default: $SPECBIND_CORPUS
    .venv/bin/python benchmarks/corpus.py --real benchmark   # or test: tests/specs/real/

A spec is a file `*.yaml`, `*.yml` or `*.json` in FOLDER, or a subfolder holding a multi-file spec
(its root: the one file directly in the subfolder with a top-level `openapi` key, or among several
the one named `openapi.*`). The specs are
not part of this repository (their licences differ): point FOLDER at wherever you keep them, or
use the pinned ones of tests/specs/real/sources.toml (downloaded and cached on first use).
The checks themselves are tests/corpus_checks.py, shared with tests/test_real_specs.py.
Each spec runs in its own process with a time limit; the failure class says which stage failed and
the most common reason, so that one fix can be checked against many specs.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # the checks are shared with the tests

from tests.corpus_checks import (  # noqa: E402
    ExampleOutcome,
    count_methods,
    count_operations,
    mypy_failure,
    mypy_strict,
    read_samples,
    round_trip,
)
from tests.real_specs import USES, fetch, load_sources  # noqa: E402

SPEC_SUFFIXES = (".yaml", ".yml", ".json")
SPECBIND = Path(sys.executable).parent / "specbind"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", nargs="?", default=os.environ.get("SPECBIND_CORPUS"))
    parser.add_argument(
        "--real",
        choices=USES,
        help="instead of FOLDER: the specs of tests/specs/real/sources.toml with this use",
    )
    parser.add_argument("--timeout", type=float, default=900, help="seconds per spec and stage")
    parser.add_argument("--lenient", action="store_true", help="generate with --lenient")
    parser.add_argument("--no-mypy", action="store_true", help="skip mypy --strict (faster)")
    parser.add_argument("--json", metavar="FILE", help="also write the rows as JSON")
    parser.add_argument("--one", nargs=2, metavar=("SPEC", "WORKDIR"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(check_one(Path(args.one[0]), Path(args.one[1]), args)))
        return
    if args.real:
        chosen = [s for s in load_sources() if s.use == args.real]
        specs = fetch(chosen)
        args.lenient_specs = {s.key for s in chosen if s.lenient}  # as sources.toml says
    elif args.folder:
        folder = Path(args.folder)
        specs = {_name(spec, folder): spec for spec in find_specs(folder)}
    else:
        parser.error("give FOLDER, set SPECBIND_CORPUS or use --real")
    if not specs:
        parser.error(f"no specs in {args.folder}")
    rows = []
    print(HEADER, flush=True)
    with tempfile.TemporaryDirectory(prefix="specbind-corpus-") as work:
        for name, spec in specs.items():
            row = run_one(name, spec, Path(work), args)
            rows.append(row)
            print(format_row(row), flush=True)
    print(summary(rows))
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")


def find_specs(folder: Path) -> list[Path]:
    found = []
    for entry in sorted(folder.iterdir()):
        if entry.is_file() and entry.suffix in SPEC_SUFFIXES:
            found.append(entry)
        elif entry.is_dir():
            roots = [
                f for f in sorted(entry.iterdir()) if f.suffix in SPEC_SUFFIXES and _is_root(f)
            ]
            named = [f for f in roots if f.stem == "openapi"]
            if len(roots) == 1 or len(named) == 1:
                found.append(roots[0] if len(roots) == 1 else named[0])
            elif roots:
                print(f"{entry.name}: skipped, several root files and none named openapi.*")
    return found


def _is_root(path: Path) -> bool:
    head = path.read_bytes()[:4000].decode("utf-8", "replace")
    return bool(re.search(r'^(?:openapi:|\{?\s*"openapi"\s*:)', head, re.MULTILINE))


def _name(spec: Path, folder: Path) -> str:
    return spec.parent.name if spec.parent != folder else spec.name


def run_one(name: str, spec: Path, work: Path, args: argparse.Namespace) -> dict[str, Any]:
    """One spec in a child process (a crash or a hang stays there)."""
    command = [sys.executable, __file__, "--one", str(spec), str(work)]
    lenient = args.lenient or name in getattr(args, "lenient_specs", ())
    command += ["--timeout", str(args.timeout)] + (["--lenient"] if lenient else [])
    command += ["--no-mypy"] if args.no_mypy else []
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=args.timeout * 3)
        row = json.loads(done.stdout.strip().splitlines()[-1])
    except subprocess.TimeoutExpired:
        row = _row(failure="timeout", stage="check")
    except (json.JSONDecodeError, IndexError):
        row = _row(failure=f"checker crashed: {_last_line(done.stderr)}", stage="check")
    row["spec"] = name
    return row


def _row(**fields: Any) -> dict[str, Any]:
    return {
        "result": "FAIL",
        "seconds": None,
        "peak_mb": None,
        "operations": None,
        "methods": None,
        "examples": None,
        "examples_ok": None,
        **fields,
    }


def check_one(spec: Path, work: Path, args: argparse.Namespace) -> dict[str, Any]:
    package = "corpus_" + re.sub(r"\W", "_", (spec.parent.name + "_" + spec.stem).lower())
    out = work / package
    command = [str(SPECBIND), "generate", str(spec), "-o", str(out), "-p", package]
    command += ["--lenient"] if args.lenient else []
    row = _row()
    start = time.perf_counter()
    try:
        done = subprocess.run(
            ["/usr/bin/time", "-f", "%M", *command],
            capture_output=True,
            text=True,
            timeout=args.timeout,
        )
    except subprocess.TimeoutExpired:
        return _row(stage="generate", failure=f"generate: timeout after {args.timeout:.0f}s")
    row["seconds"] = round(time.perf_counter() - start, 2)
    stderr = done.stderr.rstrip("\n").split("\n")
    if stderr and stderr[-1].isdigit():  # /usr/bin/time's peak resident set, in KB
        row["peak_mb"] = round(int(stderr.pop()) / 1024)
    if done.returncode != 0:
        row.update(stage="generate", failure=generate_failure(done.returncode, stderr))
        return row
    row["warnings"] = len([line for line in stderr if ": warning" in line])
    try:
        sys.path.insert(0, str(out))
        pkg = importlib.import_module(package)
        importlib.import_module(package + ".models")
    except Exception as exc:  # the generated code does not import
        row.update(stage="import", failure=f"import: {type(exc).__name__}: {exc}"[:160])
        return row
    from specbind.spec.load import load

    document = load(spec).document
    row["operations"] = count_operations(document)
    row["methods"] = count_methods(pkg)
    row.update(summarise(round_trip(pkg, document)))
    failures = []
    if row["methods"] != row["operations"]:
        failures.append(f"methods: {row['methods']} for {row['operations']} operations")
    if row["examples_ok"] != row["examples"]:
        failures.append(f"examples: {row['example_failure']}")
    unread = read_samples(pkg, document)
    if unread:
        failures.append(f"responses: {len(unread)} not read (first: {next(iter(unread.values()))})")
    if not args.no_mypy:
        mypy = mypy_strict(out, [package], work / ".mypy_cache")
        if mypy.returncode != 0:
            failures.insert(0, "mypy: " + mypy_failure(mypy.stdout))
    if failures:
        row.update(stage="check", failure="; ".join(failures))
    else:
        row["result"] = "ok"
    return row


def generate_failure(code: int, stderr: list[str]) -> str:
    """The most common kind of message, with names and places taken out: `spec: $ref … (12x)`."""
    if "Traceback (most recent call last):" in stderr:
        return f"traceback: {_last_line(chr(10).join(stderr))}"
    if code == 3:
        return f"internal error: {stderr[-1][:200]}"
    kinds = Counter(_kind(line) for line in stderr if line.strip())
    kind, count = kinds.most_common(1)[0]
    more = f" (+{sum(kinds.values()) - count} other)" if sum(kinds.values()) > count else ""
    return f"spec error: {kind} ({count}x){more}"


def _kind(line: str) -> str:
    message = re.sub(r"^.*?: (?:error|warning)(?: at \S+)?: ", "", line)
    message = re.sub(r"'[^']*'|\"[^\"]*\"", "'…'", message)
    return re.sub(r"\d+", "N", message)[:140]


def _last_line(text: str) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    return lines[-1][:200] if lines else "(no output)"


def summarise(outcomes: list[ExampleOutcome]) -> dict[str, Any]:
    """Example outcomes as a row's columns: how many, how many passed, the most common failures."""
    failed = [o for o in outcomes if o.failure]
    reasons = Counter(o.failure.split(" (")[0] for o in failed)
    failure = ", ".join(f"{n} {why}" for why, n in reasons.most_common())
    failure += f" (first: {failed[0].pointer}: {failed[0].failure})"[:220] if failed else ""
    return {
        "examples": len(outcomes),
        "examples_ok": len(outcomes) - len(failed),
        "example_failure": failure,
    }


def format_row(row: dict[str, Any]) -> str:
    seconds = "-" if row.get("seconds") is None else f"{row['seconds']:.1f}"
    methods = "-" if row.get("methods") is None else f"{row['methods']}/{row['operations']}"
    examples = "-" if row.get("examples") is None else f"{row['examples_ok']}/{row['examples']}"
    return (
        f"{row['spec'][:30]:30} {row['result']:4} {seconds:>6}s {methods:>9} {examples:>9}  "
        f"{row.get('failure', '')}"
    )


HEADER = f"{'spec':30} {'res':4} {'time':>7} {'methods':>9} {'examples':>9}  failure class"


def summary(rows: list[dict[str, Any]]) -> str:
    passed = sum(1 for r in rows if r["result"] == "ok")
    return f"{passed} of {len(rows)} specs pass"


if __name__ == "__main__":
    main()

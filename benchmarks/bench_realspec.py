"""A large real spec (several MB, hundreds of operations, dotted schema names): time and peak memory
of a cold `specbind generate` next to openapi-python-client on the same file, in the same run.

    .venv/bin/python benchmarks/bench_realspec.py SPEC     # or $SPECBIND_BENCH_SPEC

The spec is not part of this repository (see docs/benchmarks.md for the file used). Runs are
interleaved, specbind first, so both see the same machine load; BENCH_ROUNDS (default 1) of each.
"""

from __future__ import annotations

import ast
import json
import os
import shutil
import sys
from pathlib import Path

from common import WORK, fresh_cache, machine, median, peer_generate, run, save, specbind

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "1"))
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def main() -> dict:
    arg = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("SPECBIND_BENCH_SPEC")
    if not arg:
        sys.exit("give SPEC or set SPECBIND_BENCH_SPEC")
    spec = Path(arg).resolve()
    document = json.loads(spec.read_text()) if spec.suffix == ".json" else None
    ours, peers, peer_error = [], [], None
    for _ in range(ROUNDS):
        out = WORK / "real-out"
        shutil.rmtree(out, ignore_errors=True)
        seconds, peak, _ = run(
            specbind("generate", spec, "-o", out, "-p", "real_api"), env=fresh_cache()
        )
        ours.append((seconds, peak))
        peer_out = WORK / "real-peer"
        shutil.rmtree(peer_out, ignore_errors=True)
        try:
            peers.append(peer_generate(spec, peer_out, timeout=max(600.0, 5 * seconds))[:2])
        except RuntimeError as exc:  # the peer refused the spec: say how
            peer_error = str(exc).strip().splitlines()[-1][:300]
    package = WORK / "real-out" / "real_api"
    result = {
        "spec": spec.name,
        "source": os.environ.get("SPECBIND_BENCH_SOURCE", "source not recorded"),
        "spec_mb": round(spec.stat().st_size / 2**20, 2),
        "operations": _operations(document) if document else None,
        "schemas": len(((document or {}).get("components") or {}).get("schemas") or {}),
        "specbind_s": round(median([s for s, _ in ours]), 1),
        "specbind_peak_mib": round(max(p for _, p in ours) / 2**20),
        "specbind_lines": sum(p.read_text().count("\n") for p in package.glob("*.py")),
        "peer_s": round(median([s for s, _ in peers]), 1) if peers else None,
        "peer_peak_mib": round(max(p for _, p in peers) / 2**20) if peers else None,
        "peer_error": peer_error,
        # completeness: specbind's client methods, the peer's endpoint modules (one per operation)
        "specbind_methods": _functions(package / "operations.py"),
        "peer_endpoints": len(
            [p for p in (WORK / "real-peer").glob("*/api/**/*.py") if p.name != "__init__.py"]
        ),
        "rounds": ROUNDS,
        "machine": machine(),
    }
    print(json.dumps(result, indent=2))
    return result


def _functions(module: Path) -> int:
    """Operations in a generated operations.py: each is a request builder `NAME` and a `read_NAME`."""
    tree = (
        ast.parse(module.read_text()) if module.exists() else ast.Module(body=[], type_ignores=[])
    )
    names = {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}
    return len([name for name in names if "read_" + name in names])


def _operations(document: dict) -> int:
    paths = document.get("paths") or {}
    return sum(1 for item in paths.values() for m in METHODS if isinstance(item.get(m), dict))


if __name__ == "__main__":
    save("real_spec", main())

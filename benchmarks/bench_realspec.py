"""A large real spec (several MB, hundreds of operations): a cold `specbind generate` next to
openapi-python-client on the same file in the same run, then what a user waits for afterwards.

    .venv/bin/python benchmarks/bench_realspec.py SPEC [NAME]   # or $SPECBIND_BENCH_SPEC

SPEC is a path (the downloader in tests/real_specs.py can supply it); NAME (default: the file name)
names the spec in the output and in results.json (`real_spec:NAME`). In one run, on a copy of SPEC:

- cold: specbind with an empty cache, then the peer (interleaved, BENCH_ROUNDS of each, default 1);
- warm: the same spec again with the cache the cold run filled;
- incremental: `specbind generate` after a one-schema change, then after a one-operation change;
- `specbind check` on the unchanged tree (best of 5), and after a change to another schema (drift);
- import time of the generated package, next to `import httpx` (best of 5, fresh interpreters);
- the stage breakdown of a cold run (`stages.py`, stages one after another, empty cache).
"""

from __future__ import annotations

import ast
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from common import (
    SPECBIND_PYTHON,
    WORK,
    fresh_cache,
    machine,
    median,
    peer_generate,
    run,
    save,
    specbind,
)

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "1"))
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
PACKAGE = "real_api"


def main(arg: str | None = None, name: str | None = None) -> dict[str, Any]:
    arg = arg or os.environ.get("SPECBIND_BENCH_SPEC")
    if not arg:
        sys.exit("give SPEC or set SPECBIND_BENCH_SPEC")
    original = Path(arg).resolve()
    name = name or original.name
    folder = WORK / "real" / name
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    spec = folder / original.name  # a copy, changed in place below
    shutil.copyfile(original, spec)
    document = _read(spec)
    out = folder / "out"
    generate = specbind("generate", spec, "-o", out, "-p", PACKAGE)
    check = specbind("check", spec, "-o", out, "-p", PACKAGE)

    ours, peers, peer_error, cache = [], [], None, fresh_cache()
    for _ in range(ROUNDS):
        shutil.rmtree(out, ignore_errors=True)
        cache = fresh_cache()
        seconds, peak, _ = run(generate, env=cache)
        ours.append((seconds, peak))
        peer_out = folder / "peer"
        shutil.rmtree(peer_out, ignore_errors=True)
        try:
            peers.append(peer_generate(spec, peer_out, timeout=max(600.0, 5 * seconds))[:2])
        except RuntimeError as exc:  # the peer refused the spec: say how
            peer_error = str(exc).strip().splitlines()[-1][:300]
            if "literal_enums" in peer_error:  # its own advice (Stripe): take it, and say so
                config = folder / "peer-config.yaml"
                config.write_text("literal_enums: true\n")
                shutil.rmtree(peer_out, ignore_errors=True)
                peers.append(peer_generate(spec, peer_out, 600.0, ["--config", config])[:2])
                peer_error = (
                    f"without literal_enums: {peer_error}; measured with literal_enums: true"
                )
    package = out / PACKAGE
    peer_endpoints = len(
        [p for p in (folder / "peer").glob("*/api/**/*.py") if p.name != "__init__.py"]
    )

    warm = run(generate, env=cache)[0]
    check_clean = min(run(check, env=cache)[0] for _ in range(5))
    imports = _import_times(out)

    changed_schema = _change_schema(document, 2)
    _write(spec, document)
    schema_s, schema_peak, _ = run(generate, env=cache)
    # another schema for the check, so that it finds as much left to do as the generate did
    _change_schema(document, 3)
    _write(spec, document)
    check_drift = run(check, env=cache, expect=1)[0]
    changed_operation = _change_operation(document)
    _write(spec, document)
    operation_s, operation_peak, _ = run(generate, env=cache)

    stages = json.loads(
        _output([SPECBIND_PYTHON, Path(__file__).parent / "stages.py", original, "--json"])
    )
    cold = median([s for s, _ in ours])
    result = {
        "spec": name,
        "source": os.environ.get("SPECBIND_BENCH_SOURCE", "source not recorded"),
        "spec_mb": round(original.stat().st_size / 2**20, 2),
        "operations": _operations(_read(original)),
        "schemas": len((_read(original).get("components") or {}).get("schemas") or {}),
        "specbind_s": round(cold, 1),
        "specbind_peak_mib": round(max(p for _, p in ours) / 2**20),
        "specbind_lines": sum(p.read_text().count("\n") for p in package.glob("*.py")),
        "peer_s": round(median([s for s, _ in peers]), 1) if peers else None,
        "peer_peak_mib": round(max(p for _, p in peers) / 2**20) if peers else None,
        "peer_error": peer_error,
        # completeness: specbind's client methods, the peer's endpoint modules (one per operation)
        "specbind_methods": _functions(package / "operations.py"),
        "peer_endpoints": peer_endpoints,
        "warm_s": round(warm, 2),
        "check_clean_s": round(check_clean, 3),
        "check_drift_s": round(check_drift, 2),
        "changed_schema": changed_schema,
        "one_schema_s": round(schema_s, 2),
        "one_schema_peak_mib": round(schema_peak / 2**20),
        "changed_operation": changed_operation,
        "one_operation_s": round(operation_s, 2),
        "one_operation_peak_mib": round(operation_peak / 2**20),
        **imports,
        "stages_ms": {stage: round(s * 1000) for stage, s in stages.items()},
        "rounds": ROUNDS,
        "machine": machine(),
    }
    print(json.dumps(result, indent=2))
    return result


def _read(spec: Path) -> dict[str, Any]:
    text = spec.read_text(encoding="utf-8")
    if spec.suffix == ".json":
        return json.loads(text)
    import yaml

    return yaml.safe_load(text)


def _write(spec: Path, document: dict[str, Any]) -> None:
    if spec.suffix == ".json":
        spec.write_text(json.dumps(document, indent=2), encoding="utf-8")
    else:
        import yaml

        spec.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")


def _change_schema(document: dict[str, Any], part: int) -> str:
    """Add a property to the object schema 1/`part` of the way through the spec: a one-schema change."""
    schemas = (document.get("components") or {}).get("schemas") or {}
    objects = [n for n, s in schemas.items() if isinstance(s.get("properties"), dict)]
    chosen = objects[len(objects) // part]
    schemas[chosen]["properties"]["specbindBenchNote"] = {
        "type": "string",
        "description": "Added by the benchmark: a one-schema change.",
    }
    return chosen


def _change_operation(document: dict[str, Any]) -> str:
    """Change the description of the middle operation (in spec order): a one-operation change."""
    operations = [
        (path, method, item[method])
        for path, item in (document.get("paths") or {}).items()
        for method in METHODS
        if isinstance(item.get(method), dict)
    ]
    path, method, operation = operations[len(operations) // 2]
    operation["description"] = (operation.get("description") or "") + " Changed by the benchmark."
    return f"{method.upper()} {path}"


def _import_times(out: Path) -> dict[str, float]:
    """Best of 5 fresh interpreters, timed inside them: `import PACKAGE`, `import httpx`, and what the
    first decoded response adds (`PACKAGE.models`, which the package imports only when first used).

    As a user's installed package runs: with bytecode written by a first import (PYTHONDONTWRITEBYTECODE,
    set on some machines, would time the compiler instead)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = str(out)

    def best(setup: str, statement: str) -> float:
        code = (
            f"import time\n{setup}\nt = time.perf_counter()\n{statement}\n"
            "print(time.perf_counter() - t)"
        )
        times = [
            float(
                subprocess.run(
                    [SPECBIND_PYTHON, "-c", code],
                    env=env,
                    check=True,
                    capture_output=True,
                    text=True,
                ).stdout
            )
            for _ in range(6)
        ]
        return min(times[1:])  # the first run writes the bytecode

    return {
        "import_package_s": round(best("", f"import {PACKAGE}"), 3),
        "import_httpx_s": round(best("", "import httpx"), 3),
        "first_response_models_s": round(best(f"import {PACKAGE}", f"import {PACKAGE}.models"), 3),
    }


def _output(cmd: list[Any]) -> str:
    import subprocess

    return subprocess.run(
        [str(c) for c in cmd], check=True, capture_output=True, text=True
    ).stdout.strip()


def _functions(module: Path) -> int:
    """Operations in a generated operations.py: each is a request builder `NAME` and a `read_NAME`."""
    tree = (
        ast.parse(module.read_text()) if module.exists() else ast.Module(body=[], type_ignores=[])
    )
    names = {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}
    return len([name for name in names if "read_" + name in names])


def _operations(document: dict[str, Any]) -> int:
    paths = document.get("paths") or {}
    return sum(1 for item in paths.values() for m in METHODS if isinstance(item.get(m), dict))


if __name__ == "__main__":
    figures = main(*sys.argv[1:3])
    save(f"real_spec:{figures['spec']}", figures)

"""Run every benchmark, then write docs/benchmarks.md and the scale plot from benchmarks/results.json.

    make bench            # creates .bench-venv (the peers, pydantic, matplotlib) and runs this
    BENCH_SIZES=50,200 make bench   # a quicker scale curve
    python run_all.py scale         # one section (generate, codec, incremental, scale, mock); the others keep
                                    # their figures in results.json, and the report is written again

Benchmarks are scripts, not tests: they print ratios against peers measured in the same run.
"""

from __future__ import annotations

import subprocess
import sys
import time

import bench_codec
import bench_generate
import bench_incremental
import bench_mock
import bench_scale
from common import BENCH_PYTHON, RESULTS, ROOT

PLOT = ROOT / "docs" / "benchmarks-scale.png"


def main() -> None:
    started = time.time()
    chosen = set(sys.argv[1:]) or {"generate", "codec", "incremental", "scale", "mock"}
    for key, name, bench in [
        ("generate", "generate and check (targets 1, 2)", bench_generate),
        ("codec", "runtime codec (target 5)", bench_codec),
        ("incremental", "small change (target 3)", bench_incremental),
        ("scale", "scale (target 4)", bench_scale),
        ("mock", "the mock server under load", bench_mock),
    ]:
        if key not in chosen:
            continue
        print(f"== {name}", flush=True)
        bench.main()
    subprocess.run([BENCH_PYTHON, ROOT / "benchmarks" / "plot.py", RESULTS, PLOT], check=True)
    subprocess.run(
        [
            sys.executable,
            ROOT / "benchmarks" / "report.py",
            RESULTS,
            ROOT / "docs" / "benchmarks.md",
        ],
        check=True,
    )
    print(
        f"== done in {time.time() - started:.0f} s; wrote docs/benchmarks.md and {PLOT.relative_to(ROOT)}"
    )


if __name__ == "__main__":
    main()

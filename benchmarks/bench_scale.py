"""Target 4: time and peak memory on synthetic specs of 50, 200, 800 and 3,200 schemas.

Every specbind run is cold (new process, empty format cache). The peer gets a time limit of
PEER_LIMIT x specbind's time at the same size (at least 60 s, at most $BENCH_PEER_MAX_S); a peer run that
hits it is reported as "> limit", a lower bound.
"""

from __future__ import annotations

import os
import shutil
import sys

import synthetic
from common import (
    WORK,
    fresh_cache,
    loglog_slope,
    machine,
    median,
    peer_generate,
    run,
    save,
    specbind,
)

SIZES = [int(s) for s in os.environ.get("BENCH_SIZES", "50,200,800,3200").split(",")]
PEER_LIMIT = 2.05  # enough to tell whether specbind is at least 2x faster
PEER_MAX_S = float(
    os.environ.get("BENCH_PEER_MAX_S", "inf")
)  # a cap for short runs; reported as a bound


def specbind_once(spec, out, package) -> tuple[float, int]:
    """Seconds and peak memory (PSS of specbind and its workers together) of one cold generation."""
    seconds, peak, _ = run(specbind("generate", spec, "-o", out, "-p", package), env=fresh_cache())
    return seconds, peak


def main() -> dict:
    rows = []
    for n in SIZES:
        spec = WORK / f"synthetic-{n}.json"
        spec.write_text(synthetic.dump(synthetic.spec(n)))
        rounds = 3 if n <= 200 else 1
        runs = [specbind_once(spec, WORK / "scale-out", f"syn{n}") for _ in range(rounds)]
        seconds = median([r[0] for r in runs])
        limit = min(max(60.0, PEER_LIMIT * seconds), PEER_MAX_S)
        peer_out = WORK / f"scale-peer-{n}"
        shutil.rmtree(peer_out, ignore_errors=True)
        peer_s, peer_rss, code = peer_generate(spec, peer_out, timeout=limit)
        lines = sum(
            p.read_text().count("\n") for p in (WORK / "scale-out" / f"syn{n}").glob("*.py")
        )
        row = {
            "schemas": n,
            "operations": len(synthetic.spec(n)["paths"]) * 2,
            "lines": lines,
            "specbind_s": seconds,
            "specbind_peak_mib": max(r[1] for r in runs) / 2**20,
            "peer_s": peer_s,
            "peer_timed_out": code == -9,
            "peer_peak_mib": peer_rss / 2**20,
            "peer_over_specbind": peer_s / seconds,
        }
        rows.append(row)
        more = ">" if row["peer_timed_out"] else ""
        print(
            f"{n:5d} schemas, {row['operations']:4d} ops, {lines:7d} lines: specbind {seconds:7.2f} s "
            f"peak {row['specbind_peak_mib']:6.0f} MiB | "
            f"peer {more}{peer_s:7.2f} s peak {row['peer_peak_mib']:6.0f} MiB | peer/specbind {more}"
            f"{row['peer_over_specbind']:.2f}x",
            flush=True,
        )
    slope = loglog_slope([r["schemas"] for r in rows], [r["specbind_s"] for r in rows])
    big = rows[-1]
    figures = {
        "rows": rows,
        "loglog_slope": slope,
        **{f"machine_{k}": v for k, v in machine().items()},
    }
    save("scale", figures)
    print(f"log-log slope of specbind time: {slope:.2f} (target <= 1.1)")
    print(
        f"at {big['schemas']} schemas peer/specbind {'>' if big['peer_timed_out'] else ''}"
        f"{big['peer_over_specbind']:.2f}x (target >= 2x); peak {big['specbind_peak_mib']:.0f} MiB "
        f"(target <= 1024)"
    )
    return figures


if __name__ == "__main__":
    main()
    sys.exit(0)

"""Target 3: regeneration after a one-schema change to a 1,000-schema spec, against a full generation.

Full: cold (empty format cache). Changed: the same cache, one schema altered (one property added).
Unchanged: the same cache, the same spec again.
"""

from __future__ import annotations

import os
import sys

import synthetic
from common import WORK, fresh_cache, machine, run, save, specbind

SCHEMAS = int(os.environ.get("BENCH_INC_SCHEMAS", "1000"))
VARIANTS = range(1, 1 + int(os.environ.get("BENCH_CHANGE_ROUNDS", "3")))


def main() -> dict:
    spec = WORK / "incremental.json"
    out = WORK / "incremental-out"
    gen = specbind("generate", spec, "-o", out, "-p", "inc")
    env = fresh_cache()
    spec.write_text(synthetic.dump(synthetic.spec(SCHEMAS)))
    full = run(gen, env=env)[0]
    unchanged = run(gen, env=env)[0]
    changed = []
    for variant in VARIANTS:
        spec.write_text(
            synthetic.dump(synthetic.spec(SCHEMAS, changed=SCHEMAS // 2, variant=variant))
        )
        changed.append(run(gen, env=env)[0])
    one = sorted(changed)[len(changed) // 2]
    figures = {
        "schemas": SCHEMAS,
        "full_s": full,
        "one_schema_changed_s": one,
        "unchanged_s": unchanged,
        "changed_over_full": one / full,
        "unchanged_over_full": unchanged / full,
        **{f"machine_{k}": v for k, v in machine().items()},
    }
    save("incremental", figures)
    print(
        f"{SCHEMAS} schemas: full cold generation {full:.2f} s; after a one-schema change {one:.2f} s "
        f"({one / full:.2f}x of full); unchanged spec {unchanged:.2f} s ({unchanged / full:.2f}x)"
    )
    return figures


if __name__ == "__main__":
    main()
    sys.exit(0)

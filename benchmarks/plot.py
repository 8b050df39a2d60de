"""The scale curve as a PNG (runs in .bench-venv, which has matplotlib): plot.py RESULTS.json OUT.png"""

from __future__ import annotations

import json
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

results = json.load(open(sys.argv[1]))["scale"]
rows = results["rows"]
n = [r["schemas"] for r in rows]
fig, (ax_t, ax_m) = plt.subplots(1, 2, figsize=(11, 4.5))
ax_t.loglog(n, [r["specbind_s"] for r in rows], "o-", label="specbind generate (cold)")
done = [r for r in rows if not r["peer_timed_out"]]
cut = [r for r in rows if r["peer_timed_out"]]
ax_t.loglog(
    [r["schemas"] for r in done], [r["peer_s"] for r in done], "s-", label="openapi-python-client"
)
if cut:
    ax_t.loglog(
        [r["schemas"] for r in cut],
        [r["peer_s"] for r in cut],
        "^",
        color="C1",
        label="openapi-python-client: stopped at time limit (lower bound)",
    )
first = rows[0]
ax_t.loglog(
    n, [first["specbind_s"] * x / first["schemas"] for x in n], ":", color="grey", label="linear"
)
ax_t.set_xlabel("schemas (operations = schemas / 2)")
ax_t.set_ylabel("seconds")
ax_t.set_title(f"Time (log-log slope {results['loglog_slope']:.2f})")
ax_t.legend(fontsize=8)
ax_m.loglog(n, [r["specbind_peak_mib"] for r in rows], "o-", label="specbind peak RSS")
ax_m.loglog(
    [r["schemas"] for r in rows],
    [r["peer_peak_mib"] for r in rows],
    "s-",
    label="openapi-python-client peak RSS (until stopped, for stopped runs)",
)
ax_m.axhline(1024, color="red", linestyle="--", label="1 GiB")
ax_m.set_xlabel("schemas")
ax_m.set_ylabel("MiB")
ax_m.set_title("Peak memory")
ax_m.legend(fontsize=8)
fig.suptitle(f"Synthetic specs, {results['machine_cores']} cores")
fig.tight_layout()
fig.savefig(sys.argv[2], dpi=90)

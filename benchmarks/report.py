"""Write docs/benchmarks.md from benchmarks/results.json: report.py RESULTS.json OUT.md"""

from __future__ import annotations

import json
import sys
from pathlib import Path

NOTES = Path(__file__).with_name("notes.md")


def yes(ok: bool) -> str:
    return "met" if ok else "**missed**"


def main(results_path: str, out_path: str) -> None:
    r = json.loads(Path(results_path).read_text())
    g, c, i, s = r["generate"], r["codec"], r["incremental"], r["scale"]
    big = s["rows"][-1]
    gt = ">" if big["peer_timed_out"] else ""
    lines = [
        "# Benchmarks",
        "",
        "Written by `make bench` (benchmarks/run_all.py); every ratio compares figures from the same run.",
        f"Machine: {g['machine_cores']} cores, Python {g['machine_python']}, {g['machine_platform']}; "
        f"load average when the generate benchmark ended: {g['machine_load_average']} "
        "(the benchmark's own processes included; on this shared VM absolute times drift, ratios less so).",
        "Peers live in `.bench-venv` only (openapi-python-client from PyPI, run with its own `bin/` on PATH "
        "so its ruff post-hooks run as in a normal install; pydantic v2; matplotlib).",
        "",
        "## Targets",
        "",
        "| # | target | figure | |",
        "| --- | --- | --- | --- |",
        f"| 1 | cold `specbind generate` of chat-api <= 0.8x openapi-python-client | {g['specbind_cold_s']:.2f} s vs "
        f"{g['peer_s']:.2f} s = **{g['cold_over_peer']:.2f}x** (median of {g['rounds']}) | {yes(g['cold_over_peer'] <= 0.8)} |",
        f"| 2 | `specbind check` no-op <= 0.15 s | **{g['check_noop_s']:.3f} s** | {yes(g['check_noop_s'] <= 0.15)} |",
        f"| 2 | `specbind check` no-op <= 0.2x generate | **{g['check_over_cold_generate']:.2f}x** of cold generate "
        f"({g['check_over_warm_generate']:.2f}x of warm) | {yes(g['check_over_cold_generate'] <= 0.2)} |",
        f"| 3 | one-schema change to a {i['schemas']}-schema spec costs in proportion | {i['one_schema_changed_s']:.2f} s vs "
        f"{i['full_s']:.2f} s full = **{i['changed_over_full']:.2f}x** of a full generation | format: one chunk; "
        f"load, validation, models and templates re-run in full ({i['unchanged_over_full']:.2f}x with nothing changed) |",
        f"| 4 | log-log slope <= 1.1 | **{s['loglog_slope']:.2f}** | {yes(s['loglog_slope'] <= 1.1)} |",
        f"| 4 | at {big['schemas']} schemas specbind >= 2x faster than the peer | {big['specbind_s']:.1f} s vs "
        f"{gt}{big['peer_s']:.1f} s = **{gt}{big['peer_over_specbind']:.2f}x**"
        f"{' (the peer then failed: RecursionError, see below)' if big.get('peer_error') else ''} | "
        f"{yes(big['peer_over_specbind'] >= 2) if not big.get('peer_error') else 'not measurable: the peer fails'} |",
        f"| 4 | peak memory <= 1 GiB | **{big['specbind_peak_mib']:.0f} MiB** (specbind and its worker "
        f"processes together, proportional set size) | {yes(big['specbind_peak_mib'] <= 1024)} |",
    ]
    ours, pyd, peer = (c[f"{who}_dict_ops"] for who in ("specbind", "pydantic", "peer"))
    lines.append(
        f"| 5 | codec, dict level: >= 1.0x pydantic v2 | {ours:,.0f} vs {pyd:,.0f} ops/s = "
        f"**{ours / pyd:.2f}x** | {yes(ours / pyd >= 1.0)} |"
    )
    lines.append(
        f"| 5 | codec, dict level: >= 2x peer attrs models | {ours:,.0f} vs {peer:,.0f} ops/s = "
        f"**{ours / peer:.2f}x** | {yes(ours / peer >= 2.0)} |"
    )
    ours, pyd, peer = (
        c[f"{who}_bytes_stdlib_json_ops"] for who in ("specbind", "pydantic", "peer")
    )
    lines.append(
        f"| 5 | codec, bytes with stdlib json (measured; no target) | {ours:,.0f} ops/s: **{ours / pyd:.2f}x** "
        f"pydantic v2 ({pyd:,.0f}), **{ours / peer:.2f}x** peer attrs models ({peer:,.0f}) | — |"
    )
    lines += [
        "",
        f"Cold `specbind generate` with the compiled templates deleted too (`templates/__pycache__`, kept "
        f"like `.pyc` files and so kept by the cold runs above): {g['specbind_coldest_s']:.2f} s = "
        f"{g['specbind_coldest_s'] / g['peer_s']:.2f}x the peer.",
        f"Warm `specbind generate` of chat-api (format cache full): {g['specbind_warm_s']:.2f} s. "
        f"Cold peak memory: {g['specbind_cold_peak_mib']:.0f} MiB.",
        f"Regenerating the unchanged {i['schemas']}-schema spec with a full cache: {i['unchanged_s']:.2f} s "
        f"({i['unchanged_over_full']:.2f}x of full).",
        f"pydantic's own Rust JSON path (`model_validate_json`/`model_dump_json`): {c['pydantic_native_json_ops']:,.0f} ops/s; "
        f"specbind's `from_json`/`to_json` (stdlib json): {c['specbind_to_json_ops']:,.0f} ops/s.",
        "",
        "## Where a cold generate of chat-api spends its time",
        "",
        "`benchmarks/stages.py`, the pipeline stage by stage in a fresh process with an empty cache (median of 3). "
        "The stages run one after another here; `specbind generate` overlaps them on worker processes "
        "(models while validating, formatting while rendering), so its wall time is less than the sum:",
        "",
        "| stage | ms |",
        "| --- | ---: |",
        *[f"| {name} | {seconds * 1000:.0f} |" for name, seconds in g.get("stages_s", [])],
        "",
        "## Scale",
        "",
        "Synthetic specs from `benchmarks/synthetic.py`; operations = schemas / 2; every specbind run cold. "
        "A peer run is stopped at 2.05x specbind's time (at least 60 s, at most `$BENCH_PEER_MAX_S`); `>` marks a lower bound.",
        "",
        "| schemas | operations | lines written | specbind s | specbind peak MiB | peer s | peer peak MiB | peer / specbind |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in s["rows"]:
        gt = ">" if row["peer_timed_out"] else ""
        lines.append(
            f"| {row['schemas']} | {row['operations']} | {row['lines']:,} | {row['specbind_s']:.2f} | "
            f"{row['specbind_peak_mib']:.0f} | {gt}{row['peer_s']:.2f} | {row['peer_peak_mib']:.0f} | "
            f"{gt}{row['peer_over_specbind']:.2f}x |"
        )
    for row in s["rows"]:
        if row.get("peer_error"):
            lines += [
                "",
                f"openapi-python-client at {row['schemas']} schemas: {row['peer_error']}.",
            ]
    if s.get("commit_note"):
        lines += ["", s["commit_note"]]
    lines += ["", "![scale curve](benchmarks-scale.png)", ""]
    if "real_spec" in r:
        lines += real_spec_section(r["real_spec"])
    if NOTES.exists():
        lines.append(NOTES.read_text().rstrip() + "\n")
    Path(out_path).write_text("\n".join(lines))


def real_spec_section(x: dict) -> list[str]:
    """`benchmarks/bench_realspec.py`: one large real spec, specbind next to the peer, same run."""
    peer = (
        f"{x['peer_s']:.1f} s, {x['peer_peak_mib']} MiB, {x['peer_endpoints']} endpoint modules"
        if x.get("peer_s") is not None
        else f"failed: {x['peer_error']}"
    )
    return [
        "## A large real spec",
        "",
        f"`benchmarks/bench_realspec.py SPEC` (run by hand: the spec is not in the repository): "
        f"{x['spec']} ({x.get('source', 'source not recorded')}), {x['spec_mb']} MB, "
        f"{x['operations']} operations, {x['schemas']} schemas, dotted schema names. Cold runs "
        f"(empty format cache), interleaved, median of {x['rounds']}; peak memory is the PSS of "
        "each tool and its child processes. Load average at the end: "
        f"{x['machine']['load_average']} on {x['machine']['cores']} cores.",
        "",
        "| tool | seconds | peak MiB | output |",
        "| --- | ---: | ---: | --- |",
        f"| specbind | {x['specbind_s']:.1f} | {x['specbind_peak_mib']} | {x['specbind_methods']} "
        f"client methods, {x['specbind_lines']:,} lines |",
        (
            f"| openapi-python-client | {peer.split(', ')[0].removesuffix(' s')} | "
            f"{x.get('peer_peak_mib') or '-'} | {x.get('peer_endpoints', '-')} endpoint modules |"
            if x.get("peer_s") is not None
            else f"| openapi-python-client | - | - | {peer} |"
        ),
        "",
    ]


if __name__ == "__main__":
    main(*sys.argv[1:3])

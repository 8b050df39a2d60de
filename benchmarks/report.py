"""Write docs/benchmarks.md from benchmarks/results.json: report.py RESULTS.json OUT.md"""

from __future__ import annotations

import json
import sys
from pathlib import Path

NOTES = Path(__file__).with_name("notes.md")


def yes(ok: bool) -> str:
    return "met" if ok else "**missed**"


def mock_section(r: dict) -> list[str]:
    """The mock server under load (benchmarks/bench_mock.py): this tree, and any earlier tree
    measured into `mock_before`."""
    runs = [r[key] for key in ("mock_before", "mock") if key in r]
    if not runs:
        return []
    lines = [
        "## The mock server under load",
        "",
        f"`benchmarks/bench_mock.py`: `specbind mock spec/chat-api.yaml` on 127.0.0.1, and `wrk` holding "
        f"10, then 200 connections open for {runs[-1]['seconds']:g} s each, alternating "
        "`GET /messages/{id}/status` and `POST /messages` (the schema's example), all valid, so every "
        "request is checked against the spec. Server CPU is the server process's user+sys time per request.",
        "",
        "| mock | clients | req/s | p50 ms | p99 ms | max ms | errors | server CPU ms/request | load average |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for run in runs:
        load = ", ".join(f"{x:g}" for x in run["machine_load_average"])
        for row in run["rows"]:
            lines.append(
                f"| {run['note']} | {row['clients']} | {row['requests_per_s']:,.0f} | {row['p50_ms']:.1f} | "
                f"{row['p99_ms']:.1f} | {row['max_ms']:.1f} | {row['errors']} | "
                f"{row['server_cpu_ms_per_request']:.2f} | {load} |"
            )
    lines += [
        "",
        "A small GET sent while the server checks a large valid POST body (`channels`: a JSON array):",
        "",
    ]
    lines += ["| mock | body MiB | the GET, ms | the POST, s |", "| --- | ---: | ---: | ---: |"]
    for run in runs:
        if "held_up" in run:
            held = run["held_up"]
            lines.append(
                f"| {run['note']} | {held['body_mib']} | {held['get_ms']:,.1f} | {held['post_s']:.2f} |"
            )
    return lines + [
        "",
        "- **10 clients**: every answer of the earlier mock waited about 40 ms for the client's delayed "
        "ACK (its listening socket did not say IPPROTO_TCP, so asyncio never set TCP_NODELAY on the "
        "connections; uvicorn writes headers and body apart): 10 connections / 44 ms caps it near 230 req/s "
        "on any machine, which is where issue 12's 211 req/s came from. Now the server's CPU is the limit.",
        "- **200 clients**: CPU-bound before and after (about 1 ms of server CPU per request, most of it "
        "jsonschema checking the POST body, the rest uvicorn and starlette) on two cores shared with other "
        "work (see the load average), so requests per second follow the machine's load more than the code. "
        "Answering in worker threads costs a little CPU per request; it buys that a slow request (a large "
        "body, a slow pattern) no longer holds up every other client. Issue 12's 6.8 s p99 at 200 clients "
        "did not show here with wrk, before or after. One cause that gives such a p99: a burst of more "
        "than 129 connects overflows a listen queue of 128 when the server is slow to accept (it accepted "
        "on the event loop that also ran every check), and the dropped SYNs are retried after 1, 3 and 7 s. "
        "The queue is 2048 now (`tests/test_mock.py` connects 300 at once).",
        "- **A large body**: the earlier mock checked it on the event loop, so the GET waited for the "
        "whole check; now the check runs in a worker thread and the GET is answered meanwhile. The check itself "
        "stays slow (jsonschema, some tens of microseconds per array item on this machine): "
        "`--max-body-size` is what bounds it, and a project that sends no large bodies can lower it.",
        "",
    ]


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
        'specbind generates into a project whose pyproject.toml has `requires-python = ">=3.11"` and no '
        "formatter settings, so black (the default) and ruff both format at their default 88 columns.",
        "",
        "## Targets",
        "",
        "| # | target | figure | |",
        "| --- | --- | --- | --- |",
        f"| 1 | cold `specbind generate` of chat-api <= 0.8x openapi-python-client | {g['specbind_cold_s']:.2f} s vs "
        f"{g['peer_s']:.2f} s = **{g['cold_over_peer']:.2f}x** (median of {g['rounds']}) | {yes(g['cold_over_peer'] <= 0.8)} |",
        f"| 1 | the same with `--formatter ruff` (the peer formats with ruff too) | {g['specbind_ruff_cold_s']:.2f} s vs "
        f"{g['peer_s']:.2f} s = **{g['ruff_cold_over_peer']:.2f}x** (median of {g['rounds']}) | {yes(g['ruff_cold_over_peer'] <= 0.8)} |",
        f"| 1 | (no target) the same in CPU seconds, user + system with child processes, which the machine's load "
        f"changes much less | black {g['specbind_cold_cpu_s']:.2f} s = **{g['specbind_cold_cpu_s'] / g['peer_cpu_s']:.2f}x**, "
        f"ruff {g['specbind_ruff_cold_cpu_s']:.2f} s = **{g['specbind_ruff_cold_cpu_s'] / g['peer_cpu_s']:.2f}x** "
        f"the peer's {g['peer_cpu_s']:.2f} s | — |",
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
    lines += mock_section(r)
    for key in sorted(k for k in r if k.startswith("real_spec:")):
        lines += real_spec_figures(r[key])
    if "real_spec" in r:
        lines += real_spec_section(r["real_spec"])
    if NOTES.exists():
        lines.append(NOTES.read_text().rstrip() + "\n")
    Path(out_path).write_text("\n".join(lines))


def real_spec_figures(x: dict) -> list[str]:
    """`benchmarks/bench_realspec.py SPEC NAME`: one real spec, cold next to the peer in the same
    run, then warm, incremental, check and import figures from that run."""
    cold, peer = x["specbind_s"], x.get("peer_s")
    ratio = f"{cold / peer:.2f}x the peer" if peer else "peer failed"
    peer_row = (
        f"| openapi-python-client | {peer:.1f} | {x['peer_peak_mib']} | "
        f"{x['peer_endpoints']} endpoint modules"
        + (f" ({x['peer_error']})" if x.get("peer_error") else "")
        + " |"
        if peer
        else f"| openapi-python-client | - | - | failed: {x['peer_error']} |"
    )
    lines = [
        f"## Real spec: {x['spec']}",
        "",
        f"`benchmarks/bench_realspec.py SPEC {x['spec']}` ({x.get('source', 'source not recorded')}): "
        f"{x['spec_mb']} MB, {x['schemas']} schemas, {x['operations']} operations. Load average at "
        f"the end: {x['machine']['load_average']} on {x['machine']['cores']} cores; every figure "
        "below is from that one run. Peak memory is the PSS of each tool with its child processes.",
        "",
        "| run | seconds | peak MiB | of cold | output |",
        "| --- | ---: | ---: | ---: | --- |",
        f"| specbind cold (empty cache) | {cold:.1f} | {x['specbind_peak_mib']} | 1.00x | "
        f"{x['specbind_methods']} client methods, {x['specbind_lines']:,} lines; {ratio} |",
        peer_row,
        f"| specbind again, spec unchanged (cache from the cold run) | {x['warm_s']:.2f} | - | "
        f"{x['warm_s'] / cold:.2f}x | |",
        f"| specbind after a one-schema change (`{x['changed_schema']}`) | {x['one_schema_s']:.2f} "
        f"| {x['one_schema_peak_mib']} | {x['one_schema_s'] / cold:.2f}x | byte-identical to a "
        "cold run (tests/test_stage_cache.py, small spec) |",
        f"| specbind after a one-operation change (`{x['changed_operation']}`) | "
        f"{x['one_operation_s']:.2f} | {x['one_operation_peak_mib']} | "
        f"{x['one_operation_s'] / cold:.2f}x | |",
        f"| `specbind check`, unchanged tree (best of 5) | {x['check_clean_s']:.3f} | - | - | |",
        f"| `specbind check` after a change to another schema (drift found) | {x['check_drift_s']:.2f} "
        "| - | - | |",
        f"| `import {'real_api'}` (best of 5, timed in the interpreter, bytecode cached) | "
        f"{x['import_package_s']:.3f} | - | - | `import httpx`: {x['import_httpx_s']:.3f} s, "
        f"{x['import_package_s'] / x['import_httpx_s']:.2f}x |",
        *(
            [
                "| then `models`, loaded by the first response decoded into a class | "
                f"{x['first_response_models_s']:.3f} | - | - | |"
            ]
            if "first_response_models_s" in x
            else []
        ),
        "",
        "Stages of a cold run one after another (`stages.py`, empty cache; `specbind generate` "
        "overlaps them on its workers; placing warnings in the spec file is not one of them):",
        "",
        "| stage | ms |",
        "| --- | ---: |",
        *(f"| {stage} | {ms:,} |" for stage, ms in _in_pipeline_order(x["stages_ms"])),
        "",
    ]
    return lines


STAGE_ORDER = (
    "import specbind",
    "load",
    "import openapi-spec-validator",
    "validate",
    "import datamodel-code-generator",
    "models",
    "operations",
    "import black",
    "format",
)


def _in_pipeline_order(stages: dict) -> list:
    """stages.py's laps in the order they ran (results.json keeps its keys sorted)."""

    def rank(item: tuple) -> int:
        found = [i for i, prefix in enumerate(STAGE_ORDER) if item[0].startswith(prefix)]
        return found[0] if found else len(STAGE_ORDER)

    return sorted(stages.items(), key=rank)


def real_spec_section(x: dict) -> list[str]:
    """`benchmarks/bench_realspec.py` as it was run last session (one spec, cold runs only)."""
    peer = (
        f"{x['peer_s']:.1f} s, {x['peer_peak_mib']} MiB, {x['peer_endpoints']} endpoint modules"
        if x.get("peer_s") is not None
        else f"failed: {x['peer_error']}"
    )
    return [
        "## A large real spec (the previous session, before the changes above)",
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

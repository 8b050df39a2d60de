"""Targets 1 and 2: cold `specbind generate` of chat-api against the peer, and the no-op `specbind check`.

Cold means a new process and an empty format cache. Each command runs ROUNDS times, interleaved with the
peer so both see the same machine load; medians are compared. specbind writes into a project folder
without formatter settings (`common.bench_project`), once with each formatter: black (and isort), the
default, and ruff (`--formatter ruff`), as the peer formats with ruff.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys

from common import (
    CHAT_SPEC,
    ROOT,
    SPECBIND_PYTHON,
    WORK,
    bench_project,
    fresh_cache,
    machine,
    median,
    peer_generate,
    peer_spec,
    run,
    save,
    specbind,
)

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "7"))
COMPILED_TEMPLATES = (
    ROOT / "templates" / "__pycache__"
)  # Jinja2's compiled templates, kept like .pyc files


def cpu_seconds() -> float:
    """User + system CPU of every child process waited for so far (with their own children)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> dict[str, float]:
    out = bench_project() / "chat-out"
    peer_out = WORK / "chat-peer"
    spec_for_peer = peer_spec(CHAT_SPEC)
    gen = specbind("generate", CHAT_SPEC, "-o", out, "-p", "tyntec_chat")
    gen_ruff = [*gen, "--formatter", "ruff"]
    run(gen, env=fresh_cache())  # warm the OS page cache and .pyc files, not ours
    run(gen_ruff, env=fresh_cache())
    peer_generate(spec_for_peer, peer_out)
    cold, coldest, warm, peer, check, peak, ruff = [], [], [], [], [], [], []
    # CPU seconds too: on a shared machine wall time follows the load, CPU time much less.
    cold_cpu, ruff_cpu, peer_cpu = [], [], []
    for _ in range(ROUNDS):
        env = fresh_cache()
        before = cpu_seconds()
        seconds, rss, _ = run(gen, env=env)
        cold_cpu.append(cpu_seconds() - before)
        cold.append(seconds)
        peak.append(rss)
        before = cpu_seconds()
        ruff.append(run(gen_ruff, env=fresh_cache())[0])
        ruff_cpu.append(cpu_seconds() - before)
        warm.append(run(gen, env=env)[0])  # same cache, now full: regeneration of an unchanged spec
        shutil.rmtree(
            COMPILED_TEMPLATES, ignore_errors=True
        )  # and without compiled templates either
        coldest.append(run(gen, env=fresh_cache())[0])
        shutil.rmtree(peer_out, ignore_errors=True)
        before = cpu_seconds()
        peer.append(peer_generate(spec_for_peer, peer_out)[0])
        peer_cpu.append(cpu_seconds() - before)
        check.append(run(specbind("check"), cwd=ROOT)[0])
    figures = {
        "specbind_cold_s": median(cold),
        "specbind_warm_s": median(warm),
        "specbind_coldest_s": median(coldest),
        "peer_s": median(peer),
        "cold_over_peer": median(cold) / median(peer),
        "specbind_ruff_cold_s": median(ruff),
        "ruff_cold_over_peer": median(ruff) / median(peer),
        "specbind_cold_cpu_s": median(cold_cpu),
        "specbind_ruff_cold_cpu_s": median(ruff_cpu),
        "peer_cpu_s": median(peer_cpu),
        "check_noop_s": median(check),
        "check_over_cold_generate": median(check) / median(cold),
        "check_over_warm_generate": median(check) / median(warm),
        "specbind_cold_peak_mib": max(peak) / 2**20,
        "rounds": ROUNDS,
        **{f"machine_{k}": v for k, v in machine().items()},
    }
    stages = [
        json.loads(
            subprocess.run(
                [SPECBIND_PYTHON, ROOT / "benchmarks" / "stages.py", CHAT_SPEC, "--json", out],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
        )
        for _ in range(3)
    ]
    figures["stages_s"] = [
        [name, median([s[name] for s in stages])] for name in stages[0]
    ]  # in order
    save("generate", figures)
    print(
        f"cold specbind generate (chat-api): {figures['specbind_cold_s']:.3f} s median of {ROUNDS}"
    )
    print(f"openapi-python-client generate:    {figures['peer_s']:.3f} s")
    print(f"  ratio specbind/peer: {figures['cold_over_peer']:.2f}x (target <= 0.8x)")
    print(
        f"cold specbind generate --formatter ruff: {figures['specbind_ruff_cold_s']:.3f} s, "
        f"ratio to the peer {figures['ruff_cold_over_peer']:.2f}x"
    )
    print(
        f"CPU seconds (user+system, with child processes): specbind {figures['specbind_cold_cpu_s']:.2f}"
        f" ({figures['specbind_cold_cpu_s'] / figures['peer_cpu_s']:.2f}x the peer), with ruff "
        f"{figures['specbind_ruff_cold_cpu_s']:.2f} ({figures['specbind_ruff_cold_cpu_s'] / figures['peer_cpu_s']:.2f}x),"
        f" peer {figures['peer_cpu_s']:.2f}"
    )
    print(f"cold, compiled templates deleted too: {figures['specbind_coldest_s']:.3f} s")
    print(f"warm specbind generate (cache full): {figures['specbind_warm_s']:.3f} s")
    print(f"specbind check (no-op): {figures['check_noop_s']:.3f} s (target <= 0.15 s)")
    for name, seconds in figures["stages_s"]:
        print(f"  {seconds * 1000:6.0f} ms  {name}")
    print(
        f"  ratio check/cold generate: {figures['check_over_cold_generate']:.2f}x (target <= 0.2x)"
    )
    return figures


if __name__ == "__main__":
    main()
    sys.exit(0)

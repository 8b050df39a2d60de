"""Shared helpers for the benchmark scripts: where things are, and how a child process is timed."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH_VENV = ROOT / ".bench-venv"
BENCH_PYTHON = BENCH_VENV / "bin" / "python"
PEER = BENCH_VENV / "bin" / "openapi-python-client"
SPECBIND_PYTHON = Path(sys.executable)  # run_all.py runs under the project's own .venv
CHAT_SPEC = ROOT / "spec" / "chat-api.yaml"
WORK = Path(os.environ.get("BENCH_WORK") or tempfile.mkdtemp(prefix="specbind-bench-"))
RESULTS = ROOT / "benchmarks" / "results.json"


def run(
    cmd: list[str | Path],
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    timeout: float | None = None,
    expect: int = 0,
) -> tuple[float, int, int]:
    """Wall seconds, peak memory in bytes and exit code of one command (`expect`: the exit code
    that is not an error; `specbind check` exits 1 on drift).

    Peak memory is the larger of the child's own peak RSS and the peak, sampled every 50 ms, of the
    proportional set size summed over the child and every process it started (specbind forks workers;
    the peer runs ruff): forked workers share their parent's pages, which PSS counts once.
    On timeout the child is killed and the seconds returned are the timeout (a lower bound).
    """
    full_env = {**os.environ, **(env or {})}
    start = time.perf_counter()
    err_file = tempfile.TemporaryFile()  # a pipe could fill up and stall a chatty child
    proc = subprocess.Popen(
        [str(c) for c in cmd], env=full_env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=err_file
    )
    deadline = None if timeout is None else start + timeout
    tree_peak, next_sample = 0, start
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        now = time.perf_counter()
        if deadline is not None and now > deadline:
            proc.kill()
            pid, status, usage = os.wait4(proc.pid, 0)
            proc.returncode = -9
            return float(timeout or 0), max(usage.ru_maxrss * 1024, tree_peak), -9
        if now >= next_sample:
            tree_peak, next_sample = max(tree_peak, tree_pss(proc.pid)), now + 0.05
        time.sleep(0.002)
    seconds = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code != expect:
        err_file.seek(0)
        err = err_file.read().decode(errors="replace")
        raise RuntimeError(f"{' '.join(map(str, cmd))} exited {code}:\n{err[-2000:]}")
    return seconds, max(usage.ru_maxrss * 1024, tree_peak), code


def tree_pss(pid: int) -> int:
    """Proportional set size in bytes of a process and all its descendants (Linux; 0 elsewhere)."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/smaps_rollup") as fh:
                total += next(int(line.split()[1]) * 1024 for line in fh if line.startswith("Pss:"))
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as fh:
                    todo += [int(c) for c in fh.read().split()]
        except (OSError, StopIteration, ValueError):
            continue  # the process ended meanwhile
    return total


def bench_project() -> Path:
    """A project folder as a team's repository might be: a pyproject.toml with `requires-python` and
    no formatter settings, so black (and ruff) format at their defaults (88 columns) for Python 3.11.
    """
    project = WORK / "project"
    project.mkdir(exist_ok=True)
    (project / "pyproject.toml").write_text(
        '[project]\nname = "bench"\nrequires-python = ">=3.11"\n', encoding="utf-8"
    )
    return project


def median(values: list[float]) -> float:
    values = sorted(values)
    mid = len(values) // 2
    return values[mid] if len(values) % 2 else (values[mid - 1] + values[mid]) / 2


def fresh_cache() -> dict[str, str]:
    """Environment for a cold run: an empty format cache."""
    return {"SPECBIND_CACHE": tempfile.mkdtemp(prefix="cache-", dir=WORK)}


def specbind(*args: str | Path) -> list[str | Path]:
    """The `specbind` console script, as a user runs it (its entry point answers a clean `check` early)."""
    return [SPECBIND_PYTHON.parent / "specbind", *args]


def peer_env() -> dict[str, str]:
    """The peer as installed normally: its own bin folder on PATH, so its ruff post-hooks run."""
    return {"PATH": f"{BENCH_VENV / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}"}


def peer_spec(spec: Path) -> Path:
    """The spec with whitespace-only lines emptied: the peer's YAML reader (ruamel 0.19) rejects them."""
    out = WORK / f"peer-{spec.name}"
    lines = spec.read_text(encoding="utf-8").splitlines()
    out.write_text(
        "\n".join("" if not line.strip() else line for line in lines) + "\n", encoding="utf-8"
    )
    return out


def peer_generate(
    spec: Path, out: Path, timeout: float | None = None, extra: list[str | Path] | None = None
) -> tuple[float, int, int]:
    return run(
        [PEER, "generate", "--path", spec, "--output-path", out, "--overwrite", *(extra or [])],
        env=peer_env(),
        cwd=WORK,
        timeout=timeout,
    )


def loglog_slope(xs: list[float], ys: list[float]) -> float:
    lx, ly = [math.log(x) for x in xs], [math.log(y) for y in ys]
    mx, my = sum(lx) / len(lx), sum(ly) / len(ly)
    return sum((a - mx) * (b - my) for a, b in zip(lx, ly)) / sum((a - mx) ** 2 for a in lx)


def save(section: str, data: dict[str, Any]) -> None:
    """Merge one benchmark's figures into benchmarks/results.json."""
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    results[section] = data
    RESULTS.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")


def machine() -> dict[str, Any]:
    return {
        "cores": os.cpu_count(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "python": sys.version.split()[0],
        "platform": sys.platform,
    }

"""The mock server under load: requests per second and latency at 10 and 200 concurrent clients.

    python bench_mock.py                     # the mock of this tree; figures saved as "mock"
    python bench_mock.py --pythonpath DIR --save-as mock_before --note "before (COMMIT)"
                                             # the mock of another source tree (DIR holds `specbind/`,
                                             # e.g. `git archive COMMIT generator | tar -x -C /tmp/x`
                                             # gives /tmp/x/generator)

`specbind mock spec/chat-api.yaml` runs in its own process on 127.0.0.1 (a free port), and `wrk`
(Debian/Ubuntu: `apt-get install wrk`; a C load generator, so the clients cost the shared cores
little) holds 10, then 200 connections open for `--seconds` each (10 by default), alternating the
two kinds of valid request chat-api has (`GET /messages/{id}/status`, `POST /messages` with the
schema's example; `bench_mock.lua`), so every request is checked against the spec. A request that
takes longer than 30 s counts as an error. Then one small GET is timed while the server checks a
large valid POST body (`--body-mib`, 8 by default). The server's CPU time per request is measured too: on a
busy machine it moves less than requests per second do.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import yaml
from common import CHAT_SPEC, machine, save

LEVELS = (10, 200)
MESSAGE_ID = "77185196-664a-43ec-b14a-fe97036c697f"
SCRIPT = Path(__file__).with_name("bench_mock.lua")


def start_server(pythonpath: str | None) -> tuple[subprocess.Popen[str], str]:
    env = {**os.environ}
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    process = subprocess.Popen(
        [sys.executable, "-m", "specbind", "mock", str(CHAT_SPEC), "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    assert process.stdout is not None
    match = re.search(r"http://\S+", process.stdout.readline())
    if not match:
        process.kill()
        raise SystemExit("the mock server did not start")
    # the access log goes on to stdout: read it away, or the server stops once the pipe is full
    threading.Thread(target=process.stdout.read, daemon=True).start()
    return process, match.group(0)


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process so far (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def level(url: str, pid: int, body: str, clients: int, seconds: float) -> dict[str, Any]:
    cpu_before = cpu_seconds(pid)
    done = subprocess.run(
        ["wrk", "-t2", f"-c{clients}", f"-d{seconds:g}s", "--timeout", "30s", "-s", SCRIPT, url],
        capture_output=True,
        text=True,
        timeout=seconds + 120,
        env={**os.environ, "BENCH_BODY": body},
    )
    server_cpu = cpu_seconds(pid) - cpu_before
    found = re.search(r"^RESULT (.*)$", done.stdout, re.M)
    if done.returncode or not found:
        raise SystemExit(f"wrk failed: {done.stderr or done.stdout}")
    figures = json.loads(found.group(1))
    return {
        "clients": clients,
        "requests": figures["requests"],
        "errors": figures["errors"],
        "seconds": round(figures["seconds"], 2),
        "requests_per_s": round(figures["requests"] / figures["seconds"], 1),
        "p50_ms": round(figures["p50_us"] / 1000, 1),
        "p99_ms": round(figures["p99_us"] / 1000, 1),
        "max_ms": round(figures["max_us"] / 1000, 1),
        "server_cpu_ms_per_request": round(server_cpu * 1000 / max(1, figures["requests"]), 2),
    }


def held_up(url: str, body_mib: int) -> dict[str, Any]:
    """How long a small GET takes while the server checks a large valid POST body (a JSON array of
    `body_mib` MiB under `channels`), and how long that POST takes."""
    items = body_mib * 1024 * 1024 // len('"sms", ')
    large = json.dumps({"to": "+123234234", "channels": ["sms"] * items}).encode()
    headers = {"apikey": "bench", "content-type": "application/json"}
    posted: list[float] = []

    def post() -> None:
        started = time.perf_counter()
        httpx.post(f"{url}/messages", content=large, headers=headers, timeout=300)
        posted.append(time.perf_counter() - started)

    poster = threading.Thread(target=post)
    poster.start()
    time.sleep(1.0)  # the body has arrived and is being checked
    started = time.perf_counter()
    httpx.get(f"{url}/messages/{MESSAGE_ID}/status", headers=headers, timeout=300)
    get_s = time.perf_counter() - started
    poster.join(300)
    return {"body_mib": body_mib, "get_ms": round(get_s * 1000, 1), "post_s": round(posted[0], 2)}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument(
        "--pythonpath", help="serve the mock of the specbind package in this folder"
    )
    parser.add_argument("--save-as", default="mock", help="section of results.json (mock)")
    parser.add_argument("--note", default="this tree", help="what was measured, for the report")
    parser.add_argument("--seconds", type=float, default=10.0, help="per level (10)")
    parser.add_argument("--body-mib", type=int, default=8, help="the large POST body (8 MiB)")
    args = parser.parse_args([] if argv is None else argv)  # run_all.py passes none
    if shutil.which("wrk") is None:
        print("bench_mock: skipped, wrk is not installed (apt-get install wrk)")
        return
    document = yaml.safe_load(CHAT_SPEC.read_text(encoding="utf-8"))
    body = json.dumps(document["components"]["schemas"]["MessageRequest"]["example"])
    process, url = start_server(args.pythonpath)
    try:
        level(url, process.pid, body, 2, 1)  # warm-up: the mock makes each answer once
        rows = []
        for clients in LEVELS:
            row = level(url, process.pid, body, clients, args.seconds)
            print(
                f"{clients:4d} clients: {row['requests_per_s']:7.1f} req/s, p50 {row['p50_ms']} ms, "
                f"p99 {row['p99_ms']} ms, max {row['max_ms']} ms, {row['errors']} errors, "
                f"server CPU {row['server_cpu_ms_per_request']} ms/request",
                flush=True,
            )
            rows.append(row)
        held = held_up(url, args.body_mib)
        print(
            f"a GET during a {held['body_mib']} MiB POST: {held['get_ms']} ms "
            f"(the POST: {held['post_s']} s)",
            flush=True,
        )
    finally:
        process.terminate()
        try:
            process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()
    figures = {"note": args.note, "rows": rows, "seconds": args.seconds, "held_up": held}
    save(args.save_as, {**figures, **{f"machine_{k}": v for k, v in machine().items()}})


if __name__ == "__main__":
    main(sys.argv[1:])

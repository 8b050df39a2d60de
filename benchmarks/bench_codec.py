"""Target 5: decode+encode of the MoMessage example, against pydantic v2 and the peer's attrs models.

Set-up runs here (the project's .venv): pydantic v2 models made by datamodel-code-generator from the
same spec (regex `pattern`s dropped: pydantic-core rejects one of chat-api's, and specbind's models do
not check patterns either), the example as JSON, the peer's generated package. The timing runs in the
benchmark environment (.bench-venv), which has pydantic and attrs: benchmarks/_codec_worker.py.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import yaml
from common import BENCH_PYTHON, CHAT_SPEC, ROOT, WORK, machine, peer_generate, peer_spec, save


def _drop_patterns(node):
    if isinstance(node, dict):
        return {k: _drop_patterns(v) for k, v in node.items() if k != "pattern"}
    if isinstance(node, list):
        return [_drop_patterns(v) for v in node]
    return node


def setup() -> Path:
    from specbind.spec.load import load

    where = WORK / "codec"
    where.mkdir(exist_ok=True)
    document = load(CHAT_SPEC).document
    (where / "example.json").write_text(
        json.dumps(document["components"]["schemas"]["MoMessage"]["example"])
    )
    spec = where / "no-patterns.json"
    spec.write_text(json.dumps(_drop_patterns(document)))
    subprocess.run(
        [
            Path(sys.executable).parent / "datamodel-codegen",
            "--input",
            spec,
            "--input-file-type",
            "openapi",
            "--output",
            where / "pydantic_models.py",
            "--output-model-type",
            "pydantic_v2.BaseModel",
            "--snake-case-field",
            "--target-python-version",
            "3.11",
            "--disable-timestamp",
        ],
        check=True,
    )
    if not (WORK / "chat-peer").exists():
        peer_generate(peer_spec(CHAT_SPEC), WORK / "chat-peer")
    return where


def main() -> dict:
    where = setup()
    out = subprocess.run(
        [
            BENCH_PYTHON,
            ROOT / "benchmarks" / "_codec_worker.py",
            where,
            ROOT / "generated",
            WORK / "chat-peer",
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    figures = json.loads(out.stdout)
    figures.update({f"machine_{k}": v for k, v in machine().items()})
    save("codec", figures)
    for level in ("dict", "bytes_stdlib_json"):
        ours, pyd, peer = (
            figures[f"{who}_{level}_ops"] for who in ("specbind", "pydantic", "peer")
        )
        print(
            f"{level:18s} specbind {ours:9,.0f} ops/s | pydantic v2 {pyd:9,.0f} ({ours / pyd:.2f}x, target >= 1.0) | "
            f"peer attrs {peer:9,.0f} ({ours / peer:.2f}x, target >= 2.0)"
        )
    print(
        f"pydantic's own JSON (model_validate_json/model_dump_json): {figures['pydantic_native_json_ops']:,.0f} ops/s"
    )
    return figures


if __name__ == "__main__":
    main()
    sys.exit(0)

"""Times decode+encode of one payload with three model kinds; prints ops/s as JSON (run by bench_codec.py)."""

from __future__ import annotations

import json
import sys
import timeit
from pathlib import Path

where, generated, peer = (Path(p) for p in sys.argv[1:4])
sys.path[:0] = [str(where), str(generated), str(peer)]

import pydantic_models  # noqa: E402
from chat_api_client.models.mo_message import MoMessage as PeerMoMessage  # noqa: E402
from tyntec_chat.models import MoMessage  # noqa: E402

example = json.loads((where / "example.json").read_text())
raw = json.dumps(example).encode()
Pyd = pydantic_models.MoMessage


ROUNDS, NUMBER = 40, 200


def measure(cases: dict) -> dict[str, float]:
    """Calls per second, best of ROUNDS; the cases take turns so machine load hits them alike."""
    best = {name: float("inf") for name in cases}
    for _ in range(ROUNDS):
        for name, fn in cases.items():
            best[name] = min(best[name], timeit.timeit(fn, number=NUMBER))
    return {name: NUMBER / seconds for name, seconds in best.items()}


cases = {
    "specbind_dict": lambda: MoMessage.from_dict(example).to_dict(),
    "pydantic_dict": lambda: Pyd.model_validate(example).model_dump(
        mode="json", by_alias=True, exclude_unset=True
    ),
    "peer_dict": lambda: PeerMoMessage.from_dict(example).to_dict(),
    "specbind_bytes_stdlib_json": lambda: json.dumps(
        MoMessage.from_dict(json.loads(raw)).to_dict()
    ).encode(),
    "pydantic_bytes_stdlib_json": lambda: json.dumps(
        Pyd.model_validate(json.loads(raw)).model_dump(
            mode="json", by_alias=True, exclude_unset=True
        )
    ).encode(),
    "peer_bytes_stdlib_json": lambda: json.dumps(
        PeerMoMessage.from_dict(json.loads(raw)).to_dict()
    ).encode(),
    "specbind_to_json_ops": lambda: MoMessage.from_json(raw).to_json(),
    "pydantic_native_json": lambda: Pyd.model_validate_json(raw).model_dump_json(
        by_alias=True, exclude_unset=True
    ),
}
# every model kind must give the payload back before its speed means anything
for name in ("specbind_dict", "pydantic_dict", "peer_dict"):
    got = cases[name]()
    assert got["messageId"] == example["messageId"] and got["from"] == example["from"], (name, got)
print(
    json.dumps(
        {
            name if name.endswith("_ops") else f"{name}_ops": ops
            for name, ops in measure(cases).items()
        }
    )
)

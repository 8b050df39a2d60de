"""What "a real spec works" means, checked on a generated package: every operation of the spec
became a client method, every example of a component schema round-trips through the generated
models, and `mypy --strict` passes. tests/test_real_specs.py and benchmarks/corpus.py both use
these functions (benchmark scripts put the repository root on sys.path).
"""

from __future__ import annotations

import importlib
import inspect
import json
import re
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
from specbind.codegen.operations import METHODS, describe
from specbind.mock.samples import sample
from specbind.spec.document import deref
from specbind.spec.examples import as_instants, collect
from specbind.spec.problems import pointer_of

from tests.helpers import model_aliases, model_classes


def count_operations(document: dict[str, Any]) -> int:
    """The operations of the spec: one per method of each path item (a `$ref`'d item followed)."""
    total = 0
    for item in (document.get("paths") or {}).values():
        if isinstance(item, dict) and isinstance(item.get("$ref"), str):
            item = _resolve(document, item["$ref"])
        if isinstance(item, dict):
            total += sum(1 for m in METHODS if isinstance(item.get(m), dict))
    return total


def _resolve(document: dict[str, Any], ref: str) -> Any:
    node: Any = document
    for part in ref.lstrip("#/").split("/"):
        node = (
            node.get(part.replace("~1", "/").replace("~0", "~")) if isinstance(node, dict) else None
        )
    return node


def count_methods(pkg: ModuleType) -> int:
    """Client methods that send one of the spec's operations (not the `_to_file` variants)."""
    operations = importlib.import_module(pkg.__name__ + ".operations")
    functions = {
        name
        for name, value in inspect.getmembers(operations, inspect.isfunction)
        if value.__module__ == operations.__name__ and not name.startswith("_")
    }
    return len([name for name in dir(pkg.Client) if name in functions])


@dataclass(frozen=True)
class ExampleOutcome:
    pointer: str  # where the example stands in the spec
    failure: str  # "" when it round-trips; else why not


def round_trip(pkg: ModuleType, document: dict[str, Any]) -> list[ExampleOutcome]:
    """Every component schema's example through from_dict/to_dict (or its alias's decoder),
    compared with the example as JSON (date-times as instants). A property-level example travels
    inside a sample of its schema's other required properties."""
    models = importlib.import_module(pkg.__name__ + ".models")
    source = Path(pkg.__path__[0], "models.py").read_text(encoding="utf-8")
    classes, aliases = model_classes(source), model_aliases(source)
    outcomes = []
    for example in collect(document):
        pointer = "#/components/schemas/" + example.schema_name.replace("~", "~0").replace(
            "/", "~1"
        )
        schema = document["components"]["schemas"][example.schema_name]
        payload = example.value
        if example.property is not None:
            payload = {
                n: sample(schema["properties"][n], document)
                for n in schema.get("required") or []
                if n != example.property and n in (schema.get("properties") or {})
            }
            payload[example.property] = example.value
        try:
            if pointer in classes:
                cls = getattr(models, classes[pointer])
                if hasattr(cls, "from_dict"):
                    back = cls.from_dict(payload).to_dict()
                else:  # an enum
                    back = pkg._codec.to_wire(cls(payload))
            else:
                alias = aliases.get(pointer, "")
                decode = getattr(models, alias) if alias.startswith("decode_") else (lambda v: v)
                back = pkg._codec.to_wire(decode(payload))
        except Exception as exc:  # the example does not fit the schema, or the codec is wrong
            failure = f"rejected ({type(exc).__name__}: {exc})"[:300]
        else:
            same = _as_json(back) == _as_json(payload)
            failure = "" if same else "re-encoded differently"
        outcomes.append(ExampleOutcome(example.pointer, failure))
    return outcomes


def _as_json(value: Any) -> Any:
    return as_instants(json.loads(json.dumps(value, default=str)))


def read_samples(pkg: ModuleType, document: dict[str, Any]) -> dict[str, str]:
    """Each operation's JSON success responses, made from their schemas (no examples, no writeOnly
    members), read by the generated `read_<operation>`: operation -> why one was not read."""
    operations = importlib.import_module(pkg.__name__ + ".operations")
    source = Path(pkg.__path__[0], "models.py").read_text(encoding="utf-8")
    api = describe(document, model_classes(source), set(), model_aliases(source))
    failures = {}
    for op in api.operations:
        item = _resolve(document, pointer_of(("paths", op.path)))
        if isinstance(item, dict) and isinstance(item.get("$ref"), str):
            item = _resolve(document, item["$ref"])
        responses = item[op.method.lower()]["responses"]
        for response in op.success:
            if response.kind not in ("model", "json"):
                continue
            media = deref(document, responses[response.status], strict=True)["content"]
            schema = (media[response.content_type] or {}).get("schema", {})
            body = sample(schema, document, use_examples=False, omit="writeOnly")
            status = int(response.status) if response.status.isdigit() else 200
            request = httpx.Request(op.method.upper(), "https://api.test/")
            # content, not json=: httpx sends no body at all for json=None
            reply = httpx.Response(status, content=json.dumps(body).encode(), request=request)
            try:
                getattr(operations, "read_" + op.name)(reply)
            except Exception as exc:  # the reader cannot read what the spec describes
                failures[op.name] = f"{response.status}: {type(exc).__name__}: {exc}"[:300]
    return failures


def mypy_strict(folder: Path, packages: list[str], cache: Path) -> subprocess.CompletedProcess[str]:
    """One `mypy --strict` run over several generated packages in `folder` (much faster than one
    run per package: the standard library and httpx are analysed once)."""
    command = [sys.executable, "-m", "mypy", "--strict", "--cache-dir", str(cache)]
    for package in packages:
        command += ["-p", package]
    return subprocess.run(command, cwd=folder, capture_output=True, text=True)


def mypy_failure(stdout: str) -> str:
    """mypy's output in one line: error counts by code, and the first error."""
    codes = Counter(re.findall(r"  \[([\w-]+)\]$", stdout, re.MULTILINE))
    first = next((line for line in stdout.splitlines() if ": error:" in line), "")
    total = sum(codes.values())
    listed = ", ".join(f"{code} {n}" for code, n in codes.most_common(3))
    return f"{total} errors ({listed}); first: {first.split(': error: ')[-1][:120]}"

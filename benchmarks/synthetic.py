"""Synthetic OpenAPI 3.0 specs of any size, for the scale and small-change benchmarks.

Each schema is an object shaped like the ones real APIs have: required and optional strings, an integer
with bounds, a date-time, an enum, a reference to an earlier schema and a list of references. There is
one path per four schemas, with a GET that answers a schema and a POST that takes one, so the number of
operations grows in proportion to the number of schemas (n / 2).

    python benchmarks/synthetic.py 800 > spec.json
"""

from __future__ import annotations

import json
import sys
from typing import Any


def schema(i: int, variant: int = 0) -> dict[str, Any]:
    """Schema number `i`; `variant` changes it (and only it) for the small-change benchmark."""
    props: dict[str, Any] = {
        "id": {"type": "string", "format": "uuid", "description": f"Identifier of item {i}"},
        "name": {"type": "string", "maxLength": 64, "example": f"name-{i}"},
        "count": {"type": "integer", "minimum": 0, "maximum": 1000},
        "createdAt": {"type": "string", "format": "date-time"},
        "state": {"type": "string", "enum": ["new", "active", f"state{i % 7}"]},
        "note": {"type": "string", "nullable": True},
    }
    if i > 0:
        props["parent"] = {"$ref": f"#/components/schemas/Model{(i * 7) // 8}"}
        props["children"] = {
            "type": "array",
            "items": {"$ref": f"#/components/schemas/Model{i - 1}"},
        }
    if variant:
        props[f"added{variant}"] = {"type": "string", "description": f"Added in variant {variant}"}
    return {
        "type": "object",
        "description": f"Model number {i}, a synthetic schema.",
        "required": ["id", "name"],
        "properties": props,
    }


def spec(n: int, changed: int | None = None, variant: int = 1) -> dict[str, Any]:
    """A valid spec with `n` schemas; `changed` names a schema to alter with `variant`."""
    schemas = {f"Model{i}": schema(i, variant if i == changed else 0) for i in range(n)}
    paths: dict[str, Any] = {}
    for i in range(0, n, 4):
        ref = {"$ref": f"#/components/schemas/Model{i}"}
        ok = {"description": "OK", "content": {"application/json": {"schema": ref}}}
        paths[f"/items{i}/{{itemId}}"] = {
            "parameters": [
                {"name": "itemId", "in": "path", "required": True, "schema": {"type": "string"}}
            ],
            "get": {
                "operationId": f"getItem{i}",
                "summary": f"Read item {i}",
                "parameters": [{"name": "expand", "in": "query", "schema": {"type": "boolean"}}],
                "responses": {"200": ok, "404": {"description": "Not found"}},
            },
            "post": {
                "operationId": f"putItem{i}",
                "summary": f"Replace item {i}",
                "requestBody": {"required": True, "content": {"application/json": {"schema": ref}}},
                "responses": {"200": ok},
            },
        }
    return {
        "openapi": "3.0.3",
        "info": {"title": f"Synthetic API with {n} schemas", "version": "1.0.0"},
        "servers": [{"url": "https://api.example.com/v1"}],
        "paths": paths,
        "components": {"schemas": schemas},
    }


def dump(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=1) + "\n"


if __name__ == "__main__":
    sys.stdout.write(dump(spec(int(sys.argv[1]))))

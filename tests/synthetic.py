"""Synthetic OpenAPI specs of any size, for tests and benchmarks: `synthetic_spec(n_schemas, n_operations)`.

Deterministic: the same arguments give the same document. Schemas mix what real specs have
(required and optional members, dates, enums, arrays, nested references, allOf inheritance, oneOf),
and each carries an example, so round-trips can be checked at any size.
"""

from __future__ import annotations

from typing import Any


def synthetic_spec(n_schemas: int, n_operations: int) -> dict[str, Any]:
    """A valid OpenAPI 3.0 document with `n_schemas` component schemas and `n_operations` operations."""
    n_schemas = max(1, n_schemas)
    schemas = {_name(i): _schema(i) for i in range(n_schemas)}
    paths: dict[str, Any] = {}
    methods = ("get", "post", "put", "delete")
    for i in range(n_operations):
        target = _name(i % n_schemas)
        method = methods[i % len(methods)]
        path = paths.setdefault(f"/things{i // len(methods)}/{{thingId}}", {})
        ref = {"$ref": f"#/components/schemas/{target}"}
        operation: dict[str, Any] = {
            "operationId": f"{method}Thing{i}",
            "summary": f"Operation {i} on {target}",
            "parameters": [
                {"name": "thingId", "in": "path", "required": True, "schema": {"type": "string"}},
                {"name": "limit", "in": "query", "schema": {"type": "integer", "default": 10}},
            ],
            "responses": {
                "200": {
                    "description": "the thing",
                    "content": {"application/json": {"schema": ref}},
                },
                "404": {"description": "not found"},
            },
        }
        if method in ("post", "put"):
            operation["requestBody"] = {
                "required": True,
                "content": {"application/json": {"schema": ref}},
            }
        path[method] = operation
    return {
        "openapi": "3.0.3",
        "info": {
            "title": f"Synthetic API ({n_schemas} schemas, {n_operations} operations)",
            "version": "1.0",
        },
        "servers": [{"url": "http://127.0.0.1/api"}],
        "paths": paths,
        "components": {"schemas": schemas},
    }


def _name(i: int) -> str:
    return f"Thing{i}"


def _schema(i: int) -> dict[str, Any]:
    own: dict[str, Any] = {
        "type": "object",
        "description": f"Synthetic schema number {i}.",
        "required": ["id", "name"],
        "properties": {
            "id": {"type": "string", "format": "uuid"},
            "name": {"type": "string", "maxLength": 100},
            "createdAt": {"type": "string", "format": "date-time"},
            "count": {"type": "integer", "default": 0},
            "ratio": {"type": "number", "nullable": True},
            "status": {"type": "string", "enum": ["active", "inactive", "pending"]},
            "tags": {"type": "array", "items": {"type": "string"}},
            "labels": {"type": "object", "additionalProperties": {"type": "string"}},
        },
    }
    example: dict[str, Any] = {
        "id": f"00000000-0000-4000-8000-{i:012d}",
        "name": f"thing {i}",
        "createdAt": "2024-01-02T03:04:05Z",
        "count": i,
        "ratio": None,
        "status": "active",
        "tags": ["a", "b"],
        "labels": {"k": "v"},
    }
    if i >= 1:  # a reference to an earlier schema, and a list of them
        own["properties"]["parent"] = {"$ref": f"#/components/schemas/{_name(i - 1)}"}
        own["properties"]["children"] = {
            "type": "array",
            "items": {"$ref": f"#/components/schemas/{_name(i - 1)}"},
        }
    if i >= 2 and i % 5 == 0:  # every fifth schema inherits from an earlier one
        schema: dict[str, Any] = {
            "description": own.pop("description"),
            "allOf": [{"$ref": f"#/components/schemas/{_name(i - 2)}"}, own],
        }
        own["properties"].pop("parent", None)
        example.update({"id": f"00000000-0000-4000-8000-{i:012d}"})
    else:
        schema = own
    if i >= 2 and i % 7 == 0:
        schema = {**schema} if "allOf" in schema else schema
        own["properties"]["either"] = {
            "oneOf": [{"$ref": f"#/components/schemas/{_name(i - 1)}"}, {"type": "string"}]
        }
        example["either"] = "plain"
    schema["example"] = example
    return schema

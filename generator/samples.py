"""Values made from schemas: the schema's own example where it has one, else a plausible value."""

from __future__ import annotations

from typing import Any

from generator.problems import parts_of

_BY_FORMAT = {
    "date-time": "2024-01-01T00:00:00Z",
    "date": "2024-01-01",
    "time": "00:00:00",
    "uuid": "00000000-0000-4000-8000-000000000000",
    "email": "user@example.com",
    "uri": "https://example.com/",
    "url": "https://example.com/",
    "hostname": "example.com",
    "ipv4": "192.0.2.1",
    "ipv6": "2001:db8::1",
    "byte": "",
    "binary": "",
}


def sample(schema: Any, document: dict[str, Any], depth: int = 0, use_examples: bool = True) -> Any:
    """A JSON value valid for `schema` where that is easy to make (examples first)."""
    if not isinstance(schema, dict) or depth > 12:
        return None
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#"):
        return sample(_resolve(document, ref), document, depth + 1, use_examples)
    if use_examples:
        if "example" in schema:
            return schema["example"]
        if isinstance(schema.get("examples"), list) and schema["examples"]:
            return schema["examples"][0]
    for key in ("const", "default"):
        if key in schema:
            return schema[key]
    if isinstance(schema.get("enum"), list) and schema["enum"]:
        return schema["enum"][0]
    for combiner in ("oneOf", "anyOf"):
        if isinstance(schema.get(combiner), list) and schema[combiner]:
            return sample(schema[combiner][0], document, depth + 1, use_examples)
    if isinstance(schema.get("allOf"), list):
        merged: dict[str, Any] = {}
        for part in schema["allOf"]:
            value = sample(part, document, depth + 1, use_examples)
            if isinstance(value, dict):
                merged.update(value)
        return merged
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind is None and "properties" in schema:
        kind = "object"
    if kind == "object":
        required = set(schema.get("required") or [])
        return {
            name: sample(sub, document, depth + 1, use_examples)
            for name, sub in (schema.get("properties") or {}).items()
            if name in required
        }
    if kind == "array":
        count = int(schema.get("minItems", 0) or 0)
        return [sample(schema.get("items", {}), document, depth + 1, use_examples) for _ in range(count)]
    if kind == "string":
        value = _BY_FORMAT.get(str(schema.get("format")), "string")
        min_length = int(schema.get("minLength", 0) or 0)
        return value + "x" * max(0, min_length - len(value))
    if kind == "integer":
        return int(schema.get("minimum", 0) or 0)
    if kind == "number":
        return schema.get("minimum", 0) or 0
    if kind == "boolean":
        return False
    return None


def _resolve(document: dict[str, Any], ref: str) -> Any:
    node: Any = document
    for part in parts_of(ref):
        if isinstance(node, dict):
            node = node.get(part)
        elif isinstance(node, list) and part.isdigit():
            node = node[int(part)]
        else:
            return None
    return node

"""Example payloads in a spec: where they are and what schema they illustrate."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Iterator

from specbind.spec.problems import pointer_of


@dataclass(frozen=True)
class Example:
    pointer: str  # where the example stands
    schema_name: str  # the component schema it belongs to
    property: str | None  # wire name, for a property-level example
    value: Any


def collect(document: dict[str, Any]) -> list[Example]:
    """Every schema-level and property-level example of the component schemas (3.1 `examples` too)."""
    schemas = ((document.get("components") or {}).get("schemas")) or {}
    found: list[Example] = []
    for name, schema in schemas.items():
        if not isinstance(schema, dict):
            continue
        base = ("components", "schemas", name)
        found.extend(Example(p, name, None, v) for p, v in _examples_of(schema, base))
        for prop, sub in (schema.get("properties") or {}).items():
            if isinstance(sub, dict):
                at = base + ("properties", prop)
                found.extend(Example(p, name, prop, v) for p, v in _examples_of(sub, at))
    return found


def _examples_of(schema: dict[str, Any], at: tuple[Any, ...]) -> Iterator[tuple[str, Any]]:
    if "example" in schema:
        yield pointer_of(at + ("example",)), schema["example"]
    examples = schema.get("examples")
    if isinstance(examples, list):
        for i, value in enumerate(examples):
            yield pointer_of(at + ("examples", i)), value


def as_instants(value: Any) -> Any:
    """A JSON value with every RFC 3339 date-time string replaced by the instant it names: how a
    round-tripped example is compared (`...27.048Z` re-encodes as `...27.048000Z`, the same instant).
    """
    if isinstance(value, dict):
        return {k: as_instants(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_instants(v) for v in value]
    if isinstance(value, str) and "T" in value and value[:4].isdigit():
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            return value
    return value

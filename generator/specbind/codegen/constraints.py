"""The checks a request body must pass before it is sent, as a table of pruned schemas.

Only the keywords the generated `_checks.py` enforces are kept (types, required, enums, patterns,
lengths, bounds, items, combinators); `$ref`s point to other entries of the same table by pointer.
"""

from __future__ import annotations

import re
from typing import Any

from specbind.spec.document import resolve_pointer

KEPT = (
    "type", "nullable", "enum", "const", "pattern", "minLength", "maxLength", "minimum", "maximum",
    "exclusiveMinimum", "exclusiveMaximum", "minItems", "maxItems", "required",
)  # fmt: skip
NESTED_ONE = ("items", "additionalProperties")


class Table:
    """Pruned schemas by pointer, collected from the request bodies that use them."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document
        self.schemas: dict[str, dict[str, Any]] = {}

    def add(self, schema: Any, pointer: str) -> str | None:
        """Add the schema found at `pointer` (and every schema it refers to); its key, or None if it checks nothing."""
        if isinstance(schema, dict) and isinstance(schema.get("$ref"), str):
            return self._add_ref(schema["$ref"])
        pruned = self._prune(schema)
        if not pruned:
            return None
        self.schemas[pointer] = pruned
        return pointer

    def _add_ref(self, ref: str) -> str | None:
        if not ref.startswith("#"):
            return None
        if ref not in self.schemas:
            self.schemas[ref] = {}  # placeholder: stops reference loops
            try:
                target = resolve_pointer(self.document, ref)
            except KeyError:  # a dangling $ref (lenient mode) checks nothing
                return None
            self.schemas[ref] = self._prune(target)
        return ref

    def _prune(self, schema: Any) -> dict[str, Any]:
        if not isinstance(schema, dict):
            return {}
        if isinstance(schema.get("$ref"), str):
            key = self._add_ref(schema["$ref"])
            return {"$ref": key} if key else {}
        out: dict[str, Any] = {}
        for name in KEPT:
            if name in schema and _is_json(schema[name]):
                out[name] = schema[name]
        if "pattern" in out and not _compiles(out["pattern"]):
            del out["pattern"]
        for bound in ("Minimum", "Maximum"):  # 3.0 booleans become 3.1 numbers
            flag = out.get("exclusive" + bound)
            if isinstance(flag, bool):
                del out["exclusive" + bound]
                if flag and bound.lower() in out:
                    out["exclusive" + bound] = out.pop(bound.lower())
        properties = schema.get("properties")
        if isinstance(properties, dict):
            pruned = {str(k): self._prune(v) for k, v in properties.items()}
            out["properties"] = {k: v for k, v in pruned.items() if v}
            if not out["properties"]:
                del out["properties"]
        for name in NESTED_ONE:
            if isinstance(schema.get(name), dict) and (nested := self._prune(schema[name])):
                out[name] = nested
        if isinstance(schema.get("allOf"), list):
            parts = [p for p in (self._prune(s) for s in schema["allOf"]) if p]
            if parts:
                out["allOf"] = parts
        for name in ("anyOf", "oneOf"):  # an empty alternative accepts anything, so it stays
            if isinstance(schema.get(name), list):
                out[name] = [self._prune(s) for s in schema[name]]
        return out


def _is_json(value: Any) -> bool:
    """Only JSON values go into the table (YAML may have turned an enum value into a date)."""
    if isinstance(value, list):
        return all(_is_json(v) for v in value)
    return value is None or isinstance(value, (str, int, float, bool))


def _compiles(pattern: Any) -> bool:
    try:
        re.compile(str(pattern))
    except re.error:
        return False
    return True

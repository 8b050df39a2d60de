"""Checks a request body against its schema before it is sent: types, required members, enums,
patterns, lengths, bounds. The first broken rule raises `RequestValidationError` naming the member.

`_schemas.SCHEMAS` holds the request bodies' schemas from the spec, reduced to the keywords checked here.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from ._schemas import SCHEMAS
from .errors import RequestValidationError

JSON_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "array": (list, tuple),
    "object": (dict,),
    "null": (type(None),),
}


def check_body(value: Any, key: str, model: str) -> None:
    """Raise RequestValidationError for the first rule of schema `key` that `value` breaks."""
    broken = first_broken(value, SCHEMAS[key], "")
    if broken is not None:
        raise RequestValidationError(model, *broken)


def first_broken(value: Any, schema: dict[str, Any], at: str) -> tuple[str, str] | None:
    """(member path, reason) of the first rule `value` breaks, or None when it passes them all."""
    if "$ref" in schema:
        return first_broken(value, SCHEMAS[schema["$ref"]], at)
    types = schema.get("type")
    types = [types] if isinstance(types, str) else list(types or [])
    if value is None:
        if not types or schema.get("nullable") or "null" in types:
            return None
        return at, "must not be null"
    if types and not any(_is_type(value, t) for t in types):
        return at, f"expected {' or '.join(types)}, got {type(value).__name__}"
    for check in (_enum, _string, _number, _array, _object, _combined):
        broken = check(value, schema, at)
        if broken is not None:
            return broken
    return None


def _is_type(value: Any, name: str) -> bool:
    if isinstance(value, bool) and name in ("integer", "number"):
        return False
    if name == "integer" and isinstance(value, float):
        return value.is_integer()
    return isinstance(value, JSON_TYPES.get(name, object))


def _enum(value: Any, schema: dict[str, Any], at: str) -> tuple[str, str] | None:
    if "enum" in schema and value not in schema["enum"]:
        allowed = ", ".join(repr(v) for v in schema["enum"])
        return at, f"{value!r} is not one of {allowed}"
    if "const" in schema and value != schema["const"]:
        return at, f"{value!r} is not {schema['const']!r}"
    return None


def _string(value: Any, schema: dict[str, Any], at: str) -> tuple[str, str] | None:
    if not isinstance(value, str):
        return None
    if "maxLength" in schema and len(value) > schema["maxLength"]:
        return at, f"is {len(value)} characters long; maxLength is {schema['maxLength']}"
    if "minLength" in schema and len(value) < schema["minLength"]:
        return at, f"is {len(value)} characters long; minLength is {schema['minLength']}"
    if "pattern" in schema and not _regex(schema["pattern"]).search(value):
        return at, f"{value!r} does not match the pattern {schema['pattern']!r}"
    return None


@lru_cache(maxsize=None)
def _regex(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def _number(value: Any, schema: dict[str, Any], at: str) -> tuple[str, str] | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if "minimum" in schema and value < schema["minimum"]:
        return at, f"{value!r} is less than the minimum {schema['minimum']!r}"
    if "maximum" in schema and value > schema["maximum"]:
        return at, f"{value!r} is more than the maximum {schema['maximum']!r}"
    if "exclusiveMinimum" in schema and value <= schema["exclusiveMinimum"]:
        return at, f"{value!r} must be more than {schema['exclusiveMinimum']!r}"
    if "exclusiveMaximum" in schema and value >= schema["exclusiveMaximum"]:
        return at, f"{value!r} must be less than {schema['exclusiveMaximum']!r}"
    return None


def _array(value: Any, schema: dict[str, Any], at: str) -> tuple[str, str] | None:
    if not isinstance(value, (list, tuple)):
        return None
    if "minItems" in schema and len(value) < schema["minItems"]:
        return at, f"has {len(value)} items; minItems is {schema['minItems']}"
    if "maxItems" in schema and len(value) > schema["maxItems"]:
        return at, f"has {len(value)} items; maxItems is {schema['maxItems']}"
    items = schema.get("items")
    if items:
        for i, item in enumerate(value):
            broken = first_broken(item, items, f"{at}[{i}]")
            if broken is not None:
                return broken
    return None


def _object(value: Any, schema: dict[str, Any], at: str) -> tuple[str, str] | None:
    if not isinstance(value, dict):
        return None
    prefix = at + "." if at else ""
    for name in schema.get("required", []):
        if name not in value:
            return prefix + name, "is required"
    properties = schema.get("properties", {})
    for name, member in value.items():
        rule = properties.get(name, schema.get("additionalProperties"))
        if rule:
            broken = first_broken(member, rule, prefix + name)
            if broken is not None:
                return broken
    return None


def _combined(value: Any, schema: dict[str, Any], at: str) -> tuple[str, str] | None:
    for part in schema.get("allOf", []):
        if (broken := first_broken(value, part, at)) is not None:
            return broken
    for keyword in ("anyOf", "oneOf"):  # oneOf is checked as anyOf: enough to catch mistakes
        alternatives = schema.get(keyword)
        if alternatives:
            failed = [
                b for b in (first_broken(value, alt, at) for alt in alternatives) if b is not None
            ]
            if len(failed) == len(alternatives):
                where, reason = failed[0]
                return where, f"matches none of the {len(alternatives)} alternatives ({reason})"
    return None

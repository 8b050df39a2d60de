"""Values made from schemas: the schema's own example where it has one, else a plausible value."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from typing import Any, Callable

from specbind.spec.document import deref

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
MAX_DEPTH = 12
PATTERN_TRIES = 50

# accept(value, schema): may this example stand for this schema? (e.g. "it validates against it")
Accept = Callable[[Any, dict[str, Any]], bool]


@dataclass(frozen=True)
class _Options:
    document: dict[str, Any]
    use_examples: bool
    accept: Accept | None
    omit: str | None


def sample(
    schema: Any,
    document: dict[str, Any],
    depth: int = 0,
    use_examples: bool = True,
    accept: Accept | None = None,
    omit: str | None = None,
) -> Any:
    """A JSON value valid for `schema` where that is easy to make (examples first).

    `accept` filters examples: one it rejects is passed over and the value is made from the
    schema instead (the mock server passes "validates against the schema"). `omit` names a
    property flag, `readOnly` or `writeOnly`, whose properties are left out of objects.
    """
    return _sample(schema, _Options(document, use_examples, accept, omit), depth)


def _sample(schema: Any, options: _Options, depth: int) -> Any:
    if not isinstance(schema, dict) or depth > MAX_DEPTH:
        return None
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#"):
        return _sample(deref(options.document, schema), options, depth + 1)
    if options.use_examples:
        for example in _examples(schema):
            if options.accept is None or options.accept(example, schema):
                return example
    for key in ("const", "default"):
        if key in schema:
            return schema[key]
    if isinstance(schema.get("enum"), list) and schema["enum"]:
        return schema["enum"][0]
    for combiner in ("oneOf", "anyOf"):
        if isinstance(schema.get(combiner), list) and schema[combiner]:
            first = schema[combiner][0]
            return _tagged(_sample(first, options, depth + 1), schema.get("discriminator"), first)
    if isinstance(schema.get("allOf"), list):
        merged: dict[str, Any] = {}
        for part in schema["allOf"]:
            value = _sample(part, options, depth + 1)
            if isinstance(value, dict):
                merged.update(value)
        return _with_required_across(schema, merged, options, depth)
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind is None and "properties" in schema:
        kind = "object"
    if kind == "object":
        required = set(schema.get("required") or [])
        return {
            name: _sample(sub, options, depth + 1)
            for name, sub in (schema.get("properties") or {}).items()
            if name in required and not _omitted(sub, options)
        }
    if kind == "array":
        count = int(schema.get("minItems", 0) or 0)
        return [_sample(schema.get("items", {}), options, depth + 1) for _ in range(count)]
    if kind == "string":
        return _string(schema)
    if kind == "integer":
        return int(_number(schema, 1))
    if kind == "number":
        return _number(schema, 0.5)
    if kind == "boolean":
        return False
    return None


def _with_required_across(
    schema: dict[str, Any], merged: dict[str, Any], options: _Options, depth: int
) -> dict[str, Any]:
    """An allOf's sample with the members one part requires and another declares (Spotify's
    PagingObject requires `items`, which each paging schema adds in its own part)."""
    parts = [schema] + [deref(options.document, part) for part in schema["allOf"]]
    parts = [part for part in parts if isinstance(part, dict)]
    required = {name for part in parts for name in part.get("required") or []}
    declared: dict[str, Any] = {}
    for part in parts:
        declared.update(part.get("properties") or {})
    for name in sorted(required - merged.keys()):
        if name in declared and not _omitted(declared[name], options):
            merged[name] = _sample(declared[name], options, depth + 1)
    return merged


def _tagged(value: Any, discriminator: Any, alternative: Any) -> Any:
    """An alternative of a discriminated union carries the tag that names it (a mapping key whose
    target is the alternative's `$ref`, else the schema's name), whatever its own schema allows."""
    if not (isinstance(value, dict) and isinstance(discriminator, dict)):
        return value
    name = discriminator.get("propertyName")
    ref = alternative.get("$ref") if isinstance(alternative, dict) else None
    if not isinstance(name, str) or not isinstance(ref, str):
        return value
    mapping = discriminator.get("mapping")
    tags = (
        [tag for tag, target in mapping.items() if target == ref]
        if isinstance(mapping, dict)
        else []
    )
    return value | {name: tags[0] if tags else ref.rsplit("/", 1)[-1]}


def _examples(schema: dict[str, Any]) -> list[Any]:
    found = [schema["example"]] if "example" in schema else []
    if isinstance(schema.get("examples"), list):
        found.extend(schema["examples"])
    return found


def _omitted(schema: Any, options: _Options) -> bool:
    if options.omit is None or not isinstance(schema, dict):
        return False
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#") and options.omit not in schema:
        schema = deref(options.document, schema)
    return isinstance(schema, dict) and schema.get(options.omit) is True


def _string(schema: dict[str, Any]) -> str:
    min_length = int(schema.get("minLength", 0) or 0)
    max_length = schema.get("maxLength")
    pattern = schema.get("pattern")
    value = _BY_FORMAT.get(str(schema.get("format")), "string")
    if isinstance(pattern, str) and not _matches(pattern, value):
        value = _from_pattern(pattern, min_length, max_length) or value
    value += "x" * max(0, min_length - len(value))
    return value[:max_length] if isinstance(max_length, int) else value


def _matches(pattern: str, value: str) -> bool:
    try:
        return re.search(pattern, value) is not None
    except re.error:
        return False


def _from_pattern(pattern: str, min_length: int, max_length: Any) -> str | None:
    """A string matching `pattern` (deterministic: the same pattern gives the same string)."""
    import rstr

    maker = rstr.Rstr(random.Random(pattern))
    for _ in range(PATTERN_TRIES):
        try:
            value = str(maker.xeger(pattern))
        except Exception:  # rstr cannot read every regex dialect; fall back to the plain value
            return None
        fits = len(value) >= min_length and (
            not isinstance(max_length, int) or len(value) <= max_length
        )
        if fits and _matches(pattern, value):
            return value
    return None


def _number(schema: dict[str, Any], step: float) -> float:
    """The smallest value the bounds allow (0 when unbounded below)."""
    value: float = 0
    minimum = schema.get("minimum")
    if isinstance(minimum, (int, float)):
        value = minimum + step if schema.get("exclusiveMinimum") is True else minimum
    exclusive = schema.get("exclusiveMinimum")
    if isinstance(exclusive, (int, float)) and not isinstance(exclusive, bool):
        value = max(value, exclusive + step)
    maximum = schema.get("maximum")
    if isinstance(maximum, (int, float)) and value > maximum:
        value = maximum
    multiple = schema.get("multipleOf")
    if isinstance(multiple, (int, float)) and multiple > 0 and value % multiple:
        value = (value // multiple + 1) * multiple
    return value

"""Checking JSON values against a spec's schemas (openapi-schema-validator), as short messages.

Requests are checked with the write dialect (readOnly members refused), responses with the read
dialect (writeOnly members refused); OpenAPI 3.1 schemas use the 3.1 dialect for both.

Work per check is bounded, since request values come from anyone who can reach the mock:
`pattern` and `patternProperties` are matched with the `regex` engine under one time budget per
checked value (a value whose matching runs past it is refused, not waited for), a value nested too
deeply to check is refused, and at most `MAX_PROBLEMS` problems are listed.
"""

from __future__ import annotations

import functools
import logging
import math
import time
from contextvars import ContextVar
from itertools import islice
from typing import Any, Callable, Iterator, Literal

import openapi_schema_validator as osv
import regex
from jsonschema import validators
from jsonschema.exceptions import ValidationError, best_match

Direction = Literal["request", "response"]
MAX_MESSAGE = 200
MAX_PROBLEMS = 20  # problems listed for one value; past them, one line says there are more
PATTERN_TIMEOUT = 1.0  # seconds of pattern matching allowed for one checked value

log = logging.getLogger("specbind.mock")

# when the pattern matching of the value being checked must end (time.monotonic()), and the
# budget it came from; set by Schemas for the length of one check, in the thread doing it
_deadline: ContextVar[tuple[float, float]] = ContextVar(
    "specbind_mock_pattern_deadline", default=(math.inf, math.inf)
)


class Schemas:
    """Validators for the schemas of one bundled document, cached per schema."""

    def __init__(self, document: dict[str, Any], pattern_timeout: float = PATTERN_TIMEOUT) -> None:
        self.document = document
        self.pattern_timeout = pattern_timeout
        version = str(document.get("openapi", "3.0"))
        if version.startswith("3.0"):
            classes = {"request": osv.OAS30WriteValidator, "response": osv.OAS30ReadValidator}
            self._formats = osv.oas30_format_checker
        else:
            classes = {"request": osv.OAS31Validator, "response": osv.OAS31Validator}
            self._formats = osv.oas31_format_checker
        self._classes = {direction: _bounded(cls) for direction, cls in classes.items()}
        self._cache: dict[tuple[int, str], Any] = {}

    def errors(
        self, value: Any, schema: dict[str, Any], direction: Direction, where: str = ""
    ) -> list[str]:
        """What is wrong with `value` for `schema` (a node of the document), one message each."""
        validator = self._validator(schema, direction)
        token = _deadline.set((time.monotonic() + self.pattern_timeout, self.pattern_timeout))
        try:
            found = list(islice(validator.iter_errors(value), MAX_PROBLEMS + 1))
        except RecursionError:
            return [f"{where or 'value'}: nested too deeply to be checked"]
        finally:
            _deadline.reset(token)
        found.sort(key=lambda e: list(e.absolute_path))
        messages = [_message(best_match([error]) or error, where) for error in found]
        if len(messages) > MAX_PROBLEMS:
            messages[MAX_PROBLEMS:] = [f"{where or 'value'}: more problems, not listed"]
        return messages

    def valid(self, value: Any, schema: dict[str, Any], direction: Direction) -> bool:
        token = _deadline.set((time.monotonic() + self.pattern_timeout, self.pattern_timeout))
        try:
            return bool(self._validator(schema, direction).is_valid(value))
        except RecursionError:
            return False
        finally:
            _deadline.reset(token)

    def _validator(self, schema: dict[str, Any], direction: Direction) -> Any:
        key = (id(schema), direction)
        if key not in self._cache:
            # The schema is checked as the root of the whole document, so that its local
            # `#/components/...` references resolve; the document's own keys are not keywords.
            root = {**self.document, **schema}
            self._cache[key] = self._classes[direction](root, format_checker=self._formats)
        return self._cache[key]


def _message(error: ValidationError, where: str) -> str:
    pointer = "".join(f"/{p}" for p in error.absolute_path)
    at = f"{where} at {pointer}" if pointer and where else where or pointer or "value"
    message = error.message
    if len(message) > MAX_MESSAGE:
        message = message[:MAX_MESSAGE] + "..."
    return f"{at}: {message}"


# -- pattern matching in bounded time ---------------------------------------------------------------

Keyword = Callable[[Any, Any, Any, dict[str, Any]], Iterator[ValidationError]]


def _bounded(cls: Any) -> Any:
    """`cls` with the keywords that match regular expressions against values replaced by ones
    that match under the time budget of the current check."""
    return validators.extend(  # type: ignore[no-untyped-call]
        cls,
        {
            "pattern": _pattern,
            "patternProperties": _pattern_properties,
            "additionalProperties": _additional_properties(cls.VALIDATORS["additionalProperties"]),
        },
    )


class _TooSlow(Exception):
    """Matching a pattern ran past the time budget of the current check."""


@functools.lru_cache(maxsize=1024)
def _compiled(pattern: str) -> regex.Pattern[str] | None:
    try:
        return regex.compile(pattern)
    except regex.error as exc:
        log.warning("specbind mock: pattern %r is not checked: %s", pattern, exc)
        return None


def _search(pattern: str, text: str) -> bool:
    """Whether `pattern` matches somewhere in `text` (a pattern the engine cannot read matches);
    _TooSlow when the budget of the current check runs out first."""
    compiled = _compiled(pattern)
    if compiled is None:
        return True
    deadline, _ = _deadline.get()
    left = deadline - time.monotonic()
    if left <= 0:
        raise _TooSlow
    try:
        return compiled.search(text, timeout=None if math.isinf(left) else left) is not None
    except TimeoutError:
        raise _TooSlow from None


def _too_slow(pattern: str) -> ValidationError:
    budget = _deadline.get()[1]
    return ValidationError(
        f"matching {pattern!r} took longer than the mock allows ({budget:g} s); value refused"
    )


def _pattern(
    validator: Any, pattern: str, instance: Any, schema: dict[str, Any]
) -> Iterator[ValidationError]:
    if not validator.is_type(instance, "string"):
        return
    try:
        if not _search(pattern, instance):
            yield ValidationError(f"{instance!r} does not match {pattern!r}")
    except _TooSlow:
        yield _too_slow(pattern)


def _pattern_properties(
    validator: Any, patterns: dict[str, Any], instance: Any, schema: dict[str, Any]
) -> Iterator[ValidationError]:
    if not validator.is_type(instance, "object"):
        return
    for pattern, subschema in patterns.items():
        for name, value in instance.items():
            try:
                matches = _search(pattern, name)
            except _TooSlow:
                yield _too_slow(pattern)
                return
            if matches:
                yield from validator.descend(value, subschema, path=name, schema_path=pattern)


def _additional_properties(original: Keyword) -> Keyword:
    """`additionalProperties`, matching the names of members against `patternProperties` under
    the budget (without `patternProperties` there is nothing to match: the original keyword)."""

    def keyword(
        validator: Any, allowed: Any, instance: Any, schema: dict[str, Any]
    ) -> Iterator[ValidationError]:
        patterns = schema.get("patternProperties")
        if not patterns or not validator.is_type(instance, "object"):
            yield from original(validator, allowed, instance, schema)
            return
        declared = schema.get("properties") or {}
        extras = []
        for name in instance:
            if name in declared:
                continue
            try:
                if not any(_search(pattern, name) for pattern in patterns):
                    extras.append(name)
            except _TooSlow:
                yield _too_slow("|".join(patterns))
                return
        if validator.is_type(allowed, "object"):
            for name in extras:
                yield from validator.descend(instance[name], allowed, path=name)
        elif allowed is False and extras:
            names = ", ".join(repr(name) for name in sorted(extras))
            yield ValidationError(
                f"{names} {'does' if len(extras) == 1 else 'do'} not match any of the regexes: "
                + ", ".join(repr(pattern) for pattern in sorted(patterns))
            )

    return keyword

"""Checking JSON values against a spec's schemas (openapi-schema-validator), as short messages.

Requests are checked with the write dialect (readOnly members refused), responses with the read
dialect (writeOnly members refused); OpenAPI 3.1 schemas use the 3.1 dialect for both.
"""

from __future__ import annotations

from typing import Any, Literal

import openapi_schema_validator as osv
from jsonschema.exceptions import ValidationError, best_match

Direction = Literal["request", "response"]
MAX_MESSAGE = 200


class Schemas:
    """Validators for the schemas of one bundled document, cached per schema."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document
        version = str(document.get("openapi", "3.0"))
        if version.startswith("3.0"):
            self._classes = {"request": osv.OAS30WriteValidator, "response": osv.OAS30ReadValidator}
            self._formats = osv.oas30_format_checker
        else:
            self._classes = {"request": osv.OAS31Validator, "response": osv.OAS31Validator}
            self._formats = osv.oas31_format_checker
        self._cache: dict[tuple[int, str], Any] = {}

    def errors(
        self, value: Any, schema: dict[str, Any], direction: Direction, where: str = ""
    ) -> list[str]:
        """What is wrong with `value` for `schema` (a node of the document), one message each."""
        validator = self._validator(schema, direction)
        found = sorted(validator.iter_errors(value), key=lambda e: list(e.absolute_path))
        return [_message(best_match([error]) or error, where) for error in found]

    def valid(self, value: Any, schema: dict[str, Any], direction: Direction) -> bool:
        return bool(self._validator(schema, direction).is_valid(value))

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

"""Stand-in for the `_schemas` module that every generated package gets from its spec (made by
`templates/package/_schemas.py.jinja2`, never copied from here): it lets `_checks` be imported,
type-checked and tested in specbind itself. Tests put the schemas they need into `SCHEMAS`."""

from __future__ import annotations

from typing import Any

SCHEMAS: dict[str, dict[str, Any]] = {}

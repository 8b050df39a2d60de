"""Per-binding options: what `[tool.specbind]` may set besides spec, package and output.

Kept apart from generate.py so that `specbind check`'s fast path can read them without
importing the pipeline.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# datamodel-code-generator's options for the models stage (recorded: they decide the output)
MODEL_OPTIONS: dict[str, Any] = {
    "snake_case_field": True,
    "use_standard_primitive_types": True,
    "keyword_only": True,
    "use_schema_description": True,
    "use_field_description": True,
    "field_constraints": True,
    "use_union_operator": True,
    "use_standard_collections": True,
    "capitalise_enum_members": False,
    "strict_nullable": True,
    "use_title_as_name": False,
}


@dataclass
class Options:
    """What a binding may set in `[tool.specbind]` besides spec, package and output."""

    lenient: bool = False
    idempotent: list[str] = field(default_factory=list)  # operationIds safe to retry
    webhooks: dict[str, str] = field(default_factory=dict)  # event name -> schema name (3.0 specs)

    def as_record(self) -> dict[str, Any]:
        return {
            "lenient": self.lenient,
            "idempotent": sorted(self.idempotent),
            "webhooks": dict(sorted(self.webhooks.items())),
            "models": MODEL_OPTIONS,
        }

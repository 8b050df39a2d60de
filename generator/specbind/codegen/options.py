"""Per-binding options: what `[tool.specbind]` may set besides spec, package and output.

Kept apart from generate.py so that `specbind check`'s fast path can read them without
importing the pipeline.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from specbind.codegen.models import MODEL_OPTIONS
from specbind.codegen.style import Style


@dataclass
class Options:
    """What a binding may set in `[tool.specbind]` besides spec, package and output."""

    lenient: bool = False
    idempotent: list[str] = field(default_factory=list)  # operationIds safe to retry
    webhooks: dict[str, str] = field(default_factory=dict)  # event name -> schema name (3.0 specs)
    # The formatter (`formatter = "ruff"`; black by default) with the settings of the project the
    # output folder belongs to (style.project_style); recorded apart from the options, under "formatter".
    style: Style = field(default_factory=Style)

    def as_record(self) -> dict[str, Any]:
        return {
            "lenient": self.lenient,
            "idempotent": sorted(self.idempotent),
            "webhooks": dict(sorted(self.webhooks.items())),
            "models": MODEL_OPTIONS,
        }

"""Per-binding options: what `[tool.specbind]` may set besides spec, package and output.

Kept apart from generate.py so that `specbind check`'s fast path can read them without
importing the pipeline.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

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

from specbind.codegen.style import Style

if TYPE_CHECKING:
    from specbind.spec.load import RefAccess


@dataclass
class Options:
    """What a binding may set in `[tool.specbind]` besides spec, package and output."""

    lenient: bool = False
    idempotent: list[str] = field(default_factory=list)  # operationIds safe to retry
    webhooks: dict[str, str] = field(default_factory=dict)  # event name -> schema name (3.0 specs)
    # URL prefix -> local folder with its copy; folders `$ref`s may read besides the spec's own
    ref_map: dict[str, Path] = field(default_factory=dict)
    allow_ref_dirs: list[Path] = field(default_factory=list)
    # The formatter (`formatter = "ruff"`; black by default) with the settings of the project the
    # output folder belongs to (style.project_style); recorded apart from the options, under "formatter".
    style: Style = field(default_factory=Style)

    def ref_access(self) -> RefAccess:
        from specbind.spec.load import RefAccess  # not on the fast check's path

        return RefAccess(tuple(self.ref_map.items()), tuple(self.allow_ref_dirs))

    def as_record(self, spec: Path | None = None) -> dict[str, Any]:
        """The options as the record keeps them; folders relative to the spec's folder (`spec`),
        so the record does not depend on where specbind ran."""
        record: dict[str, Any] = {
            "lenient": self.lenient,
            "idempotent": sorted(self.idempotent),
            "webhooks": dict(sorted(self.webhooks.items())),
            "models": MODEL_OPTIONS,
        }

        def shown(folder: Path) -> str:
            if spec is None:
                return folder.as_posix()
            return Path(os.path.relpath(folder.absolute(), spec.absolute().parent)).as_posix()

        if self.ref_map:
            record["ref_map"] = {prefix: shown(d) for prefix, d in sorted(self.ref_map.items())}
        if self.allow_ref_dirs:
            record["allow_ref_dirs"] = sorted(shown(d) for d in self.allow_ref_dirs)
        return record

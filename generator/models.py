"""Stage 3 — models: dataclasses from the spec's schemas, via datamodel-code-generator.

The templates under `templates/models/` add what plain dataclasses lack: wire names,
nested decoding and encoding, extra members, and presence tracking for lossless round-trips.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from generator.paths import template_dir

# Options that shape the generated code; part of the generation's provenance.
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

RUNTIME_IMPORTS = (
    "from collections.abc import Mapping\n"
    "from dataclasses import dataclass, field\n"
    "from typing import Any, ClassVar\n"
)
CODEC_NAMES = (
    "DecodeError",
    "decode_union",
    "dump_json",
    "format_datetime",
    "load_json",
    "parse_date",
    "parse_datetime",
    "parse_time",
    "parse_uuid",
    "to_wire",
    "unknown_member",
)


def generate_models(document: dict[str, Any], header: str) -> str:
    """Source of the `models` module for a bundled spec (unformatted; the format stage runs later)."""
    from datamodel_code_generator import (
        DataModelType,
        DatetimeClassType,
        InputFileType,
        PythonVersion,
        generate,
    )

    code = generate(
        document,
        input_file_type=InputFileType.OpenAPI,
        output_model_type=DataModelType.DataclassesDataclass,
        output_datetime_class=DatetimeClassType.Datetime,
        target_python_version=PythonVersion.PY_311,
        custom_template_dir=template_dir() / "models",
        custom_file_header=header,
        disable_timestamp=True,
        formatters=[],
        **MODEL_OPTIONS,
    )
    assert isinstance(code, str)
    return _add_runtime_imports(code)


def _add_runtime_imports(code: str) -> str:
    """The templates use names dcg does not know to import."""
    marker = "from __future__ import annotations\n"
    imports = RUNTIME_IMPORTS + "from ._codec import " + ", ".join(CODEC_NAMES) + "\n"
    if marker in code:
        return code.replace(marker, marker + imports, 1)
    return imports + code

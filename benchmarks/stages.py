"""Where a cold `specbind generate` of chat-api spends its time, stage by stage, in a fresh process.

python benchmarks/stages.py            # prints a table; run_all.py stores it in results.json
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time

T0 = time.perf_counter()


def main() -> dict[str, float]:
    os.environ["SPECBIND_CACHE"] = tempfile.mkdtemp(prefix="specbind-stages-")
    laps: dict[str, float] = {}
    last = T0

    def lap(name: str) -> None:
        nonlocal last
        now = time.perf_counter()
        laps[name] = now - last
        last = now

    from specbind.codegen import (  # noqa: F401  (the modules `specbind generate` imports first)
        generate as pipeline,
    )
    from specbind.codegen.endpoints import render_package
    from specbind.codegen.format import format_modules
    from specbind.codegen.models import generate_models
    from specbind.codegen.operations import describe
    from specbind.spec.load import load
    from specbind.spec.validate import check

    lap("import specbind modules (PyYAML, Jinja2, ...)")
    spec = load(next((a for a in sys.argv[1:] if not a.startswith("--")), "spec/chat-api.yaml"))
    lap("load")
    import openapi_spec_validator  # noqa: F401

    lap("import openapi-spec-validator")
    check(spec)
    lap("validate")
    import datamodel_code_generator  # noqa: F401

    lap("import datamodel-code-generator (top level; most of it loads inside models)")
    models = generate_models(spec.document, "# header\n")
    code = models.code
    lap("models (datamodel-code-generator)")
    api = describe(spec.document, models.schemas.model_classes(), set())
    sources = render_package(api, "tyntec_chat")
    sources["models.py"] = code
    lap("operations + endpoints (Jinja2)")
    import black  # noqa: F401
    import isort  # noqa: F401

    lap("import black + isort")
    from pathlib import Path

    from specbind.codegen.style import project_style

    # the formatting settings of the output folder's project (the last argument), else black's defaults
    output = [a for a in sys.argv[1:] if not a.startswith("--")][1:]
    format_modules(sources, style=project_style(Path(output[0])) if output else None)
    lap(f"format ({sum(s.count(chr(10)) for s in sources.values())} lines, empty cache)")
    return laps


if __name__ == "__main__":
    result = main()
    if "--json" in sys.argv:
        print(json.dumps(result))
    else:
        for name, seconds in result.items():
            print(f"{seconds * 1000:8.0f} ms  {name}")
        print(f"{sum(result.values()) * 1000:8.0f} ms  total")

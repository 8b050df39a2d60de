"""specbind: an OpenAPI 3 spec in, typed Python bindings out, vendored and checked for drift.

The subpackages are the parts of the design, and imports between them point one way:

- `specbind.spec`: reading a spec — load (YAML/JSON, multi-file), validate, JSON pointers,
  located problems, examples.
- `specbind.codegen`: spec -> files — the API's operations as plain data, the dataclass models,
  the endpoint templates, formatting, and `generate()` that runs the pipeline in memory.
- `specbind.vendoring`: files -> a committed package — configuration, the provenance record,
  atomic writes, the drift check, the Python API surface and its diff.
- `specbind.mock`: an offline mock server of any spec, and its pytest fixture.

`cli` (the `specbind` command) and `entry` (its cheap front door) sit on top of all four.
"""

__version__ = "0.1.0"

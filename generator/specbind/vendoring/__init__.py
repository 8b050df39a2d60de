"""The vendoring workflow around generated packages: configuration (`[tool.specbind]`), the provenance
record, atomic writes into the output folder, the drift check, and the Python API surface with its
diff between two specs. Builds on `specbind.codegen` and `specbind.spec`."""

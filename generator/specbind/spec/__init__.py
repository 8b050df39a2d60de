"""Reading a spec: load it (YAML or JSON, one file or many), validate it, and resolve JSON pointers in
it, reporting every problem located by file, line, column and pointer. Imports nothing else of
specbind's."""

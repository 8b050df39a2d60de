"""Reading a spec: load it (YAML or JSON, one file or many), validate it, and read the bundled
document (`document`: HTTP methods, JSON pointers, `$ref`s, security schemes), reporting every
problem located by file, line, column and pointer. Imports nothing else of specbind's."""

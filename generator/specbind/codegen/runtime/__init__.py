"""The runtime every generated package carries: real Python modules, copied as text into each
package by `specbind.codegen.endpoints` (`RUNTIME_FILES`), the same bytes for every spec.

`_codec` (JSON values <-> model types), `errors` (the exceptions), `_retries` (backoff and
Retry-After), `_http` (request specs, parameter encoding, reading bodies within size limits),
`_transport` (the sync client's total deadline per attempt), `_responses` (raw and streamed
responses), `_auth` (credentials per scheme kind) and `_checks` (request bodies against their
schemas) are linted, type-checked with `mypy --strict` and unit-tested here, as code. What varies
per spec lives in generated modules beside them: `_schemas` (the request bodies' schemas that
`_checks` reads) is made by `templates/package/_schemas.py.jinja2`; the `_schemas.py`
in this folder is only its stand-in, so that `_checks` imports here, and is never copied.
`_problem` (the type of an error's body) is made by `templates/package/_problem.py.jinja2` from the
spec's error body models; a spec without any gets the `_problem.py` of this folder (RFC 7807).

specbind never imports these modules while it generates: they are read as text. The provenance
record hashes them with the rest of `specbind.codegen`.
"""

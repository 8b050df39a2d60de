"""The mock: answers HTTP requests for any spec from the spec alone (`routing`), checking requests
(`requests`, `schemas`), making values from schemas (`samples`), served over HTTP (`server`) and as
a pytest fixture (`pytest_plugin`). Builds on `specbind.spec` only.

Keep this `__init__` free of imports: the pytest plugin module below it is loaded in every pytest
run of every project that installs specbind."""

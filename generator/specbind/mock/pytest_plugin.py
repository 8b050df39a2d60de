"""pytest plugin (registered as `specbind`): the `specbind_mock` fixture.

    def test_send(specbind_mock):
        base_url = specbind_mock("spec/chat-api.yaml")
        with Client(api_key="test", base_url=base_url) as client:
            client.send_message(...)

Each call starts a mock server of that spec on 127.0.0.1 (a free port) for the rest of the test;
it validates every request against the spec and answers from the spec's examples. Needs the
`mock` extra (`pip install 'specbind[mock]'`); nothing is imported until the fixture is used.
"""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest


@pytest.fixture(scope="session")
def _specbind_mocks() -> dict[Path, Any]:
    """Loaded and validated specs, shared by the whole session (loading is the slow part)."""
    return {}


@pytest.fixture
def specbind_mock(_specbind_mocks: dict[Path, Any]) -> Iterator[Callable[..., str]]:
    """start(spec, host="127.0.0.1", port=0, max_body_size=16 MiB) -> base URL of a mock server
    of `spec`."""
    from specbind.mock.routing import Mock
    from specbind.mock.server import MAX_BODY_SIZE, serve_mock

    with ExitStack() as servers:

        def start(
            spec: str | Path,
            host: str = "127.0.0.1",
            port: int = 0,
            max_body_size: int = MAX_BODY_SIZE,
        ) -> str:
            key = Path(spec).resolve()
            if key not in _specbind_mocks:
                _specbind_mocks[key] = Mock.from_spec(spec)
            mock = _specbind_mocks[key]
            return servers.enter_context(serve_mock(mock, host, port, max_body_size))

        yield start

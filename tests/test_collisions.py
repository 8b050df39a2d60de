"""Names from the spec that collide with names the generated code uses (issue 12 §5, issue 15 item 4):
each is renamed deterministically (a trailing `_`, or `Model` for a class) with a located warning, and
the package still works and passes `mypy --strict`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest
from click.testing import CliRunner
from specbind.cli import main
from specbind.codegen.generate import generate

from tests.helpers import ROOT, generate_and_import

SPEC = ROOT / "tests" / "specs" / "features" / "collisions.yaml"


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    return generate_and_import(SPEC, "collide", tmp_path_factory.mktemp("collide"))


def _client(pkg: ModuleType, seen: list[httpx.Request], answer: Any = None) -> Any:
    def respond(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=answer) if answer is not None else httpx.Response(204)

    transport = httpx.MockTransport(respond)
    return pkg.Client(base_url="http://test", http_client=httpx.Client(transport=transport))


def test_every_rename_is_a_located_warning() -> None:
    warnings = [str(w) for w in generate(SPEC, "collide").warnings]
    expected = [
        "#/paths/~1close/get/operationId: operation GET /close becomes method 'close_'",
        "#/paths/~1send/post/operationId: operation POST /send becomes method 'send_'",
        "#/paths/~1base-url/get/operationId: operation GET /base-url becomes method 'base_url_'",
        "#/paths/~1with-options/get/operationId: operation GET /with-options becomes method "
        "'with_options_'",
        "query parameter 'extra_query' becomes argument 'extra_query_'",
        "#/paths/~1max-body-size/get/operationId: operation GET /max-body-size becomes method "
        "'max_body_size_'",
        "#/paths/~1error-for/get/operationId: operation GET /error-for becomes method 'error_for_'",
        "#/paths/~1read-ping/get/operationId: operation GET /read-ping becomes method 'read_ping_2'",
        "path parameter 'operations' becomes argument 'operations_'",
        "query parameter 'to_wire' becomes argument 'to_wire_'",
        "query parameter 'timeout' becomes argument 'timeout_'",
        "#/components/schemas/Any: schema 'Any' becomes class 'AnyModel'",
        "#/components/schemas/Client: schema 'Client' becomes class 'ClientModel'",
        "#/components/schemas/Mapping: schema 'Mapping' becomes class 'MappingModel'",
        "#/components/schemas/JsonCodec: schema 'JsonCodec' becomes class 'JsonCodecModel'",
        "#/components/schemas/Any/properties/list: property 'list' becomes attribute 'list_'",
        "#/components/schemas/Shape/properties/type: property 'type' becomes attribute 'type_'",
        "#/components/schemas/Any/properties/file: property 'file' becomes attribute 'file_'",
    ]
    for text in expected:
        assert any(text in w and "collisions.yaml:" in w for w in warnings), text
    assert all(": warning at #/" in w for w in warnings)
    again = [str(w) for w in generate(SPEC, "collide").warnings]
    assert again == warnings  # deterministic


def test_the_clients_own_members_still_work(package: ModuleType) -> None:
    seen: list[httpx.Request] = []
    with _client(package, seen) as client:
        assert client.base_url == "http://test"
        client.close_()
        client.send_()
        client.base_url_()
        assert client.with_options(timeout=1.0).timeout == 1.0  # the client's own member
        client.with_options_(extra_query_="q")
        assert client.max_body_size == 32 * 1024 * 1024  # the limit, not the operation
        client.max_body_size_()
        client.error_for_()
        client.read_ping_2()
    assert [(r.method, r.url.path) for r in seen] == [
        ("GET", "/close"),
        ("POST", "/send"),
        ("GET", "/base-url"),
        ("GET", "/with-options"),
        ("GET", "/max-body-size"),
        ("GET", "/error-for"),
        ("GET", "/read-ping"),
    ]  # and leaving the block closed the client without a request


def test_parameters_named_like_what_the_method_uses_reach_the_wire(package: ModuleType) -> None:
    seen: list[httpx.Request] = []
    client = _client(package, seen, answer={"id": "8c3e7a3e-22a4-4c5b-9a6f-0c4f3c1d2e7f"})
    result = client.params(
        "p/1",
        package.models.ClientModel(name="n"),
        to_wire_="w",
        self_="s",
        timeout_=3,
        httpx_="h",
        body_="b",
        timeout=5.0,
    )
    assert isinstance(result, package.models.UUIDModel)
    request = seen[0]
    assert request.url.raw_path.split(b"?")[0] == b"/params/p%2F1"
    assert dict(request.url.params) == {
        "to_wire": "w",
        "self": "s",
        "timeout": "3",
        "httpx": "h",
        "body": "b",
    }


def test_models_named_like_imports_decode_and_keep_their_wire_names(package: ModuleType) -> None:
    models = package.models
    value = models.AnyModel.from_dict({"list": 1, "type": "t", "field": "f", "from_dict": "x"})
    assert (value.list_, value.type, value.field_, value.from_dict_) == (1, "t", "f", "x")
    assert value.to_dict() == {"list": 1, "type": "t", "field": "f", "from_dict": "x"}
    files = models.AnyModel.from_dict({"\ufb01le": "ligature", "file": 2})  # one name to Python
    assert (files.file, files.file_) == ("ligature", 2)
    assert files.to_dict() == {"\ufb01le": "ligature", "file": 2}
    circle = models.Shape.from_dict({"type": "Circle", "radius": 2})
    assert isinstance(circle, models.Circle) and circle.type_ == "Circle"
    assert models.MappingModel("a") is models.MappingModel.a


def test_the_collisions_package_passes_mypy_strict(package: ModuleType) -> None:
    folder = Path(package.__file__).parent.parent  # type: ignore[arg-type]
    run = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "collide"],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stdout[-3000:]


@pytest.mark.parametrize(
    ("package", "why"),
    [
        ("httpx", "would shadow the module 'httpx'"),
        ("json", "would shadow the module 'json'"),
        ("typing", "would shadow the module 'typing'"),
        ("asyncio", "would shadow the module 'asyncio'"),
        ("\ufb01", "it reads it as 'fi' (NFKC)"),
        ("my-api", "must be a Python identifier"),
    ],
)
def test_package_names_python_would_not_import_as_written_are_refused(
    package: str, why: str, tmp_path: Path
) -> None:
    result = CliRunner().invoke(
        main, ["generate", str(SPEC), "-o", str(tmp_path / "out"), "-p", package]
    )
    assert result.exit_code == 1 and why in result.output and "Traceback" not in result.output
    assert not (tmp_path / "out").exists()
    toml = tmp_path / "pyproject.toml"
    toml.write_text(
        f'[tool.specbind]\n[[tool.specbind.bindings]]\nspec = "{SPEC}"\npackage = "{package}"\n',
        encoding="utf-8",
    )
    from specbind.spec.problems import SpecError
    from specbind.vendoring.config import load_bindings

    with pytest.raises(SpecError) as raised:
        load_bindings(toml)
    assert why in str(raised.value.problems[0])  # the same check for the configuration

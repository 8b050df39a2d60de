"""Issue 13, one Problem type: an error's `problem` is the spec's own error body model wherever the
spec defines one (chat-api: tests/test_client_errors.py), chosen by status as the operation says;
RFC 7807 `ProblemDetails` only for a spec that defines none. Client and AsyncClient, against a real
HTTP server on 127.0.0.1."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any, Iterator

import pytest

from tests.calling import Api, server, shared_server  # noqa: F401  (pytest fixtures)
from tests.helpers import generate_and_import
from tests.http_server import Reply, ScriptedServer

SPECS = Path(__file__).parent / "specs" / "errors"


@pytest.fixture(scope="module")
def packages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, ModuleType]:
    folder = tmp_path_factory.mktemp("errors")
    return {
        name: generate_and_import(SPECS / f"{name}.yaml", name, folder)
        for name in ("spec_errors", "spec_no_errors")
    }


@pytest.fixture(params=["sync", "async"])
def flavour(request: pytest.FixtureRequest) -> Iterator[str]:
    yield request.param


def api_of(package: ModuleType, flavour: str, server: ScriptedServer) -> Api:
    return Api(flavour, package, server.url)


@pytest.mark.parametrize(
    ("status", "body", "model"),
    [
        (404, {"code": 404, "message": "no such item"}, "Error"),
        (400, {"fields": ["name"]}, "ValidationError"),  # 4XX
        (409, {"fields": ["id"]}, "ValidationError"),
    ],
)
def test_each_status_s_body_becomes_the_model_the_operation_documents(
    packages: dict[str, ModuleType],
    flavour: str,
    server: ScriptedServer,
    status: int,
    body: dict[str, Any],
    model: str,
) -> None:
    package = packages["spec_errors"]
    server.on("GET", "/items/7", Reply.json(status, body))
    with pytest.raises(package.ApiStatusError) as caught:
        api_of(package, flavour, server).call("get_item", "7")
    cls = getattr(package.models, model)
    assert type(caught.value.problem) is cls and caught.value.problem.to_dict() == body


def test_a_body_that_fits_not_the_documented_schema_is_kept_as_text_only(
    packages: dict[str, ModuleType], flavour: str, server: ScriptedServer
) -> None:
    package = packages["spec_errors"]
    server.on("GET", "/items/7", Reply.json(404, {"fields": ["name"]}))  # a 404 is an Error
    with pytest.raises(package.NotFoundError) as caught:
        api_of(package, flavour, server).call("get_item", "7")
    assert caught.value.problem is None and caught.value.body == '{"fields": ["name"]}'


def test_the_default_response_s_schema_decodes_any_status_and_keeps_its_own_name(
    packages: dict[str, ModuleType], flavour: str, server: ScriptedServer
) -> None:
    """The error body `Client` is renamed ClientModel (the package's own Client takes the name)."""
    package = packages["spec_errors"]
    server.on("PUT", "/items/7", Reply.json(503, {"reason": "busy"}))
    with pytest.raises(package.InternalServerError) as caught:
        api_of(package, flavour, server).call("put_item", "7", package.models.Item(name="pen"))
    assert type(caught.value.problem) is package.models.ClientModel is package.ClientModel
    assert caught.value.problem.reason == "busy"
    assert {"Error", "ValidationError", "ErrorBody", "ClientModel"} <= set(package.__all__)
    assert package.Error is package.models.Error and "ProblemDetails" not in package.__all__


def test_an_error_body_named_like_an_exception_stays_in_models(
    packages: dict[str, ModuleType], flavour: str, server: ScriptedServer
) -> None:
    package = packages["spec_errors"]
    server.on("PUT", "/items/7", Reply.json(410, {"gone": True}))
    with pytest.raises(package.ApiStatusError) as caught:
        api_of(package, flavour, server).call("put_item", "7", package.models.Item(name="pen"))
    assert type(caught.value.problem) is package.models.NotFoundError
    assert issubclass(package.NotFoundError, package.ApiStatusError)  # still the exception


def test_without_error_schemas_the_problem_is_rfc_7807_and_no_model_shares_its_name(
    packages: dict[str, ModuleType], flavour: str, server: ScriptedServer
) -> None:
    package = packages["spec_no_errors"]
    server.on("GET", "/items/7", Reply.json(404, {"title": "Gone", "status": 404, "x": 1}))
    with pytest.raises(package.NotFoundError) as caught:
        api_of(package, flavour, server).call("get_item", "7")
    assert caught.value.problem == package.ProblemDetails(
        title="Gone", status=404, extensions={"x": 1}
    )
    assert package.ErrorBody is package.ProblemDetails
    assert "Problem" not in package.__all__  # models.Problem is a maths problem, not an error


USER_SCRIPT = """
from spec_errors import ErrorBody, NotFoundError, Client
from spec_errors.models import Error, ValidationError
from spec_no_errors import NotFoundError as Missing, ProblemDetails


def use(client: Client) -> None:
    try:
        client.get_item("7")
    except NotFoundError as error:
        body: ErrorBody | None = error.problem
        if isinstance(error.problem, Error):
            code: int = error.problem.code
            print(code)
        elif isinstance(error.problem, ValidationError):
            fields: list[str] = error.problem.fields
            print(fields)
        error.problem.code  # type: ignore[union-attr]
        print(body)
    except Missing as other:
        details: ProblemDetails | None = other.problem
        print(details)
"""


def test_the_problem_types_pass_mypy_strict_in_a_user_script(
    packages: dict[str, ModuleType], tmp_path: Path
) -> None:
    folder = Path(packages["spec_errors"].__file__).parent.parent
    script = tmp_path / "use_errors.py"
    script.write_text(USER_SCRIPT)
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", str(script)],
        cwd=folder,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr

"""The API key is sent where securitySchemes says, and never shows anywhere else."""

from __future__ import annotations

import json
import logging
import pickle
import traceback
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from specbind.spec.load import load

from tests.calling import (  # noqa: F401  (fixtures)
    KEY,
    Api,
    api,
    closed_port_url,
    server,
    shared_server,
)
from tests.helpers import CHAT_SPEC, generate_and_import
from tests.http_server import Reply, ScriptedServer

MESSAGE_ID = "77185196-664a-43ec-b14a-fe97036c697f"
STATUS_PATH = f"/messages/{MESSAGE_ID}/status"


def shown(error: BaseException) -> str:
    """Everything a person or an error tracker could see of an exception: its message, repr and
    attributes, and the package's frames in its traceback with their local variables."""
    package = Path(type(error).__module__.split(".")[0])
    frames = traceback.TracebackException.from_exception(error, capture_locals=True).stack
    ours = [f for f in frames if package.name in Path(f.filename).parts]
    assert ours, "the traceback should run through the package"
    parts = [str(error), repr(error), repr(vars(error))]
    parts += [f"{f.filename}:{f.lineno}: {f.line} {f.locals}" for f in ours]
    return "\n".join(parts)


def test_the_key_is_in_the_header_the_spec_names(api: Api, server: ScriptedServer) -> None:
    server.on("GET", STATUS_PATH, Reply.json(200, {"messageId": MESSAGE_ID, "status": "seen"}))
    api.call("check_message_status", MESSAGE_ID)
    headers = server.seen[0].headers
    assert headers["apikey"] == KEY and "authorization" not in headers


def test_the_key_is_not_in_the_clients_repr_or_str(api: Api) -> None:
    client = api.client()
    assert "ApiKey(header 'apikey': '***')" in repr(client)
    assert KEY not in repr(client) and KEY not in str(client) and KEY not in repr(vars(client))
    (credential,) = client._credentials
    assert (
        KEY not in str(credential)
        and KEY not in f"{credential}"
        and KEY not in repr(vars(credential))
    )


@pytest.mark.parametrize("status", [401, 403, 500])
def test_the_key_is_not_in_status_errors(api: Api, server: ScriptedServer, status: int) -> None:
    problem = {
        "type": "about:blank",
        "title": "Unauthorized",
        "status": status,
        "detail": "bad key",
    }
    server.on("GET", STATUS_PATH, Reply.json(status, problem))
    with pytest.raises(api.package.ApiStatusError) as caught:
        api.call("check_message_status", MESSAGE_ID, max_retries=0)
    assert KEY not in shown(caught.value)


def test_the_key_is_not_in_connection_errors(api: Api) -> None:
    api.url = closed_port_url()
    with pytest.raises(api.package.ApiConnectionError) as caught:
        api.call("check_message_status", MESSAGE_ID, max_retries=0)
    assert KEY not in shown(caught.value)
    assert (
        caught.value.__context__ is None
    )  # the httpx error, which holds the request, is not chained


def test_the_key_is_not_in_validation_or_response_errors(api: Api, server: ScriptedServer) -> None:
    request = api.package.models.MessageRequest.from_dict({"to": "nope", "channels": ["sms"]})
    with pytest.raises(api.package.RequestValidationError) as caught:
        api.call("send_message", request)
    assert KEY not in shown(caught.value)
    server.on("GET", STATUS_PATH, Reply(200, b"<html>", {"Content-Type": "text/html"}))
    with pytest.raises(api.package.ApiResponseError) as response_error:
        api.call("check_message_status", MESSAGE_ID)
    assert KEY not in shown(response_error.value)


def test_the_key_is_not_in_any_log_record(
    api: Api, server: ScriptedServer, caplog: pytest.LogCaptureFixture
) -> None:
    server.on(
        "GET",
        STATUS_PATH,
        Reply.json(503, {}),
        Reply.json(200, {"messageId": MESSAGE_ID, "status": "seen"}),
    )
    with caplog.at_level(logging.DEBUG):  # every logger: ours, httpx, httpcore
        api.call("check_message_status", MESSAGE_ID)
    assert {r.name for r in caplog.records} >= {"tyntec_chat", "httpx"}
    for record in caplog.records:
        assert KEY not in record.getMessage() and KEY not in repr(record.args)


def test_exceptions_pickle_without_the_request(api: Api, server: ScriptedServer) -> None:
    """Error trackers serialise exceptions; nothing reachable from one holds the request."""
    server.on("GET", STATUS_PATH, Reply.json(401, {"title": "no"}))
    with pytest.raises(api.package.AuthenticationError) as caught:
        api.call("check_message_status", MESSAGE_ID)
    assert KEY.encode() not in pickle.dumps(vars(caught.value))


SCHEMES = {
    "header": ({"type": "apiKey", "in": "header", "name": "X-Api-Token"}, "x-api-token", KEY),
    "bearer": ({"type": "http", "scheme": "bearer"}, "authorization", f"Bearer {KEY}"),
    "query": ({"type": "apiKey", "in": "query", "name": "token"}, None, KEY),
}


@pytest.fixture(scope="module")
def variants(tmp_path_factory: pytest.TempPathFactory) -> dict[str, ModuleType]:
    """chat-api with other security schemes."""
    folder: Path = tmp_path_factory.mktemp("schemes")
    packages = {}
    for name, (scheme, _, _) in SCHEMES.items():
        document = load(CHAT_SPEC).document
        document["components"]["securitySchemes"] = {"Auth": scheme}
        document["security"] = [{"Auth": []}]
        spec = folder / f"{name}.json"
        spec.write_text(json.dumps(document, default=str), encoding="utf-8")
        packages[name] = generate_and_import(spec, f"chat_{name}", folder)
    return packages


class KeyAs(Api):
    """The sync client, given the key under the parameter its scheme kind takes."""

    def __init__(self, param: str, package: ModuleType, url: str) -> None:
        super().__init__("sync", package, url)
        self.param = param

    def options(self, options: dict[str, Any] | None) -> dict[str, Any]:
        merged = super().options(options)
        merged[self.param] = merged.pop("api_key")
        return merged


@pytest.mark.parametrize("scheme", list(SCHEMES))
def test_other_security_schemes(
    variants: dict[str, ModuleType], server: ScriptedServer, scheme: str
) -> None:
    package = variants[scheme]
    _, header, value = SCHEMES[scheme]
    param = "token" if scheme == "bearer" else "api_key"  # what a person has for the scheme
    server.on("GET", STATUS_PATH, Reply.json(404, {"title": "gone"}))
    with pytest.raises(package.NotFoundError) as caught:
        KeyAs(param, package, server.url).call("check_message_status", MESSAGE_ID)
    seen = server.seen[0]
    if header is None:
        assert seen.path == f"{STATUS_PATH}?token={KEY}"
    else:
        assert seen.headers[header] == value and "apikey" not in seen.headers
    assert KEY not in shown(caught.value)
    with pytest.raises(package.ApiConnectionError) as refused:
        KeyAs(param, package, closed_port_url()).call("check_message_status", MESSAGE_ID)
    assert KEY not in shown(refused.value)
    client: Any = package.Client(**{param: KEY})
    assert KEY not in repr(client)
    client.close()

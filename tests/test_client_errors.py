"""Every way a request can fail surfaces as one of the package's typed exceptions, sync and async alike."""

from __future__ import annotations

import json
from types import ModuleType
from typing import Any

import pytest

from tests.calling import (  # noqa: F401
    Api,
    api,
    closed_port_url,
    server,
    shared_server,
    silent_server,
)
from tests.http_server import Reply, ScriptedServer

MESSAGE_ID = "77185196-664a-43ec-b14a-fe97036c697f"
STATUS_PATH = f"/messages/{MESSAGE_ID}/status"
NOT_OURS = (json.JSONDecodeError, KeyError, TypeError, AttributeError)


def problem(status: Any, **extra: Any) -> dict[str, Any]:
    return {"type": "https://docs.tyntec.com/problems/x", "title": "Went wrong", "status": status,
            "detail": "because", **extra}  # fmt: skip


@pytest.mark.parametrize(
    ("status", "name"),
    [
        (400, "BadRequestError"),
        (401, "AuthenticationError"),
        (403, "PermissionDeniedError"),
        (404, "NotFoundError"),
        (409, "ConflictError"),
        (422, "UnprocessableEntityError"),
        (429, "RateLimitError"),
        (500, "InternalServerError"),
        (503, "InternalServerError"),
        (418, "ApiStatusError"),
    ],
)
def test_problem_bodies_raise_the_class_for_their_status(
    api: Api, server: ScriptedServer, chat: ModuleType, status: int, name: str
) -> None:
    body = problem(str(status), invalidParams=[{"name": "to"}])
    server.on("GET", STATUS_PATH, Reply.json(status, body, "application/problem+json"))
    with pytest.raises(chat.ApiStatusError) as caught:
        api.call("check_message_status", MESSAGE_ID, max_retries=0)
    error = caught.value
    assert type(error) is getattr(chat, name)
    assert isinstance(error, chat.ApiError)
    assert error.status_code == status
    assert chat.Problem is chat.models.Problem is chat.ErrorBody  # one type: the spec's schema
    assert error.problem == chat.models.Problem(
        type="https://docs.tyntec.com/problems/x", title="Went wrong", status=str(status),
        detail="because", additional_properties={"invalidParams": [{"name": "to"}]},
    )  # fmt: skip
    assert json.loads(error.body) == body
    assert error.headers["content-type"] == "application/problem+json"
    assert str(error) == f"HTTP {status} Went wrong - because (GET {STATUS_PATH})"


def test_an_error_body_is_decoded_with_the_spec_s_own_schema(
    api: Api, server: ScriptedServer
) -> None:
    """chat-api's Problem says `status` is a string: the problem keeps what the spec says."""
    server.on("GET", STATUS_PATH, Reply.json(404, problem("404")))
    with pytest.raises(api.package.NotFoundError) as caught:
        api.call("check_message_status", MESSAGE_ID)
    assert isinstance(caught.value.problem, api.package.models.Problem)
    assert caught.value.problem.status == "404"
    assert caught.value.problem.to_dict() == problem("404")


def test_an_error_body_that_does_not_fit_the_spec_s_schema_is_kept_as_text(
    api: Api, server: ScriptedServer
) -> None:
    """chat-api's Problem requires `type`, `title`, `status` and `detail`."""
    server.on("GET", STATUS_PATH, Reply.json(404, {"message": "no route"}))
    with pytest.raises(api.package.NotFoundError) as caught:
        api.call("check_message_status", MESSAGE_ID)
    assert caught.value.problem is None and json.loads(caught.value.body) == {"message": "no route"}
    assert str(caught.value) == f"HTTP 404 no route (GET {STATUS_PATH})"


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"<html><body>Bad gateway</body></html>", "text/html"),
        (b'{"type": "about:blank", "title": ', "application/json"),  # cut off
        (b"[1, 2, 3]", "application/problem+json"),  # JSON, but not an object
        (b"\xff\xfe not utf-8", "text/plain; charset=utf-8"),
        (b"", "application/json"),
    ],
)
def test_error_bodies_that_are_not_problems_keep_the_raw_text(
    api: Api, server: ScriptedServer, body: bytes, content_type: str
) -> None:
    server.on("GET", STATUS_PATH, Reply(400, body, {"Content-Type": content_type}))
    with pytest.raises(api.package.BadRequestError) as caught:
        api.call("check_message_status", MESSAGE_ID)
    assert caught.value.problem is None
    assert caught.value.body == body.decode("utf-8", "replace")
    assert not isinstance(caught.value, NOT_OURS)


def test_an_unlisted_error_status_of_an_operation_is_still_typed(
    api: Api, server: ScriptedServer
) -> None:
    """POST /messages lists 400, 403 and default; a 422 still becomes UnprocessableEntityError."""
    server.on("POST", "/messages", Reply.json(422, problem(422)))
    request = api.package.models.MessageRequest.from_dict(
        {"to": "+4917612345", "channels": ["sms"]}
    )
    with pytest.raises(api.package.UnprocessableEntityError):
        api.call("send_message", request)


@pytest.mark.parametrize(
    "body",
    [
        b"not json at all",
        b'{"messageId": "x"}',
        b"[]",
        b'{"messageId": "x", "status": 7, "timestamp": "soon"}',
    ],
)
def test_a_success_body_that_does_not_fit_raises_api_response_error(
    api: Api, server: ScriptedServer, body: bytes
) -> None:
    server.on("GET", STATUS_PATH, Reply(200, body, {"Content-Type": "application/json"}))
    with pytest.raises(api.package.ApiResponseError) as caught:
        api.call("check_message_status", MESSAGE_ID)
    assert caught.value.status_code == 200
    assert caught.value.body == body.decode()
    assert not isinstance(caught.value, NOT_OURS) and not isinstance(caught.value, ValueError)


def test_connection_refused_raises_api_connection_error(api: Api) -> None:
    api.url = closed_port_url()
    with pytest.raises(api.package.ApiConnectionError) as caught:
        api.call("check_message_status", MESSAGE_ID, max_retries=0)
    assert type(caught.value) is api.package.ApiConnectionError
    assert str(caught.value).startswith(f"GET {STATUS_PATH} failed: ConnectError")
    assert caught.value.__cause__ is None and caught.value.__context__ is None


def recording_http(flavour: str, seen: list[Any]) -> Any:
    """An httpx client (sync or async, by `flavour`) that records the timeout of every request.

    Its own timeout stays httpx's default (5 s): a test that waits on a silent server times out
    either way, and only the recorded timeout tells whether the client's or call's timeout was used.
    """
    import httpx

    def record(request: httpx.Request) -> None:
        seen.append(request.extensions["timeout"]["read"])

    if flavour == "sync":
        return httpx.Client(verify=False, event_hooks={"request": [record]})

    async def arecord(request: httpx.Request) -> None:
        record(request)

    return httpx.AsyncClient(verify=False, event_hooks={"request": [arecord]})


def test_the_client_timeout_applies(api: Api) -> None:
    seen: list[Any] = []
    with silent_server() as url:
        api.url = url
        with pytest.raises(api.package.ApiTimeoutError) as caught:
            api.call(
                "check_message_status",
                MESSAGE_ID,
                client={
                    "timeout": 0.2,
                    "max_retries": 0,
                    "http_client": recording_http(api.flavour, seen),
                },
            )
    assert isinstance(caught.value, api.package.ApiConnectionError)
    assert f"GET {STATUS_PATH} timed out (" in str(caught.value)  # ReadTimeout, or the deadline
    assert seen == [0.2]


def test_a_per_call_timeout_overrides_the_client_timeout(api: Api) -> None:
    seen: list[Any] = []
    with silent_server() as url:
        api.url = url
        with pytest.raises(api.package.ApiTimeoutError):
            api.call(
                "check_message_status",
                MESSAGE_ID,
                timeout=0.2,
                max_retries=0,
                client={"timeout": 2.0, "http_client": recording_http(api.flavour, seen)},
            )
    assert seen == [0.2]  # with the client's timeout the call still times out, after 2 s


def test_the_default_timeout_is_finite(chat: ModuleType) -> None:
    with chat.Client(api_key="k") as client:
        assert client.timeout == chat._http.DEFAULT_TIMEOUT
        assert client.timeout.read is not None and client.timeout.connect is not None


def test_the_timeout_reaches_the_request(api: Api, server: ScriptedServer) -> None:
    """The client's timeout is sent with each request, also through a caller's own httpx client."""
    seen: list[Any] = []
    server.on("GET", STATUS_PATH, Reply.json(200, {"messageId": MESSAGE_ID, "status": "seen"}))
    http = recording_http(api.flavour, seen)
    api.call("check_message_status", MESSAGE_ID, client={"http_client": http, "timeout": 7.0})
    http = recording_http(api.flavour, seen)
    api.call(
        "check_message_status",
        MESSAGE_ID,
        timeout=3.0,
        client={"http_client": http, "timeout": 7.0},
    )
    assert seen == [7.0, 3.0]


REQUEST = {"to": "+4917612345", "channels": ["sms"], "sms": {"contentType": "text", "text": "hi"}}
OPERATIONS = [  # (method name, HTTP method, path, retried)
    ("send_message", "POST", "/messages", False),
    ("retrieve_message", "GET", f"/messages/{MESSAGE_ID}", True),
    ("get_message_history", "GET", f"/messages/{MESSAGE_ID}/history", True),
    ("check_message_status", "GET", STATUS_PATH, True),
    ("download_media", "GET", f"/media/{MESSAGE_ID}", True),
    ("download_media_to_file", "GET", f"/media/{MESSAGE_ID}", True),
]


def arguments(api: Api, name: str, tmp_path: Any) -> tuple[Any, ...]:
    if name == "send_message":
        return (api.package.models.MessageRequest.from_dict(REQUEST),)
    if name == "download_media_to_file":
        return (MESSAGE_ID, tmp_path / "media.bin")
    return (MESSAGE_ID,)


@pytest.mark.parametrize(("name", "method", "path", "retried"), OPERATIONS)
def test_every_operation_raises_typed_errors_and_retries_only_if_safe(
    api: Api,
    server: ScriptedServer,
    tmp_path: Any,
    name: str,
    method: str,
    path: str,
    retried: bool,
) -> None:
    server.on(method, path, Reply.json(503, problem(503)), Reply.json(404, problem(404)))
    with pytest.raises(api.package.ApiStatusError) as caught:
        api.call(name, *arguments(api, name, tmp_path), max_retries=1)
    assert type(caught.value) is (
        api.package.NotFoundError if retried else api.package.InternalServerError
    )
    assert caught.value.problem.status == (404 if retried else 503)
    assert len(server.seen) == (2 if retried else 1)
    assert all(seen.headers["apikey"] for seen in server.seen)
    assert not any(tmp_path.iterdir())

"""Retries: which requests, how many times, how long apart (an injected clock and sleep; no waiting)."""

from __future__ import annotations

import json
import logging
from email.utils import formatdate
from types import ModuleType
from typing import Any

import pytest
import yaml
from specbind.codegen.operations import describe

from tests.calling import KEY, NOW, Api, api, closed_port_url, server, shared_server  # noqa: F401
from tests.helpers import CHAT_SPEC, generate_and_import
from tests.http_server import Reply, ScriptedServer

MESSAGE_ID = "77185196-664a-43ec-b14a-fe97036c697f"
STATUS_PATH = f"/messages/{MESSAGE_ID}/status"
OK = Reply.json(200, {"messageId": MESSAGE_ID, "status": "seen"})
SEND_OK = Reply.json(202, {"messageId": MESSAGE_ID, "acceptedAt": "2019-06-26T11:41:28Z"})
REQUEST = {"to": "+4917612345", "channels": ["sms"], "sms": {"contentType": "text", "text": "hi"}}


def busy(status: int, **headers: str) -> Reply:
    body = {"type": "about:blank", "title": "busy", "status": status, "detail": "later"}
    return Reply(status, json.dumps(body).encode(), {"Content-Type": "application/json", **headers})


def requests_to(server: ScriptedServer, path: str) -> int:
    return sum(1 for seen in server.seen if seen.path == path)


@pytest.mark.parametrize("status", [408, 429, 502, 503, 504])
def test_retried_statuses_are_retried_with_backoff_and_jitter(
    api: Api, server: ScriptedServer, status: int
) -> None:
    server.on("GET", STATUS_PATH, busy(status), busy(status), OK)
    assert api.call("check_message_status", MESSAGE_ID).status == "seen"
    assert requests_to(server, STATUS_PATH) == 3
    # 0.5 s then 1 s, each less a quarter of it times the injected draw 0.5
    assert api.sleeps == [0.5 * 0.875, 1.0 * 0.875]


@pytest.mark.parametrize("status", [400, 401, 404, 409, 500, 501])
def test_other_statuses_are_not_retried(api: Api, server: ScriptedServer, status: int) -> None:
    server.on("GET", STATUS_PATH, busy(status), OK)
    with pytest.raises(api.package.ApiStatusError):
        api.call("check_message_status", MESSAGE_ID)
    assert requests_to(server, STATUS_PATH) == 1 and api.sleeps == []


def test_when_retries_run_out_the_last_error_is_raised(api: Api, server: ScriptedServer) -> None:
    server.on("GET", STATUS_PATH, busy(429))
    with pytest.raises(api.package.RateLimitError) as caught:
        api.call("check_message_status", MESSAGE_ID)
    assert requests_to(server, STATUS_PATH) == 3  # the default: 2 retries
    assert caught.value.problem.title == "busy"


@pytest.mark.parametrize(
    ("client", "call", "attempts"), [(None, 0, 1), (5, None, 6), (0, 3, 4), (None, None, 3)]
)
def test_max_retries_per_client_and_per_call(
    api: Api, server: ScriptedServer, client: int | None, call: int | None, attempts: int
) -> None:
    server.on("GET", STATUS_PATH, busy(503))
    options = {} if client is None else {"max_retries": client}
    kwargs = {} if call is None else {"max_retries": call}
    with pytest.raises(api.package.InternalServerError):
        api.call("check_message_status", MESSAGE_ID, client=options, **kwargs)
    assert requests_to(server, STATUS_PATH) == attempts
    assert len(api.sleeps) == attempts - 1


def test_backoff_doubles_up_to_its_cap(api: Api, server: ScriptedServer) -> None:
    server.on("GET", STATUS_PATH, busy(503))
    policy = api.policy(max_retries=7, random=lambda: 0.0)
    with pytest.raises(api.package.InternalServerError):
        api.call("check_message_status", MESSAGE_ID, client={"retry_policy": policy})
    assert api.sleeps == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0, 8.0]


def test_jitter_only_shortens_the_wait(chat: ModuleType) -> None:
    for draw in (0.0, 0.3, 0.999):
        policy = chat.RetryPolicy(random=lambda: draw)
        assert 0.75 * 2.0 < policy.backoff(2) <= 2.0


@pytest.mark.parametrize(
    ("retry_after", "expected"),
    [
        ("3", 3.0),
        ("0.25", 0.25),
        (formatdate(NOW + 7, usegmt=True), 7.0),
        (formatdate(NOW - 30, usegmt=True), 0.0),  # a date in the past: retry at once
        ("60", 60.0),  # max_retry_after itself is still waited for
        ("soon", 0.5 * 0.875),  # unreadable: the usual backoff
    ],
)
def test_retry_after_in_seconds_or_as_an_http_date(
    api: Api, server: ScriptedServer, retry_after: str, expected: float
) -> None:
    server.on("GET", STATUS_PATH, busy(429, **{"Retry-After": retry_after}), OK)
    api.call("check_message_status", MESSAGE_ID)
    assert api.sleeps == [expected]


@pytest.mark.parametrize("retry_after", ["3600", formatdate(NOW + 86400, usegmt=True)])
def test_a_retry_after_above_the_cap_raises_at_once_with_the_wait(
    api: Api, server: ScriptedServer, retry_after: str
) -> None:
    server.on("GET", STATUS_PATH, busy(429, **{"Retry-After": retry_after}), OK)
    with pytest.raises(api.package.RateLimitError) as caught:
        api.call("check_message_status", MESSAGE_ID)
    assert caught.value.retry_after in (3600.0, 86400.0)
    assert "wait" in str(caught.value) and "max_retry_after (60 s)" in str(caught.value)
    assert requests_to(server, STATUS_PATH) == 1 and api.sleeps == []


def test_the_retry_after_cap_is_configurable(api: Api, server: ScriptedServer) -> None:
    server.on("GET", STATUS_PATH, busy(503, **{"Retry-After": "120"}), OK)
    with pytest.raises(api.package.InternalServerError) as caught:
        api.call(
            "check_message_status",
            MESSAGE_ID,
            client={"retry_policy": api.policy(max_retry_after=5.0)},
        )
    assert caught.value.retry_after == 120.0 and api.sleeps == []
    server.on("GET", STATUS_PATH, busy(503, **{"Retry-After": "120"}), OK)
    api.call(
        "check_message_status",
        MESSAGE_ID,
        client={"retry_policy": api.policy(max_retry_after=600.0)},
    )
    assert api.sleeps == [120.0]


def test_a_429_is_retried_even_for_post(api: Api, server: ScriptedServer) -> None:
    server.on("POST", "/messages", busy(429, **{"Retry-After": "2"}), SEND_OK)
    request = api.package.models.MessageRequest.from_dict(REQUEST)
    api.call("send_message", request)
    assert requests_to(server, "/messages") == 2 and api.sleeps == [2.0]


def test_connection_errors_are_retried_for_safe_requests(api: Api) -> None:
    api.url = closed_port_url()
    with pytest.raises(api.package.ApiConnectionError):
        api.call("check_message_status", MESSAGE_ID)
    assert api.sleeps == [0.5 * 0.875, 1.0 * 0.875]


def test_post_messages_is_never_retried(api: Api, server: ScriptedServer) -> None:
    server.on("POST", "/messages", busy(503), SEND_OK)
    request = api.package.models.MessageRequest.from_dict(REQUEST)
    with pytest.raises(api.package.InternalServerError):
        api.call("send_message", request, max_retries=5)
    assert requests_to(server, "/messages") == 1 and api.sleeps == []


def test_post_messages_is_not_retried_after_a_connection_error(api: Api) -> None:
    api.url = closed_port_url()
    with pytest.raises(api.package.ApiConnectionError):
        api.call("send_message", api.package.models.MessageRequest.from_dict(REQUEST))
    assert api.sleeps == []


def test_operations_are_marked_idempotent_by_method(chat: ModuleType) -> None:
    ops = chat.operations
    assert ops.send_message(chat.models.MessageRequest.from_dict(REQUEST)).idempotent is False
    assert all(getattr(ops, name)(MESSAGE_ID).idempotent for name in
               ("retrieve_message", "get_message_history", "check_message_status", "download_media"))  # fmt: skip


def test_config_and_spec_mark_operations_idempotent() -> None:
    document = yaml.safe_load(CHAT_SPEC.read_text(encoding="utf-8"))
    flags = {op.operation_id: op.idempotent for op in describe(document, {}).operations}
    assert flags == {"sendMessage": False, "retrieveMessage": True, "getMessageHistory": True,
                     "downloadMedia": True, "checkMessageStatus": True}  # fmt: skip
    by_config = describe(document, {}, {"sendMessage"}).operations
    assert [op.idempotent for op in by_config if op.operation_id == "sendMessage"] == [True]
    document["paths"]["/messages"]["post"]["x-idempotent"] = True
    by_spec = describe(document, {}).operations
    assert [op.idempotent for op in by_spec if op.operation_id == "sendMessage"] == [True]


@pytest.fixture(scope="module")
def marked(tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    """chat-api with POST /messages marked `x-idempotent` (the config route ends in the same flag, above)."""
    folder = tmp_path_factory.mktemp("idempotent")
    document = yaml.safe_load(CHAT_SPEC.read_text(encoding="utf-8"))
    document["paths"]["/messages"]["post"]["x-idempotent"] = True
    spec = folder / "chat-api-idempotent.json"
    spec.write_text(json.dumps(document, default=str), encoding="utf-8")
    return generate_and_import(spec, "chat_idempotent", folder)


@pytest.mark.parametrize("flavour", ["sync", "async"])
def test_a_post_marked_idempotent_is_retried(
    marked: ModuleType, server: ScriptedServer, flavour: str
) -> None:
    api = Api(flavour, marked, server.url)
    server.on("POST", "/messages", busy(503), SEND_OK)
    result = api.call("send_message", marked.models.MessageRequest.from_dict(REQUEST))
    assert str(result.message_id) == MESSAGE_ID
    assert requests_to(server, "/messages") == 2 and len(api.sleeps) == 1


def test_retries_are_logged_without_the_key(
    api: Api, server: ScriptedServer, caplog: pytest.LogCaptureFixture
) -> None:
    server.on("GET", STATUS_PATH, busy(503), OK)
    with caplog.at_level(logging.DEBUG):
        api.call("check_message_status", MESSAGE_ID)
    retries = [
        r.getMessage()
        for r in caplog.records
        if r.name == "tyntec_chat" and r.levelno == logging.INFO
    ]
    assert retries == [f"GET {STATUS_PATH}: HTTP 503; retry 1 of 2 in 0.44 s"]
    assert caplog.records and not any(KEY in r.getMessage() for r in caplog.records)

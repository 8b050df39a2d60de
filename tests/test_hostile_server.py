"""The generated client under servers that drip, bomb, nest and shout (issue 12 §4); Client and
AsyncClient alike, against real servers on 127.0.0.1, with small limits so that nothing takes long.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import logging
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests.calling import KEY, Api, api, server, shared_server  # noqa: F401  (fixtures)
from tests.hostile_servers import dripping_server, http_head
from tests.http_server import Reply, ScriptedServer

MESSAGE_ID = "77185196-664a-43ec-b14a-fe97036c697f"
STATUS_PATH = f"/messages/{MESSAGE_ID}/status"
MEDIA_PATH = f"/media/{MESSAGE_ID}"
STATUS = {"messageId": MESSAGE_ID, "status": "seen"}
MiB = 1024 * 1024
SMALL = {"max_body_size": MiB, "max_retries": 0}
DEEP = b"[" * 100_000 + b"]" * 100_000


def gzipped(status: int, data: bytes, content_type: str = "application/json") -> Reply:
    return Reply(
        status, gzip.compress(data), {"Content-Type": content_type, "Content-Encoding": "gzip"}
    )


# A total deadline per attempt -----------------------------------------------------------------


@pytest.mark.parametrize("part", ["headers", "body"])
def test_a_dripping_server_cannot_stretch_a_call_past_its_timeout(api: Api, part: str) -> None:
    """Each byte comes well within the read timeout, but the answer would take 10 s in all; the
    call gives up at its 0.5 s deadline, while the server is still dripping."""
    body = json.dumps(STATUS).encode()
    head = http_head(200, len(body), Content_Type="application/json")
    dripped = head + b"x" * 200 if part == "headers" else b"x" * 200
    with dripping_server(*((dripped, b"") if part == "headers" else (head, dripped)), 0.05) as drip:
        api.url = drip.url
        with pytest.raises(api.package.ApiTimeoutError):
            api.call(
                "check_message_status",
                MESSAGE_ID,
                client={"timeout": 0.5, "http_client": None, **SMALL},
            )
        assert not drip.finished.is_set()


def test_a_dripping_download_to_a_file_stops_at_the_deadline_and_leaves_nothing(
    api: Api, tmp_path: Path
) -> None:
    head = http_head(200, 200, Content_Type="video/mp4")
    target = tmp_path / "media.mp4"
    with dripping_server(head, b"x" * 200, 0.05) as drip:
        api.url = drip.url
        with pytest.raises(api.package.ApiTimeoutError):
            api.call(
                "download_media_to_file",
                MESSAGE_ID,
                target,
                timeout=0.5,
                client={"http_client": None, **SMALL},
            )
        assert not drip.finished.is_set()
    assert list(tmp_path.iterdir()) == []


def test_with_an_http_client_of_your_own_a_dripped_body_still_stops_at_the_deadline(
    api: Api,
) -> None:
    head = http_head(200, 200, Content_Type="application/json")
    with dripping_server(head, b"x" * 200, 0.05) as drip:
        api.url = drip.url
        with pytest.raises(api.package.ApiTimeoutError):
            api.call("check_message_status", MESSAGE_ID, timeout=0.5, client=SMALL)
        assert not drip.finished.is_set()


# Decompression bombs ----------------------------------------------------------------------------


def test_a_json_body_that_decodes_past_the_limit_is_refused(
    api: Api, server: ScriptedServer
) -> None:
    server.on("GET", STATUS_PATH, gzipped(200, b" " * (8 * MiB) + json.dumps(STATUS).encode()))
    with pytest.raises(api.package.ApiResponseError) as caught:
        api.call("check_message_status", MESSAGE_ID, client=SMALL)
    assert str(caught.value) == (
        "HTTP 200: the server accepted the request (do not repeat it unless it is idempotent), "
        f"but the body is larger than max_body_size ({MiB} bytes)"
    )


def test_under_the_limit_a_compressed_body_is_read_as_usual(
    api: Api, server: ScriptedServer
) -> None:
    server.on("GET", STATUS_PATH, gzipped(200, b" " * (MiB // 2) + json.dumps(STATUS).encode()))
    assert api.call("check_message_status", MESSAGE_ID, client=SMALL).status == "seen"


def test_an_error_body_past_the_limit_is_cut_and_its_error_raised(
    api: Api, server: ScriptedServer
) -> None:
    server.on("GET", STATUS_PATH, gzipped(500, b"x" * (8 * MiB), "text/plain"))
    with pytest.raises(api.package.InternalServerError) as caught:
        api.call("check_message_status", MESSAGE_ID, client=SMALL)
    assert len(caught.value.body) == MiB and len(str(caught.value)) < 300


def test_an_in_memory_download_past_the_limit_is_refused(api: Api, server: ScriptedServer) -> None:
    server.on("GET", MEDIA_PATH, gzipped(200, b"\0" * (8 * MiB), "video/mp4"))
    with pytest.raises(api.package.ApiResponseError, match="larger than max_body_size"):
        api.call("download_media", MESSAGE_ID, client=SMALL)


def test_a_download_to_a_file_stops_at_its_limit_and_leaves_nothing(
    api: Api, server: ScriptedServer, tmp_path: Path
) -> None:
    server.on("GET", MEDIA_PATH, gzipped(200, b"\0" * (8 * MiB), "video/mp4"))
    target = tmp_path / "media.mp4"
    options = {**SMALL, "max_download_size": 2 * MiB}
    with pytest.raises(
        api.package.ApiResponseError, match=r"larger than max_download_size \(2097152"
    ):
        api.call("download_media_to_file", MESSAGE_ID, target, client=options)
    assert list(tmp_path.iterdir()) == []
    saved = api.call(
        "download_media_to_file",
        MESSAGE_ID,
        target,
        client={**options, "max_download_size": 8 * MiB},
    )
    assert (
        saved.size == 8 * MiB == target.stat().st_size
    )  # past max_body_size: never held in memory


# Bodies and headers that used to escape as bare Python errors ---------------------------------


def test_a_success_body_nested_100k_deep_is_a_response_error(
    api: Api, server: ScriptedServer
) -> None:
    server.on("GET", STATUS_PATH, Reply(200, DEEP, {"Content-Type": "application/json"}))
    with pytest.raises(api.package.ApiResponseError, match="nested too deeply") as caught:
        api.call("check_message_status", MESSAGE_ID, client=SMALL)
    assert len(str(caught.value)) < 150  # with the 2xx message's "the server accepted ..."


def test_an_error_body_nested_100k_deep_is_kept_as_text(api: Api, server: ScriptedServer) -> None:
    server.on("GET", STATUS_PATH, Reply(400, DEEP, {"Content-Type": "application/json"}))
    with pytest.raises(api.package.BadRequestError) as caught:
        api.call("check_message_status", MESSAGE_ID, client=SMALL)
    assert caught.value.problem is None and len(str(caught.value)) < 300


def test_retry_after_nan_falls_back_to_the_backoff(api: Api, server: ScriptedServer) -> None:
    busy = Reply(503, b"", {"Retry-After": "nan"})
    server.on("GET", STATUS_PATH, busy, Reply.json(200, STATUS))
    assert api.call("check_message_status", MESSAGE_ID).status == "seen"
    assert api.sleeps == [api.policy().backoff(0)]


def test_a_huge_problem_detail_gives_a_short_message(api: Api, server: ScriptedServer) -> None:
    problem = {"type": "about:blank", "title": "Bad", "status": 400, "detail": "d" * (4 * MiB)}
    server.on("GET", STATUS_PATH, Reply.json(400, problem))
    with pytest.raises(api.package.BadRequestError) as caught:
        api.call("check_message_status", MESSAGE_ID, client={"max_body_size": 8 * MiB})
    assert caught.value.problem.detail == "d" * (4 * MiB)
    assert len(str(caught.value)) < 300


# The API key ----------------------------------------------------------------------------------


def test_a_key_read_from_a_file_loses_its_trailing_newline(
    api: Api, server: ScriptedServer
) -> None:
    server.on("GET", STATUS_PATH, Reply.json(200, STATUS))
    api.call("check_message_status", MESSAGE_ID, client={"api_key": f"  {KEY}\n"})
    assert server.seen[0].headers["apikey"] == KEY


@pytest.mark.parametrize("key", [f"{KEY}\nX-Injected: 1", f"{KEY}\x00", f"{KEY}\x7f", "", " \n"])
def test_a_key_with_control_characters_or_nothing_in_it_is_refused_without_showing_it(
    api: Api, key: str
) -> None:
    with pytest.raises(ValueError) as caught:
        api.client(api_key=key)
    assert KEY not in str(caught.value) and "api_key" in str(caught.value)


def test_the_key_reaches_no_log_record_even_at_debug(
    api: Api, server: ScriptedServer, caplog: pytest.LogCaptureFixture
) -> None:
    server.on("GET", STATUS_PATH, Reply.json(401, {"title": "who?"}), Reply.json(200, STATUS))
    with caplog.at_level(logging.DEBUG):
        with pytest.raises(api.package.AuthenticationError):
            api.call("check_message_status", MESSAGE_ID, client={"api_key": KEY + "\n"})
        api.call("check_message_status", MESSAGE_ID, client={"api_key": KEY + "\n"})
    assert any(r.name.startswith("httpcore") for r in caplog.records)  # DEBUG really was on
    assert server.seen[-1].headers["apikey"] == KEY
    assert KEY not in caplog.text


# Raw and streamed responses (with_raw_response, with_streaming_response) ------------------------


def view_call(
    api: Api, view: str, name: str, *args: Any, read: bool = False, **options: Any
) -> Any:
    """`client.<view>.<name>(*args)` on a fresh client of `api`'s flavour (no http_client of its
    own: the sync client's deadline transport). With `read`, the streamed body (`iter_bytes`) is
    returned, read after the call; else the raw response's `parse()`."""
    options = api.options({"http_client": None, **options})
    if api.flavour == "sync":
        with api.package.Client(**options) as client:
            if view == "with_streaming_response":
                with getattr(getattr(client, view), name)(*args) as response:
                    return b"".join(response.iter_bytes()) if read else response.parse()
            return getattr(getattr(client, view), name)(*args).parse()

    async def go() -> Any:
        async with api.package.AsyncClient(**options) as client:
            if view == "with_streaming_response":
                async with getattr(getattr(client, view), name)(*args) as response:
                    if read:
                        return b"".join([chunk async for chunk in response.aiter_bytes()])
                    return await response.parse()
            return (await getattr(getattr(client, view), name)(*args)).parse()

    return asyncio.run(go())


def test_a_raw_response_body_is_read_within_the_deadline(api: Api) -> None:
    head = http_head(200, 200, Content_Type="application/json")
    with dripping_server(head, b"x" * 200, 0.05) as drip:
        api.url = drip.url
        with pytest.raises(api.package.ApiTimeoutError):
            view_call(
                api, "with_raw_response", "check_message_status", MESSAGE_ID, timeout=0.5, **SMALL
            )
        assert not drip.finished.is_set()


@pytest.mark.parametrize("view", ["with_raw_response", "with_streaming_response"])
def test_a_raw_or_streamed_body_that_decodes_past_the_limit_is_refused(
    api: Api, server: ScriptedServer, view: str
) -> None:
    server.on("GET", STATUS_PATH, gzipped(200, b" " * (8 * MiB) + json.dumps(STATUS).encode()))
    with pytest.raises(api.package.ApiResponseError, match="larger than max_body_size"):
        view_call(api, view, "check_message_status", MESSAGE_ID, **SMALL)


def test_a_streamed_body_under_the_limit_parses_as_usual(api: Api, server: ScriptedServer) -> None:
    server.on("GET", STATUS_PATH, gzipped(200, b" " * (MiB // 2) + json.dumps(STATUS).encode()))
    status = view_call(api, "with_streaming_response", "check_message_status", MESSAGE_ID, **SMALL)
    assert status.message_id == MESSAGE_ID and status.status == "seen"


def test_a_streamed_body_is_read_after_the_deadline_that_covered_its_headers(api: Api) -> None:
    """The documented limit of with_streaming_response: the body is yours to read, at your pace."""
    head = http_head(200, 40, Content_Type="video/mp4")
    with dripping_server(head, b"x" * 40, 0.05) as drip:  # 2 s of body after a 1 s deadline
        api.url = drip.url
        body = view_call(
            api, "with_streaming_response", "download_media", MESSAGE_ID, read=True, timeout=1.0
        )
        assert body == b"x" * 40 and drip.finished.wait(5)


# A hostile sender of webhooks -------------------------------------------------------------------


def test_a_webhook_body_nested_100k_deep_is_a_webhook_error(chat: ModuleType) -> None:
    from tyntec_chat.webhooks import WebhookError, parse_inbound_message

    with pytest.raises(WebhookError, match="nested too deeply") as caught:
        parse_inbound_message(DEEP)
    assert len(str(caught.value)) < 100

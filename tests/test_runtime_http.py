"""`_http`, the request and response plumbing every generated package carries, tested as code."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from datetime import date, datetime, timezone
from enum import Enum
from pathlib import Path
from typing import Any

import httpx
import pytest
from specbind.codegen.runtime import _http
from specbind.codegen.runtime._codec import DecodeError
from specbind.codegen.runtime.errors import (
    ApiConnectionError,
    ApiResponseError,
    ApiTimeoutError,
    RequestValidationError,
)


class Channel(str, Enum):
    SMS = "sms"


@dataclass
class Body:
    text: Any

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "when": datetime(2020, 1, 2, tzinfo=timezone.utc)}


def spec(read: Any = _http.read_json) -> _http.RequestSpec[Any]:
    return _http.RequestSpec("GET", "/items", read)


def response(body: bytes, status: int = 200, **headers: str) -> httpx.Response:
    return httpx.Response(
        status, content=body, headers=headers, request=httpx.Request("GET", "https://h/items")
    )


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (True, "true"),
        (False, "false"),
        (Channel.SMS, "sms"),
        (date(2020, 1, 2), "2020-01-02"),
        (7, "7"),
    ],
)
def test_parameter_values_are_written_as_their_wire_text(value: Any, text: str) -> None:
    assert _http.text(value) == text


def test_a_path_parameter_cannot_change_the_shape_of_the_path() -> None:
    assert _http.path_param("../a b/?#") == "..%2Fa%20b%2F%3F%23"
    assert _http.path_param(["a/b", "c"]) == "a%2Fb,c"


def test_query_parameters_follow_their_style_and_explode() -> None:
    pairs = _http.query_params(
        [
            ("gone", None, "form", True),
            ("ids", [1, 2], "form", True),
            ("tags", ["a", "b"], "form", False),
            ("space", ["a", "b"], "spaceDelimited", False),
            ("pipe", ["a", "b"], "pipeDelimited", False),
            ("filter", {"k": "v"}, "deepObject", True),
            ("obj", {"k": "v"}, "form", True),
            ("flat", {"k": "v"}, "form", False),
            ("channel", Channel.SMS, "form", True),
            ("since", datetime(2020, 1, 2, tzinfo=timezone.utc), "form", True),
        ]
    )
    assert pairs == [
        ("ids", "1"),
        ("ids", "2"),
        ("tags", "a,b"),
        ("space", "a b"),
        ("pipe", "a|b"),
        ("filter[k]", "v"),
        ("k", "v"),
        ("flat", "k,v"),
        ("channel", "sms"),
        ("since", "2020-01-02T00:00:00Z"),
    ]


def test_header_values_are_text_lists_are_comma_separated_and_none_is_left_out() -> None:
    assert _http.header_params({"a": None, "b": [1, 2], "c": True}) == {"b": "1,2", "c": "true"}


def test_a_body_model_is_encoded_and_one_that_cannot_be_names_itself() -> None:
    assert _http.encode_model(Body("hi"), "Body") == {
        "text": "hi",
        "when": datetime(2020, 1, 2, tzinfo=timezone.utc),
    }
    assert _http.encode_model(None, "Body") is None
    with pytest.raises(RequestValidationError, match=r"^Body: cannot be encoded \(AttributeError"):
        _http.encode_model(object(), "Body")


def test_multipart_parts_split_files_from_text_fields() -> None:
    handle = io.BytesIO(b"data")
    parts = _http.multipart_parts(
        {
            "file": b"raw",
            "named": ("a.txt", b"x"),
            "open": handle,
            "meta": {"a": 1},
            "tags": [1, True],
            "n": 2,
            "gone": None,
        }
    )
    assert parts == {
        "data": {"meta": '{"a": 1}', "tags": ["1", "true"], "n": "2"},
        "files": {"file": b"raw", "named": ("a.txt", b"x"), "open": handle},
    }


def test_a_success_body_that_is_not_json_is_a_response_error_keeping_the_text() -> None:
    with pytest.raises(ApiResponseError, match="not valid JSON") as caught:
        _http.read_json(response(b"<html>"))
    assert caught.value.body == "<html>"
    assert _http.read_json(response(b'{"a": [1]}')) == {"a": [1]}


def test_a_body_that_does_not_fit_its_model_is_a_response_error_saying_where() -> None:
    def read(answer: httpx.Response) -> Any:
        raise DecodeError("expected int, got str", ("Item", "id"))

    with pytest.raises(ApiResponseError, match=r"does not fit the spec: Item.id: expected int"):
        _http.read(spec(read), response(b'{"id": "x"}'))


def test_transport_errors_become_the_packages_own_without_the_url() -> None:
    request = httpx.Request("GET", "https://h/items?apikey=secret")
    timeout = _http.wrap_transport_error(httpx.ReadTimeout("slow", request=request), spec())
    assert (
        isinstance(timeout, ApiTimeoutError)
        and str(timeout) == "GET /items timed out (ReadTimeout)"
    )
    broken = _http.wrap_transport_error(httpx.ConnectError("refused", request=request), spec())
    assert type(broken) is ApiConnectionError and "secret" not in str(broken)


@pytest.mark.parametrize(
    ("header", "name"),
    [
        ('attachment; filename="report.pdf"', "report.pdf"),
        ("attachment; filename*=UTF-8''na%C3%AFve.txt", "naïve.txt"),
        ("inline", None),
    ],
)
def test_the_file_name_comes_from_content_disposition(header: str, name: str | None) -> None:
    assert _http.filename_of(response(b"", **{"content-disposition": header})) == name
    assert _http.filename_of(response(b"")) is None


def test_binary_content_keeps_the_body_its_type_and_file_name() -> None:
    answer = response(
        b"\x00\x01",
        **{"content-type": "audio/ogg", "content-disposition": "attachment; filename=a.ogg"},
    )
    assert _http.BinaryContent.from_response(answer) == _http.BinaryContent(
        b"\x00\x01", "audio/ogg", "a.ogg"
    )


def test_a_path_destination_appears_only_when_complete(tmp_path: Path) -> None:
    target = tmp_path / "out.bin"
    with _http.Destination(target, response(b"", **{"content-type": "video/mp4"})) as out:
        out.write(b"ab")
        out.write(b"c")
        assert not target.exists()
    assert target.read_bytes() == b"abc"
    saved = out.saved()
    assert saved == _http.SavedContent(str(target), 3, "video/mp4", None)
    assert [p.name for p in tmp_path.iterdir()] == ["out.bin"]


def test_a_failed_download_leaves_nothing_behind(tmp_path: Path) -> None:
    with pytest.raises(OSError):
        with _http.Destination(tmp_path / "out.bin", response(b"")) as out:
            out.write(b"partial")
            raise OSError("connection broke")
    assert list(tmp_path.iterdir()) == []


def test_an_open_file_destination_is_written_as_it_comes() -> None:
    handle = io.BytesIO()
    with _http.Destination(handle, response(b"")) as out:
        out.write(b"abc")
    assert handle.getvalue() == b"abc" and out.saved().path is None


def test_a_download_over_its_limit_stops_and_leaves_nothing_behind(tmp_path: Path) -> None:
    with pytest.raises(ApiResponseError, match=r"larger than max_download_size \(4 bytes\)"):
        with _http.Destination(tmp_path / "out.bin", response(b""), limit=4) as out:
            out.write(b"abcd")
            out.write(b"e")
    assert list(tmp_path.iterdir()) == []


def test_a_body_in_memory_is_kept_whole_up_to_its_limit() -> None:
    answer = response(b"", **{"content-type": "application/json", "content-encoding": "gzip"})
    body = _http.Body(answer, limit=4)
    assert body.add(b"[1,") and body.add(b"2]") is False
    with pytest.raises(
        ApiResponseError,
        match=r"^HTTP 200: .*, but the body is larger than max_body_size \(4 bytes\)$",
    ) as caught:
        body.response()
    assert caught.value.headers["content-type"] == "application/json"
    whole = _http.Body(answer, limit=None)
    assert whole.add(b"[1,2]")
    read = whole.response()
    assert read.json() == [1, 2] and "content-encoding" not in read.headers


def test_an_error_body_over_the_limit_is_cut_and_its_error_still_raised() -> None:
    body = _http.Body(response(b"", 503, **{"content-type": "text/plain"}), limit=3)
    assert body.add(b"abcdef") is False
    assert body.response().content == b"abc"


@pytest.mark.parametrize("depth", [100_000])
def test_json_nested_too_deeply_is_a_response_error(depth: int) -> None:
    deep = b"[" * depth + b"]" * depth
    with pytest.raises(ApiResponseError, match="nested too deeply") as caught:
        _http.read_json(response(deep))
    assert len(str(caught.value)) < 150  # with the 2xx message's "the server accepted ..."


def test_not_given_is_told_apart_from_none() -> None:
    assert repr(_http.NOT_GIVEN) == "NOT_GIVEN" and _http.NOT_GIVEN is not None
    assert json.dumps(_http.DEFAULT_TIMEOUT.as_dict()) == json.dumps(
        httpx.Timeout(30.0, connect=10.0).as_dict()
    )

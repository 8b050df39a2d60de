"""`errors`, the exceptions every generated package carries, tested as code."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from specbind.codegen.runtime import _problem, errors
from specbind.codegen.runtime._codec import DecodeError


def response(
    status: int, body: bytes, content_type: str = "application/json", **kw: Any
) -> httpx.Response:
    request = httpx.Request("GET", "https://api.example.com/items/7?apikey=secret")
    headers = {"content-type": content_type, **kw}
    return httpx.Response(status, content=body, headers=headers, request=request)


def problem_body(**members: Any) -> bytes:
    return json.dumps({"type": "https://example.com/p", "title": "Gone", **members}).encode()


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        (400, errors.BadRequestError),
        (401, errors.AuthenticationError),
        (403, errors.PermissionDeniedError),
        (404, errors.NotFoundError),
        (409, errors.ConflictError),
        (422, errors.UnprocessableEntityError),
        (429, errors.RateLimitError),
        (500, errors.InternalServerError),
        (503, errors.InternalServerError),
        (418, errors.ApiStatusError),
    ],
)
def test_the_status_chooses_the_exception(status: int, kind: type[errors.ApiStatusError]) -> None:
    error = errors.error_for(response(status, b""))
    assert type(error) is kind and error.status_code == status
    assert isinstance(error, errors.ApiError)


def test_a_problem_body_is_parsed_and_summarised() -> None:
    body = problem_body(status="404", detail="no such item", instance="/items/7", trace="abc")
    error = errors.error_for(response(404, body, "application/problem+json"))
    assert error.problem == _problem.ProblemDetails(
        "https://example.com/p", "Gone", 404, "no such item", "/items/7", {"trace": "abc"}
    )
    assert str(error) == "HTTP 404 Gone - no such item (GET /items/7)"
    assert error.body == body.decode()


def test_the_message_names_the_path_but_never_the_query_which_may_hold_a_credential() -> None:
    error = errors.error_for(response(401, b""))
    assert "secret" not in str(error) and "/items/7" in str(error)


def test_a_body_that_is_not_json_is_kept_as_text_and_shortened_in_the_message() -> None:
    text = "upstream   broke\n" + "x" * 500
    error = errors.error_for(response(502, text.encode(), "text/plain"))
    assert error.problem is None and error.body == text
    assert str(error).startswith("HTTP 502 Bad Gateway: upstream broke xxx")
    assert str(error).endswith("... (GET /items/7)") and len(str(error)) < 250


@pytest.mark.parametrize("value", [[1, 2], "text", 3, None])
def test_only_a_json_object_is_a_problem(value: Any) -> None:
    with pytest.raises(DecodeError, match="expected a JSON object"):
        _problem.ProblemDetails.from_dict(value)
    assert errors.error_for(response(400, json.dumps(value).encode())).problem is None


def test_a_problem_keeps_only_an_integer_status_and_text_members() -> None:
    problem = _problem.ProblemDetails.from_dict({"status": True, "title": 5})
    assert problem == _problem.ProblemDetails(title="5")
    assert _problem.ProblemDetails.from_dict({"status": "4x4"}) == _problem.ProblemDetails()


def strict(kind: str) -> Any:
    """A decoder like a spec model's `from_dict`: it refuses a body without its `kind` member."""

    def decode(value: Any) -> tuple[str, Any]:
        if not isinstance(value, dict) or kind not in value:
            raise DecodeError(f"missing required member {kind!r}")
        return (kind, value[kind])

    return decode


@pytest.mark.parametrize(
    ("status", "expected"),
    [(404, ("code", 1)), (422, ("errors", 2)), (409, ("errors", 2)), (500, ("fault", 3))],
)
def test_the_operation_s_schema_for_the_status_decodes_the_body(
    status: int, expected: tuple[str, int]
) -> None:
    """The status itself, then its range, then `default` choose the schema, as in the spec."""
    problems = {"404": strict("code"), "4XX": strict("errors"), "default": strict("fault")}
    body = json.dumps({"code": 1, "errors": 2, "fault": 3}).encode()
    assert errors.error_for(response(status, body), problems).problem == expected


def test_a_body_that_does_not_fit_its_documented_schema_is_no_problem() -> None:
    error = errors.error_for(
        response(404, b'{"errors": 2, "title": "Gone"}'), {"404": strict("code")}
    )
    assert error.problem is None and str(error) == "HTTP 404 Gone (GET /items/7)"


def test_an_undocumented_status_tries_the_operation_s_schemas_then_the_spec_s() -> None:
    problems = {"404": strict("code"), "422": strict("errors")}
    assert errors.error_for(response(503, b'{"errors": 2}'), problems).problem == ("errors", 2)
    fallback = errors.error_for(response(503, b'{"title": "Busy"}'), problems).problem
    assert fallback == _problem.ProblemDetails(title="Busy")  # this stand-in spec's decoders()


def test_a_body_without_title_or_detail_is_summarised_by_its_message() -> None:
    error = errors.error_for(response(400, b'{"message": "bad id", "code": 7}'))
    assert str(error) == "HTTP 400 bad id (GET /items/7)"


def test_a_huge_detail_gives_a_short_message() -> None:
    body = problem_body(detail="x" * 5_000_000)
    error = errors.error_for(response(400, body))
    assert error.problem is not None and len(error.problem.detail or "") == 5_000_000
    assert len(str(error)) < 250 and str(error).startswith("HTTP 400 Gone - xxx")


def test_an_error_body_nested_too_deeply_is_kept_as_text() -> None:
    deep = b"[" * 100_000 + b"]" * 100_000
    error = errors.error_for(response(400, deep))
    assert error.problem is None and len(str(error)) < 250


def test_a_response_error_message_stays_short_whatever_the_reason() -> None:
    error = errors.ApiResponseError(200, "does not fit: " + "y" * 1_000_000, "")
    assert len(str(error)) < 520


def test_a_body_in_an_unknown_or_wrong_encoding_still_becomes_text() -> None:
    wrong = response(500, b"caf\xe9", "text/plain; charset=utf-8")
    assert errors.body_text(wrong) == "caf\ufffd"
    unknown = response(500, b"cafe", "text/plain; charset=no-such-charset")
    assert errors.body_text(unknown) == "cafe"


def test_a_response_without_a_request_still_gives_an_error() -> None:
    error = errors.error_for(httpx.Response(500, content=b"{}"))
    assert str(error) == "HTTP 500 Internal Server Error"


def test_a_request_validation_error_names_the_member_and_says_nothing_was_sent() -> None:
    error = errors.RequestValidationError("MessageRequest", "to", "is required")
    assert str(error).startswith("MessageRequest.to: is required (nothing was sent;")
    assert str(errors.RequestValidationError("Body", "", "bad")).startswith("Body: bad")


def test_a_response_error_keeps_the_body_and_says_why() -> None:
    error = errors.ApiResponseError(200, "the body is not valid JSON", "<html>")
    assert str(error).startswith("HTTP 200: the server accepted the request (do not repeat it")
    assert str(error).endswith("the body is not valid JSON") and error.body == "<html>"
    assert error.headers == {}

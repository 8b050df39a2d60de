"""The mock server: every operation of every feature spec answers with responses valid against the
spec, requests are validated (security, parameters, body, content type), errors come in the spec's
own shape, and the server binds, serves concurrently and stops cleanly as told."""

from __future__ import annotations

import json
import re
import signal
import socket
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import openapi_schema_validator as osv
import pytest
import uvicorn
import yaml
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4, DRAFT202012
from specbind.mock import server as server_module
from specbind.mock.routing import Mock, Request, Response
from specbind.mock.samples import sample
from specbind.mock.server import serve_mock
from specbind.spec.document import resolve_pointer
from specbind.spec.load import RefAccess
from specbind.spec.problems import SpecError, parts_of, pointer_of

from tests.helpers import CHAT_SPEC, ROOT

SPECS_DIR = ROOT / "tests" / "specs"
FEATURES = SPECS_DIR / "mock_features.yaml"
OPENAPI31 = SPECS_DIR / "mock_openapi31.yaml"
MESSAGE_ID = "77185196-664a-43ec-b14a-fe97036c697f"
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


INVALID_SPECS = {
    SPECS_DIR / "lenient.yaml",
    SPECS_DIR / "lenient_schemas.yaml",
    SPECS_DIR / "corpus_classes" / "lenient_defaults.yaml",
}  # specs under tests/specs that test the validator
REAL = SPECS_DIR / "real"  # the downloaded real-spec corpus (tests/test_real_specs.py)


def _usable_specs() -> list[Path]:
    """chat-api and every spec under tests/specs but parts of multi-file specs and INVALID_SPECS."""
    found = [CHAT_SPEC]
    for path in sorted(SPECS_DIR.rglob("*.yaml")) + sorted(SPECS_DIR.rglob("*.json")):
        if path.is_relative_to(REAL):
            continue
        if "openapi" not in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}):
            continue  # a part of a multi-file spec
        if path not in INVALID_SPECS:
            found.append(path)
    return found


# specs whose `$ref`s reach a sibling folder, and the folders they may read (as allow_ref_dirs)
ALLOWED_REF_DIRS = {SPECS_DIR / "nested" / "api" / "v1" / "openapi.yaml": (SPECS_DIR / "nested",)}
MOCKS = {
    path: Mock.from_spec(path, access=RefAccess(allow_dirs=ALLOWED_REF_DIRS.get(path, ())))
    for path in _usable_specs()
}  # SpecError: a spec stopped working


# -- the oracle: an independent check of a served response against the spec ----------------------


def _follow(document: dict[str, Any], pointer: str) -> tuple[Any, str]:
    node = resolve_pointer(document, pointer)
    while isinstance(node, dict) and isinstance(node.get("$ref"), str):
        pointer = node["$ref"]
        node = resolve_pointer(document, pointer)
    return node, pointer


def _validator(document: dict[str, Any], pointer: str) -> Any:
    """A validator for the schema at `pointer`, resolving references through `referencing`."""
    v30 = str(document["openapi"]).startswith("3.0")
    resource = Resource.from_contents(
        document, default_specification=DRAFT4 if v30 else DRAFT202012
    )
    registry = Registry().with_resource("urn:spec", resource)
    cls = osv.OAS30ReadValidator if v30 else osv.OAS31Validator
    checker = osv.oas30_format_checker if v30 else osv.oas31_format_checker
    return cls({"$ref": "urn:spec" + pointer}, registry=registry, format_checker=checker)


def _covers(declared: str, content_type: str) -> bool:
    declared, content_type = declared.lower(), content_type.split(";")[0].strip().lower()
    if declared.endswith("/*"):
        return content_type.startswith(declared[:-1]) and "*" not in content_type
    return declared == content_type


def response_errors(document: dict[str, Any], op_pointer: str, answer: Response) -> list[str]:
    """What is wrong with `answer` as a response of the operation at `op_pointer`."""
    responses = resolve_pointer(document, op_pointer + "/responses")
    code = str(answer.status)
    key = next((k for k in (code, code[0] + "XX", "default") if k in responses), None)
    if key is None:
        return [f"status {code} is not declared"]
    response, at = _follow(document, pointer_of(parts_of(op_pointer) + ["responses", key]))
    errors = []
    for name, header in (response.get("headers") or {}).items():
        header, _ = _follow(document, pointer_of(parts_of(at) + ["headers", name]))
        if header.get("required") and answer.header(name) is None:
            errors.append(f"required header {name} missing")
    content = response.get("content") or {}
    if not content:
        return errors + ([f"unexpected body {answer.body[:40]!r}"] if answer.body else [])
    content_type = answer.header("content-type") or ""
    declared = next((m for m in content if _covers(m, content_type)), None)
    if declared is None:
        return errors + [f"Content-Type {content_type!r} is not one of {list(content)}"]
    media = content[declared] or {}
    schema_at = pointer_of(parts_of(at) + ["content", declared, "schema"])
    schema = media.get("schema")
    if (
        declared.split("/")[0] in ("audio", "video", "image")
        or (schema or {}).get("format") == "binary"
    ):
        return errors + ([] if answer.body else ["empty binary body"])
    if "json" not in content_type:
        return errors + ([] if answer.body else ["empty body"])
    value = json.loads(answer.body)
    if schema is None:
        return errors
    return errors + [
        f"{list(e.absolute_path)}: {e.message}"
        for e in _validator(document, schema_at).iter_errors(value)
    ]


# -- making a valid request for any operation ----------------------------------------------------


def _request_fits(mock: Mock) -> Any:
    return lambda value, schema: mock.schemas.valid(value, schema, "request")


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join(_text(v) for v in value)
    return str(value)


def _path_value(parameter: dict[str, Any], value: Any) -> str:
    text = quote(_text(value), safe=",")
    style = parameter.get("style", "simple")
    return {"label": f".{text}", "matrix": f";{parameter['name']}={text}"}.get(style, text)


def valid_request(
    mock: Mock, template: str, method: str, headers: dict[str, str] | None = None
) -> Request:
    """A request that the spec allows for this operation: required parameters, credentials, a body."""
    document = mock.document
    route = next(r for r in mock.routes if r.template == template and r.method == method)
    fits = _request_fits(mock)
    path, query, sent = template, [], dict(headers or {})
    for parameter in route.parameters:
        if not (parameter.get("required") or parameter["in"] == "path"):
            continue
        value = sample(parameter.get("schema") or {}, document, accept=fits, omit="readOnly")
        if parameter["in"] == "path":
            path = path.replace("{" + parameter["name"] + "}", _path_value(parameter, value))
        elif parameter["in"] == "query":
            values = value if isinstance(value, list) else [value]
            query += [(parameter["name"], _text(v)) for v in values] or [(parameter["name"], "")]
        elif parameter["in"] == "header":
            sent[parameter["name"].lower()] = _text(value)
    sent.update(_credentials(document, route.operation, query))
    body = b""
    if "requestBody" in route.operation:
        request_body, _ = _follow(document, pointer_of(["paths", template, method, "requestBody"]))
        media_type, media = next(iter(request_body["content"].items()))
        value = media.get(
            "example", sample(media.get("schema") or {}, document, accept=fits, omit="readOnly")
        )
        built = httpx.Request(method, "http://mock/", **_encode_body(media_type, value))
        body = built.read()
        sent["content-type"] = built.headers["content-type"]
    return Request(method.upper(), path, query, sent, body)


def _encode_body(media_type: str, value: Any) -> dict[str, Any]:
    if "json" in media_type:
        return {"json": value}
    if media_type == "application/x-www-form-urlencoded":
        return {"data": {k: _text(v) for k, v in value.items()}}
    if media_type.startswith("multipart/"):
        files = {"file": ("a.bin", b"\x00\x01")}
        return {"data": {k: _text(v) for k, v in value.items() if k != "file"}, "files": files}
    concrete = media_type.replace("*", "png") if media_type.endswith("/*") else media_type
    return {"content": bytes(range(8)), "headers": {"content-type": concrete}}


def _credentials(
    document: dict[str, Any], operation: dict[str, Any], query: list[tuple[str, str]]
) -> dict[str, str]:
    requirements = operation.get("security", document.get("security")) or [{}]
    schemes = (document.get("components") or {}).get("securitySchemes") or {}
    headers: dict[str, str] = {}
    for name in requirements[0]:
        scheme = schemes[name]
        if scheme["type"] == "apiKey" and scheme["in"] == "header":
            headers[scheme["name"].lower()] = "test-key"
        elif scheme["type"] == "apiKey" and scheme["in"] == "query":
            query.append((scheme["name"], "test-key"))
        elif scheme["type"] == "apiKey" and scheme["in"] == "cookie":
            headers["cookie"] = f"{scheme['name']}=test-key"
        elif scheme.get("scheme") == "basic":
            headers["authorization"] = "Basic dXNlcjpwYXNz"
        else:
            headers["authorization"] = "Bearer test-token"
    return headers


# -- every operation, every declared response, every named example: valid answers -----------------


@dataclass(frozen=True)
class Case:
    spec: Path
    template: str
    method: str
    prefer: str

    def __str__(self) -> str:
        return (
            f"{self.spec.name}:{self.method.upper()} {self.template} [{self.prefer or 'default'}]"
        )


def _cases() -> list[Case]:
    cases = []
    for spec, mock in MOCKS.items():
        for route in mock.routes:
            responses = route.operation.get("responses") or {}
            cases.append(Case(spec, route.template, route.method, ""))
            for key in responses:
                cases.append(
                    Case(spec, route.template, route.method, f"code={_code_for(key, responses)}")
                )
                content = (
                    _follow(
                        mock.document,
                        pointer_of(["paths", route.template, route.method, "responses", key]),
                    )[0].get("content")
                    or {}
                )
                for media in content.values():
                    for name in (media or {}).get("examples") or {}:
                        cases.append(
                            Case(
                                spec,
                                route.template,
                                route.method,
                                f"code={_code_for(key, responses)}, example={name}",
                            )
                        )
    return cases


def _code_for(key: str, responses: dict[str, Any]) -> int:
    if key.isdigit():
        return int(key)
    first = 400 if key == "default" else int(key[0]) * 100
    return next(c for c in range(first, 600) if str(c) not in responses)


CASES = _cases()


def test_every_usable_spec_and_operation_is_covered() -> None:
    assert {CHAT_SPEC, FEATURES, OPENAPI31, SPECS_DIR / "multifile" / "openapi.yaml"} <= set(MOCKS)
    operations = {(c.spec, c.method, c.template) for c in CASES}
    assert sum(1 for spec, _, _ in operations if spec == CHAT_SPEC) == 5
    assert sum(len(m.routes) for m in MOCKS.values()) == len(operations)


@pytest.mark.parametrize("spec", sorted(INVALID_SPECS), ids=lambda p: p.name)
def test_the_specs_left_out_are_refused(spec: Path) -> None:
    with pytest.raises(SpecError):
        Mock.from_spec(spec)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_served_responses_are_valid_against_the_spec(case: Case) -> None:
    mock = MOCKS[case.spec]
    headers = {"prefer": case.prefer} if case.prefer else {}
    answer = mock.handle(valid_request(mock, case.template, case.method, headers))
    wanted = re.search(r"code=(\d+)", case.prefer)
    if wanted:
        assert answer.status == int(wanted.group(1)), answer.body
    else:
        assert 200 <= answer.status < 300, answer.body
    op_pointer = pointer_of(["paths", case.template, case.method])
    assert response_errors(mock.document, op_pointer, answer) == []


# -- choosing what to serve ----------------------------------------------------------------------

CHAT = MOCKS[CHAT_SPEC]
SCHEMAS = CHAT.document["components"]["schemas"]
KEY = {"apikey": "test-key"}


def _json(answer: Response) -> Any:
    return json.loads(answer.body)


def test_schema_examples_come_first() -> None:
    answer = CHAT.handle(Request("GET", f"/messages/{MESSAGE_ID}", headers=KEY))
    assert answer.status == 200
    assert _json(answer) == SCHEMAS["StoredMessage"]["example"]


def test_media_type_examples_come_before_schema_examples() -> None:
    features = MOCKS[FEATURES]
    answer = features.handle(valid_request(features, "/items", "get"))
    named = resolve_pointer(
        features.document, "#/paths/~1items/get/responses/200/content/application~1json/examples"
    )
    assert _json(answer) == named["two"]["value"]


def test_prefer_example_picks_a_named_example() -> None:
    features = MOCKS[FEATURES]
    answer = features.handle(valid_request(features, "/items", "get", {"prefer": "example=none"}))
    assert answer.status == 200 and _json(answer) == []


def test_prefer_example_that_does_not_exist_is_named_in_the_error() -> None:
    features = MOCKS[FEATURES]
    answer = features.handle(valid_request(features, "/items", "get", {"prefer": "example=three"}))
    assert answer.status == 500
    assert "example=three" in _json(answer)["detail"] and "two, none" in _json(answer)["detail"]


def test_prefer_code_that_is_not_declared_is_refused() -> None:
    answer = MOCKS[FEATURES].handle(Request("GET", "/items/1", headers={"prefer": "code=503"}))
    assert answer.status == 500
    assert "declares no such response" in _json(answer)["detail"]


def test_an_invalid_schema_example_is_replaced_by_a_valid_value() -> None:
    """chat-api's Problem.status example is the int 400 but the schema says string."""
    answer = CHAT.handle(
        Request("GET", f"/messages/{MESSAGE_ID}", headers={**KEY, "prefer": "code=404"})
    )
    assert answer.status == 404
    problem = _json(answer)
    assert problem["status"] == "404"
    assert problem["title"] == SCHEMAS["Problem"]["properties"]["title"]["example"]


def test_values_made_from_schemas_follow_patterns_and_bounds() -> None:
    features = MOCKS[FEATURES]
    answer = features.handle(valid_request(features, "/items", "post", {"prefer": "dynamic=true"}))
    item = _json(answer)
    assert answer.status == 201 and item["id"] >= 1 and len(item["name"]) >= 2
    mine = _json(features.handle(valid_request(features, "/items/mine", "get")))
    assert len(mine["items"]) == 1 and mine["items"][0]["name"] == "hammer"


def test_binary_media_types_get_binary_bodies() -> None:
    answer = CHAT.handle(Request("GET", f"/media/{MESSAGE_ID}", headers=KEY))
    assert answer.status == 200 and answer.header("content-type") == "audio/mpeg"
    with pytest.raises(UnicodeDecodeError):
        answer.body.decode("utf-8")
    wanted = CHAT.handle(
        Request("GET", f"/media/{MESSAGE_ID}", headers={**KEY, "accept": "video/webm"})
    )
    assert wanted.header("content-type") == "video/webm"
    pdf = MOCKS[OPENAPI31].handle(Request("GET", "/export", headers={"accept": "application/pdf"}))
    assert pdf.header("content-type") == "application/pdf" and len(pdf.body) == 256


def test_accept_chooses_among_media_types_and_406_when_none_fits() -> None:
    text = MOCKS[FEATURES].handle(Request("GET", "/items/1", headers={"accept": "text/plain"}))
    assert text.header("content-type") == "text/plain" and text.body == b"item 1"
    csv = MOCKS[OPENAPI31].handle(Request("GET", "/export", headers={"accept": "text/csv"}))
    assert csv.body == b"id,text\n1,hello\n"
    refused = MOCKS[FEATURES].handle(
        Request("GET", "/items/1", headers={"accept": "application/xml"})
    )
    assert refused.status == 406


def test_declared_response_headers_are_sent() -> None:
    features = MOCKS[FEATURES]
    answer = features.handle(valid_request(features, "/items", "get"))
    assert answer.header("X-Total") == "0" and answer.header("X-Page-Token") == "abc123"


def test_empty_responses_have_no_body() -> None:
    answer = MOCKS[FEATURES].handle(
        Request("DELETE", "/items/3", headers={"authorization": "Bearer t"})
    )
    assert (answer.status, answer.body, answer.header("content-type")) == (204, b"", None)


def test_concrete_paths_win_over_templates_and_server_prefixes_are_accepted() -> None:
    features = MOCKS[FEATURES]
    mine = features.handle(Request("GET", "/items/mine", headers={"authorization": "Bearer t"}))
    assert mine.status == 200 and "items" in _json(mine)
    prefixed = features.handle(Request("GET", "/v1/items/5"))
    assert prefixed.status == 200


def test_unknown_paths_and_methods() -> None:
    missing = CHAT.handle(Request("GET", "/nope", headers=KEY))
    assert missing.status == 404 and missing.header("content-type") == "application/problem+json"
    assert "GET /nope" in _json(missing)["detail"]
    wrong = CHAT.handle(Request("DELETE", "/messages", headers=KEY))
    assert wrong.status == 405 and wrong.header("allow") == "POST"


# -- request validation --------------------------------------------------------------------------


def _problem_detail(answer: Response) -> str:
    body = _json(answer)
    assert set(body) == {"type", "title", "status", "detail"}  # chat-api's own Problem shape
    assert body["status"] == str(answer.status)
    return str(body["detail"])


def test_missing_api_key_gets_401_in_the_spec_shape() -> None:
    answer = CHAT.handle(Request("GET", f"/messages/{MESSAGE_ID}"))
    assert answer.status == 401
    assert "apikey" in _problem_detail(answer)
    assert answer.header("www-authenticate")


def test_bad_path_parameter_is_named() -> None:
    answer = CHAT.handle(Request("GET", "/messages/not-a-uuid/status", headers=KEY))
    assert answer.status == 400
    assert _problem_detail(answer) == "path parameter 'message-id': 'not-a-uuid' is not a 'uuid'"


def test_bad_body_members_are_named_with_their_location() -> None:
    body = {**SCHEMAS["MessageRequest"]["example"], "to": "12"}
    del body["channels"]
    answer = CHAT.handle(
        Request(
            "POST",
            "/messages",
            [],
            {**KEY, "content-type": "application/json"},
            json.dumps(body).encode(),
        )
    )
    assert answer.status == 400
    detail = _problem_detail(answer)
    assert "request body: 'channels' is a required property" in detail
    assert "request body at /to: '12' does not match" in detail


@pytest.mark.parametrize(
    "content_type, body, status, words",
    [
        ("application/json", b"{not json", 400, "not valid JSON"),
        ("application/json", b"", 400, "request body: required but missing"),
        ("text/plain", b"hello", 415, "content type 'text/plain' is not accepted"),
        ("", b"{}", 415, "content type 'none' is not accepted"),
    ],
)
def test_unreadable_bodies_and_content_types(
    content_type: str, body: bytes, status: int, words: str
) -> None:
    headers = {**KEY, "content-type": content_type} if content_type else KEY
    answer = CHAT.handle(Request("POST", "/messages", [], headers, body))
    assert answer.status == status
    assert words in _problem_detail(answer)


def test_valid_chat_request_passes() -> None:
    body = json.dumps(SCHEMAS["MessageRequest"]["example"]).encode()
    answer = CHAT.handle(
        Request("POST", "/messages", [], {**KEY, "content-type": "application/json"}, body)
    )
    assert answer.status == 202 and set(_json(answer)) == {"messageId", "acceptedAt"}


def _features(request: Request) -> tuple[int, dict[str, Any]]:
    answer = MOCKS[FEATURES].handle(request)
    return answer.status, _json(answer) if answer.body else {}


GOOD_LIST = {"authorization": "Bearer t", "x-trace": "0123abcd"}


@pytest.mark.parametrize(
    "query, headers, words",
    [
        ([], GOOD_LIST, "query parameter 'limit': required but missing"),
        ([("limit", "x")], GOOD_LIST, "query parameter 'limit': 'x' is not of type 'integer'"),
        (
            [("limit", "500")],
            GOOD_LIST,
            "query parameter 'limit': 500 is greater than the maximum of 100",
        ),
        (
            [("limit", "5"), ("tags", "red"), ("tags", "pink")],
            GOOD_LIST,
            "query parameter 'tags' at /1: 'pink' is not one of",
        ),
        (
            [("limit", "5"), ("ids", "1,x")],
            GOOD_LIST,
            "query parameter 'ids' at /1: 'x' is not of type 'integer'",
        ),
        (
            [("limit", "5")],
            {"authorization": "Bearer t"},
            "header parameter 'X-Trace': required but missing",
        ),
        (
            [("limit", "5")],
            {**GOOD_LIST, "x-trace": "zz"},
            "header parameter 'X-Trace': 'zz' does not match",
        ),
        (
            [("limit", "5")],
            {**GOOD_LIST, "cookie": "session=ab"},
            "cookie parameter 'session': 'ab' is too short",
        ),
    ],
)
def test_parameters_are_validated_and_422_uses_the_declared_shape(
    query: list[tuple[str, str]], headers: dict[str, str], words: str
) -> None:
    status, body = _features(Request("GET", "/items", query, headers))
    assert status == 422
    assert body["status"] == 422 and any(
        words in e for e in [body.get("message", "")] + body.get("errors", [])
    ), body


@pytest.mark.parametrize(
    "path, query, words",
    [
        ("/search/;point=1,2", [("filter[min]", "3"), ("filter[color]", "red")], ""),
        ("/search/;point=1,x", [], "path parameter 'point' at /1: 'x' is not of type 'integer'"),
        (
            "/search/;point=1",
            [("filter[min]", "low")],
            "query parameter 'filter' at /min: 'low' is not of type",
        ),
        (
            "/search/;point=1",
            [("filter[size]", "3")],
            "query parameter 'filter': Additional properties",
        ),
        ("/search/;point=1", [("words", "ab cd")], ""),
        (
            "/search/;point=1",
            [("words", "ab c")],
            "query parameter 'words' at /1: 'c' is too short",
        ),
        ("/search/;point=1", [("where", '{"lat": 1.5}')], ""),
        (
            "/search/;point=1",
            [("where", '{"lon": 1}')],
            "query parameter 'where': 'lat' is a required property",
        ),
        ("/search/;point=1", [("where", "{")], "query parameter 'where': not valid JSON"),
        ("/search/;point=1", [("lat", "45"), ("lon", "7.5"), ("words", "ab")], ""),
        (
            "/search/;point=1",
            [("lat", "95"), ("words", "ab")],
            "query parameter 'near' at /lat: 95 is greater than",
        ),
    ],
)
def test_parameter_styles(path: str, query: list[tuple[str, str]], words: str) -> None:
    status, body = _features(Request("GET", path, query))
    if not words:
        assert status == 200, body
    else:
        assert status == 400 and words in body["detail"], body  # no declared shape: RFC 7807


def test_good_parameters_pass() -> None:
    query = [("limit", "5"), ("tags", "red"), ("tags", "blue"), ("ids", "1,2")]
    status, _ = _features(Request("GET", "/items", query, {**GOOD_LIST, "cookie": "session=abc"}))
    assert status == 200


@pytest.mark.parametrize(
    "headers, query, status",
    [
        ({}, [], 401),
        ({"authorization": "Basic dXNlcjpwYXNz"}, [], 201),  # basic instead of the query key
        ({"authorization": "Basic bm9jb2xvbg=="}, [], 401),  # "nocolon": not user:password
        ({}, [("key", "k")], 201),
        ({"authorization": "Bearer t"}, [], 401),  # the document's bearer does not apply here
    ],
)
def test_operation_security_overrides_the_document(
    headers: dict[str, str], query: list[tuple[str, str]], status: int
) -> None:
    built = httpx.Request(
        "POST",
        "http://mock/attachments",
        data={"label": "cat"},
        files={"file": ("a.png", b"\x89PNG")},
    )
    body = built.read()
    request = Request(
        "POST",
        "/attachments",
        query,
        {**headers, "content-type": built.headers["content-type"]},
        body,
    )
    answer = MOCKS[FEATURES].handle(request)
    assert answer.status == status, answer.body
    if status == 201:
        assert _json(answer) == {"label": "string"}  # the writeOnly member is never served


def test_multipart_and_form_bodies_are_validated() -> None:
    built = httpx.Request(
        "POST",
        "http://mock/attachments",
        data={"label": "far too long a label"},
        files={"file": ("a.png", b"\x89PNG")},
    )
    body = built.read()
    answer = MOCKS[FEATURES].handle(
        Request(
            "POST",
            "/attachments",
            [("key", "k")],
            {"content-type": built.headers["content-type"]},
            body,
        )
    )
    assert (
        answer.status == 400
        and "request body at /label: 'far too long a label' is too long" in answer.body.decode()
    )
    form = {"content-type": "application/x-www-form-urlencoded", "authorization": "Bearer t"}
    status, _ = _features(Request("POST", "/items", [], form, b"name=saw&kind=tool&quantity=3"))
    assert status == 201
    status, body = _features(
        Request("POST", "/items", [], form, b"name=saw&kind=tool&quantity=lots")
    )
    assert status == 422 and any(
        "quantity: 'lots' is not of type 'integer'" in e for e in body["errors"]
    )


def test_a_range_response_gives_the_error_shape() -> None:
    """createItem declares 422 and 4XX: a wrong content type gets 415 in the 4XX `Error` shape."""
    headers = {"authorization": "Bearer t", "content-type": "text/plain"}
    status, body = _features(Request("POST", "/items", [], headers, b"saw"))
    assert status == 415
    assert body == {
        "code": 415,
        "message": "content type 'text/plain' is not accepted; "
        "the operation takes application/json, application/x-www-form-urlencoded",
    }


def test_read_only_members_are_refused_in_requests() -> None:
    body = json.dumps({"id": 3, "name": "saw", "kind": "tool"}).encode()
    status, problem = _features(
        Request(
            "POST",
            "/items",
            [],
            {"authorization": "Bearer t", "content-type": "application/json"},
            body,
        )
    )
    assert status == 422
    assert any(
        "read-only" in e or "readOnly" in e or "'id'" in e for e in problem["errors"]
    ), problem


def test_binary_request_bodies_under_a_media_range() -> None:
    headers = {"authorization": "Bearer t", "content-type": "image/png"}
    answer = MOCKS[FEATURES].handle(Request("PUT", "/items/2", [], headers, b"\x89PNG\r\n"))
    assert answer.status == 200 and answer.header("content-type") == "image/png"
    refused = MOCKS[FEATURES].handle(
        Request("PUT", "/items/2", [], {**headers, "content-type": "text/plain"}, b"x")
    )
    assert refused.status == 415


def test_openapi_31_problem_shape_and_types() -> None:
    mock = MOCKS[OPENAPI31]
    bad = mock.handle(Request("GET", "/notes/nope", [("verbose", "maybe")]))
    assert bad.status == 400 and bad.header("content-type") == "application/problem+json"
    problem = _json(bad)
    assert (
        problem["status"] == 400
        and "noteId" in problem["detail"]
        and "verbose" in problem["detail"]
    )
    good = mock.handle(
        Request(
            "POST",
            "/notes",
            [],
            {"content-type": "application/json"},
            json.dumps({"text": "x", "tags": [], "priority": None}).encode(),
        )
    )
    assert good.status == 201 and _json(good) == {"text": "buy milk", "tags": []}


# -- over HTTP: the server itself ----------------------------------------------------------------


def test_concurrent_clients_get_valid_answers() -> None:
    with serve_mock(CHAT) as url:
        results: list[int] = []

        def client() -> None:
            with httpx.Client(base_url=url, headers=KEY) as http:
                for _ in range(10):
                    results.append(http.get(f"/messages/{MESSAGE_ID}/history").status_code)
                    results.append(http.get("/messages/bad/history").status_code)

        threads = [threading.Thread(target=client) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert sorted(set(results)) == [200, 400] and len(results) == 160


def test_percent_encoded_path_values_are_decoded() -> None:
    with serve_mock(CHAT) as url:
        answer = httpx.get(f"{url}/messages/a%2Fb/status", headers=KEY)
    assert answer.status_code == 400
    assert "'a/b' is not a 'uuid'" in answer.json()["detail"]


def test_a_failure_inside_the_mock_is_a_500_problem_and_the_server_goes_on(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    mock = Mock.from_spec(FEATURES)
    real = mock.handle

    def flaky(request: Request) -> Response:
        if request.path == "/boom":
            raise KeyError("surprise")
        return real(request)

    monkeypatch.setattr(mock, "handle", flaky)
    with serve_mock(mock) as url:
        failed = httpx.get(f"{url}/boom")
        after = httpx.get(f"{url}/items/1")
    assert failed.status_code == 500
    assert failed.json()["detail"] == "the mock cannot answer this: KeyError: 'surprise'"
    assert after.status_code == 200
    assert "specbind mock cannot answer GET /boom" in caplog.text


def test_the_server_stops_when_told_not_on_uvicorns_next_tick(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Leaving the block wakes the server: uvicorn's own 0.1 s tick is never what stops it."""
    real_tick = uvicorn.Server.on_tick

    async def never_says_exit(self: uvicorn.Server, counter: int) -> bool:
        await real_tick(self, counter)
        return False

    monkeypatch.setattr(uvicorn.Server, "on_tick", never_says_exit)
    before = set(threading.enumerate())
    with httpx.Client(headers=KEY) as http:
        with serve_mock(CHAT) as url:
            # the client's keep-alive connection is still open when the block ends
            assert http.get(f"{url}/messages/{MESSAGE_ID}/status").status_code == 200
            (server,) = [
                t for t in set(threading.enumerate()) - before if t.name == "specbind-mock"
            ]
        assert not server.is_alive()
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{url}/messages/{MESSAGE_ID}/status", headers=KEY)


def test_a_request_in_flight_when_the_server_stops_gets_its_whole_answer(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    mock = Mock.from_spec(FEATURES)
    real = mock.handle
    entered, stopping = threading.Event(), threading.Event()

    def slow(request: Request) -> Response:
        entered.set()
        stopping.wait(30)
        return real(request)

    real_stop = server_module._Server.stop

    def stop(self: Any) -> None:
        real_stop(self)
        stopping.set()  # the request goes on only once the server has been told to stop

    monkeypatch.setattr(mock, "handle", slow)
    monkeypatch.setattr(server_module._Server, "stop", stop)
    answers: list[httpx.Response] = []
    with serve_mock(mock) as url:
        caller = threading.Thread(target=lambda: answers.append(httpx.get(f"{url}/items/1")))
        caller.start()
        assert entered.wait(30)
    caller.join(30)
    assert stopping.is_set()
    assert [a.status_code for a in answers] == [200]
    assert answers[0].json() == _json(real(Request("GET", "/items/1")))


def _start(*args: str) -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "specbind", "mock", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    match = re.search(r"http://\S+", line)
    if not match:
        process.kill()
        raise AssertionError(f"no URL in {line!r}: {process.communicate()[1]}")
    return process, match.group(0)


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_command_serves_and_stops_cleanly(stop: signal.Signals) -> None:
    process, url = _start(str(CHAT_SPEC), "--port", "0")
    try:
        assert url.startswith("http://127.0.0.1:")
        with httpx.Client(base_url=url, headers=KEY) as http:
            kept_alive = http.get(f"/messages/{MESSAGE_ID}/status")
            assert kept_alive.status_code == 200
            process.send_signal(stop)
            out, err = process.communicate(timeout=30)
    finally:
        process.kill()
    assert process.returncode == 0, err
    assert f"stopped by {stop.name}" in out
    assert "Traceback" not in err


def test_command_binds_only_where_told() -> None:
    process, url = _start(str(CHAT_SPEC), "--port", "0")
    try:
        port = int(url.rsplit(":", 1)[1])
        assert httpx.get(f"{url}/messages/{MESSAGE_ID}/status", headers=KEY).status_code == 200
        # Linux routes all of 127/8 to the loopback device: 127.0.0.2 reaches this machine,
        # but not a server bound to 127.0.0.1 alone.
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.2", port), timeout=5).close()
    finally:
        process.send_signal(signal.SIGTERM)
        process.communicate(timeout=30)


def test_command_on_a_custom_host() -> None:
    process, url = _start(str(FEATURES), "--host", "127.0.0.2", "--port", "0")
    try:
        assert url.startswith("http://127.0.0.2:")
        assert httpx.get(f"{url}/items/1").status_code == 200
    finally:
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=30)


def test_command_reports_a_bad_spec_and_a_busy_port(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get: {responses: {'200': {$ref: '#/nope'}}}\n"
    )
    done = subprocess.run(
        [sys.executable, "-m", "specbind", "mock", str(bad)], capture_output=True, text=True
    )
    assert done.returncode == 1 and "bad.yaml:5" in done.stderr and "Traceback" not in done.stderr
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        done = subprocess.run(
            [sys.executable, "-m", "specbind", "mock", str(CHAT_SPEC), "--port", port],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert done.returncode == 1 and f"cannot listen on 127.0.0.1:{port}" in done.stderr


def test_the_pytest_fixture(specbind_mock: Any) -> None:
    url = specbind_mock(FEATURES)
    assert httpx.get(f"{url}/items/4").json() == SCHEMAS_FEATURES_ITEM_EXAMPLE
    other = specbind_mock(CHAT_SPEC)
    assert other != url
    assert httpx.get(f"{other}/messages/{MESSAGE_ID}").status_code == 401


SCHEMAS_FEATURES_ITEM_EXAMPLE = MOCKS[FEATURES].document["components"]["schemas"]["Item"]["example"]


# -- under load and abuse: bounded work per request ---------------------------------------------

SLOW = "^(a|a)*$"  # backtracks 2**n times on n a's and a '!' (Python's re never comes back)
SLOW_PATTERNS = f"""
openapi: 3.1.0
info: {{title: slow patterns, version: '1'}}
paths:
  /words:
    post:
      parameters:
        - {{name: q, in: query, schema: {{type: string, pattern: '{SLOW}'}}}}
      requestBody:
        content:
          application/json:
            schema:
              type: object
              properties:
                word: {{type: string, pattern: '{SLOW}'}}
                tags:
                  type: object
                  patternProperties: {{'{SLOW}': {{type: integer}}}}
                  additionalProperties: false
      responses:
        '204': {{description: done}}
"""


def _json_post(url: str, path: str, body: bytes, **params: str) -> httpx.Response:
    headers = {**KEY, "content-type": "application/json"}
    return httpx.post(f"{url}{path}", content=body, headers=headers, params=params, timeout=20)


@pytest.mark.parametrize(
    "body, words",
    [
        (b"[" * 100_000 + b"]" * 100_000, "request body: not readable JSON: nested too deeply"),
        (
            b'{"to": ' + b"1" * 5000 + b"}",
            "request body: not readable JSON: a number has more than 4300 digits",
        ),
        (b'{"to": -' + b"1" * 4300 + b"}", "request body at /to: -111"),  # Python reads these
    ],
    ids=["100k-deep", "5000-digits", "4300-digits"],
)
def test_deep_json_and_long_numbers_get_400(body: bytes, words: str) -> None:
    with serve_mock(CHAT) as url:
        answer = _json_post(url, "/messages", body)
    assert answer.status_code == 400, answer.text
    assert words in answer.json()["detail"]


def test_json_parameters_too_deep_get_400() -> None:
    answer = MOCKS[FEATURES].handle(Request("GET", "/search/;point=1", [("where", "[" * 100_000)]))
    assert answer.status == 400
    detail = _json(answer)["detail"]
    assert detail == "query parameter 'where': not readable JSON: nested too deeply"


TREE = {
    "openapi": "3.0.3",
    "info": {"title": "trees", "version": "1"},
    "paths": {
        "/trees": {
            "post": {
                "requestBody": {
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Tree"}}
                    }
                },
                "responses": {"204": {"description": "planted"}},
            }
        }
    },
    "components": {
        "schemas": {"Tree": {"type": "array", "items": {"$ref": "#/components/schemas/Tree"}}}
    },
}


def test_a_value_too_deep_to_check_gets_400() -> None:
    """Nesting that Python's JSON reader takes, under a recursive schema the checker descends
    a few frames per level of: too deep for the checker."""
    with serve_mock(Mock(TREE)) as url:
        shallow = _json_post(url, "/trees", b"[[[], [[]]]]")
        deep = _json_post(url, "/trees", b"[" * 900 + b"]" * 900)
    assert shallow.status_code == 204
    assert deep.status_code == 400, deep.text
    assert deep.json()["detail"] == "request body: nested too deeply to be checked"


def test_problems_listed_for_one_value_are_bounded() -> None:
    body = json.dumps({"to": "+123234234", "channels": ["fax"] * 1000}).encode()
    answer = CHAT.handle(
        Request("POST", "/messages", [], {**KEY, "content-type": "application/json"}, body)
    )
    problems = _problem_detail(answer).split("; ")
    assert len(problems) == 21
    assert (
        problems[0]
        == "request body at /channels/0: 'fax' is not one of ['sms', 'whatsapp', 'tyntecEcho']"
    )
    assert problems[-1] == "request body: more problems, not listed"


def test_slow_patterns_are_refused_in_bounded_time(tmp_path: Path) -> None:
    """Each value gets one second of pattern matching; a `re` match of these would not end."""
    spec = tmp_path / "slow.yaml"
    spec.write_text(SLOW_PATTERNS)
    slow = "a" * 40 + "!"
    too_slow = f"matching '{SLOW}' took longer than the mock allows (1 s); value refused"
    process, url = _start(str(spec), "--port", "0")
    try:
        answers = {
            "query": _json_post(url, "/words", b"{}", q=slow),
            "body": _json_post(url, "/words", json.dumps({"word": slow}).encode()),
            "names": _json_post(url, "/words", json.dumps({"tags": {slow: 1}}).encode()),
            "good": _json_post(
                url, "/words", json.dumps({"word": "aa", "tags": {"a": 1}}).encode()
            ),
            "other": _json_post(url, "/words", json.dumps({"tags": {"b": 1}}).encode()),
        }
    finally:
        process.kill()  # without bounds it would still be matching
        process.communicate(timeout=30)
    details = {k: a.json()["detail"] if a.content else "" for k, a in answers.items()}
    assert {k: a.status_code for k, a in answers.items()} == {
        "query": 400,
        "body": 400,
        "names": 400,
        "good": 204,
        "other": 400,
    }, details
    assert details["query"] == f"query parameter 'q': {too_slow}"
    assert details["body"] == f"request body at /word: {too_slow}"
    assert details["names"].startswith("request body at /tags: ")
    assert details["names"].endswith(too_slow)
    assert details["other"] == (
        f"request body at /tags: 'b' does not match any of the regexes: '{SLOW}'"
    )


# -- under load and abuse: the server -------------------------------------------------------------


def _raw_exchange(url: str, data: bytes) -> bytes:
    """Send `data` on a fresh connection and read until the server closes it."""
    host, port = url.removeprefix("http://").rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=20) as connection:
        connection.sendall(data)
        received = b""
        while chunk := connection.recv(65536):
            received += chunk
    return received


def _head(path: str, *headers: str) -> bytes:
    lines = [f"POST {path} HTTP/1.1", "Host: mock", "apikey: k", *headers, "", ""]
    return "\r\n".join(lines).encode()


def test_a_declared_body_over_the_limit_gets_413_before_it_is_read() -> None:
    with serve_mock(CHAT, max_body_size=1024) as url:
        # a gigabyte announced, a few bytes sent: the answer comes without waiting for the rest
        answer = _raw_exchange(url, _head("/messages", "Content-Length: 1000000000") + b'{"to": "')
    assert answer.startswith(b"HTTP/1.1 413 ")
    assert b"\r\nconnection: close\r\n" in answer.lower()
    assert answer.endswith(
        b'"detail": "the request body is larger than the mock accepts (1024 bytes)"}'
    )


def test_a_chunked_body_over_the_limit_gets_413_when_it_passes_the_limit() -> None:
    chunk = b"200\r\n" + b"a" * 0x200 + b"\r\n"
    with serve_mock(CHAT, max_body_size=1024) as url:
        # three chunks of 512 bytes, and the body never ends: the third one passes the limit
        answer = _raw_exchange(url, _head("/messages", "Transfer-Encoding: chunked") + chunk * 3)
    assert answer.startswith(b"HTTP/1.1 413 ")


def test_bodies_up_to_the_limit_are_read() -> None:
    headers = {**KEY, "content-type": "application/json"}
    body = json.dumps(SCHEMAS["MessageRequest"]["example"]).encode()
    with serve_mock(CHAT, max_body_size=len(body)) as url, httpx.Client(base_url=url) as http:
        exact = http.post("/messages", content=body, headers=headers)
        chunked = http.post("/messages", content=iter([body[:100], body[100:]]), headers=headers)
        over = http.post("/messages", content=body + b" ", headers=headers)
    assert (exact.status_code, chunked.status_code, over.status_code) == (202, 202, 413)


def test_command_takes_a_body_size_limit() -> None:
    process, url = _start(str(CHAT_SPEC), "--port", "0", "--max-body-size", "1KiB")
    try:
        small = _json_post(url, "/messages", b"x" * 1024)
        large = _json_post(url, "/messages", b"x" * 1025)
    finally:
        process.send_signal(signal.SIGTERM)
        process.communicate(timeout=30)
    assert (small.status_code, large.status_code) == (400, 413)
    assert "(1024 bytes)" in large.json()["detail"]
    done = subprocess.run(
        [sys.executable, "-m", "specbind", "mock", str(CHAT_SPEC), "--max-body-size", "1.5M"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "'1.5M' is not a size (bytes, or a number with KiB, MiB or GiB)" in done.stderr


def test_a_slow_request_does_not_hold_up_the_others(monkeypatch: pytest.MonkeyPatch) -> None:
    """While one request is being answered (here: held until the test lets it go), others are."""
    mock = Mock.from_spec(FEATURES)
    real = mock.handle
    entered, release = threading.Event(), threading.Event()

    def held(request: Request) -> Response:
        if request.path == "/items/2":
            entered.set()
            release.wait(60)  # bounded: without worker threads nothing else is served meanwhile
        return real(request)

    monkeypatch.setattr(mock, "handle", held)
    with serve_mock(mock) as url:
        slow: list[int] = []
        waiting = threading.Thread(
            target=lambda: slow.append(httpx.get(f"{url}/items/2", timeout=90).status_code)
        )
        waiting.start()
        try:
            assert entered.wait(30)
            fast = httpx.get(f"{url}/items/1", timeout=20)
            still_held = not release.is_set()
        finally:
            release.set()
            waiting.join(90)
    assert fast.status_code == 200 and still_held
    assert slow == [200]


def test_a_burst_of_connections_is_queued_not_dropped() -> None:
    """300 clients connecting at once all get through the listen queue at once (with a queue of
    128, the 130th waited for the kernel's SYN retransmits: 1, 3, 7 s)."""
    from specbind.mock.server import bind

    listener = bind("127.0.0.1", 0)
    clients: list[socket.socket] = []
    try:
        for _ in range(300):  # nobody accepts: every connection waits in the listen queue
            clients.append(socket.create_connection(listener.getsockname(), timeout=5))
    finally:
        for client in clients:
            client.close()
        listener.close()
    assert len(clients) == 300


def test_the_pytest_fixture_takes_a_body_size_limit(specbind_mock: Any) -> None:
    url = specbind_mock(CHAT_SPEC, max_body_size=10)
    assert _json_post(url, "/messages", b"x" * 11).status_code == 413


def test_answers_are_sent_without_waiting_for_acks() -> None:
    """Connections accepted on the mock's socket have TCP_NODELAY (asyncio sets it only on
    sockets made for TCP by name): without it every answer, written as headers then body, waited
    about 40 ms for the client's delayed ACK."""
    import asyncio

    from specbind.mock.server import bind

    async def accepted_nodelay() -> int:
        seen: asyncio.Future[int] = asyncio.get_running_loop().create_future()

        class Probe(asyncio.Protocol):
            def connection_made(self, transport: asyncio.BaseTransport) -> None:
                sock = transport.get_extra_info("socket")
                seen.set_result(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
                transport.close()

        server = await asyncio.get_running_loop().create_server(Probe, sock=listener)
        async with server:
            _, writer = await asyncio.open_connection(*listener.getsockname())
            value = await asyncio.wait_for(seen, 20)
            writer.close()
        return value

    listener = bind("127.0.0.1", 0)
    try:
        assert asyncio.run(accepted_nodelay()) != 0
    finally:
        listener.close()

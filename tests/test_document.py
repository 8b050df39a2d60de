"""spec.document: the one place that resolves pointers, follows `$ref`s and reads security schemes."""

from __future__ import annotations

from typing import Any

import pytest
from specbind.spec.document import (
    SecurityScheme,
    deref,
    resolve_pointer,
    security_requirements,
    security_schemes,
)

DOCUMENT: dict[str, Any] = {
    "paths": {"/a/{b}": {"get": {"parameters": [{"name": "b"}, {"name": "c"}]}}},
    "components": {
        "schemas": {
            "Pet": {"type": "object"},
            "Alias": {"$ref": "#/components/schemas/Pet"},
            "Alias2": {"$ref": "#/components/schemas/Alias"},
            "Loop1": {"$ref": "#/components/schemas/Loop2"},
            "Loop2": {"$ref": "#/components/schemas/Loop1"},
            "Self": {"$ref": "#/components/schemas/Self"},
            "Dangling": {"$ref": "#/components/schemas/Nope"},
        },
        "securitySchemes": {
            "key": {"type": "apiKey", "in": "query", "name": "api_key", "description": "the key"},
            "token": {"$ref": "#/components/securitySchemes/shared"},
            "shared": {"type": "http", "scheme": "Bearer"},
            "cc": {
                "type": "oauth2",
                "flows": {
                    "clientCredentials": {"tokenUrl": "/token", "scopes": {"a": "A", "b": "B"}},
                    "implicit": {"authorizationUrl": "/auth", "scopes": {}},
                },
            },
            "implicit": {"type": "oauth2", "flows": {"implicit": {"authorizationUrl": "/a"}}},
            "broken": "not a scheme",
            "gone": {"$ref": "#/components/securitySchemes/nope"},
        },
    },
    "security": [{"key": []}],
}


def test_a_pointer_unescapes_its_parts_and_indexes_lists() -> None:
    assert resolve_pointer(DOCUMENT, "#/paths/~1a~1{b}/get/parameters/1") == {"name": "c"}
    assert resolve_pointer(DOCUMENT, "#") is DOCUMENT


@pytest.mark.parametrize(
    "pointer, missing",
    [
        ("#/components/schemas/Nope", "Nope"),
        ("#/paths/~1a~1{b}/get/parameters/2", "2"),  # past the end of the list
        ("#/paths/~1a~1{b}/get/parameters/x", "x"),
        ("#/components/schemas/Pet/type/deeper", "deeper"),  # into a string
    ],
)
def test_a_pointer_to_nothing_raises_key_error_naming_the_missing_part(
    pointer: str, missing: str
) -> None:
    with pytest.raises(KeyError) as raised:
        resolve_pointer(DOCUMENT, pointer)
    assert raised.value.args == (missing,)


def test_deref_follows_a_chain_of_references_to_the_node() -> None:
    assert deref(DOCUMENT, {"$ref": "#/components/schemas/Alias2"}) == {"type": "object"}
    assert deref(DOCUMENT, {"type": "string"}) == {"type": "string"}  # not a reference


def test_deref_of_a_dangling_reference_is_none_or_key_error_when_strict() -> None:
    dangling = {"$ref": "#/components/schemas/Dangling"}
    assert deref(DOCUMENT, dangling) is None
    with pytest.raises(KeyError):
        deref(DOCUMENT, dangling, strict=True)


@pytest.mark.parametrize("name", ["Loop1", "Self"])
def test_deref_stops_where_a_chain_comes_back_to_itself(name: str) -> None:
    node = deref(DOCUMENT, {"$ref": f"#/components/schemas/{name}"})
    assert isinstance(node, dict) and node["$ref"].startswith("#/components/schemas/")


def test_security_schemes_are_plain_data_with_references_followed() -> None:
    assert security_schemes(DOCUMENT) == {
        "key": SecurityScheme("key", "apiKey", "query", "api_key", "", "the key"),
        "token": SecurityScheme("token", "http", http_scheme="bearer"),
        "shared": SecurityScheme("shared", "http", http_scheme="bearer"),
        "cc": SecurityScheme(
            "cc", "oauth2", client_credentials=True, token_url="/token", scopes=("a", "b")
        ),
        "implicit": SecurityScheme("implicit", "oauth2"),
    }  # "broken" is no object and "gone" names nothing: left out


def test_an_operation_has_its_own_security_requirements_or_the_documents() -> None:
    assert security_requirements(DOCUMENT) == [{"key": []}]
    assert security_requirements(DOCUMENT, {}) == [{"key": []}]
    assert security_requirements(DOCUMENT, {"security": []}) == []  # explicitly none
    assert security_requirements(DOCUMENT, {"security": [{}, {"token": []}]}) == [{}, {"token": []}]
    assert security_requirements({}, {}) == []

"""The classes of schemas defined inside others are named from their context, and every class's
`# spec:` line is the spec's own JSON pointer (codegen/schema_model.py)."""

from __future__ import annotations

import re
from typing import Any

from specbind.codegen.models import generate_models
from specbind.spec.load import load

from tests.helpers import ROOT


def _classes(code: str) -> dict[str, str]:
    """class or alias name -> the pointer on its `# spec:` line."""
    found = re.findall(r"^# spec: (.+)\n(?:@.*\n)*(?:class (\w+)|(\w+): TypeAlias)", code, re.M)
    return {cls or alias: pointer for pointer, cls, alias in found}


def _spec(schemas: dict[str, Any]) -> dict[str, Any]:
    return {
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": {},
        "components": {"schemas": schemas},
    }


ENUM = {"type": "string", "enum": ["a", "b"]}
SCHEMAS: dict[str, Any] = {
    "Media": {
        "type": "object",
        "properties": {
            "type": {"type": "string", "enum": ["image", "video"]},
            "kind": ENUM,
            "inner": {"type": "object", "properties": {"mode": ENUM}},
        },
    },
    # the name `Media`'s inline `type` would take: the component keeps it
    "MediaType": {"type": "object", "properties": {"x": {"type": "string"}}},
    "Zed": {"type": "object", "properties": {"error": ENUM}},
    "Animal": {"type": "object", "properties": {"kind": ENUM}},
    "Dog": {
        "allOf": [
            {"$ref": "#/components/schemas/Animal"},
            {
                "type": "object",
                "properties": {
                    "kind": {"type": "string", "enum": ["a"]},
                    "pups": {
                        "type": "array",
                        "items": {"type": "object", "properties": {"n": {"type": "integer"}}},
                    },
                },
            },
        ]
    },
    "Tags": {"type": "array", "items": ENUM},
    # the name datamodel-code-generator gives Animal's inline `kind` first: the component gets it back
    "Kind": {"type": "object", "properties": {"x": {"type": "string"}}},
    "Shape": {"oneOf": [{"type": "object", "properties": {"r": {"type": "number"}}}, ENUM]},
    "Api": {
        "type": "object",
        "properties": {"error": {"type": "object", "properties": {"code": {"type": "integer"}}}},
    },
}


def test_inline_classes_are_named_from_their_context_and_located_in_the_spec() -> None:
    code = generate_models(_spec(SCHEMAS), "").code
    assert "#-" not in code
    assert _classes(code) == {
        "Media": "#/components/schemas/Media",
        "MediaTypeEnum": "#/components/schemas/Media/properties/type",
        "MediaKind": "#/components/schemas/Media/properties/kind",
        "MediaInner": "#/components/schemas/Media/properties/inner",
        "MediaInnerMode": "#/components/schemas/Media/properties/inner/properties/mode",
        "MediaType": "#/components/schemas/MediaType",
        "Zed": "#/components/schemas/Zed",
        "ZedError": "#/components/schemas/Zed/properties/error",
        "Animal": "#/components/schemas/Animal",
        "AnimalKind": "#/components/schemas/Animal/properties/kind",
        "Dog": "#/components/schemas/Dog",
        "DogKind": "#/components/schemas/Dog/allOf/1/properties/kind",
        "DogPup": "#/components/schemas/Dog/allOf/1/properties/pups/items",
        "Tags": "#/components/schemas/Tags",
        "Kind": "#/components/schemas/Kind",
        "TagsTag": "#/components/schemas/Tags/items",
        "Shape": "#/components/schemas/Shape",
        "ShapeObject": "#/components/schemas/Shape/oneOf/0",
        "ShapeEnum": "#/components/schemas/Shape/oneOf/1",
        "Api": "#/components/schemas/Api",
        # `ApiError` is a name the generated package binds (errors.ApiError)
        "ApiErrorModel": "#/components/schemas/Api/properties/error",
    }


def test_names_do_not_depend_on_the_order_of_the_schemas() -> None:
    """A component keeps its name whether an inline class that wants it comes first or last."""
    reordered = dict(reversed(list(SCHEMAS.items())))
    assert _classes(generate_models(_spec(reordered), "").code) == _classes(
        generate_models(_spec(SCHEMAS), "").code
    )


def test_chat_api_enums_are_named_after_their_schemas() -> None:
    code = generate_models(load(ROOT / "spec" / "chat-api.yaml").document, "").code
    classes = _classes(code)
    assert classes["MessageRequestChannel"] == (
        "#/components/schemas/MessageRequest/properties/channels/items"
    )
    assert classes["WhatsappMessageRequestContentType"] == (
        "#/components/schemas/WhatsappMessageRequest/properties/contentType"
    )
    assert not [name for name in classes if re.search(r"\d$", name)]
    assert "#-" not in code


def test_the_model_of_the_schemas_is_what_the_module_defines() -> None:
    """Built as the templates print each class: the same names, pointers, and `__all__`."""
    schemas = dict(SCHEMAS)
    schemas["Box"] = {
        "type": "object",
        "required": ["list"],
        "properties": {"list": {"type": "array", "items": {"type": "string"}}, "n": ENUM},
    }
    models = generate_models(_spec(schemas), "")
    classes = {c.name: c for c in models.schemas.classes}
    assert {n: c.pointer for n, c in classes.items()} == _classes(models.code)
    assert models.schemas.model_classes()["#/components/schemas/Box"] == "Box"
    assert "#/components/schemas/Box/properties/n" not in models.schemas.model_classes()
    assert models.schemas.model_aliases()["#/components/schemas/Shape"] == "decode_Shape"
    box = classes["Box"]
    assert [(f.attribute, f.wire, f.type_hint, f.required) for f in box.fields] == [
        ("list_", "list", "list[str]", True),
        ("n", "n", "BoxN | None", False),
    ]
    assert classes["BoxN"].members == (("a", "'a'"), ("b", "'b'"))
    assert classes["Dog"].bases == ("Animal",)
    assert models.schemas.renamed_members() == [
        (
            "#/components/schemas/Box/properties/list",
            "property 'list' becomes attribute 'list_': 'list' is taken in the class",
        )
    ]
    listed = re.search(r"^__all__ = \[(.*?)\]", models.code, re.M | re.S)
    assert listed is not None
    assert re.findall(r'"(\w+)"', listed[1]) == models.schemas.public_names()
    assert "decode_Shape" in models.schemas.public_names()


def test_a_subclass_restating_a_member_with_another_type_silences_only_that_override() -> None:
    """allOf: `Puppy.kind` is a narrower enum than `Animal.kind` (mypy would reject the override);
    `Puppy.name` restates the same type and `Puppy.tag` a Literal, which mypy accepts."""
    schemas = {
        "Animal": {
            "type": "object",
            "properties": {"kind": ENUM, "name": {"type": "string"}, "tag": {"type": "string"}},
        },
        "Puppy": {
            "allOf": [
                {"$ref": "#/components/schemas/Animal"},
                {
                    "type": "object",
                    "properties": {
                        "kind": {"type": "string", "enum": ["a"]},
                        "name": {"type": "string"},
                        "tag": {"type": "string", "const": "x"},
                    },
                },
            ]
        },
    }
    document = _spec(schemas) | {"openapi": "3.1.0"}
    code = generate_models(document, "").code
    ignored = re.findall(r"^    (\w+): .*# type: ignore\[assignment, unused-ignore\]$", code, re.M)
    assert ignored == ["kind"]
    assert '    kind: PuppyKind | Literal["a"] | None = None  # type: ignore' in code


def _resolve(document: Any, pointer: str) -> Any:
    node = document
    for part in pointer.removeprefix("#/").split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        node = node[int(part)] if isinstance(node, list) else node[part]
    return node


def test_every_class_of_the_feature_specs_points_at_its_own_schema() -> None:
    """Each pointer resolves in the spec, and no two inline classes share one (feature specs and
    chat-api)."""
    specs = [ROOT / "spec" / "chat-api.yaml", *sorted((ROOT / "tests/specs/features").iterdir())]
    for spec in specs:
        document = load(spec).document
        classes = generate_models(document, "").schemas.classes
        for c in classes:
            assert isinstance(_resolve(document, c.pointer), dict), (spec.name, c)
        inline = [c.pointer for c in classes if c.inline]
        assert len(set(inline)) == len(inline), spec.name


def test_classes_reached_by_a_ref_into_a_schema_or_as_a_map_value_point_at_their_own_schema() -> (
    None
):
    """Found by the real-spec corpus: a `$ref` into another schema (Codat's `definitions`, OpenAI's
    `properties/expand`) and a map's value schema pointed at the schema holding them, and a renamed
    member declared in an allOf part at a property the schema does not have."""
    error = {"type": "object", "properties": {"code": {"type": "integer"}}}
    schemas: dict[str, Any] = {
        "Report": {
            "type": "object",
            "definitions": {"reportError": error},
            "properties": {
                "errors": {
                    "type": "array",
                    "items": {"$ref": "#/components/schemas/Report/definitions/reportError"},
                },
                "metrics": {
                    "type": "object",
                    "additionalProperties": {
                        "type": "object",
                        "properties": {"unit": {"type": "string", "enum": ["a", "b"]}},
                    },
                },
            },
        },
        "Part": {
            "allOf": [
                {"$ref": "#/components/schemas/Report"},
                {"type": "object", "properties": {"date": {"type": "string"}}},
            ]
        },
        "Job": {
            "type": "object",
            "properties": {
                "part": {"$ref": "#/components/schemas/Part/allOf/1"},
                "mode": {"$ref": "#/components/schemas/Report/properties/metrics"},
            },
        },
    }
    spec = _spec(schemas)
    classes = generate_models(spec, "").schemas.classes
    pointers = {c.name: c.pointer for c in classes}
    for c in classes:
        assert isinstance(_resolve(spec, c.pointer), dict), c
    assert {
        p for p in pointers.values() if "/definitions/" in p or "/additionalProperties" in p
    } == {
        "#/components/schemas/Report/definitions/reportError",
        "#/components/schemas/Report/properties/metrics/additionalProperties",
        "#/components/schemas/Report/properties/metrics/additionalProperties/properties/unit",
    }
    assert "#/components/schemas/Part/allOf/1" in pointers.values()
    # a renamed member is located in the allOf part that declares it
    assert {p for p, _ in generate_models(spec, "").schemas.renamed_members(spec)} == {
        "#/components/schemas/Part/allOf/1/properties/date"
    }
    # (a schema reached both inline and by a `$ref` into it, `metrics` here, gets two classes from
    # datamodel-code-generator: both point at it)
    assert sorted(c.pointer for c in classes if c.inline) == [
        "#/components/schemas/Part/allOf/1",
        "#/components/schemas/Report/definitions/reportError",
        "#/components/schemas/Report/properties/metrics",
        "#/components/schemas/Report/properties/metrics/additionalProperties",
        "#/components/schemas/Report/properties/metrics/additionalProperties",
        "#/components/schemas/Report/properties/metrics/additionalProperties/properties/unit",
        "#/components/schemas/Report/properties/metrics/additionalProperties/properties/unit",
    ]

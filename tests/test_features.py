"""Specs using the features real APIs use: each is generated, imported, type-checked with
`mypy --strict` (one run for all), its examples round-tripped, and its operations called
against a real server on 127.0.0.1."""

from __future__ import annotations

import inspect
import json
import sys
from pathlib import Path
from types import ModuleType
from typing import Any, Iterator

import pytest
from specbind.codegen.options import Options
from specbind.mock.samples import sample
from specbind.spec.examples import Example, collect
from specbind.spec.load import load

from tests.corpus_checks import mypy_strict
from tests.helpers import ROOT, as_instants, generate_and_import, model_aliases, model_classes
from tests.http_server import Reply, ScriptedServer, serve

SPECS = ROOT / "tests" / "specs"
FEATURES = {
    "f_schemas30": SPECS / "features" / "schemas30.yaml",
    "f_openapi31": SPECS / "features" / "openapi31.yaml",
    "f_http": SPECS / "features" / "http.yaml",
    "f_names": SPECS / "features" / "names.yaml",
    "f_hostile": SPECS / "features" / "hostile.json",
    "f_vendors": SPECS / "features" / "vendors.yaml",
    "f_nested": SPECS / "nested" / "api" / "v1" / "openapi.yaml",
    "f_multifile": SPECS / "multifile" / "openapi.yaml",
}
# api/v1/openapi.yaml refers to ../common, outside its own folder: allowed by name
NESTED = Options(allow_ref_dirs=[SPECS / "nested" / "api" / "common"])
OPTIONS = {"f_nested": NESTED}


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("features")


SYNTHETIC_SIZE = (15, 12)  # schemas, operations


@pytest.fixture(scope="module")
def packages(folder: Path) -> dict[str, ModuleType]:
    """Every feature package, and one from a synthetic spec, generated into one folder."""
    from tests.synthetic import synthetic_spec

    synthetic = folder / "synthetic.json"
    synthetic.write_text(json.dumps(synthetic_spec(*SYNTHETIC_SIZE)))
    specs = {**FEATURES, "f_synthetic": synthetic}
    return {
        name: generate_and_import(spec, name, folder, OPTIONS.get(name))
        for name, spec in specs.items()
    }


def test_every_feature_package_passes_mypy_strict(
    packages: dict[str, ModuleType], folder: Path
) -> None:
    result = mypy_strict(folder, list(packages), folder / ".mypy_cache")
    assert result.returncode == 0, result.stdout + result.stderr


# ---------------------------------------------------------------- examples round-trip


def _examples() -> Iterator[tuple[str, Example]]:
    for package, spec in FEATURES.items():
        access = OPTIONS[package].ref_access() if package in OPTIONS else None
        for example in collect(load(spec, access).document):
            yield package, example


EXAMPLES = list(_examples())


def _codec_for(pkg: ModuleType, schema_name: str) -> tuple[Any, Any]:
    """(decode, encode) for a component schema: its class, or the decoder of its type alias."""
    source = Path(pkg.__path__[0], "models.py").read_text(encoding="utf-8")
    pointer = f"#/components/schemas/{schema_name}"
    classes = model_classes(source)
    if pointer in classes:
        cls = getattr(pkg.models, classes[pointer])
        return cls.from_dict, lambda obj: obj.to_dict()
    aliases = {p: a.removeprefix("decode_") for p, a in model_aliases(source).items()}
    decoder = getattr(pkg.models, "decode_" + aliases[pointer], lambda value: value)
    return decoder, pkg._codec.to_wire


@pytest.mark.parametrize(
    "package, example", EXAMPLES, ids=[f"{p}:{e.pointer}" for p, e in EXAMPLES]
)
def test_example_round_trips(
    packages: dict[str, ModuleType], package: str, example: Example
) -> None:
    access = OPTIONS[package].ref_access() if package in OPTIONS else None
    document = load(FEATURES[package], access).document
    schema = document["components"]["schemas"][example.schema_name]
    if example.property is None:
        payload = example.value
    else:
        payload = {
            n: sample(schema["properties"][n], document)
            for n in schema.get("required", [])
            if n != example.property
        }
        payload[example.property] = example.value
    decode, encode = _codec_for(packages[package], example.schema_name)
    assert as_instants(encode(decode(payload))) == as_instants(payload)


def test_every_feature_spec_has_examples() -> None:
    with_examples = {package for package, _ in EXAMPLES}
    assert with_examples == set(FEATURES)


# ---------------------------------------------------------------- schemas


def test_subclasses_decode_and_encode_inherited_members(packages: dict[str, ModuleType]) -> None:
    models = packages["f_schemas30"].models
    puppy = models.Puppy.from_dict(
        {"kind": "dog", "name": "Bit", "barks": False, "born": "2024-01-02", "ageWeeks": 3}
    )
    assert isinstance(puppy, models.Dog) and isinstance(puppy, models.Animal)
    assert (puppy.name, puppy.barks, puppy.age_weeks, puppy.born.year) == ("Bit", False, 3, 2024)
    assert puppy.to_dict() == {
        "kind": "dog",
        "name": "Bit",
        "barks": False,
        "born": "2024-01-02",
        "ageWeeks": 3,
    }
    assert (
        models.Puppy.WIRE_NAMES["age_weeks"] == "ageWeeks"
        and models.Puppy.WIRE_NAMES["name"] == "name"
    )
    with pytest.raises(packages["f_schemas30"].DecodeError, match="Puppy.*name"):
        models.Puppy.from_dict({"kind": "dog", "barks": True})


def test_a_subclass_that_forbids_extra_members_still_has_its_bases_field(
    packages: dict[str, ModuleType],
) -> None:
    models = packages["f_schemas30"].models
    dog = models.ShowDog.from_dict(
        {"kind": "dog", "name": "Rex", "barks": True, "titles": 3, "colour": "red"}
    )
    assert dog.additional_properties == {} and "titles=3" in repr(dog)
    assert dog == models.ShowDog(kind="dog", name="Rex", barks=True, titles=3)
    assert dog.to_dict() == {"kind": "dog", "name": "Rex", "barks": True, "titles": 3}


def test_unions_pick_the_right_class(packages: dict[str, ModuleType]) -> None:
    pkg = packages["f_schemas30"]
    models = pkg.models
    holder = models.Holder.from_dict(
        {
            "pet": {"kind": "cat", "name": "Tom", "lives": 9},
            "pets": [
                {"kind": "dog", "name": "Rex", "barks": True},
                {"kind": "cat", "name": "Kit", "lives": 3},
            ],
        }
    )
    assert type(holder.pet) is models.Cat
    assert [type(p) for p in holder.pets] == [models.Dog, models.Cat]
    # the discriminator decides even where the structure would fit both
    assert (
        type(models.decode_Pet({"kind": "cat", "name": "X", "lives": 1, "barks": True}))
        is models.Cat
    )
    drawing = models.Drawing.from_dict(
        {"shapes": [{"radius": 1.5}, {"side": 2}], "anything": {"side": 3}}
    )
    assert [type(s) for s in drawing.shapes] == [models.Circle, models.Square]
    assert type(drawing.anything) is models.Square
    assert models.Drawing.from_dict({"anything": 7}).anything == 7
    assert models.Drawing2.from_dict({"anything": "text"}).anything == "text"
    with pytest.raises(pkg.DecodeError, match="fits none of the alternatives"):
        models.Drawing.from_dict({"shapes": [{"corners": 3}]})
    with pytest.raises(pkg.DecodeError):
        models.Drawing.from_dict(
            {"anything": 1.5}
        )  # not a Square, str or int: never kept undecoded


def test_recursive_nullable_maps_and_enums(packages: dict[str, ModuleType]) -> None:
    models = packages["f_schemas30"].models
    node = models.Node.from_dict(
        {"value": 1, "children": [{"value": 2, "children": [{"value": 3}]}]}
    )
    assert node.children[0].children[0].value == 3
    author = models.Author.from_dict(
        {"name": "Ann", "books": [{"title": "A", "author": {"name": "Ann"}}]}
    )
    assert type(author.books[0].author) is models.Author
    maps = models.Maps.from_dict(
        {
            "dogs": {"rex": {"kind": "dog", "name": "Rex", "barks": True}},
            "dogGrid": [[{"kind": "dog", "name": "A", "barks": True}]],
        }
    )
    assert type(maps.dogs["rex"]) is models.Dog and type(maps.dog_grid[0][0]) is models.Dog
    nullables = models.Nullables.from_dict({"always": None, "when": None, "dog": None})
    assert nullables.to_dict() == {"always": None, "when": None, "dog": None}
    enums = models.Enums.from_dict({"priority": 2, "flag": False, "colour": ""})
    assert enums.priority is models.Priority(2) and enums.flag is models.Flag(False)
    assert enums.colour == "" and models.Enums2.from_dict({"colour": None}).colour is None


def test_openapi_31_types_const_and_webhook_payloads(packages: dict[str, ModuleType]) -> None:
    models = packages["f_openapi31"].models
    event = models.Event.from_dict({"id": "a", "kind": "event", "note": None, "level": 2})
    assert event.note is None and event.level == models.Level(2)
    assert models.decode_Choice(None) is None
    assert type(models.decode_Choice({"id": "c", "kind": "event"})) is models.Event
    assert models.decode_Choice("text") == "text"
    assert type(models.decode_Tile({"shape": "disc", "size": 2})) is models.Disc
    assert type(models.decode_Tile({"shape": "square", "size": 2})) is models.Square
    with pytest.raises(packages["f_openapi31"].DecodeError, match="expected 'event'"):
        models.Event.from_dict({"id": "a", "kind": "other"})


# ---------------------------------------------------------------- names


def test_awkward_names_become_valid_distinct_attributes(packages: dict[str, ModuleType]) -> None:
    models = packages["f_names"].models
    wire = {
        "to_dict": "a",
        "toDict": 2,
        "from_dict": "b",
        "fromJson": "c",
        "additional_properties": "d",
        "additionalProperties": "e",
        "WIRE_NAMES": "f",
        "_present": "g",
        "fooBar": "h",
        "foo_bar": "i",
        "FooBar": "j",
    }
    obj = models.Collisions.from_dict({**wire, "other": 1})
    assert callable(obj.to_dict) and obj.to_dict() == {**wire, "other": 1}
    assert obj.additional_properties == {"other": 1}
    assert len(set(models.Collisions.WIRE_NAMES)) == len(wire)
    keywords = models.Class.from_dict({"class": "c", "def": "d", "self": "me", "field": "f"})
    assert (keywords.class_, keywords.def_, keywords.self_, keywords.field_) == (
        "c",
        "d",
        "me",
        "f",
    )
    assert {"Person", "Person1", "Person2"} <= set(dir(models))


def test_awkward_operation_names(packages: dict[str, ModuleType]) -> None:
    client = packages["f_names"].Client
    methods = {
        name
        for name, _ in inspect.getmembers(client, inspect.isfunction)
        if not name.startswith("_")
    }
    assert {"get_class_from", "get_thing", "get_thing_2", "n2fast"} <= methods
    params = inspect.signature(client.get_class_from).parameters
    assert {"from_", "import_", "type", "self_", "body_", "page_size", "page_size_2"} <= set(params)


# ---------------------------------------------------------------- hostile strings


def test_hostile_strings_come_out_as_inert_text(packages: dict[str, ModuleType]) -> None:
    pkg = packages["f_hostile"]
    document = json.loads((FEATURES["f_hostile"]).read_text())
    hostile = document["components"]["schemas"]["Hostile"]
    text = hostile["properties"]["text"]["default"]
    assert pkg.models.Hostile().text == text

    def lines(text: str) -> list[str]:
        return [line.strip() for line in text.replace("\r", "").strip().splitlines()]

    assert lines(pkg.models.Hostile.__doc__) == lines(hostile["description"])
    assert [m.value for m in pkg.models.Mood] == document["components"]["schemas"]["Mood"]["enum"]
    example = hostile["example"]
    assert pkg.models.Hostile.from_dict(example).to_dict() == example
    [operation] = [
        f
        for n, f in inspect.getmembers(pkg.operations, inspect.isfunction)
        if n.startswith("get_thing")
    ]
    description = lines(document["paths"]["/things/{id}"]["get"]["description"])
    doc = lines(operation.__doc__)
    assert any(doc[i : i + len(description)] == description for i in range(len(doc)))
    assert "{{ jinja }}" in (pkg.__doc__ or "")


# ---------------------------------------------------------------- operations against a server


@pytest.fixture
def server() -> Iterator[ScriptedServer]:
    with serve() as script:
        yield script


def test_parameters_in_every_location_and_style(
    packages: dict[str, ModuleType], server: ScriptedServer
) -> None:
    pkg = packages["f_http"]
    server.on("GET", "/items/7/a,b%2Fc", Reply.json(200, {"id": 7, "name": "seven"}))
    with pkg.Client(base_url=server.url) as client:
        item = client.get_item(
            7,
            ["a", "b/c"],
            q="x y",
            x_request_id="r1",
            ids=[1, 2],
            csv=["p", "q"],
            piped=["m", "n"],
            filter={"colour": "red", "size": 2},
            point={"x": 1, "y": 2},
            x_trace=["t1", "t2"],
            session="s",
            flag=True,
        )
    assert item.id == 7 and item.name == "seven"
    seen = server.seen[-1]
    assert seen.path.split("?")[0] == "/items/7/a,b%2Fc"
    from urllib.parse import parse_qsl

    query = parse_qsl(seen.path.split("?")[1])
    assert query == [
        ("q", "x y"),
        ("ids", "1"),
        ("ids", "2"),
        ("csv", "p,q"),
        ("piped", "m|n"),
        ("filter[colour]", "red"),
        ("filter[size]", "2"),
        ("point", "x,1,y,2"),
        ("flag", "true"),
    ]
    assert seen.headers["x-request-id"] == "r1" and seen.headers["x-trace"] == "t1,t2"
    assert seen.headers["cookie"] == "session=s"
    with pkg.Client(base_url=server.url) as client:
        client.get_item(7, ["a", "b/c"], q="x", x_request_id="r")
    assert parse_qsl(server.seen[-1].path.split("?")[1]) == [
        ("q", "x")
    ]  # optional ones are left out


def test_request_bodies_of_every_kind(
    packages: dict[str, ModuleType], server: ScriptedServer
) -> None:
    pkg = packages["f_http"]
    server.on("POST", "/forms", Reply.json(201, {"id": 1}))
    server.on("POST", "/upload", Reply(200, b"stored", {"Content-Type": "text/plain"}))
    server.on("PUT", "/blobs/b%201", Reply(204))
    server.on("POST", "/notes", Reply.json(200, {"id": 3}), Reply(202))
    with pkg.Client(base_url=server.url) as client:
        assert client.submit_form({"name": "Ann", "age": 3}).id == 1
        assert server.seen[-1].headers["content-type"] == "application/x-www-form-urlencoded"
        assert server.seen[-1].body == b"name=Ann&age=3"
        body = {
            "file": ("a.txt", b"\x00data", "text/plain"),
            "note": "hi",
            "count": 3,
            "tags": ["x", "y"],
        }
        assert client.upload_file(body) == "stored"
        seen = server.seen[-1]
        assert seen.headers["content-type"].startswith("multipart/form-data; boundary=")
        parts = _multipart(seen)
        assert parts["file"] == ({"name": "file", "filename": "a.txt"}, b"\x00data")
        assert parts["note"] == ({"name": "note"}, b"hi") and parts["count"] == (
            {"name": "count"},
            b"3",
        )
        assert [p for p in parts.values() if p[0]["name"] == "tags"][-1][1] == b"y"
        assert client.put_blob("b 1", b"\x00\x01") is None
        assert server.seen[-1].body == b"\x00\x01"
        assert server.seen[-1].headers["content-type"] == "application/octet-stream"
        note = client.add_note(pkg.models.Item(id=3), x_request_id="n")
        assert note is not None and note.id == 3
        assert (
            json.loads(server.seen[-1].body) == {"id": 3}
            and server.seen[-1].headers["x-request-id"] == "n"
        )
        assert client.add_note(pkg.models.Item(id=4)) is None  # 202 without a body


def _multipart(seen: Any) -> dict[str, tuple[dict[str, str], bytes]]:
    """Name -> (Content-Disposition parameters, content) of each part of a multipart request."""
    from email.parser import BytesParser
    from email.policy import HTTP

    raw = b"Content-Type: " + seen.headers["content-type"].encode() + b"\r\n\r\n" + seen.body
    message = BytesParser(policy=HTTP).parsebytes(raw)
    parts = {}
    for part in message.iter_parts():
        params = dict(part.get_params(header="content-disposition")[1:])
        parts[params["name"] if params["name"] != "tags" else f"tags{len(parts)}"] = (
            params,
            part.get_payload(decode=True),
        )
    return parts


def test_responses_of_several_kinds(
    packages: dict[str, ModuleType], server: ScriptedServer
) -> None:
    pkg = packages["f_http"]
    server.on(
        "GET", "/blobs/x", Reply(200, b"\x89PNG", {"Content-Type": "application/octet-stream"})
    )
    server.on("DELETE", "/items/1/x", Reply(204))
    server.on(
        "GET",
        "/items/2/x",
        Reply.json(404, {"title": "nope", "status": 404}, "application/problem+json"),
    )
    with pkg.Client(base_url=server.url) as client:
        blob = client.get_blob("x")
        assert blob.content == b"\x89PNG" and blob.content_type == "application/octet-stream"
        assert client.delete_item(1, "x") is None
        with pytest.raises(pkg.ApiError) as caught:
            client.get_item(2, ["x"], q="q", x_request_id="r")
    assert "404" in str(caught.value)


# ---------------------------------------------------------------- size


def test_a_synthetic_spec_of_the_size_asked_for_generates_and_round_trips(
    packages: dict[str, ModuleType],
) -> None:
    from tests.synthetic import synthetic_spec

    document = synthetic_spec(*SYNTHETIC_SIZE)
    assert len(document["components"]["schemas"]) == SYNTHETIC_SIZE[0]
    assert sum(len(item) for item in document["paths"].values()) == SYNTHETIC_SIZE[1]
    assert synthetic_spec(*SYNTHETIC_SIZE) == document  # deterministic
    pkg = packages["f_synthetic"]  # type-checked with the others
    methods = [
        n
        for n in dir(pkg.Client)
        if n.startswith(("get_thing", "post_thing", "put_thing", "delete_thing"))
    ]
    assert len(methods) == SYNTHETIC_SIZE[1]
    examples = [e for e in collect(document) if e.property is None]
    assert len(examples) == SYNTHETIC_SIZE[0]
    for example in examples:
        decode, encode = _codec_for(pkg, example.schema_name)
        assert as_instants(encode(decode(example.value))) == as_instants(example.value)


def test_generation_reports_its_stages() -> None:
    from specbind.codegen.generate import generate

    stages: list[str] = []
    generate(FEATURES["f_http"], "f_stages", progress=stages.append)
    assert stages == ["load", "validate", "models", "endpoints", "format", ""]


def test_progress_is_shown_on_a_terminal_only(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from specbind import cli

    monkeypatch.setattr(sys.stderr, "isatty", lambda: False)
    cli._progress()("models")
    assert capsys.readouterr().err == "" and cli._WHERE["stage"] == "models"
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    report = cli._progress()
    assert report is not None
    report("load")
    report("models")
    report("")
    err = capsys.readouterr().err.splitlines()
    assert err[0] == "specbind: load…" and err[1].startswith("  load: ") and err[1].endswith("s")
    assert err[2] == "specbind: models…" and err[3].startswith("  models: ") and len(err) == 4


def test_operations_with_awkward_names_send_the_wire_names(
    packages: dict[str, ModuleType], server: ScriptedServer
) -> None:
    from urllib.parse import parse_qsl, unquote

    names = packages["f_names"]
    server.on("GET", "/class/a%2Fb", Reply.json(200, {"class": "c", "True": True}))
    server.on("POST", "/%C3%BCn%C3%AFcode/%D0%B8%D0%B4%20%2F", Reply(204))
    server.on("GET", "/duplicate/b", Reply(204))
    with names.Client(base_url=server.url) as client:
        result = client.get_class_from(
            "a/b", import_="i", type="t", self_="s", body_="b", page_size=1, page_size_2=2
        )
        assert result.class_ == "c" and result.true is True
        assert parse_qsl(server.seen[-1].path.split("?")[1]) == [
            ("import", "i"),
            ("type", "t"),
            ("self", "s"),
            ("body", "b"),
            ("page-size", "1"),
            ("pageSize", "2"),
        ]
        assert client.n2fast("ид /") is None
        assert unquote(server.seen[-1].path) == "/ünïcode/ид /"
        assert client.get_thing_2() is None and server.seen[-1].path == "/duplicate/b"
    hostile = packages["f_hostile"]
    server.on("GET", "/things/x", Reply.json(200, {"text": "t"}))
    [operation] = [n for n in dir(hostile.Client) if n.startswith("get_thing")]
    params = [
        p
        for p in inspect.signature(getattr(hostile.Client, operation)).parameters
        if p not in ("self", "id")
    ]
    with hostile.Client(base_url=server.url) as client:
        assert (
            getattr(client, operation)("x", **{params[0]: 'v"""{{x}}', params[1]: "h\\\\"}).text
            == "t"
        )
    seen = server.seen[-1]
    assert parse_qsl(seen.path.split("?")[1]) == [('q"""{{x}}', 'v"""{{x}}')]
    assert seen.headers["x-'quote'`|~!#$%&*+^"] == "h\\\\"


def test_a_spec_across_folders_calls_and_decodes(
    packages: dict[str, ModuleType], server: ScriptedServer
) -> None:
    nested = packages["f_nested"]
    server.on(
        "GET",
        "/orders/o1",
        Reply.json(
            200,
            {
                "id": "o1",
                "lines": [{"sku": "a", "qty": 2}],
                "customer": {"name": "Ann", "address": {"city": "Oslo"}},
            },
        ),
    )
    server.on("GET", "/orders/o2", Reply.json(404, {"message": "no such order"}))
    with nested.Client(base_url=server.url) as client:
        order = client.get_order("o1")
        assert order.lines[0].qty == 2 and order.customer.address.city == "Oslo"
        with pytest.raises(nested.ApiError, match="404"):
            client.get_order("o2")


def test_a_base_class_with_a_discriminator_decodes_as_the_subclass_named(
    packages: dict[str, ModuleType],
) -> None:
    models = packages["f_schemas30"].models
    car = models.Vehicle.from_dict({"vehicleType": "Car", "wheels": 4, "doors": 5})
    assert type(car) is models.Car and car.doors == 5 and car.additional_properties == {}
    garage = models.Garage.from_dict(
        {
            "vehicles": [{"vehicleType": "Bike", "bell": True}, {"vehicleType": "Car"}],
            "main": {"vehicleType": "Bike"},
        }
    )
    assert [type(v) for v in garage.vehicles] == [models.Bike, models.Car] and type(
        garage.main
    ) is models.Bike
    assert (
        type(models.Vehicle.from_dict({"vehicleType": "Truck"})) is models.Vehicle
    )  # unknown: the base, as sent


# ---------------------------------------------------------------- styles of large vendors' specs


def test_dotted_schema_names_become_readable_classes_in_one_module(
    packages: dict[str, ModuleType],
) -> None:
    pkg = packages["f_vendors"]
    source = Path(pkg.__path__[0], "models.py").read_text(encoding="utf-8")
    assert model_classes(source) == {
        "#/components/schemas/ApiV2010AccountMessage": "ApiV2010AccountMessage",
        "#/components/schemas/api.v2010.account.message": "ApiV2010AccountMessage2",
        "#/components/schemas/lookups.v1.phone_number": "LookupsV1PhoneNumber",
        "#/components/schemas/list.meta": "ListMeta",
        "#/components/schemas/ListMessageResponse": "ListMessageResponse",
        "#/components/schemas/message_enum_status": "MessageEnumStatus",
    }
    page = pkg.models.ListMessageResponse.from_dict(
        {"messages": [{"sid": "SM1", "status": "sent"}], "meta": {"page": 2, "page_size": 1}}
    )
    assert type(page.messages[0]) is pkg.models.ApiV2010AccountMessage2
    assert page.meta.page == 2
    hints = inspect.signature(pkg.Client.fetch_phone_number).return_annotation
    assert "LookupsV1PhoneNumber" in str(hints)


def test_dotted_names_are_the_same_whatever_order_the_spec_lists_them(tmp_path: Path) -> None:
    from specbind.codegen.models import schema_renames

    document = load(FEATURES["f_vendors"]).document
    reordered = dict(document, components=dict(document["components"]))
    reordered["components"]["schemas"] = dict(reversed(document["components"]["schemas"].items()))
    renamed = schema_renames(document)
    renamed_again = schema_renames(reordered)
    assert (
        renamed
        == renamed_again
        == {
            "api.v2010.account.message": "ApiV2010AccountMessage2",
            "list.meta": "ListMeta",
            "lookups.v1.phone_number": "LookupsV1PhoneNumber",
        }
    )


def test_operation_parameters_override_path_item_parameters_given_by_ref(
    packages: dict[str, ModuleType], server: ScriptedServer
) -> None:
    pkg = packages["f_vendors"]
    fetch = inspect.signature(pkg.Client.fetch_message).parameters
    assert list(fetch)[1:4] == ["account_sid", "sid", "page_size"]
    assert "this operation allows 1000" in (pkg.Client.fetch_message.__doc__ or "")
    server.on(
        "GET",
        "/v1/Accounts/AC1/Messages/SM1.json",
        Reply.json(200, {"sid": "SM1", "status": "queued"}),
    )
    with pkg.Client(base_url=server.url + "/v1", username="AC1", password="token") as client:
        message = client.fetch_message("AC1", "SM1", page_size=500)
    assert message.sid == "SM1" and message.status == pkg.models.MessageEnumStatus.queued
    assert server.seen[-1].path.endswith("/SM1.json?PageSize=500")
    assert server.seen[-1].headers["authorization"] == "Basic QUMxOnRva2Vu"


def test_enum_members_named_like_their_value_types_attributes_get_a_trailing_underscore(
    packages: dict[str, ModuleType],
) -> None:
    """A `count` member of a str enum would hide `str.count` (mypy rejects it): it is `count_`; the
    wire value is unchanged, and members that hide nothing keep their names."""
    tally = packages["f_names"].models.Tally
    assert [m.name for m in tally] == ["count_", "index_", "upper_", "name_", "value_", "plain"]
    assert tally("count") is tally.count_ and tally.count_.value == "count"
    assert isinstance(str.count, type(str.upper))  # the str method is still the method
    assert tally.count_.count("o") == 1


def test_renamed_schemas_of_every_kind_keep_the_spec_pointer() -> None:
    """Enums and aliases too (their templates see no per-run data): the `# spec:` line, and so the
    pointer -> class map the operations use, names the spec's own schema."""
    from specbind.codegen.models import generate_models

    document = {
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": {},
        "components": {
            "schemas": {
                "status.kind": {"type": "string", "enum": ["on", "off"]},
                "Any": {"type": "string", "enum": ["x"]},
                "pet.list": {"type": "object", "additionalProperties": {"type": "integer"}},
                "pet.tag": {
                    "type": "object",
                    "properties": {"kind": {"$ref": "#/components/schemas/status.kind"}},
                },
            }
        },
    }
    models = generate_models(document, "")
    code, classes = models.code, model_classes(models.code)
    assert classes == models.schemas.model_classes()
    assert model_aliases(code) == models.schemas.model_aliases()
    assert classes["#/components/schemas/status.kind"] == "StatusKind"
    assert classes["#/components/schemas/Any"] == "AnyModel"
    assert classes["#/components/schemas/pet.tag"] == "PetTag"
    assert "PetTag" in code and "StatusKind" in code and "AnyModel" in code
    assert not any("StatusKind" in pointer or "AnyModel" in pointer for pointer in classes)
    assert not any("PetList" in pointer for pointer in model_aliases(code))

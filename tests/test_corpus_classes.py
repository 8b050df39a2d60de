"""Classes of failure the real-spec corpus (tests/test_real_specs.py) found, each reproduced by a
small spec of tests/specs/corpus_classes/: generated, type-checked with `mypy --strict` (one run)
and used."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

import httpx
import pytest
from specbind.codegen.generate import generate
from specbind.codegen.options import Options
from specbind.mock.samples import sample
from specbind.spec.load import load

from tests.corpus_checks import mypy_strict
from tests.helpers import ROOT, generate_and_import
from tests.http_server import Reply, serve

CLASSES = ROOT / "tests" / "specs" / "corpus_classes"
LENIENT = Options(lenient=True)
SPECS = {
    "any_results": Options(),
    "lenient_defaults": LENIENT,
    "list_results": Options(),
    "allof_required": Options(),
    "optional_discriminator": Options(),
}


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("corpus_classes")


@pytest.fixture(scope="module")
def packages(folder: Path) -> dict[str, ModuleType]:
    return {
        name: generate_and_import(CLASSES / f"{name}.yaml", name, folder, options)
        for name, options in SPECS.items()
    }


def test_each_class_passes_mypy_strict(packages: dict[str, ModuleType], folder: Path) -> None:
    done = mypy_strict(folder, list(packages), folder / ".mypy_cache")
    assert done.returncode == 0, done.stdout + done.stderr


def test_results_and_webhook_bodies_typed_any_or_its_alias_are_returned_as_sent(
    packages: dict[str, ModuleType],
) -> None:
    api = packages["any_results"]
    with serve() as server:
        server.on("GET", "/dynamic", Reply.json(200, {"any": ["thing"]}))
        server.on("GET", "/counts", Reply.json(200, {"a": 1}))
        with api.Client(base_url=server.url) as client:
            assert client.get_dynamic() == {"any": ["thing"]}
            assert client.get_counts() == {"a": 1}
    assert api.webhooks.parse_new_booking(b'{"id": "b1", "links": {}}') == {"id": "b1", "links": {}}
    assert api.webhooks.parse_counted("[1, 2]") == [1, 2]


def test_lenient_leaves_out_each_default_not_of_its_schemas_type_and_says_where() -> None:
    spec = CLASSES / "lenient_defaults.yaml"
    notes = [str(w) for w in generate(spec, "lenient_defaults", LENIENT).warnings]
    left_out = [note.split(": warning at ")[1] for note in notes if "left out" in note]
    assert left_out == [
        "#/components/schemas/Completion/properties/max_tokens/default: default 'inf' is not of"
        " type integer: left out",
        "#/components/schemas/Completion/properties/mode/default: default 5 is not of type string:"
        " left out",
        "#/components/schemas/Completion/properties/nested/properties/level/default: default 'yes'"
        " is not of type boolean: left out",
    ]


def test_defaults_that_fit_stay_and_the_others_become_absent(
    packages: dict[str, ModuleType],
) -> None:
    models = packages["lenient_defaults"].models
    completion = models.Completion()
    assert (completion.max_tokens, completion.mode) == (None, None)
    assert (completion.temperature, completion.stop, completion.tags) == (1, None, [])
    assert models.Completion.from_dict({"nested": {}}).nested.level is None


def test_results_that_are_lists_of_models_are_decoded_item_by_item(
    packages: dict[str, ModuleType],
) -> None:
    api = packages["list_results"]
    models = api.models
    pet = {"name": "Rex", "born": "2020-01-02T03:04:05Z"}
    with serve() as server:
        server.on("GET", "/pets", Reply.json(200, [pet]))
        server.on("GET", "/shapes", Reply.json(200, [{"side": 2}, {"radius": 1}]))
        server.on("GET", "/pages", Reply.json(200, [[pet], []]))
        server.on("GET", "/colours", Reply.json(200, ["red"]))
        server.on("GET", "/names", Reply.json(200, ["a"]))
        with api.Client(base_url=server.url) as client:
            (rex,) = client.list_pets()
            assert isinstance(rex, models.Pet) and rex.born.year == 2020
            square, circle = client.list_shapes()
            assert (type(square), type(circle)) == (models.Square, models.Circle)
            assert [[type(p) for p in page] for page in client.list_pages()] == [[models.Pet], []]
            assert client.list_colours() == ["red"] and client.list_names() == ["a"]
            server.on("GET", "/pets", Reply.json(200, [pet, {"born": "x"}]))
            with pytest.raises(api.ApiResponseError, match=r"\[1\]\.Pet: missing .*'name'"):
                client.list_pets()
            server.on("GET", "/pets", Reply.json(200, {"name": "Rex"}))
            with pytest.raises(api.ApiResponseError, match="expected an array, got dict"):
                client.list_pets()


def test_the_mock_samples_a_member_one_allof_part_requires_and_another_declares(
    packages: dict[str, ModuleType],
) -> None:
    document = load(CLASSES / "allof_required.yaml").document
    made = sample({"$ref": "#/components/schemas/PagedTracks"}, document, use_examples=False)
    assert made == {"total": 0, "items": []}
    reply = httpx.Response(200, json=made, request=httpx.Request("GET", "https://api.test/"))
    assert packages["allof_required"].operations.read_list_tracks(reply).items == []


def test_a_discriminator_member_the_schema_leaves_optional_may_be_absent(
    packages: dict[str, ModuleType],
) -> None:
    api = packages["optional_discriminator"]
    models = api.models
    # without the member, every alternative is tried: the one the members fit is chosen
    queue = models.Queue.from_dict({"current": {"title": "e"}, "next": [{"length": 3}]})
    assert isinstance(queue.current, models.Episode) and queue.current.type == "episode"
    assert [type(item) for item in queue.next or []] == [models.Song]
    assert queue.to_dict() == {"current": {"title": "e"}, "next": [{"length": 3}]}  # still absent
    track = models.Track.from_dict({"name": "a", "type": "track"})
    assert track.type == "track" and track.to_dict() == {"name": "a", "type": "track"}
    assert models.Track(name="b").type == "track"  # the one tag the class can have
    with pytest.raises(api.DecodeError, match="expected 'track'"):
        models.Track.from_dict({"name": "a", "type": "episode"})
    # a member the schema requires stays required
    with pytest.raises(api.DecodeError, match="missing required member 'kind'"):
        models.Talk.from_dict({"speaker": "x"})
    document = load(CLASSES / "optional_discriminator.yaml").document
    reply = httpx.Response(
        200,
        json=sample({"$ref": "#/components/schemas/Track"}, document, use_examples=False),
        request=httpx.Request("GET", "https://api.test/"),
    )
    assert "type" not in reply.json()  # the mock leaves an optional member out
    assert api.operations.read_get_track(reply).type == "track"

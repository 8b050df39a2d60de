"""A `$ref` in place of a whole map of components (`schemas: {$ref: ./spec/components/schemas.json}`,
as SendGrid's spec does; parameters and responses too): the map is read from that file, its entries
keep their names, and a `$ref` into the file from anywhere names the component it is."""

from __future__ import annotations

import shutil
from pathlib import Path
from types import ModuleType

import pytest
from specbind.spec.load import load
from specbind.spec.problems import SpecError
from specbind.spec.validate import check

from tests.helpers import ROOT, generate_and_import

SPEC = ROOT / "tests" / "specs" / "component_maps" / "openapi.yaml"


def test_the_maps_are_read_from_their_files_under_their_own_names() -> None:
    spec = load(SPEC)
    components = spec.document["components"]
    assert list(components["schemas"]) == ["Pet", "Tag", "Owner", "Error"]  # none hoisted twice
    assert components["parameters"]["PetId"]["name"] == "petId"
    assert check(spec) == []
    owner = components["schemas"]["Owner"]["properties"]["pets"]["items"]
    tags = components["schemas"]["Pet"]["properties"]["tags"]["items"]
    assert owner == {"$ref": "#/components/schemas/Pet"}  # `./schemas.yaml#/Pet`
    assert tags == {"$ref": "#/components/schemas/Tag"}  # `#/Tag` inside schemas.yaml
    response = spec.document["paths"]["/pets/{petId}"]["get"]["responses"]["200"]
    assert response["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Pet"}
    error = components["responses"]["NotFound"]["content"]["application/json"]["schema"]
    assert error == {"$ref": "#/components/schemas/Error"}


def test_the_bindings_have_one_class_per_schema_of_the_map(tmp_path: Path) -> None:
    package: ModuleType = generate_and_import(SPEC, "component_maps", tmp_path)
    classes = {"Pet", "Tag", "Owner", "Error"}
    assert classes <= set(package.models.__all__) and "Pet2" not in package.models.__all__
    pet = package.models.Pet.from_dict({"id": 7, "name": "Rex", "tags": [{"label": "good"}]})
    assert isinstance(pet.tags[0], package.models.Tag)
    assert package.ErrorBody is package.models.Error


def test_a_problem_inside_a_map_s_file_is_located_in_that_file(tmp_path: Path) -> None:
    copy = tmp_path / "component_maps"
    shutil.copytree(SPEC.parent, copy)
    schemas = copy / "components" / "schemas.yaml"
    schemas.write_text(schemas.read_text().replace("label: {type: string}", "label: {type: strin}"))
    with pytest.raises(SpecError) as caught:
        check(load(copy / "openapi.yaml"))
    (problem,) = caught.value.problems
    assert problem.file.name == "schemas.yaml" and problem.pointer == "#/Tag/properties/label/type"
    assert (problem.line, problem.column) == (17, 19)

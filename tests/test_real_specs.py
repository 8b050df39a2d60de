"""The real-spec corpus (tests/specs/real/sources.toml, issue 15): every spec generates, imports,
passes `mypy --strict` (one run over all packages), has a client method for every operation,
round-trips every example of its component schemas except the ones sources.toml lists as invalid
(which must not round-trip), and reads every JSON success response made from its schema. The specs are downloaded from the npm registry on first use and
cached; without the registry these tests fail naming the package, they are never skipped.
"""

from __future__ import annotations

import importlib
import sys
import traceback
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from specbind.codegen.generate import generate
from specbind.codegen.options import Options
from specbind.spec.document import resolve_pointer
from specbind.spec.load import load
from specbind.spec.problems import SpecError
from specbind.vendoring.record import with_record
from specbind.vendoring.write import write_package

from tests.corpus_checks import (
    count_methods,
    count_operations,
    mypy_strict,
    read_samples,
    round_trip,
)
from tests.real_specs import RealSpec, fetch, load_sources

SPECS = {spec.key: spec for spec in load_sources() if spec.use == "test"}


@dataclass
class Generated:
    spec: Path
    package: str
    warnings: list[str] = field(default_factory=list)
    error: str = ""  # why it did not generate


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Generated]]:
    """Every test spec generated into one folder (on sys.path), as `specbind generate` writes it."""
    paths = fetch(SPECS.values())
    folder = tmp_path_factory.mktemp("real")
    results = {}
    for key, spec in SPECS.items():
        result = results[key] = Generated(paths[key], "real_" + key)
        options = Options(lenient=bool(spec.lenient))
        try:
            generation = generate(result.spec, result.package, options)
        except SpecError as exc:
            result.error = str(exc)
            continue
        except Exception:  # a bug in specbind: show where, and go on with the other specs
            result.error = traceback.format_exc()
            continue
        result.warnings = [str(w) for w in generation.warnings]
        write_package(folder, result.package, with_record(generation, options, result.spec))
    sys.path.insert(0, str(folder))
    return folder, results


def test_the_corpus_has_enough_specs_of_enough_vendors_and_styles() -> None:
    assert len(SPECS) >= 12
    assert len({spec.vendor.split(" (")[0] for spec in SPECS.values()}) >= 6
    styles = " ".join(spec.style for spec in SPECS.values())
    for style in ("dotted schema names", "path-level `$ref` parameters", "basic auth", "3.1.0"):
        assert style in styles
    paths = fetch(SPECS.values())
    too_big = {key: path.stat().st_size for key, path in paths.items()}
    assert {k: size for k, size in too_big.items() if size > 500_000} == {}


@pytest.mark.parametrize("key", sorted(SPECS))
def test_a_real_spec_gives_a_method_per_operation_and_round_trips_its_examples(
    corpus: tuple[Path, dict[str, Generated]], key: str
) -> None:
    spec: RealSpec = SPECS[key]
    result = corpus[1][key]
    assert not result.error, result.error
    if spec.lenient:  # still needed: the spec still gives the warning sources.toml names
        assert any(spec.lenient in warning for warning in result.warnings), result.warnings
    package = importlib.import_module(result.package)
    importlib.import_module(result.package + ".models")
    document = load(result.spec).document
    assert count_methods(package) == count_operations(document)
    failed = {o.pointer: o.failure for o in round_trip(package, document) if o.failure}
    # an invalid example is rejected, or (a list member given a string) changed on the way
    assert sorted(failed) == sorted(spec.invalid_examples), failed


@pytest.mark.parametrize("key", sorted(SPECS))
def test_a_real_specs_warnings_name_places_of_the_spec(
    corpus: tuple[Path, dict[str, Generated]], key: str
) -> None:
    """Each warning's place is a plain JSON pointer into the spec, never one of
    datamodel-code-generator's internal paths (`...#-datamodel-code-generator-#-...`)."""
    result = corpus[1][key]
    assert not result.error, result.error
    document = load(result.spec).document
    unplaced = []
    for warning in result.warnings:
        pointer = warning.split(": warning at ", 1)[1].split(": ", 1)[0]
        try:
            resolve_pointer(document, pointer)
        except KeyError:
            unplaced.append(warning)
    assert unplaced == []


@pytest.mark.parametrize("key", sorted(SPECS))
def test_a_real_spec_reads_every_success_response_its_schemas_describe(
    corpus: tuple[Path, dict[str, Generated]], key: str
) -> None:
    result = corpus[1][key]
    assert not result.error, result.error
    package = importlib.import_module(result.package)
    assert read_samples(package, load(result.spec).document) == {}


def test_every_generated_real_spec_passes_mypy_strict(
    corpus: tuple[Path, dict[str, Generated]], tmp_path: Path
) -> None:
    folder, results = corpus
    failed = {key: r.error.splitlines()[-1] for key, r in results.items() if r.error}
    assert failed == {}
    done = mypy_strict(folder, [r.package for r in results.values()], tmp_path / "mypy-cache")
    assert done.returncode == 0, done.stdout[-5000:]

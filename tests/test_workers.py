"""Stages overlap on worker processes; the bytes and the errors must be those of one stage after another."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import pytest
import specbind.codegen.generate as pipeline
from specbind.codegen.workers import Workers
from specbind.spec.problems import Problem, SpecError
from specbind.vendoring.record import with_record

from tests.helpers import ROOT, chat_options

CHAT = ROOT / "spec" / "chat-api.yaml"


def generate_with(workers: int, monkeypatch: pytest.MonkeyPatch, spec: Path) -> dict[str, str]:
    monkeypatch.setattr(pipeline, "available", lambda: workers)
    return with_record(pipeline.generate(spec, "tyntec_chat", chat_options()), chat_options())


def test_overlapping_stages_give_the_bytes_of_stages_in_turn(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv(
        "SPECBIND_CACHE", str(tmp_path / "cache-a")
    )  # both runs cold: nothing from a cache
    parallel = generate_with(2, monkeypatch, CHAT)
    monkeypatch.setenv("SPECBIND_CACHE", str(tmp_path / "cache-b"))
    assert generate_with(0, monkeypatch, CHAT) == parallel


def test_a_spec_that_fails_validation_reports_that_and_leaves_no_worker(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    broken = tmp_path / "broken.yaml"
    text = CHAT.read_text(encoding="utf-8")
    # a schema that cannot validate (type is not a string) while datamodel-code-generator runs on a worker
    broken.write_text(
        text.replace(
            "    MessageRequest:\n      type: object", "    MessageRequest:\n      type: 7", 1
        )
    )
    assert broken.read_text(encoding="utf-8") != text
    with pytest.raises(SpecError) as caught:
        generate_with(2, monkeypatch, broken)
    assert any("MessageRequest" in problem.pointer for problem in caught.value.problems)
    assert multiprocessing.active_children() == []


def _fail(where: str) -> None:
    raise SpecError([Problem(Path("spec.yaml"), "cannot be modelled", where, 3, 5)])


def _square(n: int) -> int:
    return n * n


@pytest.mark.parametrize("processes", [0, 2])
def test_work_and_errors_come_back_the_same_from_a_worker_or_inline(processes: int) -> None:
    with Workers(processes) as workers:
        assert workers.parallel == (processes == 2)
        assert workers.map(_square, [1, 2, 3]).get() == [1, 4, 9]
        assert workers.map(_square, []).get() == []
        failing = workers.submit(_fail, "#/components/schemas/A")
        with pytest.raises(SpecError) as caught:
            failing.get()
    assert caught.value.problems == [
        Problem(Path("spec.yaml"), "cannot be modelled", "#/components/schemas/A", 3, 5)
    ]
    assert multiprocessing.active_children() == []

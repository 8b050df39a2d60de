"""Issue 14, import time: importing a generated package does not load `models`, its largest module
(Stripe's holds 1,748 dataclasses). Functions import the classes they decode into when they run; the
package's error body names resolve on first use. Each check runs in a fresh interpreter, where
`sys.modules` shows what an import really loaded."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from specbind.vendoring.write import write_package

from tests.corpus_checks import mypy_strict
from tests.helpers import CHAT_SPEC, chat_options, package_files

ERRORS = Path(__file__).parent / "specs" / "errors"
SPECS = {  # package -> spec: one error model, a union of them, and none (RFC 7807)
    "chat": CHAT_SPEC,
    "spec_errors": ERRORS / "spec_errors.yaml",
    "spec_no_errors": ERRORS / "spec_no_errors.yaml",
}


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("lazy")
    for package, spec in SPECS.items():
        options = chat_options() if spec == CHAT_SPEC else None
        write_package(out, package, package_files(spec, package, options))
    return out


def run_python(folder: Path, script: str) -> None:
    run = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script)],
        cwd=folder,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stderr


@pytest.mark.parametrize("package", sorted(SPECS))
def test_importing_the_package_and_its_modules_leaves_models_unloaded(
    folder: Path, package: str
) -> None:
    run_python(
        folder,
        f"""
        import os
        import sys
        os.environ["{package.upper()}_API_KEY"] = "key"
        import {package}
        from {package} import AsyncClient, Client, ApiStatusError, errors, operations, webhooks
        Client(base_url="http://127.0.0.1:9")
        assert "{package}.models" not in sys.modules, "models loaded on import"
        """,
    )


def test_a_decoded_response_loads_the_models_it_needs(folder: Path) -> None:
    run_python(
        folder,
        """
        import sys
        import httpx
        from chat import operations
        request = httpx.Request("GET", "http://127.0.0.1/messages/77")
        body = {"to": "4917612345678", "channels": ["sms"]}
        response = httpx.Response(200, json=body, request=request)
        assert "chat.models" not in sys.modules
        message = operations.read_retrieve_message(response)
        from chat.models import StoredMessage
        assert type(message) is StoredMessage and message.to_dict() == body
        """,
    )


def test_error_bodies_decode_through_the_lazy_decoders(folder: Path) -> None:
    run_python(
        folder,
        """
        import httpx
        from spec_errors import errors
        request = httpx.Request("GET", "http://127.0.0.1/other")
        response = httpx.Response(418, json={"code": 7, "message": "teapot"}, request=request)
        error = errors.error_for(response)
        from spec_errors.models import Error
        assert type(error.problem) is Error and error.problem.code == 7
        """,
    )


@pytest.mark.parametrize(
    ("package", "names"),
    [
        ("chat", {"ErrorBody": "models.Problem", "Problem": "models.Problem"}),
        ("spec_errors", {"Error": "models.Error", "ClientModel": "models.ClientModel"}),
        ("spec_no_errors", {"ErrorBody": "ProblemDetails"}),
    ],
)
def test_the_error_body_names_resolve_to_the_same_objects(
    folder: Path, package: str, names: dict[str, str]
) -> None:
    checks = [
        f"assert {package}.{name} is {package}.{target}, {name!r}" for name, target in names.items()
    ]
    script = [f"import {package}", f"import {package}.models", *checks]
    script += [
        f"from {package} import *",
        "try:",
        f"    {package}.NoSuchName",
        "except AttributeError as error:",
        "    assert 'NoSuchName' in str(error)",
        "else:",
        "    raise AssertionError('an unknown name resolved')",
    ]
    run_python(folder, "\n".join(script))


def test_the_union_error_body_is_made_on_first_use(folder: Path) -> None:
    run_python(
        folder,
        """
        import sys
        import spec_errors
        assert "spec_errors.models" not in sys.modules
        body = spec_errors.ErrorBody
        from spec_errors import models
        assert models.Error in body.__args__ and models.ValidationError in body.__args__
        """,
    )


def test_mypy_still_refuses_a_name_the_package_does_not_have(folder: Path, tmp_path: Path) -> None:
    """The runtime `__getattr__` is hidden from type checkers: a typo stays an error."""
    (folder / "user_script.py").write_text(
        "import chat\n\nproblem: chat.Problem | None = None\nchat.Clinet\n", encoding="utf-8"
    )
    run = mypy_strict(folder, ["chat"], tmp_path / "mypy-cache")
    assert run.returncode == 0, run.stdout
    script = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--cache-dir",
            str(tmp_path / "mypy-cache"),
            "user_script.py",
        ],
        cwd=folder,
        capture_output=True,
        text=True,
    )
    assert 'Module has no attribute "Clinet"' in script.stdout, script.stdout
    assert script.stdout.count("error:") == 1, script.stdout

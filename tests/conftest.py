from __future__ import annotations

from pathlib import Path
from types import ModuleType

import pytest

from tests.helpers import CHAT_SPEC, chat_options, generate_and_import


@pytest.fixture(scope="session")
def chat(tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    """The chat-api bindings, freshly generated for this test session."""
    folder: Path = tmp_path_factory.mktemp("chat")
    return generate_and_import(CHAT_SPEC, "tyntec_chat", folder, chat_options())

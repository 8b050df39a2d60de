"""Python names for things the spec names: snake_case, keywords, collisions."""

from __future__ import annotations

import keyword
import re
import sys
import unicodedata

_WORD_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


def snake_case(text: str) -> str:
    """`sendMessage` -> `send_message`, `message-id` -> `message_id`; always a valid identifier."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))  # é -> e; other letters stay
    text = _WORD_BOUNDARY.sub("_", text)
    text = re.sub(r"\W+", "_", text).strip("_").lower()
    text = "".join(c if ("a" + c).isidentifier() else "_" for c in text)
    text = re.sub(r"_+", "_", text)
    if not text:
        text = "value"
    if text[0].isdigit():
        text = "n" + text
    if keyword.iskeyword(text) or keyword.issoftkeyword(text):
        text += "_"
    return text


def unique(name: str, taken: set[str]) -> str:
    """`name`, or `name_2`, `name_3`… when taken; records the result."""
    candidate, n = name, 2
    while candidate in taken:
        candidate = f"{name}_{n}"
        n += 1
    taken.add(candidate)
    return candidate


# What the generated package imports besides the standard library: a package of one of these names
# would shadow it for the code that imports the bindings.
_DEPENDENCIES = frozenset({"httpx", "httpcore", "h11", "anyio", "sniffio", "certifi", "idna"})


def package_name_problem(package: str) -> str | None:
    """Why `package` cannot name a generated package, or None when it can."""
    if not package.isidentifier() or keyword.iskeyword(package):
        return f"package name must be a Python identifier, such as 'my_api', not {package!r}"
    if unicodedata.normalize("NFKC", package) != package:
        return (
            f"package name {package!r} is not the name Python imports: it reads it as "
            f"{unicodedata.normalize('NFKC', package)!r} (NFKC); write that instead"
        )
    if package in sys.stdlib_module_names or package in _DEPENDENCIES or package == "specbind":
        return (
            f"package name {package!r} would shadow the module {package!r} that Python or the "
            "generated code imports; choose another, such as 'my_api'"
        )
    return None

"""Python names for things the spec names: snake_case, keywords, collisions."""

from __future__ import annotations

import keyword
import re
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

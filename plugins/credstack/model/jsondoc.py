"""Reading JSON documents from outside (credentials, status lists, DID documents) strictly.

``json.loads`` keeps the last of two equal keys (so a credential can show one value to one
reader and another to the next), recurses without bound (a deeply nested file raises
RecursionError, which used to abort ``credstack verify DIR`` for every file), and reads any
size. :func:`loads` refuses all three with a CredentialError.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from credstack.errors import CredentialError

#: Deeper than any credential (an OB 3.0 credential nests about 7 levels).
MAX_DEPTH = 64
#: Larger than any credential, even with an embedded image (about 10 KB usually); the same
#: bound as a baked image's (``baking.MAX_INPUT_BYTES``).
MAX_BYTES = 10 * 1024 * 1024


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise CredentialError(
                f"the JSON object has the key {key!r} twice",
                hint="a document with a repeated key reads differently in different programs: "
                "it is malformed; obtain the original from its issuer",
            )
        out[key] = value
    return out


def _depth(doc: Any) -> int:
    deepest, stack = 0, [(doc, 1)]
    while stack:
        value, level = stack.pop()
        children: Iterable[Any]
        if isinstance(value, dict):
            children = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        deepest = max(deepest, level)
        if deepest > MAX_DEPTH:
            break
        stack.extend((child, level + 1) for child in children)
    return deepest


def loads(data: bytes | str, what: str = "the file") -> Any:
    """The JSON value in ``data``; raises CredentialError for malformed, repeated-key, too deep
    or too large documents, naming ``what``."""
    if len(data) > MAX_BYTES:
        raise CredentialError(
            f"{what} is {len(data) / 2**20:.1f} MB; credentials are far smaller "
            f"(limit {MAX_BYTES // 2**20} MB)",
            hint="is this really a credential?",
        )
    try:
        text = data.decode("utf-8") if isinstance(data, bytes) else data
        doc = json.loads(text, object_pairs_hook=_no_duplicates)
    except UnicodeDecodeError as e:
        raise CredentialError(f"{what} is not UTF-8 text (byte {e.start})") from None
    except json.JSONDecodeError as e:
        raise CredentialError(f"{what} is not valid JSON ({e.msg}, line {e.lineno})") from None
    except RecursionError:
        raise CredentialError(
            f"{what} nests more than {MAX_DEPTH} levels deep", hint="is this really a credential?"
        ) from None
    except CredentialError as e:
        raise CredentialError(f"{what}: {e.message}", hint=e.hint) from None
    if _depth(doc) > MAX_DEPTH:
        raise CredentialError(
            f"{what} nests more than {MAX_DEPTH} levels deep", hint="is this really a credential?"
        )
    return doc

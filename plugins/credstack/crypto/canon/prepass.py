"""The JSON pre-pass of canonicalization: numbers and strings the two stacks would read differently.

jsonld.js (the Digital Bazaar verifiers and our in-browser verifier) sees every JSON number as a
JavaScript double; pyld sees Python ints and floats. :func:`prepare` returns a copy of a document
with numbers as JavaScript sees them (``3.0`` is the integer 3) and refuses, naming the JSON path,
what the two would sign differently: integers beyond 2**53, non-finite numbers, fractions below
1e-6, unpaired UTF-16 surrogates and non-string keys. :func:`prepare_plain` is its fast path for
plain JSON. The JSON path helpers (:func:`child`, :func:`strings`) name values in errors.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from typing import Any

from credstack.errors import CanonicalizationError

# JSON numbers: jsonld.js sees every number as an IEEE double. Integers beyond 2**53 lose digits
# when JavaScript parses them, so the two stacks would sign different literals.
_MAX_SAFE_INTEGER = 2**53 - 1
# jsonld.js calls a number a double only if String(n) contains "." (or |n| >= 1e21). Below 1e-6
# JavaScript prints exponent form ("1e-7"), jsonld.js takes it for an integer and writes "0".
_MIN_PORTABLE_FRACTION = 1e-6
_JS_DOUBLE_THRESHOLD = 1e21
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
_IDENTIFIER_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def prepare(value: Any, path: str) -> Any:
    """Return a copy of value with numbers as JavaScript sees them; raise on unportable values."""
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise CanonicalizationError(
                    f"{path}: key {key!r} is not a string",
                    hint="JSON object keys are strings; build the document from JSON data",
                )
            _check_string(key, child(path, key))
            # Context definitions are JSON-LD syntax, not data: leave them to pyld untouched.
            out[key] = item if key == "@context" else prepare(item, child(path, key))
        return out
    if isinstance(value, list):
        return [prepare(item, f"{path}[{i}]") for i, item in enumerate(value)]
    if isinstance(value, str):
        _check_string(value, path)
        return value
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        if abs(value) > _MAX_SAFE_INTEGER:
            raise CanonicalizationError(
                f"{path}: the integer {value} is larger than 2**53 and JavaScript verifiers would "
                "read it as a different number",
                hint="write large numbers as strings",
            )
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise CanonicalizationError(
                f"{path}: {value!r} is not a JSON number",
                hint="use a finite number or a string",
            )
        # JSON has no integer/float distinction and JavaScript sees 3.0 as 3: jsonld.js
        # writes "3"^^xsd:integer where pyld would write a double (or crash).
        if value.is_integer() and abs(value) < _JS_DOUBLE_THRESHOLD:
            return int(value)
        if value != 0 and abs(value) < _MIN_PORTABLE_FRACTION:
            raise CanonicalizationError(
                f"{path}: {value!r} is too small to canonicalize the same way in JavaScript "
                "(jsonld.js writes it as the integer 0)",
                hint="write very small numbers as strings",
            )
        return value
    raise CanonicalizationError(
        f"{path}: {type(value).__name__} is not a JSON value",
        hint="pass plain JSON data (dict, list, str, int, float, bool, None)",
    )


class NotPlain(Exception):
    """prepare_plain met a value it leaves to prepare."""


def prepare_plain(value: Any) -> Any:
    """What prepare returns, for documents of plain JSON that needs no conversion.

    Only exact dict/list/str/bool/None, ints JavaScript reads exactly and floats prepare keeps
    as they are; anything else (including every value prepare would convert or refuse) raises
    NotPlain, so the result is always prepare's, without building a JSON path per value.
    """
    kind = type(value)
    if kind is str:
        if _LONE_SURROGATE.search(value):
            raise NotPlain
        return value
    if kind is dict:
        out: dict[str, Any] = {}
        for key, item in value.items():
            if type(key) is not str or _LONE_SURROGATE.search(key):
                raise NotPlain
            out[key] = item if key == "@context" else prepare_plain(item)
        return out
    if kind is list:
        return [prepare_plain(item) for item in value]
    if value is None or kind is bool:
        return value
    if kind is int and -_MAX_SAFE_INTEGER <= value <= _MAX_SAFE_INTEGER:
        return value
    if (
        kind is float
        and math.isfinite(value)
        and not (value.is_integer() and abs(value) < _JS_DOUBLE_THRESHOLD)
        and not (value != 0 and abs(value) < _MIN_PORTABLE_FRACTION)
    ):
        return value
    raise NotPlain


def _check_string(text: str, path: str) -> None:
    if _LONE_SURROGATE.search(text):
        # Not encodable as UTF-8: pyld fails while hashing, browsers substitute U+FFFD.
        raise CanonicalizationError(
            f"{path}: the string contains an unpaired UTF-16 surrogate",
            hint="fix the text encoding of the source data",
        )


def child(path: str, key: str) -> str:
    """The JSON path of ``key`` in the object at ``path``: ``$.a`` or ``$["odd key"]``."""
    if _IDENTIFIER_KEY.match(key):
        return f"{path}.{key}"
    return f"{path}[{json.dumps(key, ensure_ascii=False)}]"


def strings(value: Any, path: str) -> Iterator[tuple[str, str]]:
    """(JSON path, text) of every key and string value under ``value``, contexts skipped."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "@context":
                continue
            yield child(path, key), key
            yield from strings(item, child(path, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from strings(item, f"{path}[{i}]")
    elif isinstance(value, str):
        yield path, value

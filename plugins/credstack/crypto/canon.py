"""RDF Dataset Canonicalization (RDFC-1.0) of JSON-LD documents, failing closed like jsonld.js.

A Data Integrity signature covers the canonical N-Quads of a credential, not its JSON. Anything
JSON-LD expansion silently drops or rewrites is therefore *unsigned*: plain pyld turns undefined
terms into nothing and relative IRIs into ``http://example.org/base/...``, so a credential with an
extra, unsigned property still verified. This module runs pyld with the semantics of jsonld.js
"safe mode" (the mode the Digital Bazaar verifiers and our in-browser verifier use) and refuses,
naming the JSON path, every case safe mode refuses:

* a key that does not expand to an absolute IRI or keyword ("invalid property"), a key mapped to a
  blank node ("blank node predicate");
* a relative or reserved ``@id``/``@type``/IRI-valued property value ("relative @id reference",
  "relative @type reference", "relative object reference", "reserved @id value", "null @id value");
* a value expansion drops: free-floating scalar, empty top-level object, object with only ``@id``,
  ``@value``, ``@list`` or ``@language``, ``@value: null``;
* an ill-formed language tag, and ``@direction`` (RDF has no place for it unless ``rdfDirection``
  is set, and it is not);
* a context using ``@import`` (jsonld.js accepts it; pyld 3.3 would write the merge into the
  loader's shared copy of the imported context, so one document could define terms for the next,
  see ``_SafeContextResolver``).

Where pyld and jsonld.js would produce different bytes for the same JSON, we match jsonld.js 9 /
rdf-canonize 5 (RDFC-1.0) or refuse; see ``_escape_literal``, ``_js_double`` and ``_prepare``.

Speed: processed contexts are memoized per loader (``_ContextMemo``): pyld would otherwise
reprocess every type-scoped OB context (Achievement, Profile, IdentityObject, ...) at every node
of every document. The memo returns the very objects pyld produced, so the output is unchanged;
``_MEMOIZE = False`` runs pyld's own processing, and tests/unit/crypto/test_canon_memo.py checks
that both give the same bytes and errors.

A ``null`` property value or an empty array adds no statement in JSON-LD, so both stacks accept
them without changing the canonical form; this is JSON-LD semantics, not a loss of signed data.
"""

from __future__ import annotations

import hashlib
import json
import marshal
import math
import re
import weakref
from collections.abc import Callable, Iterator
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pyld
from cachetools import LRUCache
from pyld import jsonld
from pyld.canon import URDNA2015
from pyld.context_resolver import ContextResolver
from pyld.identifier_issuer import IdentifierIssuer

from credstack.crypto import contexts
from credstack.errors import CanonicalizationError

# The safe-mode hooks below override pyld internals (_expand, _expand_object, _graph_to_rdf,
# _object_to_rdf, URDNA2015.hash_first_degree_quads). They were written against pyld 3.3.x and
# checked against jsonld.js; another pyld could drop data without passing through them.
_PYLD_SUPPORTED = ("3.3.",)

XSD_DOUBLE = jsonld.XSD_DOUBLE
XSD_INTEGER = jsonld.XSD_INTEGER
XSD_STRING = jsonld.XSD_STRING
RDF_LANGSTRING = jsonld.RDF_LANGSTRING

# JSON numbers: jsonld.js sees every number as an IEEE double. Integers beyond 2**53 lose digits
# when JavaScript parses them, so the two stacks would sign different literals.
_MAX_SAFE_INTEGER = 2**53 - 1
# jsonld.js calls a number a double only if String(n) contains "." (or |n| >= 1e21). Below 1e-6
# JavaScript prints exponent form ("1e-7"), jsonld.js takes it for an integer and writes "0".
_MIN_PORTABLE_FRACTION = 1e-6
_JS_DOUBLE_THRESHOLD = 1e21

# jsonld.js _isAbsoluteIri: a scheme (or "_" for blank nodes), a colon and no whitespace.
_ABSOLUTE_IRI = re.compile(r"^([A-Za-z][A-Za-z0-9+\-.]*|_):[^\s]*$")
# Characters that rdf-canonize 5 rewrites as \uXXXX inside <IRI> (and rdf-canonize 3 writes raw),
# plus whitespace as JavaScript's \s sees it (it differs from Python's: U+FEFF is whitespace in
# JavaScript, U+001C-U+001F and U+0085 only in Python). No valid IRI (RFC 3987) contains any of
# them, so refusing costs nothing and keeps every verifier on the same bytes.
_IRI_FORBIDDEN = re.compile(
    '[\x00-\x20<>"{}|^`\\\\\x7f-\x9f\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]'
)
# jsonld.js REGEX_BCP47: the well-formedness check behind the "invalid @language value" event.
_BCP47 = re.compile(r"^[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*$")
# Control characters every N-Quads stack writes alike are tab, LF and CR... almost: tab is
# written raw by rdf-canonize 3 (jsonld 8) and as \t by RDFC-1.0. Tab stays allowed because
# narratives need it; the others have no use in credential text.
_UNPORTABLE_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
_IDENTIFIER_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")

# RDFC-1.0 (W3C Recommendation, 2024) appendix "A Canonical form of N-Quads": in a literal,
# BS, HT, LF, FF, CR, U+0022 and U+005C use ECHAR (\b \t \n \f \r \" \\); U+0000-U+0007,
# U+000B, U+000E-U+001F and U+007F use UCHAR with upper-case hex (\u0001); everything else is
# written as is.
#
# Measured with node 20 on 2026-11-28 (recorded in tests/vectors/jsonld-js-parity.json and
# checked by tests/unit/crypto/test_canon.py):
# * rdf-canonize 5.0.0 (jsonld 9.0.0): exactly the rule above.
# * rdf-canonize 3.4.0 (jsonld 8.3.3): escapes only " \ LF CR; tab and every other control
#   character are written raw, so a document with a tab or U+0000-U+001F/U+007F has a different
#   canonical form (and signature) there.
# * pyld 3.3.0: escapes \ HT LF CR " and writes the other control characters raw, i.e. matches
#   neither; hence this serializer. Strings without control characters are identical everywhere.
# The appendix also asks for UCHAR for U+FFFE/U+FFFF (not XML 1.1 Chars); rdf-canonize 5 writes
# them raw and so do we (we follow the verifiers in use; check_portable_text refuses them).
_LITERAL_ESCAPES = {
    "\b": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\f": "\\f",
    "\r": "\\r",
    '"': '\\"',
    "\\": "\\\\",
}
_LITERAL_NEEDS_ESCAPE = re.compile('[\x00-\x1f\x7f"\\\\]')

# RDFC-1.0 §6.1 (dataset poisoning) asks implementations to bound the Hash N-Degree Quads work,
# so that a "poison graph" of blank nodes cannot pin a CPU. rdf-canonize 5 defaults to
# maxWorkFactor 1: at most n deep iterations, n = the blank nodes sharing a first-degree hash.
_MAX_WORK_FACTOR = 1

Loader = Callable[..., dict[str, Any]]

_RDFC_HASHES = {"sha256": hashlib.sha256, "sha384": hashlib.sha384}


def canonize(
    document: dict[str, Any],
    *,
    document_loader: Loader | None = None,
    json_path: str = "$",
    hash_algorithm: str = "sha256",
) -> str:
    """Return the RDFC-1.0 canonical N-Quads of document; raise CanonicalizationError if unsafe.

    json_path names the document in error messages (e.g. "$.proof" for a proof configuration).
    hash_algorithm is RDFC-1.0's hash (§4.2, default SHA-256); ecdsa-rdfc-2019 with P-384 uses
    "sha384" (vc-di-ecdsa §3.3.3), which changes the blank node labels.
    """
    if hash_algorithm not in _RDFC_HASHES:
        raise CanonicalizationError(f"RDFC-1.0 hash {hash_algorithm!r} is not supported")
    _check_pyld_version()
    if not isinstance(document, dict):
        raise CanonicalizationError(
            f"expected a JSON object, got {type(document).__name__}",
            hint="pass the credential as a dict parsed from JSON",
        )
    loader = document_loader if document_loader is not None else contexts.document_loader
    try:
        prepared = _prepare_plain(document)
    except _NotPlain:
        # Something to convert or refuse: the full pass, which names the JSON path.
        prepared = _prepare(document, json_path)
    state = _state_for(loader)
    resolver = _SafeContextResolver(state.resolved, loader)
    processor = _SafeProcessor(
        json_path,
        resolver,
        _SafeContextResolver(state.resolved_overriding, loader),
        state.memo if _MEMOIZE else None,
    )
    options = {
        # jsonld.js canonize defaults base to null: a relative IRI stays relative and is refused
        # instead of silently becoming http://example.org/base/... (pyld's default).
        "base": None,
        "documentLoader": loader,
        "contextResolver": resolver,
        "processingMode": "json-ld-1.1",
        "produceGeneralizedRdf": False,
        "rdfDirection": None,
        "extractAllScripts": False,
        "identifierIssuer": IdentifierIssuer("_:b"),
    }
    try:
        dataset = processor.to_rdf(prepared, options)
        return _Rdfc10(hash_algorithm).canonize(dataset)
    except CanonicalizationError as error:
        # RDF conversion and serialization only see values: point at where the value sits.
        raise _locate(error, document, json_path) from None
    except jsonld.JsonLdError as error:
        raise _locate(_from_jsonld_error(error), document, json_path) from error
    except (ValueError, TypeError, KeyError, UnicodeError) as error:
        # pyld's own failures on malformed input (an inline context that is a bare string, a
        # lone surrogate, ...): still fail closed, but as our error, with a hint, no traceback.
        raise CanonicalizationError(
            f"{json_path}: the document cannot be processed as JSON-LD ({error})",
            hint="is this a credential? Its @context and values must be well-formed JSON-LD",
        ) from error


def is_absolute_iri(value: Any) -> bool:
    """Return whether value is an absolute IRI that every JSON-LD stack writes the same way."""
    return _is_absolute(value) and not _IRI_FORBIDDEN.search(value)


def check_portable_text(document: Any) -> None:
    """Raise CanonicalizationError at the first string with a control character but tab/LF/CR."""
    for path, text in _strings(document, "$"):
        match = _UNPORTABLE_TEXT.search(text)
        if match:
            raise CanonicalizationError(
                f"{path}: the text contains U+{ord(match.group()):04X} (a control character or "
                "noncharacter)",
                hint="remove it: RDFC-1.0 (jsonld.js 9) and jsonld.js 8 verifiers canonicalize "
                "it differently, so some verifiers would reject the signature",
            )


# --- JSON pre-pass: numbers and strings the two stacks would read differently --------------------


def _prepare(value: Any, path: str) -> Any:
    """Return a copy of value with numbers as JavaScript sees them; raise on unportable values."""
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise CanonicalizationError(
                    f"{path}: key {key!r} is not a string",
                    hint="JSON object keys are strings; build the document from JSON data",
                )
            _check_string(key, _child(path, key))
            # Context definitions are JSON-LD syntax, not data: leave them to pyld untouched.
            out[key] = item if key == "@context" else _prepare(item, _child(path, key))
        return out
    if isinstance(value, list):
        return [_prepare(item, f"{path}[{i}]") for i, item in enumerate(value)]
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


class _NotPlain(Exception):
    """_prepare_plain met a value it leaves to _prepare."""


def _prepare_plain(value: Any) -> Any:
    """What _prepare returns, for documents of plain JSON that needs no conversion.

    Only exact dict/list/str/bool/None, ints JavaScript reads exactly and floats _prepare keeps
    as they are; anything else (including every value _prepare would convert or refuse) raises
    _NotPlain, so the result is always _prepare's, without building a JSON path per value.
    """
    kind = type(value)
    if kind is str:
        if _LONE_SURROGATE.search(value):
            raise _NotPlain
        return value
    if kind is dict:
        out: dict[str, Any] = {}
        for key, item in value.items():
            if type(key) is not str or _LONE_SURROGATE.search(key):
                raise _NotPlain
            out[key] = item if key == "@context" else _prepare_plain(item)
        return out
    if kind is list:
        return [_prepare_plain(item) for item in value]
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
    raise _NotPlain


def _check_string(text: str, path: str) -> None:
    if _LONE_SURROGATE.search(text):
        # Not encodable as UTF-8: pyld fails while hashing, browsers substitute U+FFFD.
        raise CanonicalizationError(
            f"{path}: the string contains an unpaired UTF-16 surrogate",
            hint="fix the text encoding of the source data",
        )


def _child(path: str, key: str) -> str:
    if _IDENTIFIER_KEY.match(key):
        return f"{path}.{key}"
    return f"{path}[{json.dumps(key, ensure_ascii=False)}]"


# --- jsonld.js safe mode on top of pyld ----------------------------------------------------------


def _is_absolute(iri: Any) -> bool:
    return isinstance(iri, str) and _ABSOLUTE_IRI.match(iri) is not None


def _unsafe(path: str, what: str, event: str, hint: str) -> CanonicalizationError:
    return CanonicalizationError(
        f"{path}: {what} (jsonld.js safe mode: '{event}')",
        hint=hint,
    )


_HINT_TERM = (
    "define the term in a context the document uses (VC 2.0, OB 3.0.3) or remove it: "
    "JSON-LD drops undefined terms, so a signature could never cover it"
)
_HINT_IRI = 'use an absolute IRI (https://..., urn:uuid:..., did:...) without spaces or <>"{}|^`\\'
_NO_DIRECTION = "@direction has no place in the canonical RDF (rdfDirection is not set)"
_HINT_DROPPED = "remove the value or give it properties: JSON-LD would drop it, leaving it unsigned"


class _SafeProcessor(jsonld.JsonLdProcessor):  # type: ignore[misc]  # pyld is untyped
    """pyld's processor with jsonld.js safe-mode checks at each place expansion drops data.

    It also tracks the JSON path of the element being expanded, so errors can name it. Paths are
    keyed by ``id()`` of the containers in pyld's private copy of the document, which stays alive
    for the whole expansion; each container records its parent and key, and the path text is only
    built for an error (always in the state the check saw: same element, same stack).
    """

    def __init__(
        self,
        root: str,
        resolver: ContextResolver,
        overriding_resolver: ContextResolver,
        memo: _ContextMemo | None = None,
    ) -> None:
        super().__init__()
        self._resolver = resolver
        self._overriding_resolver = overriding_resolver
        self._root = root
        # id(container) -> (container, parent container or None for the root, key or index)
        self._paths: dict[int, tuple[Any, Any, str | int | None]] = {}
        self._stack: list[Any] = []
        self._memo = memo

    # path bookkeeping

    def _register(self, value: Any, parent: Any = None, step: str | int | None = None) -> None:
        self._paths[id(value)] = (value, parent, step)
        if isinstance(value, dict):
            for key, item in value.items():
                if key != "@context" and isinstance(item, (dict, list)):
                    self._register(item, value, key)
        else:
            for i, item in enumerate(value):
                if isinstance(item, (dict, list)):
                    self._register(item, value, i)

    def _path_of(self, element: Any, active_property: str | None = None) -> str:
        known = self._paths.get(id(element))
        if known is not None and known[0] is element:
            _, parent, step = known
            if parent is None:
                return self._root
            parent_path = self._path_of(parent)
            if isinstance(step, int):
                return f"{parent_path}[{step}]"
            return _child(parent_path, str(step))
        # A scalar: find it in the container being expanded.
        if self._stack:
            parent = self._stack[-1]
            parent_path = self._path_of(parent)
            if isinstance(parent, dict):
                for key, item in parent.items():
                    if item is element:
                        return _child(parent_path, key)
                if active_property is not None:
                    return _child(parent_path, active_property)
            elif isinstance(parent, list):
                for i, item in enumerate(parent):
                    if item is element:
                        return f"{parent_path}[{i}]"
            return parent_path
        return self._root

    # expansion hooks

    def _expand(
        self,
        active_ctx: Any,
        active_property: Any,
        element: Any,
        options: Any,
        inside_list: bool = False,
        inside_index: bool = False,
        type_scoped_ctx: Any = None,
    ) -> Any:
        if not self._paths and isinstance(element, (dict, list)):
            self._register(element)
        container = isinstance(element, (dict, list))
        if container:
            self._stack.append(element)
        try:
            result = super()._expand(
                active_ctx,
                active_property,
                element,
                options,
                inside_list=inside_list,
                inside_index=inside_index,
                type_scoped_ctx=type_scoped_ctx,
            )
        finally:
            if container:
                self._stack.pop()
        if element is None:
            return result

        def path() -> str:
            return self._path_of(element, active_property)

        if result is None:
            # JSON-LD 1.1 Expansion §13.2 / 19 drop these silently; safe mode refuses.
            what = (
                "a value outside any property"
                if not container
                else "an object JSON-LD drops (empty, only @id/@value/@list/@language, or "
                "@value null)"
            )
            raise _unsafe(path(), f"{what} would not be signed", "dropped value", _HINT_DROPPED)
        if isinstance(result, dict):
            self._check_expanded_value(result, path, element)
            if (
                isinstance(element, dict)
                and not inside_list
                and active_property is not None
                and "@graph"
                in _as_list(self.get_context_value(active_ctx, active_property, "@container"))
                and (
                    not result
                    or "@value" in result
                    or "@list" in result
                    or (len(result) == 1 and "@id" in result)
                )
            ):
                # jsonld.js also drops these inside @graph containers (e.g. "proof"); pyld keeps
                # them, so the two would canonicalize differently.
                raise _unsafe(
                    path(),
                    "an object with no properties inside a graph container would be dropped",
                    "object with only @id",
                    _HINT_DROPPED,
                )
        return result

    def _check_expanded_value(
        self, result: dict[str, Any], path: Callable[[], str], element: Any
    ) -> None:
        if "@value" in result:
            if "@direction" in result:
                raise _unsafe(
                    path(),
                    _NO_DIRECTION,
                    "rdfDirection not set",
                    "remove @direction (and any @direction in the context)",
                )
            language = result.get("@language")
            if language is not None and not (isinstance(language, str) and _BCP47.match(language)):
                raise _unsafe(
                    path(),
                    f"{language!r} is not a well-formed language tag",
                    "invalid @language value",
                    "use a BCP 47 language tag such as 'en' or 'en-GB'",
                )
        elif "@id" in result and not isinstance(element, (dict, list)):
            # A string coerced to an IRI by the context ("@type": "@id" or "@vocab").
            self._check_iri(result["@id"], element, path, "relative object reference")

    def _check_iri(self, expanded: Any, original: Any, path: Callable[[], str], event: str) -> None:
        if expanded is None:
            raise _unsafe(
                path(),
                f"{original!r} looks like a JSON-LD keyword and cannot be an IRI",
                "reserved @id value",
                _HINT_IRI,
            )
        if not _is_absolute(expanded):
            raise _unsafe(path(), f"{original!r} is a relative IRI", event, _HINT_IRI)
        if _IRI_FORBIDDEN.search(expanded):
            # Not a jsonld.js event: rdf-canonize 5 would escape these as \uXXXX and older
            # stacks would not, so the signature would depend on the verifier.
            raise CanonicalizationError(
                f"{path()}: {original!r} contains characters that are not allowed in an IRI",
                hint=_HINT_IRI,
            )

    def _expand_object(
        self,
        active_ctx: Any,
        active_property: Any,
        expanded_active_property: Any,
        element: Any,
        expanded_parent: Any,
        options: Any,
        inside_list: bool = False,
        type_key: Any = None,
        type_scoped_ctx: Any = None,
    ) -> Any:
        base = options.get("base")
        for key, value in element.items():
            if key == "@context":
                continue

            def key_path(key: str = key) -> str:
                return _child(self._path_of(element), key)

            # Same expansion pyld performs next, with the same active context.
            expanded = self._expand_iri(active_ctx, key, vocab=True)
            if expanded is None or not (_is_absolute(expanded) or jsonld._is_keyword(expanded)):
                raise _unsafe(
                    key_path(),
                    f"property {key!r} is not defined by any @context and would be dropped",
                    "invalid property",
                    _HINT_TERM,
                )
            if expanded.startswith("_:"):
                raise _unsafe(
                    key_path(),
                    f"property {key!r} maps to a blank node and would be dropped",
                    "blank node predicate",
                    _HINT_TERM,
                )
            if _IRI_FORBIDDEN.search(expanded):
                raise CanonicalizationError(
                    f"{key_path()}: property {key!r} expands to {expanded!r}, which is not a "
                    "valid IRI",
                    hint=_HINT_TERM,
                )
            if expanded == "@id":
                for i, item in enumerate(value if isinstance(value, list) else [value]):
                    item_path = _item_path(key_path, value, i)
                    if item is None:
                        raise _unsafe(item_path(), "@id is null", "null @id value", _HINT_IRI)
                    if isinstance(item, str):
                        iri = self._expand_iri(active_ctx, item, base=base)
                        self._check_iri(iri, item, item_path, "relative @id reference")
            elif expanded == "@type":
                scope = type_scoped_ctx if type_scoped_ctx is not None else active_ctx
                for i, item in enumerate(_as_list(value)):
                    item_path = _item_path(key_path, value, i)
                    if isinstance(item, str):
                        iri = self._expand_iri(scope, item, vocab=True, base=base)
                        if iri != "@json":
                            self._check_iri(iri, item, item_path, "relative @type reference")
            elif expanded == "@language" and isinstance(value, str) and not _BCP47.match(value):
                raise _unsafe(
                    key_path(),
                    f"{value!r} is not a well-formed language tag",
                    "invalid @language value",
                    "use a BCP 47 language tag such as 'en' or 'en-GB'",
                )
            elif expanded == "@direction":
                raise _unsafe(
                    key_path(),
                    _NO_DIRECTION,
                    "rdfDirection not set",
                    "remove @direction",
                )
        self._stack.append(element)
        try:
            return super()._expand_object(
                active_ctx,
                active_property,
                expanded_active_property,
                element,
                expanded_parent,
                options,
                inside_list=inside_list,
                type_key=type_key,
                type_scoped_ctx=type_scoped_ctx,
            )
        finally:
            self._stack.pop()

    def _expand_language_map(self, active_ctx: Any, language_map: Any, direction: Any) -> Any:
        path = self._path_of(language_map)
        for key in language_map:
            if self._expand_iri(active_ctx, key, vocab=True) != "@none" and not _BCP47.match(key):
                raise _unsafe(
                    _child(path, key),
                    f"{key!r} is not a well-formed language tag",
                    "invalid @language value",
                    "use BCP 47 language tags as language map keys",
                )
        if direction:
            raise _unsafe(
                path,
                _NO_DIRECTION,
                "rdfDirection not set",
                "remove @direction from the term definition",
            )
        return super()._expand_language_map(active_ctx, language_map, direction)

    def _process_context(self, active_ctx: Any, local_ctx: Any, options: Any, **kwargs: Any) -> Any:
        memo = self._memo
        key = None
        if memo is not None and kwargs.get("cycles") is None:
            key = memo.key(active_ctx, local_ctx, options, kwargs)
            if key is not None:
                hit = memo.processed.get(key)
                if hit is not None and hit[0] is active_ctx:
                    return hit[1]
        # pyld caches one processed form per (context, active context), whatever
        # override_protected says; contexts processed with it (property-scoped ones, which may
        # redefine protected terms) therefore get a resolver, and so a cache, of their own.
        resolver = self._overriding_resolver if kwargs.get("override_protected") else self._resolver
        if options.get("contextResolver") is not resolver:
            options = {**options, "contextResolver": resolver}
        try:
            result = super()._process_context(active_ctx, local_ctx, options, **kwargs)
        except _ImportRefused as error:
            where = self._path_of(self._stack[-1]) if self._stack else self._root
            raise CanonicalizationError(
                f"{_child(where, '@context')}: {error.message}", hint=error.hint
            ) from None
        vocab = result.get("@vocab")
        if vocab is not None and not _is_absolute(vocab):
            # JSON-LD 1.1 allows a relative @vocab (resolved against the base, which we leave
            # unset); jsonld.js safe mode refuses it, and so do we.
            raise _unsafe(
                _child(self._path_of(self._stack[-1]) if self._stack else self._root, "@context"),
                f"@vocab {vocab!r} is a relative IRI",
                "relative @vocab reference",
                _HINT_IRI,
            )
        if key is not None and memo is not None:
            memo.remember(key, active_ctx, result)
        return result

    def _expand_iri(
        self,
        active_ctx: Any,
        value: Any,
        base: Any = None,
        vocab: bool = False,
        local_ctx: Any = None,
        defined: Any = None,
    ) -> Any:
        # Outside context processing (no local_ctx/defined), expanding a term (vocab=True) is a
        # pure function of an immutable active context: look it up per memoized context. Terms
        # are few; other IRIs are mostly document ids, not worth keeping.
        if vocab and local_ctx is None and defined is None and self._memo is not None:
            known = self._memo.contexts.get(id(active_ctx))
            if known is not None and known[0] is active_ctx and type(value) is str:
                terms = known[1]
                key = (value, base)
                try:
                    return terms[key]
                except KeyError:
                    pass
                except TypeError:  # an unhashable base: not ours to cache
                    return super()._expand_iri(active_ctx, value, base=base, vocab=vocab)
                iri = super()._expand_iri(active_ctx, value, base=base, vocab=vocab)
                if len(terms) >= _MEMO_MAX_TERMS:
                    terms.clear()
                terms[key] = iri
                return iri
        return super()._expand_iri(
            active_ctx, value, base=base, vocab=vocab, local_ctx=local_ctx, defined=defined
        )

    # RDF conversion hooks: the last line of defence. Everything pyld would skip here as "not
    # valid RDF" is refused instead (JSON-LD 1.1 API §8.1 / jsonld.js toRdf events).

    def _graph_to_rdf(self, graph: Any, issuer: Any, options: Any) -> Any:
        for node_id, node in graph.items():
            for prop in node:
                if prop == "@type":
                    continue
                if jsonld._is_keyword(prop):
                    continue
                if not _is_absolute(node_id):
                    raise _value_error(
                        f"the node id {node_id!r} is a relative IRI "
                        "(jsonld.js safe mode: 'relative subject reference')",
                        _HINT_IRI,
                        node_id,
                    )
                if not _is_absolute(prop):
                    raise _value_error(
                        f"the property {prop!r} is a relative IRI "
                        "(jsonld.js safe mode: 'relative predicate reference')",
                        _HINT_TERM,
                        prop,
                    )
                if prop.startswith("_:"):
                    raise _value_error(
                        f"the property {prop!r} is a blank node "
                        "(jsonld.js safe mode: 'blank node predicate')",
                        _HINT_TERM,
                        prop,
                    )
        return super()._graph_to_rdf(graph, issuer, options)

    def _object_to_rdf(self, item: Any, issuer: Any, triples: Any, options: Any) -> Any:
        if jsonld._is_value(item):
            literal = _number_literal(item)
            if literal is not None:
                return literal
        result = super()._object_to_rdf(item, issuer, triples, options)
        if result is None:
            value = item.get("@id") if isinstance(item, dict) else item
            raise _value_error(
                f"the value {value!r} is a relative IRI "
                "(jsonld.js safe mode: 'relative object reference')",
                _HINT_IRI,
                value,
            )
        return result


def _item_path(key_path: Callable[[], str], value: Any, i: int) -> Callable[[], str]:
    """The path of the i-th item of value (value itself when it is not a list), built lazily."""
    if not isinstance(value, list):
        return key_path
    return lambda: f"{key_path()}[{i}]"


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _number_literal(item: dict[str, Any]) -> dict[str, str] | None:
    """The RDF literal jsonld.js 9 toRdf writes for a numeric value object (None: not numeric)."""
    value = item["@value"]
    datatype = item.get("@type")
    if datatype == "@json" or isinstance(value, bool):
        return None
    if isinstance(value, str):
        if datatype != XSD_DOUBLE:
            return None
        # jsonld.js applies parseFloat() (lenient: "1.5abc" -> 1.5, "abc" -> NaN); pyld keeps
        # unparsable strings. Only plain decimal numbers read the same in both.
        if not re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?", value.strip()):
            raise CanonicalizationError(
                f"the xsd:double value {value!r} is not a decimal number",
                hint="write the number as a JSON number",
            )
        number = float(value)
        if not math.isfinite(number):
            raise CanonicalizationError(
                f"the xsd:double value {value!r} is not finite",
                hint="write the number as a finite JSON number",
            )
        return {"type": "literal", "value": _js_double(number), "datatype": XSD_DOUBLE}
    if not isinstance(value, (int, float)):
        return None
    # jsonld.js toRdf: isDouble(value) || datatype == xsd:double -> toExponential(15) form;
    # other numbers -> toFixed(0). _prepare has already turned integral floats below 1e21 into
    # ints, so here "double" means float.
    if isinstance(value, float) or datatype == XSD_DOUBLE:
        return {
            "type": "literal",
            "value": _js_double(float(value)),
            "datatype": datatype or XSD_DOUBLE,
        }
    return {"type": "literal", "value": str(value), "datatype": datatype or XSD_INTEGER}


def _js_double(number: float) -> str:
    """``number.toExponential(15).replace(/(\\d)0*e\\+?/, '$1E')``, exactly as JavaScript does it.

    Python's ``format(x, '.15E')`` rounds exact ties to even; ECMA-262 Number.prototype.
    toExponential picks the larger candidate (ties away from zero), e.g. 2**-24 =
    5.9604644775390625e-8 gives ...063 in JavaScript and ...062 in Python.
    """
    sign = "-" if number < 0 else ""
    exact = abs(Decimal(number))
    if exact == 0:
        digits, exponent = "0" * 16, 0
    else:
        exponent = exact.adjusted()
        scaled = exact.scaleb(15 - exponent).quantize(Decimal(1), rounding=ROUND_HALF_UP)
        if scaled >= 10**16:
            scaled = (scaled / 10).quantize(Decimal(1), rounding=ROUND_HALF_UP)
            exponent += 1
        digits = str(int(scaled))
    text = f"{sign}{digits[0]}.{digits[1:]}e{'+' if exponent >= 0 else '-'}{abs(exponent)}"
    return re.sub(r"(\d)0*e\+?", r"\1E", text, count=1)


# --- RDFC-1.0 with the RDFC-1.0 serialization ----------------------------------------------------


def _escape_literal(text: str) -> str:
    if not _LITERAL_NEEDS_ESCAPE.search(text):
        return text
    return _LITERAL_NEEDS_ESCAPE.sub(
        lambda m: _LITERAL_ESCAPES.get(m.group(), f"\\u{ord(m.group()):04X}"), text
    )


def _iri(value: str) -> str:
    if _IRI_FORBIDDEN.search(value):
        raise _value_error(
            f"the IRI {value!r} contains characters that are not allowed in an IRI",
            _HINT_IRI,
            value,
        )
    return f"<{value}>"


def _term(component: dict[str, Any]) -> str:
    if component["type"] == "IRI":
        return _iri(component["value"])
    return str(component["value"])


def serialize_quad(quad: dict[str, Any]) -> str:
    """Return one canonical N-Quads line (RDFC-1.0 appendix A); raise CanonicalizationError."""
    obj = quad["object"]
    if obj["type"] == "literal":
        text = f'"{_escape_literal(obj["value"])}"'
        if obj["datatype"] == RDF_LANGSTRING:
            if obj.get("language"):
                text += "@" + obj["language"]
        elif obj["datatype"] != XSD_STRING:
            text += "^^" + _iri(obj["datatype"])
    else:
        text = _term(obj)
    line = f"{_term(quad['subject'])} {_term(quad['predicate'])} {text}"
    name = quad.get("name")
    if name is not None and name.get("value") is not None:
        line += " " + _term(name)
    return line + " .\n"


def _utf16_order(line: str) -> bytes:
    # rdf-canonize sorts with JavaScript's Array.prototype.sort(), i.e. by UTF-16 code units,
    # where RDFC-1.0 §4.9 (Serialization) says code point order. They differ only when a line
    # has a character above U+FFFF where another has one in U+E000-U+FFFF; we follow the
    # verifiers that exist.
    return line.encode("utf-16-be", "surrogatepass")


class _Rdfc10(URDNA2015):  # type: ignore[misc]  # pyld is untyped
    """pyld's URDNA2015 (same algorithm as RDFC-1.0) with RDFC-1.0's N-Quads escaping.

    The escaping matters inside the algorithm too: Hash First Degree Quads hashes serialized
    quads, so blank-node labels (not just the final text) depend on it.
    """

    def __init__(self, hash_algorithm: str = "sha256") -> None:
        super().__init__()
        self._remaining_deep_iterations: int | None = None
        self._hash = _RDFC_HASHES[hash_algorithm]

    def create_hash(self) -> Any:
        # RDFC-1.0 §4.2: the hash algorithm is a parameter of the algorithm (SHA-256 default).
        return self._hash()

    def canonize(self, dataset: dict[str, list[dict[str, Any]]]) -> str:
        # RDFC-1.0 §4.4.3 (canonicalization algorithm): pyld's main() issues the canonical
        # identifiers and relabels the blank nodes of self.quads in place; the last step, the
        # serialized canonical form (§4.9), is redone here with the canonical N-Quads
        # serializer and rdf-canonize's sort order.
        self.main(dataset, {"format": "application/n-quads"})
        return "".join(sorted((serialize_quad(quad) for quad in self.quads), key=_utf16_order))

    def hash_first_degree_quads(self, id_: str) -> Any:
        # RDFC-1.0 §4.6.3 Hash First Degree Quads.
        info = self.blank_node_info[id_]
        if "hash" in info:
            return info["hash"]
        nquads = []
        # step 3: serialize each quad mentioning the node, the reference node as _:a and any
        # other blank node as _:z.
        # (pyld's modify_first_degree_component deep-copies each component to change its value;
        # components hold only strings, so a shallow copy is the same and much cheaper.)
        for quad in info["quads"]:
            relabelled = {}
            for key, component in quad.items():
                if key != "predicate" and component["type"] == "blank node":
                    label = "_:a" if component["value"] == id_ else "_:z"
                    component = {**component, "value": label}
                relabelled[key] = component
            nquads.append(serialize_quad(relabelled))
        # steps 4-5: sort, join and hash.
        nquads.sort(key=_utf16_order)
        info["hash"] = self.hash_nquads(nquads)
        return info["hash"]

    def hash_n_degree_quads(self, id_: str, issuer: Any) -> Any:
        # RDFC-1.0 §4.8.3 (Hash N-Degree Quads) bounded as rdf-canonize 5 does by default.
        if self._remaining_deep_iterations is None:
            non_unique = sum(len(ids) for ids in self.hash_to_blank_nodes.values())
            self._remaining_deep_iterations = non_unique**_MAX_WORK_FACTOR
        if self._remaining_deep_iterations <= 0:
            raise CanonicalizationError(
                "the document's blank nodes are too interlinked to canonicalize "
                "(RDFC-1.0 maximum work exceeded)",
                hint="give nodes ids (urn:uuid:...) instead of many identical anonymous objects",
            )
        self._remaining_deep_iterations -= 1
        return super().hash_n_degree_quads(id_, issuer)


# --- context resolution --------------------------------------------------------------------------


class _ImportRefused(CanonicalizationError):
    """A context uses @import (raised before pyld acts on it; _SafeProcessor adds the path)."""


class _SafeContextResolver(ContextResolver):  # type: ignore[misc]  # pyld is untyped
    """pyld's ContextResolver, refusing any context that uses @import.

    pyld 3.3 implements @import by merging the importing context *into the cached document of
    the imported one* (``import_ctx.update(ctx)``) and storing that merge as the imported
    context's "processed" form. The loader's cache is shared by every document it serves, so one
    document could define terms for the next (an undefined, unsigned property then canonicalized
    as if defined, defeating safe mode) or make it crash. Refusing here, before pyld processes
    the context, leaves the shared cache untouched. No shipped context uses @import, and neither
    do Open Badges or VC 2.0 credentials.
    """

    def resolve(self, active_ctx: Any, context: Any, base: Any, cycles: Any = None) -> Any:
        resolved = super().resolve(active_ctx, context, base, cycles)
        for item in resolved:
            if _uses_import(item.document):
                raise _ImportRefused(
                    "the context uses @import, which credstack refuses (pyld would merge it "
                    "into the shared copy of the imported context)",
                    hint="list the imported context URL in @context before the local definitions "
                    "instead of using @import",
                )
        return resolved


def _uses_import(document: Any) -> bool:
    # pyld processes {"@context": {...}} as its inner object (_process_context dereferences it),
    # so look through such wrappers too.
    while isinstance(document, dict):
        if "@import" in document:
            return True
        document = document.get("@context")
    return False


# --- memoized context processing ---------------------------------------------------------------
#
# pyld caches a processed context per (context document, active context _uuid), but every
# type-scoped context with "@propagate": false (all of OB 3.0's: Achievement, Profile,
# IdentityObject, ...) is applied to a fresh clone with a fresh _uuid, so pyld reprocesses the
# scoped context (term definitions, nested scoped contexts, cache keys in JCS) for every node of
# every document. _ContextMemo remembers the result of _process_context instead, keyed by
#
# * the identity of the active context, accepted only when it is pyld's frozendict (processed
#   contexts are frozen; their term definitions are never changed afterwards: pyld clones the
#   mappings before defining terms) and kept alive by the entry, so the id cannot be reused;
# * the exact value of the local context: the string itself (a context URL), or marshal (format
#   2) of the JSON value, which is injective and type-exact (True/1/1.0, list/tuple differ) and
#   refuses anything but plain JSON types, in which case nothing is memoized;
# * the processing flags (override_protected, propagate, validate_scoped) and options.
#
# Only successful, frozen results are kept; errors are recomputed (and raised) every time. The
# memo belongs to one loader, like pyld's resolved-context cache: it only ever holds what that
# loader served. Foreign loaders (no resolved_context_cache) get a memo per call.
# Because results are the very same objects on every hit, the active contexts along a document
# are stable, which makes the per-context cache of expanded IRIs effective as well.

_FROZEN = type(jsonld.freeze({}))
# Past this many entries the memo starts again (a document with ever-new inline contexts must
# not grow it without bound). Our credentials need a few dozen.
_MEMO_MAX_ENTRIES = 4096
# Expanded terms kept per active context (property and type names; OB credentials use ~100).
_MEMO_MAX_TERMS = 4096
#: False: no memo, every context is processed by pyld (with pyld's own caches), as before.
_MEMOIZE = _FROZEN is not dict
# Entries of the resolved-context cache for overriding contexts (pyld's default size, like the
# loaders' own caches).
_RESOLVED_CACHE_SIZE = 100


class _ContextMemo:
    __slots__ = ("contexts", "processed")

    def __init__(self) -> None:
        # key -> (active context, processed context)
        self.processed: dict[tuple[Any, ...], tuple[Any, Any]] = {}
        # id(context) -> (context, {(term, base): its expansion with vocab=True})
        self.contexts: dict[int, tuple[Any, dict[tuple[Any, Any], Any]]] = {}

    def key(
        self, active_ctx: Any, local_ctx: Any, options: dict[str, Any], flags: dict[str, Any]
    ) -> tuple[Any, ...] | None:
        if type(active_ctx) is not _FROZEN:
            return None
        if type(local_ctx) is str:
            local_key: Any = local_ctx
        else:
            try:
                local_key = marshal.dumps(local_ctx, 2)
            except ValueError:  # not plain JSON data
                return None
        base = options.get("base")
        mode = options.get("processingMode")
        if not (base is None or type(base) is str) or not (mode is None or type(mode) is str):
            return None
        return (
            id(active_ctx),
            local_key,
            bool(flags.get("override_protected", False)),
            bool(flags.get("propagate", True)),
            bool(flags.get("validate_scoped", True)),
            base,
            mode,
        )

    def remember(self, key: tuple[Any, ...], active_ctx: Any, result: Any) -> None:
        if type(result) is not _FROZEN:
            return
        if len(self.processed) >= _MEMO_MAX_ENTRIES:
            self.processed.clear()
            self.contexts.clear()
        self.processed[key] = (active_ctx, result)
        for context in (active_ctx, result):
            if id(context) not in self.contexts:
                self.contexts[id(context)] = (context, {})


class _LoaderState:
    """What canonize keeps for one loader: pyld's resolved-context caches and the memo."""

    __slots__ = ("memo", "resolved", "resolved_overriding")

    def __init__(self, resolved: Any, resolved_overriding: Any) -> None:
        # The loader's own cache (pyld's ContextResolver uses .get and []=), and one for contexts
        # processed with override_protected (see _SafeProcessor._process_context).
        self.resolved = resolved
        self.resolved_overriding = resolved_overriding
        self.memo = _ContextMemo()


# Loader -> its state. Weak, so that a discarded loader takes its state along.
_STATES: weakref.WeakKeyDictionary[Any, _LoaderState] = weakref.WeakKeyDictionary()


def _state_for(loader: Loader) -> _LoaderState:
    resolved = getattr(loader, "resolved_context_cache", None)
    if resolved is None:
        # A foreign loader: private caches per call, so nothing it served leaks to other loaders
        # (or to a later call, should it serve something else).
        return _LoaderState({}, {})
    try:
        state = _STATES.get(loader)
        if state is None or state.resolved is not resolved:
            state = _STATES[loader] = _LoaderState(resolved, LRUCache(_RESOLVED_CACHE_SIZE))
    except TypeError:  # neither hashable nor weakly referenceable: the rest per call
        return _LoaderState(resolved, {})
    return state


# --- plumbing -----------------------------------------------------------------------------------


def _check_pyld_version() -> None:
    version = pyld.__about__.__version__
    if not version.startswith(_PYLD_SUPPORTED):
        raise CanonicalizationError(
            f"pyld {version} is installed; credstack's safe-mode canonicalization was verified "
            f"against pyld {', '.join(v + 'x' for v in _PYLD_SUPPORTED)} only",
            hint="install a supported pyld (pip install 'pyld==3.3.*')",
        )


def _causes(error: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _from_jsonld_error(error: jsonld.JsonLdError) -> CanonicalizationError:
    chain = list(_causes(error))
    for cause in chain:
        # Our own errors (e.g. the loader refusing a URL) arrive wrapped by pyld.
        if isinstance(cause, CanonicalizationError):
            return cause
    # pyld wraps the real problem ("invalid @id value") in generic "could not expand" errors.
    coded = [c for c in chain if isinstance(c, jsonld.JsonLdError) and c.code]
    innermost = coded[0] if coded else chain[-1]
    message = str(innermost.args[0]) if innermost.args else type(innermost).__name__
    code = getattr(innermost, "code", None)
    return CanonicalizationError(
        f"the document is not valid JSON-LD: {message}" + (f" ({code})" if code else ""),
        hint="check the @context and the shape of the document against VC 2.0 / OB 3.0.3",
    )


def _value_error(message: str, hint: str, value: Any) -> CanonicalizationError:
    # Raised where pyld only has expanded values; canonize() then adds the JSON path.
    error = CanonicalizationError(message, hint=hint)
    error.offending_value = value  # type: ignore[attr-defined]
    return error


def _locate(error: CanonicalizationError, document: Any, root: str) -> CanonicalizationError:
    """Prefix error with the JSON path of its offending value, when the document has it."""
    value = getattr(error, "offending_value", None)
    if not isinstance(value, str) or not value:
        return error
    candidates = list(_strings(document, root))
    exact = [path for path, text in candidates if text == value]
    # An expanded IRI contains its compact form (prefix:suffix, or @vocab + term).
    partial = sorted(
        ((len(text), path) for path, text in candidates if text and text in value), reverse=True
    )
    paths = exact or [path for _, path in partial]
    if not paths:
        return error
    return CanonicalizationError(f"{paths[0]}: {error.message}", hint=error.hint, code=error.code)


def _strings(value: Any, path: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "@context":
                continue
            yield _child(path, key), key
            yield from _strings(item, _child(path, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _strings(item, f"{path}[{i}]")
    elif isinstance(value, str):
        yield path, value

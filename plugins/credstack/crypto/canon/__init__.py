"""RDF Dataset Canonicalization (RDFC-1.0) of JSON-LD documents, failing closed like jsonld.js.

A Data Integrity signature covers the canonical N-Quads of a credential, not its JSON. Anything
JSON-LD expansion silently drops or rewrites is therefore *unsigned*: plain pyld turns undefined
terms into nothing and relative IRIs into ``http://example.org/base/...``, so a credential with an
extra, unsigned property still verified. This package runs pyld with the semantics of jsonld.js
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
  see ``memo.SafeContextResolver``).

Where pyld and jsonld.js would produce different bytes for the same JSON, we match jsonld.js 9 /
rdf-canonize 5 (RDFC-1.0) or refuse; see ``rdfc._escape_literal``, ``rdfc._js_double`` and
``prepass.prepare``.

Speed: processed contexts are memoized per loader (``memo.ContextMemo``): pyld would otherwise
reprocess every type-scoped OB context (Achievement, Profile, IdentityObject, ...) at every node
of every document. The memo returns the very objects pyld produced, so the output is unchanged;
``_MEMOIZE = False`` runs pyld's own processing, and tests/unit/crypto/test_canon_memo.py checks
that both give the same bytes and errors.

A ``null`` property value or an empty array adds no statement in JSON-LD, so both stacks accept
them without changing the canonical form; this is JSON-LD semantics, not a loss of signed data.

This module is the entry point (:func:`canonize`, :func:`is_absolute_iri`,
:func:`check_portable_text`) and turns pyld's failures into errors that name the JSON path. The
steps live beside it: ``prepass`` (the JSON pre-pass: numbers and strings as JavaScript reads
them), ``safe`` (the safe-mode processor), ``memo`` (context resolution: no ``@import``, processed
contexts memoized) and ``rdfc`` (RDFC-1.0 with its canonical N-Quads and jsonld.js's numbers).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pyld
from pyld import jsonld
from pyld.identifier_issuer import IdentifierIssuer

from credstack.crypto import contexts
from credstack.crypto.canon.memo import FROZEN, Loader, SafeContextResolver, state_for
from credstack.crypto.canon.prepass import NotPlain, prepare, prepare_plain, strings
from credstack.crypto.canon.rdfc import IRI_FORBIDDEN, RDFC_HASHES, Rdfc10
from credstack.crypto.canon.safe import SafeProcessor, is_absolute
from credstack.errors import CanonicalizationError

# The safe-mode hooks (safe.py, rdfc.py) override pyld internals (_expand, _expand_object,
# _graph_to_rdf, _object_to_rdf, URDNA2015.hash_first_degree_quads). They were written against
# pyld 3.3.x and checked against jsonld.js; another pyld could drop data without passing through
# them.
_PYLD_SUPPORTED = ("3.3.",)
# Control characters every N-Quads stack writes alike are tab, LF and CR... almost: tab is
# written raw by rdf-canonize 3 (jsonld 8) and as \t by RDFC-1.0. Tab stays allowed because
# narratives need it; the others have no use in credential text.
_UNPORTABLE_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
#: False: no memo, every context is processed by pyld (with pyld's own caches), as before.
_MEMOIZE = FROZEN is not dict


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
    if hash_algorithm not in RDFC_HASHES:
        raise CanonicalizationError(f"RDFC-1.0 hash {hash_algorithm!r} is not supported")
    _check_pyld_version()
    if not isinstance(document, dict):
        raise CanonicalizationError(
            f"expected a JSON object, got {type(document).__name__}",
            hint="pass the credential as a dict parsed from JSON",
        )
    loader = document_loader if document_loader is not None else contexts.document_loader
    try:
        prepared = prepare_plain(document)
    except NotPlain:
        # Something to convert or refuse: the full pass, which names the JSON path.
        prepared = prepare(document, json_path)
    state = state_for(loader)
    resolver = SafeContextResolver(state.resolved, loader)
    processor = SafeProcessor(
        json_path,
        resolver,
        SafeContextResolver(state.resolved_overriding, loader),
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
        return Rdfc10(hash_algorithm).canonize(dataset)
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
    return is_absolute(value) and not IRI_FORBIDDEN.search(value)


def check_portable_text(document: Any) -> None:
    """Raise CanonicalizationError at the first string with a control character but tab/LF/CR."""
    for path, text in strings(document, "$"):
        match = _UNPORTABLE_TEXT.search(text)
        if match:
            raise CanonicalizationError(
                f"{path}: the text contains U+{ord(match.group()):04X} (a control character or "
                "noncharacter)",
                hint="remove it: RDFC-1.0 (jsonld.js 9) and jsonld.js 8 verifiers canonicalize "
                "it differently, so some verifiers would reject the signature",
            )


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


def _locate(error: CanonicalizationError, document: Any, root: str) -> CanonicalizationError:
    """Prefix error with the JSON path of its offending value, when the document has it."""
    value = getattr(error, "offending_value", None)
    if not isinstance(value, str) or not value:
        return error
    candidates = list(strings(document, root))
    exact = [path for path, text in candidates if text == value]
    # An expanded IRI contains its compact form (prefix:suffix, or @vocab + term).
    partial = sorted(
        ((len(text), path) for path, text in candidates if text and text in value), reverse=True
    )
    paths = exact or [path for _, path in partial]
    if not paths:
        return error
    return CanonicalizationError(f"{paths[0]}: {error.message}", hint=error.hint, code=error.code)

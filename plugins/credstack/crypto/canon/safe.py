"""jsonld.js "safe mode" on top of pyld: refuse, naming the JSON path, what expansion would drop.

:class:`SafeProcessor` is pyld's JSON-LD processor with a check at each place JSON-LD 1.1
expansion (§13, §19) or RDF conversion (JSON-LD 1.1 API §8.1) silently drops or rewrites data,
raising the event jsonld.js safe mode raises there ("invalid property", "relative @id reference",
"dropped value", ...); the list is in the docstring of :mod:`credstack.crypto.canon`. It also
processes contexts through the memo (:mod:`credstack.crypto.canon.memo`) and writes numeric
literals as jsonld.js does (:func:`credstack.crypto.canon.rdfc.number_literal`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from pyld import jsonld
from pyld.context_resolver import ContextResolver

from credstack.crypto.canon.memo import ContextMemo, ImportRefused
from credstack.crypto.canon.prepass import child
from credstack.crypto.canon.rdfc import HINT_IRI, IRI_FORBIDDEN, number_literal, value_error
from credstack.errors import CanonicalizationError

# jsonld.js _isAbsoluteIri: a scheme (or "_" for blank nodes), a colon and no whitespace.
_ABSOLUTE_IRI = re.compile(r"^([A-Za-z][A-Za-z0-9+\-.]*|_):[^\s]*$")
# jsonld.js REGEX_BCP47: the well-formedness check behind the "invalid @language value" event.
_BCP47 = re.compile(r"^[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*$")
# Expanded terms kept per active context (property and type names; OB credentials use ~100).
_MEMO_MAX_TERMS = 4096


def is_absolute(iri: Any) -> bool:
    """Whether ``iri`` is absolute as jsonld.js ``_isAbsoluteIri`` decides (or a blank node)."""
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
_NO_DIRECTION = "@direction has no place in the canonical RDF (rdfDirection is not set)"
_HINT_DROPPED = "remove the value or give it properties: JSON-LD would drop it, leaving it unsigned"


class SafeProcessor(jsonld.JsonLdProcessor):  # type: ignore[misc]  # pyld is untyped
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
        memo: ContextMemo | None = None,
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
            return child(parent_path, str(step))
        # A scalar: find it in the container being expanded.
        if self._stack:
            parent = self._stack[-1]
            parent_path = self._path_of(parent)
            if isinstance(parent, dict):
                for key, item in parent.items():
                    if item is element:
                        return child(parent_path, key)
                if active_property is not None:
                    return child(parent_path, active_property)
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
                HINT_IRI,
            )
        if not is_absolute(expanded):
            raise _unsafe(path(), f"{original!r} is a relative IRI", event, HINT_IRI)
        if IRI_FORBIDDEN.search(expanded):
            # Not a jsonld.js event: rdf-canonize 5 would escape these as \uXXXX and older
            # stacks would not, so the signature would depend on the verifier.
            raise CanonicalizationError(
                f"{path()}: {original!r} contains characters that are not allowed in an IRI",
                hint=HINT_IRI,
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
                return child(self._path_of(element), key)

            # Same expansion pyld performs next, with the same active context.
            expanded = self._expand_iri(active_ctx, key, vocab=True)
            if expanded is None or not (is_absolute(expanded) or jsonld._is_keyword(expanded)):
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
            if IRI_FORBIDDEN.search(expanded):
                raise CanonicalizationError(
                    f"{key_path()}: property {key!r} expands to {expanded!r}, which is not a "
                    "valid IRI",
                    hint=_HINT_TERM,
                )
            if expanded == "@id":
                for i, item in enumerate(value if isinstance(value, list) else [value]):
                    item_path = _item_path(key_path, value, i)
                    if item is None:
                        raise _unsafe(item_path(), "@id is null", "null @id value", HINT_IRI)
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
                    child(path, key),
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
        except ImportRefused as error:
            where = self._path_of(self._stack[-1]) if self._stack else self._root
            raise CanonicalizationError(
                f"{child(where, '@context')}: {error.message}", hint=error.hint
            ) from None
        vocab = result.get("@vocab")
        if vocab is not None and not is_absolute(vocab):
            # JSON-LD 1.1 allows a relative @vocab (resolved against the base, which we leave
            # unset); jsonld.js safe mode refuses it, and so do we.
            raise _unsafe(
                child(self._path_of(self._stack[-1]) if self._stack else self._root, "@context"),
                f"@vocab {vocab!r} is a relative IRI",
                "relative @vocab reference",
                HINT_IRI,
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
                if not is_absolute(node_id):
                    raise value_error(
                        f"the node id {node_id!r} is a relative IRI "
                        "(jsonld.js safe mode: 'relative subject reference')",
                        HINT_IRI,
                        node_id,
                    )
                if not is_absolute(prop):
                    raise value_error(
                        f"the property {prop!r} is a relative IRI "
                        "(jsonld.js safe mode: 'relative predicate reference')",
                        _HINT_TERM,
                        prop,
                    )
                if prop.startswith("_:"):
                    raise value_error(
                        f"the property {prop!r} is a blank node "
                        "(jsonld.js safe mode: 'blank node predicate')",
                        _HINT_TERM,
                        prop,
                    )
        return super()._graph_to_rdf(graph, issuer, options)

    def _object_to_rdf(self, item: Any, issuer: Any, triples: Any, options: Any) -> Any:
        if jsonld._is_value(item):
            literal = number_literal(item)
            if literal is not None:
                return literal
        result = super()._object_to_rdf(item, issuer, triples, options)
        if result is None:
            value = item.get("@id") if isinstance(item, dict) else item
            raise value_error(
                f"the value {value!r} is a relative IRI "
                "(jsonld.js safe mode: 'relative object reference')",
                HINT_IRI,
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

"""Context resolution for canonicalization: no ``@import``, and processed contexts memoized.

:class:`SafeContextResolver` is pyld's resolver refusing any context that uses ``@import`` (pyld
3.3 would merge it into the loader's shared copy of the imported context). :class:`ContextMemo`
remembers the contexts pyld processed, per loader (:func:`state_for`), so that type-scoped OB
contexts are not reprocessed at every node of every document; it returns the very objects pyld
produced, so the canonical form is unchanged (tests/unit/crypto/test_canon_memo.py).
"""

from __future__ import annotations

import marshal
import weakref
from collections.abc import Callable
from typing import Any

from cachetools import LRUCache
from pyld import jsonld
from pyld.context_resolver import ContextResolver

from credstack.errors import CanonicalizationError

Loader = Callable[..., dict[str, Any]]


class ImportRefused(CanonicalizationError):
    """A context uses @import (raised before pyld acts on it; SafeProcessor adds the path)."""


class SafeContextResolver(ContextResolver):  # type: ignore[misc]  # pyld is untyped
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
                raise ImportRefused(
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
# every document. ContextMemo remembers the result of _process_context instead, keyed by
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

FROZEN = type(jsonld.freeze({}))
# Past this many entries the memo starts again (a document with ever-new inline contexts must
# not grow it without bound). Our credentials need a few dozen.
_MEMO_MAX_ENTRIES = 4096
# Entries of the resolved-context cache for overriding contexts (pyld's default size, like the
# loaders' own caches).
_RESOLVED_CACHE_SIZE = 100


class ContextMemo:
    """Processed contexts by (active context, local context, flags), and expanded terms."""

    __slots__ = ("contexts", "processed")

    def __init__(self) -> None:
        # key -> (active context, processed context)
        self.processed: dict[tuple[Any, ...], tuple[Any, Any]] = {}
        # id(context) -> (context, {(term, base): its expansion with vocab=True})
        self.contexts: dict[int, tuple[Any, dict[tuple[Any, Any], Any]]] = {}

    def key(
        self, active_ctx: Any, local_ctx: Any, options: dict[str, Any], flags: dict[str, Any]
    ) -> tuple[Any, ...] | None:
        if type(active_ctx) is not FROZEN:
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
        if type(result) is not FROZEN:
            return
        if len(self.processed) >= _MEMO_MAX_ENTRIES:
            self.processed.clear()
            self.contexts.clear()
        self.processed[key] = (active_ctx, result)
        for context in (active_ctx, result):
            if id(context) not in self.contexts:
                self.contexts[id(context)] = (context, {})


class LoaderState:
    """What canonize keeps for one loader: pyld's resolved-context caches and the memo."""

    __slots__ = ("memo", "resolved", "resolved_overriding")

    def __init__(self, resolved: Any, resolved_overriding: Any) -> None:
        # The loader's own cache (pyld's ContextResolver uses .get and []=), and one for contexts
        # processed with override_protected (see SafeProcessor._process_context).
        self.resolved = resolved
        self.resolved_overriding = resolved_overriding
        self.memo = ContextMemo()


# Loader -> its state. Weak, so that a discarded loader takes its state along.
_STATES: weakref.WeakKeyDictionary[Any, LoaderState] = weakref.WeakKeyDictionary()


def state_for(loader: Loader) -> LoaderState:
    """The caches and memo canonize uses for ``loader`` (private ones for a foreign loader)."""
    resolved = getattr(loader, "resolved_context_cache", None)
    if resolved is None:
        # A foreign loader: private caches per call, so nothing it served leaks to other loaders
        # (or to a later call, should it serve something else).
        return LoaderState({}, {})
    try:
        state = _STATES.get(loader)
        if state is None or state.resolved is not resolved:
            state = _STATES[loader] = LoaderState(resolved, LRUCache(_RESOLVED_CACHE_SIZE))
    except TypeError:  # neither hashable nor weakly referenceable: the rest per call
        return LoaderState(resolved, {})
    return state

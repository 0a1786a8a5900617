"""canon's memoized context processing gives the bytes and errors of pyld's own processing.

The reference ("plain path") is the JSON-LD context processing algorithm as pyld implements it,
with nothing remembered: canon._MEMOIZE = False, a fresh loader for every document, and pyld's
processed-context cache switched off, so every context is processed from scratch wherever it
is used. The memoized path shares one loader (and so one memo and pyld's caches) across the
whole corpus, in two orders, as a long ``credstack verify`` run does.
"""

from __future__ import annotations

import copy
import decimal
import hashlib
import json
import math
import random
from pathlib import Path
from typing import Any

import pytest
from pyld import jsonld
from pyld.canon import URDNA2015
from pyld.resolved_context import ResolvedContext

from credstack.crypto import canon
from credstack.crypto.canon import canonize, memo, prepass, rdfc, safe
from credstack.crypto.contexts import make_document_loader
from credstack.errors import CanonicalizationError

from .conftest import TEST_ONLY_CONTEXTS, VECTORS, load_vector

ISSUED = Path(__file__).resolve().parents[3] / "issued" / "credentials"
V2 = "https://www.w3.org/ns/credentials/v2"
OB = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
DI = "https://w3id.org/security/data-integrity/v2"
EXTRA = {
    url: json.loads((VECTORS / "contexts" / filename).read_text(encoding="utf-8"))
    for url, filename in TEST_ONLY_CONTEXTS.items()
}


def _outcome(document: Any, loader: Any, json_path: str = "$") -> tuple[str, ...]:
    try:
        return ("ok", canonize(document, document_loader=loader, json_path=json_path))
    except CanonicalizationError as error:
        return ("refused", str(error), str(error.hint))
    except Exception as error:  # pyld's own crashes (ValueError, ...) must match too
        return ("crash", type(error).__name__, str(error))


def _plain(document: Any, json_path: str = "$") -> tuple[str, ...]:
    memoize, get_processed = canon._MEMOIZE, ResolvedContext.get_processed
    canon._MEMOIZE = False
    ResolvedContext.get_processed = lambda self, active_ctx: None  # type: ignore[method-assign]
    try:
        return _outcome(document, make_document_loader(EXTRA), json_path)
    finally:
        canon._MEMOIZE, ResolvedContext.get_processed = memoize, get_processed


# --- the corpus ---------------------------------------------------------------------------


def _issued() -> list[tuple[str, dict[str, Any], str]]:
    out = []
    for path in sorted(ISSUED.glob("*.json")):
        signed = json.loads(path.read_text(encoding="utf-8"))
        unsigned = {k: v for k, v in signed.items() if k != "proof"}
        out.append((f"issued {path.stem}", unsigned, "$"))
        out.append((f"issued {path.stem} with proof", signed, "$"))
        for proof in signed.get("proof", []):
            # The proof configuration exactly as proof.proof_hashes canonicalizes it.
            config = {k: v for k, v in proof.items() if k != "proofValue"}
            config["@context"] = signed["@context"]
            out.append((f"issued {path.stem} proof config", config, "$.proof[0]"))
    return out


def _vectors() -> list[tuple[str, dict[str, Any], str]]:
    ob = load_vector("ob-v3p0-eddsa-rdfc-2022.json")
    out = [
        ("OB vector", ob["unsignedDocument"], "$"),
        ("OB vector signed", ob["expected"]["signedDocument"], "$"),
    ]
    for i, case in enumerate(load_vector("eddsa-rdfc-2022.json")["cases"]):
        out.append((f"W3C {i} document", case["unsignedDocument"], "$"))
        out.append((f"W3C {i} proof options", case["proofOptions"], "$.proof"))
    for case in load_vector("jsonld-js-parity.json")["cases"]:
        out.append((f"parity {case['name']}", json.loads(case["json"]), "$"))
    return out


# Mutations that move documents through every kind of context processing: type-scoped contexts
# of other types, inline, nested and property-scoped contexts, protected terms, null contexts,
# value shapes safe mode refuses, and the same context text with other JSON types.
_TYPES = [
    "Achievement", "AchievementSubject", "Alignment", "Profile", "Image", "IdentityObject",
    "Result", "ResultDescription", "Criteria", "Evidence", "Address", "EndorsementCredential",
    "1EdTechRevocationList", "DataIntegrityProof", "Learner", "ex:Type", "@json",
]  # fmt: skip
_CONTEXTS: list[Any] = [
    V2, OB, DI, "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json",
    "https://www.w3.org/ns/credentials/examples/v2", "https://example.org/unknown", None, [],
    {"grade": "https://example.org/grade"},
    {"grade": "https://example.org/other-grade"},
    {"@vocab": "https://example.org/vocab#"}, {"@vocab": "terms/"},
    {"@protected": True, "name": "https://example.org/name"},
    {"@protected": 1, "grade": "https://example.org/grade"},
    {"@protected": True, "grade": "https://example.org/grade"},
    {"@propagate": False, "grade": "https://example.org/grade"},
    {"@version": 1.1, "grade": {"@id": "https://example.org/grade", "@type": "@id"}},
    {"@version": 1, "grade": "https://example.org/grade"},
    {"Foo": {"@id": "https://example.org/Foo", "@context": {"bar": "https://example.org/bar"}}},
    {"Achievement": {"@id": "https://example.org/A", "@context": {"name": "https://example.org/n"}}},
    {"name": {"@id": "https://schema.org/name", "@context": {"x": "https://example.org/x"}}},
    {"grade": {"@id": "https://example.org/grade", "@container": "@language"}},
    {"grade": {"@id": "https://example.org/grade", "@container": "@index"}},
    {"grade": {"@id": "https://example.org/grade", "@container": "@list"}},
    {"grade": {"@id": "https://example.org/grade", "@type": "@vocab"}},
    {"grade": {"@id": "https://example.org/grade", "@context": None}},
    {"Image": {"@id": "https://example.org/Image", "@context": [None, {"c": "https://ex.org/c"}]}},
    {"@base": "https://example.org/base/"}, {"@language": "en"}, {"@direction": "ltr"},
]  # fmt: skip
_KEYS = [
    "grade", "ex:grade", "@grade", "name", "id", "type", "image", "description", "_:b0",
    "https://example.org/p", "@value", "@language", "@direction", "@index", "@graph", "proof",
    "alignment", "identifier", "result", "creditsAvailable",
]  # fmt: skip
_VALUES: list[Any] = [
    "grade", "relative/iri", "@me", "", "a<b", "https://example.org/x", "urn:uuid:1", "_:b0",
    1e-7, 2**53, 3.0, 1.5, True, None, [], {}, {"@value": None}, {"@language": "en"},
    {"@value": "x", "@language": "en_GB"}, {"@value": "x", "@language": "fr-CA"},
    {"@id": "urn:x"}, {"@id": "rel"}, {"@value": "x", "@direction": "rtl"},
    {"type": "Image", "id": "https://example.org/i.png"}, {"type": ["Achievement"], "name": "n"},
    {"type": ["Profile"], "id": "https://example.org/p", "name": "p"}, "a\x01b", "tab\there",
    {"@list": ["a", "b"]},
]  # fmt: skip


def _objects(value: Any, out: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if isinstance(value, dict):
        out.append(value)
        for item in value.values():
            _objects(item, out)
    elif isinstance(value, list):
        for item in value:
            _objects(item, out)
    return out


def _mutated(bases: list[dict[str, Any]], count: int, seed: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        document = copy.deepcopy(rng.choice(bases))
        for _ in range(rng.choice([1, 1, 2, 3])):
            target = rng.choice(_objects(document, []))
            roll = rng.random()
            if roll < 0.3:
                target[rng.choice(_KEYS)] = copy.deepcopy(rng.choice(_VALUES))
            elif roll < 0.55:
                types = [rng.choice(_TYPES) for _ in range(rng.choice([1, 2]))]
                target["type"] = types if len(types) > 1 or rng.random() < 0.5 else types[0]
            elif roll < 0.85:
                context = copy.deepcopy(rng.choice(_CONTEXTS))
                if target is document and isinstance(document.get("@context"), list):
                    document["@context"].insert(
                        rng.randrange(len(document["@context"]) + 1), context
                    )
                else:
                    target["@context"] = context
            elif target:
                del target[rng.choice(list(target))]
        out.append(document)
    return out


def _corpus() -> list[tuple[str, dict[str, Any], str]]:
    corpus = _issued() + _vectors()
    bases = [document for name, document, _ in corpus if not name.startswith("parity")]
    corpus += [(f"mutation {i}", d, "$") for i, d in enumerate(_mutated(bases, 150, 20261128))]
    return corpus


@pytest.fixture(scope="module")
def corpus_with_plain() -> list[tuple[str, dict[str, Any], str, tuple[str, ...]]]:
    return [(name, doc, path, _plain(doc, path)) for name, doc, path in _corpus()]


# --- equivalence --------------------------------------------------------------------------


def test_the_corpus_covers_what_the_memo_must_get_right(corpus_with_plain):
    names = [name for name, *_ in corpus_with_plain]
    assert sum(name.startswith("issued ") for name in names) >= 3 * len(list(ISSUED.glob("*")))
    outcomes = [plain[0] for *_, plain in corpus_with_plain]
    # Enough of both: signed bytes to compare, and refusals whose messages must not change.
    assert outcomes.count("ok") > 100
    assert outcomes.count("refused") > 100


def test_memoized_path_gives_the_plain_bytes_and_errors(corpus_with_plain):
    loader = make_document_loader(EXTRA)
    for name, document, json_path, plain in corpus_with_plain:
        before = copy.deepcopy(document)
        assert _outcome(document, loader, json_path) == plain, name
        assert document == before, name
    # Again, in another order and with every context already memoized.
    shuffled = list(corpus_with_plain)
    random.Random(7).shuffle(shuffled)
    for name, document, json_path, plain in shuffled:
        assert _outcome(document, loader, json_path) == plain, name


def test_memo_that_keeps_restarting_gives_the_same_results(corpus_with_plain, monkeypatch):
    monkeypatch.setattr(memo, "_MEMO_MAX_ENTRIES", 3)
    monkeypatch.setattr(safe, "_MEMO_MAX_TERMS", 5)
    loader = make_document_loader(EXTRA)
    for name, document, json_path, plain in corpus_with_plain[::3]:
        assert _outcome(document, loader, json_path) == plain, name


def test_issued_credentials_still_verify():
    # Their proofValues were made before memoization: the signed canonical forms are unchanged.
    import yaml

    from credstack.crypto.keys import decode_multikey_public
    from credstack.crypto.proof import verify_proof

    keys_file = ISSUED.parents[1] / "program" / "keys.yml"
    keys = {
        entry["id"]: decode_multikey_public(entry["publicKeyMultibase"])
        for entry in yaml.safe_load(keys_file.read_text(encoding="utf-8"))["keys"]
    }
    verified = 0
    for path in sorted(ISSUED.glob("*.json")):
        signed = json.loads(path.read_text(encoding="utf-8"))
        key_id = signed["proof"][0]["verificationMethod"].rsplit("#", 1)[-1]
        verify_proof(signed, keys[key_id])
        verified += 1
    assert verified == len(list(ISSUED.glob("*.json")))


# --- the memo is used, and only where it may be -------------------------------------------


def _count_pyld_processing(monkeypatch) -> list[int]:
    calls = [0]
    original = jsonld.JsonLdProcessor._process_context

    def counting(self, *args, **kwargs):
        calls[0] += 1
        return original(self, *args, **kwargs)

    monkeypatch.setattr(jsonld.JsonLdProcessor, "_process_context", counting)
    return calls


def test_second_document_processes_no_context(ob_vector, monkeypatch):
    loader = make_document_loader()
    canonize(ob_vector["unsignedDocument"], document_loader=loader)
    calls = _count_pyld_processing(monkeypatch)
    out = canonize(ob_vector["unsignedDocument"], document_loader=loader)
    assert out == ob_vector["expected"]["canonicalDocument"]
    assert calls[0] == 0


def test_plain_switch_runs_pyld_processing(ob_vector, monkeypatch):
    loader = make_document_loader()
    canonize(ob_vector["unsignedDocument"], document_loader=loader)
    monkeypatch.setattr(canon, "_MEMOIZE", False)
    calls = _count_pyld_processing(monkeypatch)
    expected = ob_vector["expected"]["canonicalDocument"]
    assert canonize(ob_vector["unsignedDocument"], document_loader=loader) == expected
    assert calls[0] >= 4  # the document context and each type-scoped one, again


def test_memo_belongs_to_its_loader(ob_vector):
    grades = "https://example.org/grades"
    mine = make_document_loader({grades: {"@context": {"grade": "https://example.org/mine"}}})
    theirs = make_document_loader({grades: {"@context": {"grade": "https://example.org/theirs"}}})
    document = ob_vector["unsignedDocument"]
    document["@context"].append(grades)
    document["credentialSubject"]["grade"] = "A"
    for _ in range(2):
        assert "<https://example.org/mine>" in canonize(document, document_loader=mine)
        assert "<https://example.org/theirs>" in canonize(document, document_loader=theirs)
        with pytest.raises(CanonicalizationError, match="unknown JSON-LD context"):
            canonize(document)


def test_a_foreign_loader_is_asked_again_on_every_call(ob_vector):
    # A loader without resolved_context_cache gets nothing remembered between calls (as before).
    from credstack.crypto.contexts import load_context

    grades = "https://example.org/grades"
    served = {"grade": "https://example.org/first"}

    def loader(url, options=None):
        document = {"@context": dict(served)} if url == grades else load_context(url)
        return {"contextUrl": None, "documentUrl": url, "document": document}

    document = ob_vector["unsignedDocument"]
    document["@context"].append(grades)
    document["grade"] = "A"
    assert "<https://example.org/first>" in canonize(document, document_loader=loader)
    served["grade"] = "https://example.org/second"
    assert "<https://example.org/second>" in canonize(document, document_loader=loader)


def test_an_inline_context_edited_between_calls_is_read_again(ob_vector):
    document = ob_vector["unsignedDocument"]
    inline = {"grade": "https://example.org/first"}
    document["@context"].append(inline)
    document["credentialSubject"]["@context"] = inline  # the same object, twice
    document["credentialSubject"]["grade"] = "A"
    assert "<https://example.org/first>" in canonize(document)
    inline["grade"] = "https://example.org/second"
    out = canonize(document)
    assert "<https://example.org/second>" in out and "first" not in out
    del inline["grade"]
    with pytest.raises(CanonicalizationError, match="not defined by any @context"):
        canonize(document)


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ({"@protected": True, "name": "https://e.org/n"}, {"@protected": 1, "name": "https://e.org/n"}),
        ({"@version": 1.1, "g": "https://e.org/g"}, {"@version": 1, "g": "https://e.org/g"}),
        ([{"g": "https://e.org/g"}], ({"g": "https://e.org/g"},)),
    ],
)  # fmt: skip
def test_memo_tells_json_types_apart(ob_vector, left, right):
    # Equal in Python (True == 1, 1.1 != 1 anyway, list vs tuple), different for JSON-LD.
    for context in (left, right, left):
        document = copy.deepcopy(ob_vector["unsignedDocument"])
        document["issuer"]["@context"] = context
        assert _outcome(document, canon.contexts.document_loader) == _plain(document)


def _same_local_context_two_ways(ob_vector, *, protected: bool) -> list[dict[str, Any]]:
    """Documents that apply one local context (same text, same active context) in two ways:
    as a type-scoped context (propagate false, protected terms kept) and as an embedded or a
    property-scoped context."""
    scoped = {"grade": "https://example.org/scoped-grade"}
    inline: dict[str, Any] = {
        "Foo": {"@id": "https://example.org/Foo", "@context": scoped},
        "bar": {"@id": "https://example.org/bar", "@context": scoped},
    }
    if protected:
        inline = {"@protected": True, "grade": "https://example.org/grade", **inline}
    base = copy.deepcopy(ob_vector["unsignedDocument"])
    base["@context"].append(inline)
    embedded = copy.deepcopy(base)
    embedded["issuer"]["@context"] = scoped
    embedded["issuer"]["otherIdentifier"] = {"type": "IdentifierEntry", "grade": "A"}
    by_property = copy.deepcopy(base)
    by_property["bar"] = {"grade": "A", "ex:p": {"grade": "B"}}
    by_type = copy.deepcopy(base)
    by_type["issuer"]["type"] = ["Profile", "Foo"]
    by_type["issuer"]["otherIdentifier"] = {"type": "IdentifierEntry", "grade": "A"}
    return [embedded, by_property, by_type, embedded, by_type, by_property, by_type]


@pytest.mark.parametrize("protected", [False, True])
def test_memo_tells_processing_flags_apart(ob_vector, protected):
    # propagate (type-scoped contexts do not reach nested nodes) and override_protected
    # (property-scoped contexts may redefine protected terms, type-scoped ones may not) change
    # the result of the same context on the same active context.
    loader = make_document_loader()
    outcomes = set()
    for document in _same_local_context_two_ways(ob_vector, protected=protected):
        outcome = _outcome(document, loader)
        assert outcome == _plain(document)
        outcomes.add(outcome[0])
    assert outcomes == {"ok", "refused"}


@pytest.mark.parametrize("term", ["Profile", "Achievement", "name", "type", "id", "ex:Type"])
def test_terms_used_as_iris_are_not_read_as_terms(ob_vector, term):
    # The term cache holds vocabulary expansions only: a term written where an IRI belongs
    # (@id, an @id-typed property) stays relative and is refused, before and after the same
    # string was expanded as a term in the same active context.
    loader = make_document_loader()
    for _ in range(2):
        for shape in ("id", "url", "type"):
            document = copy.deepcopy(ob_vector["unsignedDocument"])
            issuer = document["issuer"]
            if shape == "id":
                issuer["id"] = term
            elif shape == "url":
                issuer["url"] = term
            else:
                issuer["type"] = ["Profile", term]
            assert _outcome(document, loader) == _plain(document), (term, shape)


def test_memo_holds_only_frozen_contexts(ob_vector):
    # An empty @context gives a new, mutable clone of the active context: never memoized.
    loader = make_document_loader()
    document = ob_vector["unsignedDocument"]
    document["issuer"]["@context"] = []
    document["credentialSubject"]["@context"] = []
    canonize(document, document_loader=loader)
    state = memo.state_for(loader).memo
    assert state.processed
    for active, processed in state.processed.values():
        assert type(active) is memo.FROZEN and type(processed) is memo.FROZEN
    assert all(type(context) is memo.FROZEN for context, _ in state.contexts.values())


# --- @import: refused, and no longer able to change another document ------------------------


@pytest.mark.parametrize(
    ("where", "json_path"),
    [
        ("top", '$["@context"]'),
        ("node", '$.credentialSubject["@context"]'),
        ("scoped", '$["@context"]'),
        ("remote", '$["@context"]'),
        ("wrapped", '$["@context"]'),
    ],
)
def test_refuses_import(ob_vector, where, json_path):
    document = ob_vector["unsignedDocument"]
    importing = {"@import": OB, "grade": "https://evil.example/grade"}
    loader = make_document_loader({"https://example.org/imports": {"@context": importing}})
    if where == "top":
        document["@context"] = [V2, importing]
    elif where == "node":
        document["credentialSubject"]["@context"] = importing
    elif where == "wrapped":
        # pyld reads {"@context": {...}} inside a context list as its inner object.
        document["@context"].append({"@base": "https://example.org/", "@context": importing})
    elif where == "scoped":
        document["@context"].append({"Foo": {"@id": "https://e.org/Foo", "@context": importing}})
    else:
        document["@context"].append("https://example.org/imports")
    with pytest.raises(CanonicalizationError, match="@import") as caught:
        canonize(document, document_loader=loader)
    assert str(caught.value).startswith(json_path + ":")
    assert "@context" in caught.value.hint


def test_import_cannot_define_terms_for_the_next_document(ob_vector):
    # Before the refusal, pyld merged the importing context into the loader's cached OB context:
    # the next credential's undefined "grade" was then canonicalized as https://evil.example/grade
    # (and other credentials crashed with KeyError 'mappings').
    loader = make_document_loader()
    importing = {"@import": OB, "grade": "https://evil.example/grade"}
    for context in ([V2, importing], [V2, OB, {"@context": importing}]):
        attacker = copy.deepcopy(ob_vector["unsignedDocument"])
        attacker["@context"] = context
        with pytest.raises(CanonicalizationError, match="@import"):
            canonize(attacker, document_loader=loader)
    victim = copy.deepcopy(ob_vector["unsignedDocument"])
    victim["@context"] = [V2, DI, OB]
    victim["grade"] = "A+"
    with pytest.raises(CanonicalizationError, match="not defined by any @context"):
        canonize(victim, document_loader=loader)
    expected = ob_vector["expected"]["canonicalDocument"]
    assert canonize(ob_vector["unsignedDocument"], document_loader=loader) == expected


# --- the other shortcuts ------------------------------------------------------------------

_PREPARE_VALUES: list[Any] = [
    0, 1, -1, 2**53 - 1, -(2**53 - 1), 2**53, -(2**53), 2**60, True, False, None, "", "text",
    "\ud800", "a\udfffb", "\U0001f600", 3.0, -0.0, 0.0, 1.5, -2.5, 0.1, 1e-6, 1e-7, -1e-7, 5e-324,
    1e20, 1e21, 1e22, 1.7976931348623157e308, math.inf, -math.inf, math.nan, [], {}, (1, 2),
    [1, [2.0, {"a": 3.5}]], {"a": {"b": [None, True, "x"]}}, {"@context": {"x": 1.0}, "v": 2.0},
    {"\ud800": 1}, {1: "x"}, {"k": {1, 2}}, b"bytes", decimal.Decimal(1), frozenset(),
]  # fmt: skip


@pytest.mark.parametrize("value", _PREPARE_VALUES, ids=repr)
def test_prepare_plain_is_prepare_or_declines(value):
    try:
        expected: tuple[str, Any] = ("value", prepass.prepare(value, "$"))
    except CanonicalizationError:
        expected = ("refused", None)
    try:
        got = prepass.prepare_plain(value)
    except prepass.NotPlain:
        return  # canonize then runs _prepare itself
    assert expected[0] == "value", f"_prepare refuses {value!r}, _prepare_plain accepted it"
    assert json.dumps(got) == json.dumps(expected[1])
    assert repr(got) == repr(expected[1])  # same types, not just equal values
    assert got is not value or not isinstance(value, (dict, list))


def _rdfc_state(document: dict[str, Any]) -> rdfc.Rdfc10:
    """An Rdfc10 holding document's quads by blank node (RDFC-1.0 §4.4.3 step 2)."""
    loader = canon.contexts.document_loader
    resolver = memo.SafeContextResolver({}, loader)
    processor = safe.SafeProcessor("$", resolver, memo.SafeContextResolver({}, loader))
    options = {
        "base": None,
        "documentLoader": loader,
        "contextResolver": resolver,
        "processingMode": "json-ld-1.1",
        "identifierIssuer": canon.IdentifierIssuer("_:b"),
    }
    state = rdfc.Rdfc10()
    for graph, triples in processor.to_rdf(prepass.prepare(document, "$"), options).items():
        for quad in triples:
            if graph != "@default":
                quad["name"] = {"type": "IRI", "value": graph}
            state.quads.append(quad)
            for key, component in quad.items():
                if key != "predicate" and component["type"] == "blank node":
                    node = state.blank_node_info.setdefault(component["value"], {"quads": []})
                    node["quads"].append(quad)
    return state


def test_first_degree_hash_matches_pyld_relabelling():
    # rdfc.Rdfc10.hash_first_degree_quads relabels blank nodes with a shallow copy where pyld
    # deep-copies (modify_first_degree_component); the hashes must be the same.
    names = ("realistic OB credential with a signed endorsement", "two identical anonymous objects")
    cases = load_vector("jsonld-js-parity.json")["cases"]
    documents = [json.loads(case["json"]) for case in cases if case["name"] in names]
    documents.append(load_vector("ob-v3p0-eddsa-rdfc-2022.json")["unsignedDocument"])
    checked = 0
    for document in documents:
        state = _rdfc_state(document)
        for node, info in state.blank_node_info.items():
            relabelled = [
                {
                    key: component
                    if key == "predicate"
                    else URDNA2015.modify_first_degree_component(state, node, component, key)
                    for key, component in quad.items()
                }
                for quad in info["quads"]
            ]
            lines = sorted(map(rdfc.serialize_quad, relabelled), key=rdfc._utf16_order)
            expected = hashlib.sha256("".join(lines).encode("utf-8")).hexdigest()
            assert state.hash_first_degree_quads(node) == expected
            checked += 1
    assert checked >= 5


@pytest.mark.parametrize(
    "document",
    [
        {"@context": " ", "name": "x"},
        {"@context": ["https://www.w3.org/ns/credentials/v2", {"x": "\ud800"}], "x": "y"},
    ],
)
def test_malformed_input_is_a_canonicalization_error_not_a_crash(document):
    from credstack.crypto.canon import canonize
    from credstack.errors import CanonicalizationError

    with pytest.raises(CanonicalizationError):
        canonize(document)

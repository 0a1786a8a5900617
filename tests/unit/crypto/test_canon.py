"""RDFC-1.0 canonicalization with jsonld.js safe-mode semantics."""

from __future__ import annotations

import copy
import hashlib
import json
from typing import Any

import pytest
from pyld import jsonld

from credstack.crypto import canon
from credstack.crypto.canon import canonize, check_portable_text, rdfc
from credstack.crypto.canon.rdfc import serialize_quad
from credstack.crypto.contexts import make_document_loader
from credstack.errors import CanonicalizationError

from .conftest import load_vector

PARITY = load_vector("jsonld-js-parity.json")
PARITY_CASES = {case["name"]: case for case in PARITY["cases"]}

# Cases jsonld.js 9 accepts and we refuse, on purpose. Everything else must match byte for byte.
STRICTER_THAN_JSONLD_JS = {
    # jsonld.js reads 1e-7 as an integer and writes "0"; pyld would write 1.0E-7.
    "creditsAvailable 1e-7": "too small",
    "untyped number 1e-7": "too small",
    "creditsAvailable 1.5e-7": "too small",
    "untyped number 1.5e-7": "too small",
    # Integers beyond 2**53 are not exact in JavaScript (this one happens to be).
    "creditsAvailable 2**53 + 2": "larger than 2**53",
    "untyped number 2**53 + 2": "larger than 2**53",
    # rdf-canonize 5 escapes '<' in IRIs, rdf-canonize 3 does not: refuse rather than depend.
    **{
        f"id with < in {where}": "not allowed in an IRI"
        for where in ("credential", "issuer", "credentialSubject", "achievement", "criteria")
    },
    # A base IRI is left unset on purpose: relative IRIs are refused, even if an inline
    # @base would resolve them.
    "inline @base makes an id absolute": "relative IRI",
}


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# --- official vectors -----------------------------------------------------------------------


def test_ob_vector_canonical_document(ob_vector):
    assert canonize(ob_vector["unsignedDocument"]) == ob_vector["expected"]["canonicalDocument"]


@pytest.mark.parametrize("case", [0, 1], ids=["B.1", "B.2"])
def test_w3c_vector_canonical_document(case, rdfc_vectors, example_loader):
    vector = rdfc_vectors["cases"][case]
    got = canonize(vector["unsignedDocument"], document_loader=example_loader)
    assert got == vector["expected"]["canonicalDocument"]


@pytest.mark.parametrize("case", [0, 1], ids=["B.1", "B.2"])
def test_w3c_vector_canonical_proof_config(case, rdfc_vectors, example_loader):
    vector = rdfc_vectors["cases"][case]
    got = canonize(vector["proofOptions"], document_loader=example_loader)
    assert got == vector["expected"]["canonicalProofConfig"]


def test_canonize_leaves_its_input_untouched(ob_vector):
    document = ob_vector["unsignedDocument"]
    before = copy.deepcopy(document)
    canonize(document)
    assert document == before


# --- parity with the JavaScript stack (recorded from real jsonld.js, see jsparity/) ---------


def _ours(case: dict[str, Any]) -> tuple[str | None, str | None]:
    try:
        return sha256(canonize(json.loads(case["json"]))), None
    except CanonicalizationError as error:
        return None, str(error)


@pytest.mark.parametrize("name", list(PARITY_CASES))
def test_matches_jsonld_js_9(name):
    case = PARITY_CASES[name]
    expected = case["jsonld9"]
    digest, error = _ours(case)
    if "refused" in expected:
        assert error is not None, f"jsonld.js 9 refuses this ({expected['refused']}); we signed it"
    elif name in STRICTER_THAN_JSONLD_JS:
        assert error is not None and STRICTER_THAN_JSONLD_JS[name] in error
    else:
        assert error is None, error
        assert digest == expected["sha256"], expected["changedLines"]


def test_parity_file_was_recorded_with_the_expected_versions():
    assert PARITY["jsonld9"] == {
        "jsonld": "9.0.0",
        "rdf-canonize": "5.0.0",
        "algorithm": "RDFC-1.0",
    }
    assert PARITY["jsonld8"]["rdf-canonize"] == "3.4.0"


@pytest.mark.parametrize(
    ("char", "escaped"),
    [
        ("\n", "\\n"),
        ("\r", "\\r"),
        ("\t", "\\t"),
        ("\b", "\\b"),
        ("\f", "\\f"),
        ('"', '\\"'),
        ("\\", "\\\\"),
        ("\x00", "\\u0000"),
        ("\x01", "\\u0001"),
        ("\x0b", "\\u000B"),
        ("\x1f", "\\u001F"),
        ("\x7f", "\\u007F"),
        ("\x85", "\x85"),
        ("\u2028", "\u2028"),
        ("\ufeff", "\ufeff"),
    ],
)
def test_control_characters_are_escaped_like_rdf_canonize_5(char, escaped):
    # The recorded rdf-canonize 5.0.0 line for this character, checked against our output.
    case = PARITY_CASES[f"narrative with U+{ord(char):04X}"]
    line = f'_:c14n0 <https://purl.imsglobal.org/spec/vc/ob/vocab.html#narrative> "a{escaped}b" .\n'
    assert case["jsonld9"]["changedLines"] == [line]
    assert line in canonize(json.loads(case["json"]))


def test_newlines_and_tabs_in_narratives_work(ob_vector):
    achievement = ob_vector["unsignedDocument"]["credentialSubject"]["achievement"]
    achievement["criteria"]["narrative"] = "Step 1:\tread\nStep 2:\twrite\r\n"
    out = canonize(ob_vector["unsignedDocument"])
    assert '"Step 1:\\tread\\nStep 2:\\twrite\\r\\n" .\n' in out


def test_plain_pyld_escapes_control_characters_differently():
    # Why canon/rdfc.py carries its own serializer: pyld 3.3 writes U+0001 raw, RDFC-1.0 as \u0001,
    # and that byte lands inside the blank-node hash too (criteria is a blank node here).
    case = PARITY_CASES["narrative with U+0001"]
    document = json.loads(case["json"])
    from credstack.crypto.contexts import document_loader

    plain = jsonld.normalize(
        document,
        {
            "algorithm": "URDNA2015",
            "format": "application/n-quads",
            "documentLoader": document_loader,
        },
    )
    assert sha256(plain) != case["jsonld9"]["sha256"]
    assert sha256(canonize(document)) == case["jsonld9"]["sha256"]


def test_jsonld_js_8_disagrees_on_tabs_and_other_control_characters():
    # Recorded fact, not our behaviour: rdf-canonize 3.4 (jsonld.js 8) writes tab and
    # U+0000-U+001F/U+007F raw. Only \n, \r, " and \ are escaped alike by every stack.
    agree = {"\n", "\r", '"', "\\"}
    for cp in [*range(0x20), 0x7F, 0x22, 0x5C]:
        case = PARITY_CASES[f"narrative with U+{cp:04X}"]
        same = case["jsonld8"]["sha256"] == case["jsonld9"]["sha256"]
        assert same == (chr(cp) in agree), hex(cp)


def test_lines_are_sorted_by_utf16_code_units_like_javascript():
    # U+FF08 sorts before U+1F600 by code point, after it by UTF-16 code unit (0xD83D).
    case = PARITY_CASES["names sorted by UTF-16"]
    out = canonize(json.loads(case["json"]))
    assert out.index('"\U0001f600y"') < out.index('"\uff08x"')
    assert sha256(out) == case["jsonld9"]["sha256"]


# --- numbers --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "lexical"),
    [
        (3.5, "3.5E0"),
        (0.1, "1.0E-1"),
        (-2.5, "-2.5E0"),
        (123456.789, "1.23456789E5"),
        (1e21, "1.0E21"),
        (1.7976931348623157e308, "1.797693134862316E308"),
        # An exact tie at the 16th digit: JavaScript rounds up, Python's format() to even.
        (1001 / 2**20, "9.546279907226563E-4"),
        (-1001 / 2**20, "-9.546279907226563E-4"),
    ],
)
def test_doubles_are_written_like_javascript_to_exponential(number, lexical):
    assert rdfc._js_double(number) == lexical


def test_pyld_would_round_the_tie_differently():
    assert jsonld._canonicalize_double(1001 / 2**20) == "9.546279907226562E-4"


def test_integral_floats_are_integers_as_in_javascript(ob_vector):
    achievement = ob_vector["unsignedDocument"]["credentialSubject"]["achievement"]
    achievement["creditsAvailable"] = 3.0
    out = canonize(ob_vector["unsignedDocument"])
    assert '"3"^^<https://www.w3.org/2001/XMLSchema#float>' in out


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        (float("nan"), "not a JSON number"),
        (float("inf"), "not a JSON number"),
        (1e-7, "too small"),
        (2**53, r"larger than 2\*\*53"),
        (-(2**60), r"larger than 2\*\*53"),
    ],
)
def test_rejects_numbers_javascript_reads_differently(ob_vector, value, fragment):
    achievement = ob_vector["unsignedDocument"]["credentialSubject"]["achievement"]
    achievement["creditsAvailable"] = value
    with pytest.raises(CanonicalizationError, match=fragment) as caught:
        canonize(ob_vector["unsignedDocument"])
    assert "$.credentialSubject.achievement.creditsAvailable" in str(caught.value)
    assert caught.value.hint


# --- safe mode: what plain pyld would silently drop or rewrite ------------------------------


def test_plain_pyld_drops_undefined_terms_silently(ob_vector):
    # The failure mode this module exists for: the extra property vanishes from the N-Quads.
    document = ob_vector["unsignedDocument"]
    document["credentialSubject"]["grade"] = "A+"
    from credstack.crypto.contexts import document_loader

    plain = jsonld.normalize(
        document,
        {
            "algorithm": "URDNA2015",
            "format": "application/n-quads",
            "documentLoader": document_loader,
        },
    )
    assert plain == ob_vector["expected"]["canonicalDocument"]
    with pytest.raises(CanonicalizationError):
        canonize(document)


@pytest.mark.parametrize(
    ("path", "key", "json_path"),
    [
        ((), "grade", "$.grade"),
        (("issuer",), "grade", "$.issuer.grade"),
        (("credentialSubject",), "grade", "$.credentialSubject.grade"),
        (("credentialSubject", "achievement"), "grade", "$.credentialSubject.achievement.grade"),
        (
            ("credentialSubject", "achievement", "criteria"),
            "grade",
            "$.credentialSubject.achievement.criteria.grade",
        ),
        ((), "foo bar", '$["foo bar"]'),
        ((), "@grade", '$["@grade"]'),
    ],
)
def test_rejects_undefined_term_naming_its_json_path(ob_vector, path, key, json_path):
    target = ob_vector["unsignedDocument"]
    for part in path:
        target = target[part]
    target[key] = "x"
    with pytest.raises(CanonicalizationError, match="not defined by any @context") as caught:
        canonize(ob_vector["unsignedDocument"])
    assert str(caught.value).startswith(json_path + ":")
    assert "invalid property" in str(caught.value)
    assert "context" in caught.value.hint


def _has_vocab(value: Any) -> bool:
    if isinstance(value, dict):
        return "@vocab" in value or any(_has_vocab(item) for item in value.values())
    if isinstance(value, list):
        return any(_has_vocab(item) for item in value)
    return False


def test_no_shipped_context_has_a_vocab_so_undefined_terms_are_refused():
    # The VC 2.0 Recommendation's context (unlike its drafts) has no
    # "@vocab": ".../issuer-dependent#": an undefined term is dropped, never mapped, in every
    # object of an OB credential, which safe mode turns into an error.
    from credstack.crypto.contexts import context_bundle

    assert not [url for url, document in context_bundle().items() if _has_vocab(document)]


def test_vocab_context_maps_undefined_terms_instead_of_dropping(rdfc_vectors, example_loader):
    document = copy.deepcopy(rdfc_vectors["cases"][0]["unsignedDocument"])
    document["credentialSubject"]["graduationYear"] = "2020"
    out = canonize(document, document_loader=example_loader)
    assert "<https://www.w3.org/ns/credentials/examples#graduationYear>" in out


def test_rejects_relative_node_id(ob_vector):
    ob_vector["unsignedDocument"]["issuer"]["id"] = "issuers/565049"
    with pytest.raises(CanonicalizationError, match="relative IRI") as caught:
        canonize(ob_vector["unsignedDocument"])
    assert str(caught.value).startswith("$.issuer.id:")
    assert "absolute IRI" in caught.value.hint


def test_rejects_relative_type(ob_vector):
    ob_vector["unsignedDocument"]["credentialSubject"]["type"].append("Learner")
    with pytest.raises(CanonicalizationError, match="relative @type reference") as caught:
        canonize(ob_vector["unsignedDocument"])
    assert str(caught.value).startswith("$.credentialSubject.type[1]:")


def test_rejects_relative_iri_valued_property(ob_vector):
    ob_vector["unsignedDocument"]["issuer"] = "issuers/565049"
    with pytest.raises(CanonicalizationError, match="relative object reference") as caught:
        canonize(ob_vector["unsignedDocument"])
    assert str(caught.value).startswith("$.issuer:")


def test_rejects_relative_image_url(ob_vector):
    ob_vector["unsignedDocument"]["credentialSubject"]["achievement"]["image"] = "badge.png"
    with pytest.raises(CanonicalizationError, match="relative") as caught:
        canonize(ob_vector["unsignedDocument"])
    assert "$.credentialSubject.achievement.image" in str(caught.value)


def test_rejects_extension_type_without_the_extensions_context(ob_vector):
    ob_vector["unsignedDocument"]["credentialSchema"] = [
        {"id": "https://example.org/schema.json", "type": "1EdTechJsonSchemaValidator2019"}
    ]
    with pytest.raises(CanonicalizationError, match="relative @type reference"):
        canonize(ob_vector["unsignedDocument"])
    ob_vector["unsignedDocument"]["@context"].append(
        "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json"
    )
    assert "1EdTechJsonSchemaValidator2019" in canonize(ob_vector["unsignedDocument"])


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ({"@value": None}, "drops"),
        ({"@language": "en"}, "drops"),
        ({"@value": "x", "@language": "en_GB"}, "not a well-formed language tag"),
        ({"@value": "x", "@direction": "rtl"}, "@direction"),
    ],
)
def test_rejects_values_expansion_would_drop_or_lose(ob_vector, value, fragment):
    ob_vector["unsignedDocument"]["credentialSubject"]["achievement"]["name"] = value
    with pytest.raises(CanonicalizationError, match=fragment) as caught:
        canonize(ob_vector["unsignedDocument"])
    assert "$.credentialSubject.achievement.name" in str(caught.value)


def test_accepts_a_well_formed_language_tag(ob_vector):
    ob_vector["unsignedDocument"]["name"] = {"@value": "Travail d'équipe", "@language": "fr-CA"}
    assert '"Travail d\'équipe"@fr-ca .' in canonize(ob_vector["unsignedDocument"])


def test_rejects_null_and_keyword_like_ids(ob_vector):
    ob_vector["unsignedDocument"]["issuer"]["id"] = "@me"
    with pytest.raises(CanonicalizationError, match="reserved @id value"):
        canonize(ob_vector["unsignedDocument"])
    ob_vector["unsignedDocument"]["issuer"]["id"] = None
    with pytest.raises(CanonicalizationError, match="null @id value"):
        canonize(ob_vector["unsignedDocument"])


def test_rejects_blank_node_property(ob_vector):
    ob_vector["unsignedDocument"]["_:b0"] = "x"
    with pytest.raises(CanonicalizationError, match="blank node predicate"):
        canonize(ob_vector["unsignedDocument"])


def test_rejects_an_empty_object_in_a_graph_container(ob_vector):
    # "proof" is an @graph container: jsonld.js drops {"id": ...} there, pyld would keep it.
    ob_vector["unsignedDocument"]["proof"] = {"id": "urn:uuid:1"}
    with pytest.raises(CanonicalizationError, match="graph container") as caught:
        canonize(ob_vector["unsignedDocument"])
    assert str(caught.value).startswith("$.proof:")


def test_rejects_inline_relative_vocab(ob_vector):
    ob_vector["unsignedDocument"]["@context"].append({"@vocab": "terms/"})
    with pytest.raises(CanonicalizationError, match="relative @vocab reference"):
        canonize(ob_vector["unsignedDocument"])


def test_accepts_terms_an_inline_context_defines(ob_vector):
    ob_vector["unsignedDocument"]["@context"].append({"grade": "https://example.org/grade"})
    ob_vector["unsignedDocument"]["grade"] = "A"
    assert '<https://example.org/grade> "A" .' in canonize(ob_vector["unsignedDocument"])


def test_absolute_iri_keys_are_kept_not_dropped(ob_vector):
    # Not an error: the property is signed (and so cannot be added after signing unnoticed).
    ob_vector["unsignedDocument"]["credentialSubject"]["ex:grade"] = "A"
    assert "<ex:grade>" in canonize(ob_vector["unsignedDocument"])


def test_null_and_empty_array_add_no_statements_as_in_jsonld_js(ob_vector):
    # JSON-LD semantics, identical in jsonld.js: such keys carry no data, so nothing unsigned
    # enters the canonical form (see the "ex:foo null/[]" parity cases).
    document = ob_vector["unsignedDocument"]
    document["credentialSubject"]["ex:grade"] = None
    document["issuer"]["ex:grade"] = []
    assert canonize(document) == ob_vector["expected"]["canonicalDocument"]


def test_removing_a_signed_value_with_null_changes_the_canonical_form(ob_vector):
    ob_vector["unsignedDocument"]["name"] = None
    assert canonize(ob_vector["unsignedDocument"]) != ob_vector["expected"]["canonicalDocument"]


def test_rejects_unknown_context_url(ob_vector):
    ob_vector["unsignedDocument"]["@context"].append("https://example.org/context.jsonld")
    with pytest.raises(CanonicalizationError, match=r"example\.org/context\.jsonld") as caught:
        canonize(ob_vector["unsignedDocument"])
    assert "ships only these contexts" in caught.value.hint


def test_rejects_invalid_json_ld_with_its_reason(ob_vector):
    ob_vector["unsignedDocument"]["issuer"]["id"] = 42
    with pytest.raises(CanonicalizationError, match=r"not valid JSON-LD.*@id"):
        canonize(ob_vector["unsignedDocument"])


def test_rejects_unpaired_surrogates(ob_vector):
    ob_vector["unsignedDocument"]["name"] = "broken \ud800 text"
    with pytest.raises(CanonicalizationError, match="unpaired UTF-16 surrogate") as caught:
        canonize(ob_vector["unsignedDocument"])
    assert str(caught.value).startswith("$.name:")


@pytest.mark.parametrize("document", [[], "https://example.org/doc", None])
def test_rejects_anything_but_a_json_object(document):
    with pytest.raises(CanonicalizationError, match="expected a JSON object"):
        canonize(document)  # type: ignore[arg-type]


def test_rejects_blank_node_cycles_like_rdf_canonize():
    # rdf-canonize 5 bounds Hash N-Degree Quads work (maxWorkFactor 1); so do we.
    case = PARITY_CASES["blank node 2-cycle"]
    assert "Maximum deep iterations" in case["jsonld9"]["refused"]
    with pytest.raises(CanonicalizationError, match="maximum work exceeded") as caught:
        canonize(json.loads(case["json"]))
    assert "urn:uuid" in caught.value.hint


def test_identical_anonymous_objects_still_canonicalize():
    case = PARITY_CASES["two identical anonymous objects"]
    assert sha256(canonize(json.loads(case["json"]))) == case["jsonld9"]["sha256"]


def test_refuses_an_unverified_pyld_version(monkeypatch, ob_vector):
    monkeypatch.setattr(canon.pyld.__about__, "__version__", "3.4.0")
    with pytest.raises(CanonicalizationError, match=r"pyld 3\.4\.0") as caught:
        canonize(ob_vector["unsignedDocument"])
    assert "pyld==3.3" in caught.value.hint


def test_works_with_a_foreign_document_loader(ob_vector):
    from credstack.crypto.contexts import load_context

    def loader(url, options=None):
        return {"contextUrl": None, "documentUrl": url, "document": load_context(url)}

    out = canonize(ob_vector["unsignedDocument"], document_loader=loader)
    assert out == ob_vector["expected"]["canonicalDocument"]


def test_extra_loader_contexts_are_used(ob_vector):
    loader = make_document_loader(
        {"https://example.org/grades": {"@context": {"grade": "https://example.org/grade"}}}
    )
    ob_vector["unsignedDocument"]["@context"].append("https://example.org/grades")
    ob_vector["unsignedDocument"]["grade"] = "A"
    assert "<https://example.org/grade>" in canonize(
        ob_vector["unsignedDocument"], document_loader=loader
    )


# --- pieces ---------------------------------------------------------------------------------


def test_serialize_quad_refuses_iris_that_need_escaping():
    quad = {
        "subject": {"type": "IRI", "value": "https://example.org/a>b"},
        "predicate": {"type": "IRI", "value": "https://example.org/p"},
        "object": {"type": "literal", "value": "x", "datatype": rdfc.XSD_STRING},
    }
    with pytest.raises(CanonicalizationError, match="not allowed in an IRI"):
        serialize_quad(quad)


def test_serialize_quad_writes_language_and_datatype():
    quad = {
        "subject": {"type": "blank node", "value": "_:c14n0"},
        "predicate": {"type": "IRI", "value": "https://example.org/p"},
        "object": {
            "type": "literal",
            "value": 'a"b',
            "datatype": rdfc.RDF_LANGSTRING,
            "language": "en",
        },
        "name": {"type": "IRI", "value": "https://example.org/g"},
    }
    assert serialize_quad(quad) == (
        '_:c14n0 <https://example.org/p> "a\\"b"@en <https://example.org/g> .\n'
    )


def test_check_portable_text_allows_tab_newline_and_carriage_return():
    check_portable_text({"a": ["line\n", "tab\t", "cr\r"], "b": {"c": "plain"}})


@pytest.mark.parametrize("char", ["\x00", "\x07", "\x0b", "\x0c", "\x1b", "\x7f", "\ufffe"])
def test_check_portable_text_names_the_first_control_character(char):
    with pytest.raises(CanonicalizationError, match=f"U\\+{ord(char):04X}") as caught:
        check_portable_text({"a": {"b": [f"x{char}y"]}})
    assert str(caught.value).startswith("$.a.b[0]:")
    assert "jsonld.js 8" in caught.value.hint


@pytest.mark.parametrize(
    ("iri", "absolute"),
    [
        ("https://example.org/a", True),
        ("urn:uuid:1", True),
        ("did:web:example.org", True),
        ("_:b0", True),
        ("relative/path", False),
        ("https://example.org/a b", False),
        ("https://example.org/a<b", False),
        ("", False),
        (None, False),
    ],
)
def test_is_absolute_iri(iri, absolute):
    assert canon.is_absolute_iri(iri) is absolute

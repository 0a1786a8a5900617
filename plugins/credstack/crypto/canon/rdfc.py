"""RDFC-1.0 on pyld's URDNA2015, with RDFC-1.0's canonical N-Quads and jsonld.js's numbers.

pyld 3.3 implements the algorithm (URDNA2015 is RDFC-1.0's former name) but not its serialization:
it escapes control characters in literals unlike RDFC-1.0 (W3C Recommendation, 2024, appendix A)
and rdf-canonize 5 (jsonld.js 9). :class:`Rdfc10` keeps pyld's algorithm and serializes with
:func:`serialize_quad`, both for the canonical form (§4.9) and inside Hash First Degree Quads
(§4.6.3), sorts lines as rdf-canonize does, takes the hash as a parameter (§4.2) and bounds the
Hash N-Degree Quads work (§6.1). :func:`number_literal` writes numeric literals as jsonld.js 9
toRdf does (``toExponential(15)`` doubles, ties away from zero).
"""

from __future__ import annotations

import hashlib
import math
import re
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from pyld import jsonld
from pyld.canon import URDNA2015

from credstack.errors import CanonicalizationError

XSD_DOUBLE = jsonld.XSD_DOUBLE
XSD_INTEGER = jsonld.XSD_INTEGER
XSD_STRING = jsonld.XSD_STRING
RDF_LANGSTRING = jsonld.RDF_LANGSTRING

# Characters that rdf-canonize 5 rewrites as \uXXXX inside <IRI> (and rdf-canonize 3 writes raw),
# plus whitespace as JavaScript's \s sees it (it differs from Python's: U+FEFF is whitespace in
# JavaScript, U+001C-U+001F and U+0085 only in Python). No valid IRI (RFC 3987) contains any of
# them, so refusing costs nothing and keeps every verifier on the same bytes.
IRI_FORBIDDEN = re.compile(
    '[\x00-\x20<>"{}|^`\\\\\x7f-\x9f\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]'
)

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

RDFC_HASHES = {"sha256": hashlib.sha256, "sha384": hashlib.sha384}

HINT_IRI = 'use an absolute IRI (https://..., urn:uuid:..., did:...) without spaces or <>"{}|^`\\'


def value_error(message: str, hint: str, value: Any) -> CanonicalizationError:
    """A CanonicalizationError carrying the expanded value it is about.

    Raised where pyld only has expanded values; canonize() then adds the JSON path.
    """
    error = CanonicalizationError(message, hint=hint)
    error.offending_value = value  # type: ignore[attr-defined]
    return error


def number_literal(item: dict[str, Any]) -> dict[str, str] | None:
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
    # other numbers -> toFixed(0). prepare has already turned integral floats below 1e21 into
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


def _escape_literal(text: str) -> str:
    if not _LITERAL_NEEDS_ESCAPE.search(text):
        return text
    return _LITERAL_NEEDS_ESCAPE.sub(
        lambda m: _LITERAL_ESCAPES.get(m.group(), f"\\u{ord(m.group()):04X}"), text
    )


def _iri(value: str) -> str:
    if IRI_FORBIDDEN.search(value):
        raise value_error(
            f"the IRI {value!r} contains characters that are not allowed in an IRI",
            HINT_IRI,
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


class Rdfc10(URDNA2015):  # type: ignore[misc]  # pyld is untyped
    """pyld's URDNA2015 (same algorithm as RDFC-1.0) with RDFC-1.0's N-Quads escaping.

    The escaping matters inside the algorithm too: Hash First Degree Quads hashes serialized
    quads, so blank-node labels (not just the final text) depend on it.
    """

    def __init__(self, hash_algorithm: str = "sha256") -> None:
        super().__init__()
        self._remaining_deep_iterations: int | None = None
        self._hash = RDFC_HASHES[hash_algorithm]

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

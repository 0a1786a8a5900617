"""Rebuild tests/corpus/ from local snapshots of the upstream repositories (maintainers only).

The corpus is committed; tests never run this script and never touch the network. It records,
for every file, where it comes from (repository, path, commit, licence) and the verdict its own
project expects, with the reason. Run it from the repository root with the snapshot git
directories (``git --git-dir=<dir> archive HEAD`` must work for each)::

    python tests/corpus/collect.py --mirror /work/.mirror

``--mirror`` holds ``<owner>+<name>/repo`` git directories. Expectations are written by the
rules below, per source; read them before changing one. ``AT`` is the verification time every
expectation assumes (the corpus is judged at a fixed moment, so that "expired" stays expired).
"""

from __future__ import annotations

import argparse
import base64
import copy
import io
import json
import re
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
AT = "2026-12-01T00:00:00Z"

SOURCES: dict[str, dict[str, str]] = {
    "dcc-vc-test-fixtures": {"repository": "digitalcredentials/vc-test-fixtures", "licence": "MIT"},
    "dcc-verifier-core": {"repository": "digitalcredentials/verifier-core", "licence": "MIT"},
    "dcc-did-web": {
        "repository": "digitalcredentials/dcc-did-web",
        "licence": "none stated (public DID documents published for verification)",
    },
    "1edtech-validator": {
        "repository": "1EdTech/digital-credentials-public-validator",
        "licence": "Apache-2.0",
    },
    "w3c-vc-di-eddsa": {
        "repository": "w3c/vc-di-eddsa",
        "licence": "W3C Software and Document License",
    },
    "w3c-vc-di-ecdsa": {
        "repository": "w3c/vc-di-ecdsa",
        "licence": "W3C Software and Document License",
    },
    "digital-promise-status": {
        "repository": "digital-promise/credential-status-list",
        "licence": "none stated (a production status list published for verification)",
    },
}


def _git(mirror: Path, source: str, *args: str) -> bytes:
    repo = SOURCES[source]["repository"].replace("/", "+")
    return subprocess.run(
        ["git", f"--git-dir={mirror / repo / 'repo'}", *args], check=True, capture_output=True
    ).stdout


def _tree(mirror: Path, source: str, commit: str) -> dict[str, bytes]:
    data = _git(mirror, source, "archive", commit)
    files: dict[str, bytes] = {}
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        for member in tar.getmembers():
            if member.isfile():
                handle = tar.extractfile(member)
                assert handle is not None
                files[member.name] = handle.read()
    return files


class Corpus:
    def __init__(self, mirror: Path) -> None:
        self.mirror = mirror
        self.entries: list[dict[str, Any]] = []
        self.documents: dict[str, dict[str, Any]] = {}
        self.commits = {
            name: _git(mirror, name, "rev-parse", "HEAD").decode().strip() for name in SOURCES
        }
        self.trees = {name: _tree(mirror, name, self.commits[name]) for name in SOURCES}

    def source(self, name: str, path: str, commit: str | None = None) -> dict[str, str]:
        return {**SOURCES[name], "path": path, "commit": commit or self.commits[name]}

    def write(self, rel: str, data: bytes) -> None:
        target = HERE / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)

    def credential(
        self,
        source: str,
        path: str,
        expected: str,
        why: str,
        *,
        upstream: str,
        proofs: list[str] | None = None,
        data: bytes | None = None,
        rel: str | None = None,
        origin: dict[str, Any] | None = None,
        kind: str = "credential",
    ) -> dict[str, Any]:
        raw = data if data is not None else self.trees[source][path]
        rel = rel or f"credentials/{source}/{_safe(path)}"
        self.write(rel, raw)
        entry: dict[str, Any] = {
            "file": rel,
            "kind": kind,
            "source": origin or self.source(source, path),
            "expected": expected,
            "expected_from": why,
            "upstream": upstream,
        }
        if proofs is not None:
            entry["expected_proofs"] = proofs
        self.entries.append(entry)
        return entry

    def document(self, key: str, source: str, path: str, kind: str, note: str = "") -> None:
        rel = f"documents/{source}/{_safe(path)}"
        self.write(rel, self.trees[source][path])
        self.documents[key] = {"file": rel, "kind": kind, "source": self.source(source, path)}
        if note:
            self.documents[key]["note"] = note


def _safe(path: str) -> str:
    # One file name per upstream path; spaces (one DCC fixture has one) become '_'.
    return path.replace(" ", "_")


def _load(data: bytes) -> Any:
    return json.loads(data)


def _proofs(document: dict[str, Any]) -> list[dict[str, Any]]:
    proof = document.get("proof")
    if proof is None:
        return []
    return proof if isinstance(proof, list) else [proof]


# --- DCC vc-test-fixtures -------------------------------------------------------------------------

# Bits set in the DCC list e5WK8CbZ1GjycuPombrj, from the fixture names that use each index:
# 6 and 8 appear only in "revokedStatus" names, 7 only in "validStatus" ones.
_DCC_STATUS_LISTS = {
    "https://digitalcredentials.github.io/vc-test-fixtures/statusLists/didkey-ed25519Signature2020/"
    + name: f"statusLists/didkey-ed25519Signature2020/{name}"
    for name in (
        "e5WK8CbZ1GjycuPombrj",
        "expired",
        "missingBitStringType",
        "notYetValid",
        "tampered",
    )
}
_DCC_VERIFIER_CORE_LIST = (
    "https://raw.githubusercontent.com/digitalcredentials/verifier-core/refs/heads/main/src/"
    "test-fixtures/status/e5WK8CbZ1GjycuPombrj"
)


def _is_ob(document: dict[str, Any]) -> bool:
    types = document.get("type")
    types = types if isinstance(types, list) else [types]
    return any(
        t in types
        for t in ("OpenBadgeCredential", "AchievementCredential", "EndorsementCredential")
    )


def _dcc_expectation(name: str, document: dict[str, Any]) -> tuple[str, str]:
    """The verdict a DCC fixture's name states ([registry]-[status]-[expiry][-note])."""
    stem = name.rsplit("/", 1)[-1].removesuffix(".json").removesuffix(".png").removesuffix(".svg")
    until = document.get("validUntil") or document.get("expirationDate")
    start = document.get("validFrom") or document.get("issuanceDate")
    why = f"file name '{stem}' (vc-test-fixtures README: [registry]-[status]-[expiry])"
    if "tampered" in stem and "tamperedStatus" not in stem:
        return "invalid", why + ": tampered after signing"
    if stem == "badDidWeb":
        return "error", why + ": the did:web DID document does not exist, so the key is unknown"
    if "nonOB" in stem or not _is_ob(document):
        return "invalid", why + ": not an OpenBadgeCredential (an OB verifier's format check)"
    if start and start > AT[:10]:
        return "invalid", why + f": not valid before {start}"
    for marker in ("expiredStatus", "missingTypeStatus", "notYetValidStatus", "tamperedStatus"):
        if marker in stem:
            return (
                "error",
                why + f": '{marker}': the status list cannot be trusted, so the "
                "revocation status is unknown (never 'verified')",
            )
    if re.search(r"revoked(Status|Staus)?-", stem):
        return "revoked", why + ": status bit set in the issuer's list"
    if until and until < AT:
        return "expired", why + f" and validUntil/expirationDate {until} (judged at {AT})"
    return "verified", why


def collect_dcc_fixtures(corpus: Corpus) -> None:
    tree = corpus.trees["dcc-vc-test-fixtures"]
    for path in sorted(tree):
        if not path.startswith("verifiableCredentials/"):
            continue
        raw = tree[path]
        if path.endswith(".json"):
            if not raw.strip():
                corpus.credential(
                    "dcc-vc-test-fixtures",
                    path,
                    "invalid",
                    "the upstream file is empty (0 bytes): no credential can be read "
                    "(format: unreadable)",
                    upstream="empty file in the fixture set",
                )
                continue
            document = _load(raw)
        else:
            # The .png/.svg beside each fixture are QR codes of its URL, not baked badges.
            continue
        verdict, why = _dcc_expectation(path, document)
        proofs = (
            ["mismatch"] * len(_proofs(document))
            if verdict == "invalid" and ("tampered" in path)
            else None
        )
        if verdict in ("verified", "expired", "revoked") and "nonOB" not in path:
            proofs = ["ok"] * len(_proofs(document))
        if not _is_ob(document) and "nonOB" not in path and "tampered" not in path:
            proofs = ["ok"] * len(_proofs(document))  # a genuine VC, just not an OB credential
        corpus.credential(
            "dcc-vc-test-fixtures",
            path,
            verdict,
            why,
            upstream="vc-test-fixtures naming convention",
            proofs=proofs,
        )
    for url, path in _DCC_STATUS_LISTS.items():
        corpus.document(
            url,
            "dcc-vc-test-fixtures",
            path,
            "status-list",
            "served at this URL; its id is a testing.dcconsortium.org URL",
        )
    for name in ("legacy", "oidf"):
        corpus.document(
            f"did:web:digitalcredentials.github.io:vc-test-fixtures:dids:{name}",
            "dcc-vc-test-fixtures",
            f"dids/{name}/did.json",
            "did-document",
        )


# --- DCC verifier-core (TypeScript fixtures, turned into JSON by vcore.json) ----------------------

_VCORE = {
    # getter: (verdict, why from test/Verify.v*.spec.ts)
    "getVCv1": ("verified", "Verify.v1.spec.ts uses it as the valid base credential"),
    "getVCv2": ("verified", "Verify.v2.spec.ts uses it as the valid base credential"),
    "getVCv1ValidStatus": ("verified", "'when status is valid': getExpectedVerifiedResult"),
    "getVCv2ValidStatus": ("verified", "'when status is valid': getExpectedVerifiedResult"),
    "getVCv2EddsaWithValidStatus": ("verified", "'with eddsa signature ... when status is valid'"),
    "getVCv2DidWebWithValidStatus": (
        "verified",
        "'did:web ... when status is valid' (list issuer differs from the issuer)",
    ),
    "getVCv2DidWebMultikeyWithValidStatus": (
        "verified",
        "'when status is valid for multikey verification method'",
    ),
    "getVCv1Expired": ("expired", "'when expired': unverified step expiration"),
    "getVCv2Expired": ("expired", "'when expired': unverified step expiration"),
    "getVCv1ExpiredWithValidStatus": ("expired", "'when expired with valid status'"),
    "getVCv2ExpiredWithValidStatus": ("expired", "'when expired with valid status'"),
    "getVCv1Revoked": ("revoked", "'when revoked': unverified step revocation_status"),
    "getVCv2Revoked": ("revoked", "'when revoked': unverified step revocation_status"),
    "getVCv1Tampered": ("invalid", "'when tampered with': INVALID_SIGNATURE"),
    "getVCv2Tampered": ("invalid", "'when tampered with': INVALID_SIGNATURE"),
    "getVCv1ExpiredAndTampered": ("invalid", "'when expired and tampered with': INVALID_SIGNATURE"),
    "getVCv2ExpiredAndTampered": ("invalid", "'when expired and tampered with': INVALID_SIGNATURE"),
    "getVCv1NoProof": ("invalid", "'when no proof': NO_PROOF"),
    "getVCv2NoProof": ("invalid", "'when no proof': NO_PROOF"),
    "getVCv1NonURIId": ("invalid", "'when credential id is not a uri': INVALID_CREDENTIAL_ID"),
    "getVCv2NonURIId": ("invalid", "'when credential id is not a uri': INVALID_CREDENTIAL_ID"),
    "getCredentialWithoutContext": ("invalid", "Verify.general.spec.ts: no @context is fatal"),
    "getCredentialWithoutVCContext": ("invalid", "Verify.general.spec.ts: no VC context is fatal"),
    "getVCv2WithBadDidWebUrl": (
        "error",
        "'when did:web url is unreachable': DID_WEB_UNRESOLVED (key unknown)",
    ),
    "getVCv2DoubleSigWithBadStatusUrl": (
        "error",
        "'when statuslist url is unreachable': STATUS_LIST_NOT_FOUND; credstack never "
        "says verified when the status cannot be read",
    ),
    "getVCv1SimpleIssuerId": ("verified", "vc.ts: a valid credential with a string issuer"),
    "getVCv2SimpleIssuerId": ("verified", "vc.ts: a valid credential with a string issuer"),
    "getSafeModeBreaker": (
        "invalid",
        "'for safe mode violation': jsonld.ValidationError 'Relative @type reference'",
    ),
}


def collect_verifier_core(corpus: Corpus, vcore_json: Path) -> None:
    built = json.loads(vcore_json.read_text())
    assert set(built) == set(_VCORE), sorted(set(built) ^ set(_VCORE))
    for getter, document in sorted(built.items()):
        verdict, why = _VCORE[getter]
        proofs = None
        if "Tampered" in getter:
            proofs = ["mismatch"] * len(_proofs(document))
        elif verdict in ("verified", "expired", "revoked"):
            proofs = ["ok"] * len(_proofs(document))
        corpus.credential(
            "dcc-verifier-core",
            "src/test-fixtures/vc.ts",
            verdict,
            why,
            upstream=f"src/test-fixtures/vc.ts {getter}() and test/Verify.*.spec.ts",
            proofs=proofs,
            data=(json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode(),
            rel=f"credentials/dcc-verifier-core/{getter}.json",
            origin={
                **corpus.source("dcc-verifier-core", "src/test-fixtures/vc.ts"),
                "extracted": f"JSON of {getter}() (esbuild-compiled vc.ts, run with node)",
            },
        )
    corpus.document(
        _DCC_VERIFIER_CORE_LIST,
        "dcc-verifier-core",
        "src/test-fixtures/status/e5WK8CbZ1GjycuPombrj",
        "status-list",
        "served at this URL; its id is a testing.dcconsortium.org URL",
    )
    corpus.document(
        "did:web:digitalcredentials.github.io:dcc-did-web",
        "dcc-did-web",
        "did.json",
        "did-document",
    )
    corpus.document(
        "did:web:digitalcredentials.github.io:dcc-did-web:multikey",
        "dcc-did-web",
        "multikey/did.json",
        "did-document",
    )
    corpus.document(
        "did:web:digitalcredentials.github.io:dcc-did-web:issuer-registry-client-test",
        "dcc-did-web",
        "issuer-registry-client-test/did.json",
        "did-document",
    )


# --- 1EdTech validator ----------------------------------------------------------------------------

_OB30 = "inspector-vc/src/test/resources/ob30/"
_CLR = "inspector-clr/src/test/resources/clr20/"
_T = "OB30Tests."
_KEY_IN_URL = (
    "the key is the '#z6Mk...' fragment of an https URL (OB guide form): "
    "verified, with a warning that nothing confirms the key"
)
_1EDTECH: dict[str, tuple[str, str, str]] = {
    # path: (verdict, why, upstream)
    _OB30 + "simple.json": ("verified", _KEY_IN_URL, _T + "testSimpleJsonValid: assertValid"),
    _OB30 + "simple.1ob": ("verified", _KEY_IN_URL, _T + "testSimple1ObValid: assertValid"),
    _OB30 + "simple_v1.json": (
        "verified",
        "VC 1.1 + Ed25519Signature2020; " + _KEY_IN_URL,
        _T + "testSimpleV1JsonValid: assertWarning (valid, outdated context)",
    ),
    _OB30 + "simple-did-key-method.json": (
        "invalid",
        "signed with a did:key, but its issuer is a urn:uuid: nothing binds the key to the "
        "issuer (credstack's issuer-key rule: the key's controller must be the issuer, "
        "'not-issuer'; upstream does not check the binding)",
        _T + "testSimpleDidKeyMethodJsonValid: assertValid",
    ),
    _OB30 + "simple-did-web-method.json": (
        "verified",
        _KEY_IN_URL + " (despite the file name, the method is an https URL)",
        _T + "testSimpleDidWebMethodJsonValid: @Disabled upstream",
    ),
    _OB30 + "simple-multiple-proofs.json": (
        "verified",
        "one eddsa-rdfc-2022 proof that verifies, one proof of an unknown type "
        "('SomeProofType': reported unsupported, never a pass on its own)",
        _T + "testSimpleMultipleProofsJsonValid: only error is the JSON-LD of SomeProofType",
    ),
    _OB30 + "simple-json.png": (
        "verified",
        "baked PNG, JSON payload",
        _T + "testSimplePNGPlainValid: assertValid",
    ),
    _OB30 + "simple-jwt.png": (
        "verified",
        "baked PNG, VC-JWT payload",
        _T + "testSimplePNGJWTValid: assertValid",
    ),
    _OB30 + "simple-jwt_v1.png": (
        "verified",
        "baked PNG, VC-JWT payload (VC 1.1)",
        _T + "testSimpleV1PNGJWTValid: assertWarning",
    ),
    _OB30 + "simple-json.svg": (
        "verified",
        "baked SVG, JSON payload",
        _T + "testSimpleJsonSVGPlainValid: assertValid",
    ),
    _OB30 + "simple-jwt.svg": (
        "verified",
        "baked SVG, VC-JWT payload",
        _T + "testSimpleJsonSVGJWTValid: assertValid",
    ),
    _OB30 + "simple-jwt_v1.svg": (
        "verified",
        "baked SVG, VC-JWT payload (VC 1.1)",
        _T + "testSimpleV1JsonSVGJWTValid: assertWarning",
    ),
    _OB30 + "simple.jwt": (
        "invalid",
        "its @context has no Open Badges 3.0 context (a draft URL, imsglobal.github.io/"
        "openbadges-specification/context.json): the format check fails before the key (the "
        "JWT has neither kid nor jwk) is looked for",
        "Samples.OB30.JWT.SIMPLE_JWT (no assertion on it in OB30Tests)",
    ),
    _OB30 + "velocity.jwt": (
        "error",
        "the key is a did:velocity method credstack cannot resolve",
        _T + "testVelocityJWTValid: assertInvalid (missing OB extensions context)",
    ),
    _OB30 + "simple-err-type.json": (
        "invalid",
        "type lacks OpenBadgeCredential",
        _T + "testSimpleJsonInvalidUnknownType: assertInvalid",
    ),
    _OB30 + "simple-err-proof-method.json": (
        "invalid",
        "the verificationMethod fragment is not a key (garbage inserted)",
        _T + "testSimpleJsonInvalidProofMethod: assertInvalid",
    ),
    _OB30 + "simple-err-proof-method-no-scheme.json": (
        "invalid",
        "the verificationMethod is not an absolute IRI",
        _T + "testSimpleJsonInvalidProofMethodNoScheme: assertInvalid",
    ),
    _OB30 + "simple-err-proof-method-unknown-scheme.json": (
        "invalid",
        "the verificationMethod has an unknown scheme",
        _T + "testSimpleJsonInvalidProofMethodUnknownScheme: assertInvalid",
    ),
    _OB30 + "simple-err-proof-method-unknown-did-method.json": (
        "error",
        "did:example is not a DID method credstack resolves: the key is unknown "
        "(upstream says invalid; credstack reports what it cannot check as error)",
        _T + "testSimpleJsonInvalidProofMethodUnknownDidMethod: assertInvalid",
    ),
    _OB30 + "simple-err-proof-value.json": (
        "invalid",
        "proofValue altered",
        _T + "testSimpleJsonInvalidProofValue: assertInvalid",
    ),
    _OB30 + "simple-err-expired.json": (
        "expired",
        "validUntil 2010-01-01 is part of what was signed (the proof verifies, with jsonld.js "
        "too): genuine but expired; upstream counts expiry as invalid",
        _T + "testSimpleJsonExpired: assertInvalid (ExpirationProbe)",
    ),
    _OB30 + "simple-err-context.json": (
        "invalid",
        "a required context removed: terms are undefined (safe mode)",
        _T + "testSimpleJsonContextError: assertInvalid",
    ),
    _OB30 + "simple-context-alias.json": (
        "verified",
        _KEY_IN_URL,
        _T + "testSimpleJsonContextAlias: assertValid",
    ),
    _OB30 + "simple-context-version.json": (
        "verified",
        "context changed from 3.0.3 to 3.0.2 after signing: both define every term it uses "
        "alike, so the signed RDF is unchanged and the proof verifies (VC 2.0 with the 3.0.2 "
        "context is accepted, as DCC's fixtures use it); upstream's ContextPropertyProbe checks "
        "the version string, not integrity; " + _KEY_IN_URL,
        _T + "testSimpleJsonContextVersion: ContextPropertyProbe reported",
    ),
    _OB30 + "simple-err-issuer.json": (
        "invalid",
        "issuer removed",
        _T + "testSimpleJsonSchemaError: assertInvalid",
    ),
    _OB30 + "simple-err-issued.json": (
        "invalid",
        "issuanceDate in 2040: edited after signing (and not yet valid)",
        _T + "testSimpleJsonNotIssued: assertInvalid ('this breaks the proof too')",
    ),
    _OB30 + "complete.json": (
        "error",
        "the revocation list (1EdTechRevocationList at 1edtech.edu) is not stored: status unknown",
        _T + "testCompleteJsonInvalidInlineSchemaRef: report false (404 schema)",
    ),
    _OB30 + "complete_v1.json": (
        "error",
        "the key 'https://1edtech.edu/issuers/565049#key-1' is on the network only",
        _T + "testCompleteV1JsonInvalidInlineSchemaRef: report false (404 schema)",
    ),
    _OB30 + "credential-status-revoked.json": (
        "error",
        "the DID document and revocation list are on the network only (dc.1edtech.org):"
        " key and status unknown offline",
        _T + "testCredentialStatusRevoked: revoked upstream",
    ),
    _OB30 + "simple-eddsa-2022.json": (
        "verified",
        "eddsa-2022, the suite's old name; " + _KEY_IN_URL,
        _T + "testEddsa2022Warning: assertWarning",
    ),
    _OB30 + "bit-string-list/credential-status-revoked.json": (
        "revoked",
        "bit 23 set in the stored list (served at a URL other than its id)",
        _T + "testBitstringStatusListRevoked: assertInvalid, BitstringStatusListProbe fatal",
    ),
    _OB30 + "bit-string-list/credential-status-revoked-blank-nodes.json": (
        "revoked",
        "bit set in the stored list",
        _T + "testRevokedWithBlankNodes: revoked",
    ),
    _OB30 + "sd/derivedcredential.json": (
        "error",
        "ecdsa-sd-2023 (selective disclosure) is not a suite credstack verifies: "
        "an unsupported proof is never a pass",
        _T + "testDerivedCredentialValid: assertValid",
    ),
    _OB30 + "simple-noproof.json": ("invalid", "no proof", "Samples.OB30.JSON.SIMPLE_JSON_NOPROOF"),
    _OB30 + "endorsement-valid.json": (
        "verified",
        "EndorsementCredential; " + _KEY_IN_URL,
        "Endorsement30Tests.testEndorsementWithoutErrors: assertValid",
    ),
    _OB30 + "endorsement-err-schema-status-refresh.json": (
        "invalid",
        "schema, status and refresh errors introduced after signing",
        "Endorsement30Tests.testEndorsementWithErrors: assertInvalid",
    ),
    _CLR + "simple.json": (
        "verified",
        "CLR 2.0.1; " + _KEY_IN_URL,
        "CLR20Tests.testSimpleJsonValid: assertValid",
    ),
    _CLR + "simple_v1.json": (
        "error",
        "the verificationMethod is a urn:uuid with a key fragment: no resolver "
        "confirms a key for it",
        "CLR20Tests.testSimpleV1JsonValid: assertWarning",
    ),
    _CLR + "simple.jwt": (
        "invalid",
        "CLR as VC-JWT (RS256, jwk header) whose @context is the draft CLR context "
        "(dc.imsglobal.org/draft/clr/v2p0/context), not CLR 2.0: the format check fails, as for "
        "simple_old_safesigned.json",
        "CLR20Tests.testSimpleJWTValid: assertValid",
    ),
    _CLR + "complex.json": (
        "invalid",
        "signed with a did:key, but the CLR's issuer is a urn:uuid: the key is not the "
        "issuer's ('not-issuer', as simple-did-key-method.json)",
        "CLR20Tests.testComplexJsonValid: commented out upstream",
    ),
    _CLR + "simple-noproof.json": ("invalid", "no proof", "Samples.CLR20.JSON.SIMPLE_NOPROOF"),
    _CLR + "simple_old_safesigned.json": (
        "invalid",
        "a draft CLR context (dc.imsglobal.org) that is not published: unknown context",
        "Samples.CLR20 (old draft sample)",
    ),
}
_SIMPLE_ERR_TYPES = [
    "credential-subject-achievement-result-description-type",
    "credential-subject-identifier-type",
    "credential-subject-profile-type",
    "credential-subject-result-type",
    "credential-subject-type",
    "evidence-type",
    "issuer-otheridentifier-type",
    "issuer-parentorg-type",
    "issuer-type",
]
for _name in _SIMPLE_ERR_TYPES:
    _1EDTECH[_OB30 + f"simple-err-{_name}.json"] = (
        "invalid",
        f"a {_name.replace('-', ' ')} changed after signing",
        _T + "testSimpleJsonInvalid...Type: assertInvalid",
    )


#: Files not expected to verify whose proofs nevertheless verify.
_PROOFS_VERIFY = {
    _OB30 + "simple-did-key-method.json",
    _OB30 + "simple-err-expired.json",
    _CLR + "complex.json",
}


def collect_1edtech(corpus: Corpus) -> None:
    for path, (verdict, why, upstream) in sorted(_1EDTECH.items()):
        proofs = None
        genuine = verdict == "verified" or path in _PROOFS_VERIFY
        if genuine and path.endswith(".json") and "multiple" not in path:
            proofs = ["ok"] * len(_proofs(_load(corpus.trees["1edtech-validator"][path])))
        if path.endswith("simple-err-proof-value.json"):
            proofs = ["mismatch"]
        corpus.credential("1edtech-validator", path, verdict, why, upstream=upstream, proofs=proofs)
    corpus.document(
        "https://raw.githubusercontent.com/1EdTech/digital-credentials-public-validator/refs/"
        "heads/main/inspector-vc/src/test/resources/ob30/bit-string-list/testlist",
        "1edtech-validator",
        _OB30 + "bit-string-list/testlist",
        "status-list",
        "served at this URL; its id is https://example.com/credentials/status/3",
    )


# --- W3C vectors ----------------------------------------------------------------------------------

_W3C_NOT_OB = (
    "a W3C test vector: the proof verifies (expected_proofs), but it is not an "
    "OpenBadgeCredential, so an OB verifier's format check says invalid"
)
_W3C = {
    "w3c-vc-di-eddsa": [
        "TestVectors/eddsa-rdfc-2022/signedDataInt.json",
        "TestVectors/eddsa-rdfc-2022/employ/signedDataInt.json",
        "TestVectors/Ed25519Signature2020/signedEdSig.json",
        "TestVectors/proof-set-chain/signedProofSet1.json",
        "TestVectors/proof-set-chain/signedProofSet2.json",
        "TestVectors/proof-set-chain/signedProofChain1.json",
        "TestVectors/proof-set-chain/signedProofChain2.json",
        "TestVectors/eddsa-jcs-2022/signedJCS.json",
    ],
    "w3c-vc-di-ecdsa": [
        "TestVectors/ecdsa-rdfc-2019-p256/signedECDSAP256.json",
        "TestVectors/ecdsa-rdfc-2019-p256/employ/signedECDSAP256.json",
        "TestVectors/ecdsa-rdfc-2019-p384/signedECDSAP384.json",
        "TestVectors/ecdsa-rdfc-2019-p384/employ/signedECDSAP384.json",
        "TestVectors/ecdsa-jcs-2019-p256/signedJCSECDSAP256.json",
        "TestVectors/ecdsa-jcs-2019-p384/signedJCSECDSAP384.json",
    ],
}


def collect_w3c(corpus: Corpus) -> None:
    for source, paths in _W3C.items():
        for path in paths:
            document = _load(corpus.trees[source][path])
            codes = []
            for proof in _proofs(document):
                suite = proof.get("cryptosuite") or proof.get("type")
                codes.append("unsupported-suite" if "jcs" in suite else "ok")
            corpus.credential(
                source,
                path,
                "invalid",
                _W3C_NOT_OB,
                upstream="official test vector (the spec's own example)",
                proofs=codes,
                kind="vector",
            )


# --- Production: Digital Promise's StatusList2021 list (history) ----------------------------------


def collect_digital_promise(corpus: Corpus) -> None:
    url = "https://digital-promise.github.io/credential-status-list/5R6EGMYJCL"
    corpus.document(
        url,
        "digital-promise-status",
        "5R6EGMYJCL",
        "status-list",
        "a production StatusList2021Credential (VC 1.1, Ed25519Signature2020)",
    )
    log = (
        _git(corpus.mirror, "digital-promise-status", "log", "--format=%H", "--", "5R6EGMYJCL")
        .decode()
        .split()
    )
    # Every 16th version, oldest first: the same list as the issuer re-signed it over time.
    for commit in log[::16]:
        raw = _git(corpus.mirror, "digital-promise-status", "show", f"{commit}:5R6EGMYJCL")
        corpus.credential(
            "digital-promise-status",
            "5R6EGMYJCL",
            "verified",
            "a status list credential as published by a production issuer (did:key, "
            "Ed25519Signature2020); checked as a credential its proof must verify",
            upstream="published by the issuer",
            proofs=["ok"],
            data=raw,
            rel=f"credentials/digital-promise-status/5R6EGMYJCL@{commit[:12]}.json",
            origin=corpus.source("digital-promise-status", "5R6EGMYJCL", commit),
            kind="status-list",
        )


# --- Tampered copies ------------------------------------------------------------------------------


def _tamper(document: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """One change of signed content that keeps the document well-formed."""
    changed = copy.deepcopy(document)
    subject = changed.get("credentialSubject")
    if isinstance(subject, list):
        subject = subject[0]
    achievement = subject.get("achievement") if isinstance(subject, dict) else None
    if isinstance(achievement, dict) and isinstance(achievement.get("name"), str):
        achievement["name"] += " (tampered)"
        return changed, "credentialSubject.achievement.name changed"
    if isinstance(changed.get("name"), str):
        changed["name"] += " (tampered)"
        return changed, "name changed"
    if isinstance(subject, dict) and isinstance(subject.get("name"), str):
        subject["name"] += " (tampered)"
        return changed, "credentialSubject.name changed"
    if isinstance(subject, dict) and isinstance(subject.get("encodedList"), str):
        text = subject["encodedList"]
        middle = len(text) // 2
        subject["encodedList"] = (
            text[:middle] + ("B" if text[middle] != "B" else "C") + text[middle + 1 :]
        )
        return changed, "credentialSubject.encodedList changed"
    for key in ("validFrom", "issuanceDate"):
        if isinstance(changed.get(key), str):
            changed[key] = "2001-01-01T00:00:00Z"
            return changed, f"{key} changed"
    raise ValueError(f"nothing to tamper with in {json.dumps(document)[:300]}")


def collect_tampered(corpus: Corpus) -> None:
    originals = [
        e
        for e in list(corpus.entries)
        if e["file"].endswith(".json")
        and e.get("expected_proofs")
        and all(code == "ok" for code in e["expected_proofs"])
    ]
    for entry in originals:
        document = json.loads((HERE / entry["file"]).read_text())
        changed, change = _tamper(document)
        rel = entry["file"].replace("credentials/", "credentials/tampered/", 1)
        corpus.credential(
            "tampered",
            entry["file"],
            "invalid",
            f"tampered copy of {entry['file']}: {change} after signing",
            upstream="derived here",
            proofs=["mismatch"] * len(_proofs(changed)),
            data=(json.dumps(changed, indent=2, ensure_ascii=False) + "\n").encode(),
            rel=rel,
            origin={"derived_from": entry["file"], "change": change},
            kind=entry["kind"],
        )
    # One-byte changes of baked images and JWTs: a flipped character inside the signed payload.
    for entry in [e for e in list(corpus.entries) if e["expected"] == "verified"]:
        if not entry["file"].endswith((".jwt",)):
            continue
        token = (HERE / entry["file"]).read_text().strip()
        header, payload, signature = token.split(".")
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        claims["vc"]["name"] = str(claims["vc"].get("name", "")) + " (tampered)"
        body = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
        corpus.credential(
            "tampered",
            entry["file"],
            "invalid",
            f"tampered copy of {entry['file']}: vc.name changed, signature kept",
            upstream="derived here",
            proofs=["mismatch"],
            data=f"{header}.{body}.{signature}\n".encode(),
            rel=entry["file"].replace("credentials/", "credentials/tampered/", 1),
            origin={"derived_from": entry["file"], "change": "vc.name changed"},
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mirror", type=Path, required=True)
    parser.add_argument(
        "--vcore-json",
        type=Path,
        required=True,
        help="JSON of verifier-core's vc.ts getters (see README)",
    )
    args = parser.parse_args(argv)
    for sub in ("credentials", "documents"):
        shutil.rmtree(HERE / sub, ignore_errors=True)
    corpus = Corpus(args.mirror)
    collect_dcc_fixtures(corpus)
    collect_verifier_core(corpus, args.vcore_json)
    collect_1edtech(corpus)
    collect_w3c(corpus)
    collect_digital_promise(corpus)
    collect_tampered(corpus)
    manifest = {
        "at": AT,
        "credentials": sorted(corpus.entries, key=lambda e: e["file"]),
        "documents": dict(sorted(corpus.documents.items())),
    }
    (HERE / "manifest.json").write_text(json.dumps(manifest, indent=1, ensure_ascii=False) + "\n")
    print(f"{len(corpus.entries)} credentials, {len(corpus.documents)} documents", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

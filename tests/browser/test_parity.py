"""The CLI and the page give the same verdict on the same input, by test.

A corpus of well over 100 credentials — every demo credential, tampered copies of each (every
tamper class of the browser tests), structural breakage, impersonation, foreign issuers and the
official vectors — is verified by `credstack verify --json` (a real CLI process inside the
registry) and by the page's own verifier (real Chromium, the built site's /verify/ page, its own
settings via ``window.credstackPage.verify``). Any difference in the status or in any check's
reason code fails, listing every differing file.
"""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path

import pytest

from browser_support import TAMPERS
from credstack.crypto.keys import SigningKey, encode_multikey_public
from credstack.crypto.proof import create_proof
from signers import Ed25519Issuer, P256Issuer, badge, entry
from support import REPO
from support import at as date

pytestmark = pytest.mark.browser


def _structural() -> dict:
    def second_proof(d):
        d["proof"].append(copy.deepcopy(d["proof"][0]))

    return {
        "proof-removed": lambda d: d.pop("proof"),
        "proof-purpose-changed": lambda d: d["proof"][0].update(proofPurpose="authentication"),
        "proof-value-not-base58": lambda d: d["proof"][0].update(proofValue="z0OIl"),
        "proof-suite-unknown": lambda d: d["proof"][0].update(cryptosuite="eddsa-jcs-2022"),
        "proof-created-malformed": lambda d: d["proof"][0].update(created="yesterday"),
        "two-proofs": second_proof,
        "status-removed": lambda d: d.pop("credentialStatus", None),
        "status-index-not-a-number": lambda d: d["credentialStatus"].update(statusListIndex="x"),
        "issuer-as-string": lambda d: d.update(issuer=d["issuer"]["id"]),
        "valid-from-without-zone": lambda d: d.update(validFrom="2025-01-01T00:00:00"),
        "no-id": lambda d: d.pop("id"),
        "subject-without-achievement": lambda d: d["credentialSubject"].pop("achievement"),
        "type-not-ob": lambda d: d.update(type=["VerifiableCredential"]),
        "context-v1": lambda d: d["@context"].__setitem__(
            0, "https://www.w3.org/2018/credentials/v1"
        ),
        "unknown-context-appended": lambda d: d["@context"].append(
            "https://attacker.example/c.json"
        ),
        "key-unknown-fragment": lambda d: d["proof"][0].update(
            verificationMethod=d["issuer"]["id"] + "#no-such-key"
        ),
        "key-other-did-web": lambda d: d["proof"][0].update(
            verificationMethod="did:web:other.example#key-1"
        ),
        "not-an-object-inside": lambda d: d.update(credentialSubject=[1, 2]),
    }


def _self_signed(doc: dict, *, issuer: str | None) -> dict:
    """Re-signed with a did:key of our own, optionally claiming another issuer id."""
    key = SigningKey.from_seed(bytes([7]) * 32)
    did = "did:key:" + encode_multikey_public(key.public_key)
    unsigned = {k: v for k, v in copy.deepcopy(doc).items() if k != "proof"}
    if issuer is not None:
        unsigned["issuer"]["id"] = issuer
    return create_proof(
        unsigned, key, verification_method=f"{did}#{did[8:]}", created=date("2026-01-02")
    )


def _other_issuers() -> dict[str, object]:
    """Credentials of other issuers and kinds: suites, proof sets, VC-JWT, VC 1.1, CLR."""
    ed, ec = Ed25519Issuer(41), P256Issuer(42)
    good = ed.sign(badge(ed.did))
    bad_pair = ed.sign(good, created=date("2026-01-02"))
    bad_pair["proof"][1]["proofValue"] = bad_pair["proof"][0]["proofValue"]
    other = {"type": "BbsBlsSignature2020", "proofPurpose": "assertionMethod", "proofValue": "x"}
    jwt_credential = badge(ed.did, "Data Steward")
    token = ed.jwt(jwt_credential, jti=jwt_credential["id"], sub="did:example:learner-1")
    head, payload, sig = token.split(".")
    v1 = badge(ed.did, "Legacy")
    v1["@context"] = [
        "https://www.w3.org/2018/credentials/v1",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json",
        "https://w3id.org/security/data-integrity/v2",
    ]
    v1["issuanceDate"] = v1.pop("validFrom")
    compact = badge(ed.did, "Compact")
    compact["issuer"] = ed.did
    compact["credentialSubject"]["identifier"] = {
        "type": "IdentityObject",
        "identityType": "name",
        "hashed": False,
        "identityHash": "Ada",
    }
    del compact["credentialSubject"]["id"]
    nobody = badge(ed.did, "Nobody")
    del nobody["credentialSubject"]["id"]
    endorsement = badge(ed.did, "Endorsement")
    endorsement["type"] = ["VerifiableCredential", "EndorsementCredential"]
    endorsement["credentialSubject"] = {
        "id": "https://odi.example/achievements/practitioner",
        "type": ["EndorsementSubject"],
        "endorsementComment": "Rigorous.",
    }
    tampered = copy.deepcopy(good)
    tampered["name"] = "Changed"
    clr = {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        ],
        "id": "urn:uuid:c1c1c1c1-0000-4000-8000-000000000002",
        "type": ["VerifiableCredential", "ClrCredential"],
        "issuer": {"id": ed.did, "type": ["Profile"], "name": "Open Data Institute (test)"},
        "validFrom": "2025-05-02T00:00:00Z",
        "credentialSubject": {
            "id": "did:example:learner-1",
            "type": ["ClrSubject"],
            "verifiableCredential": [good, tampered, token],
        },
    }
    return {
        "other-eddsa-did-key": good,
        "other-ecdsa-p256-did-key": ec.sign(badge(ec.did)),
        "other-ecdsa-changed": {**ec.sign(badge(ec.did)), "name": "Changed"},
        "other-proof-set": ed.sign(good, created=date("2026-01-02")),
        "other-proof-set-one-bad": bad_pair,
        "other-proof-set-foreign-key": ec.sign(good),
        "other-with-unsupported-proof": {**good, "proof": [other, *good["proof"]]},
        "other-only-unsupported-proof": {**good, "proof": [other]},
        "other-vc-jwt": token,
        "other-vc-jwt-es256": ec.jwt(badge(ec.did), jti=badge(ec.did)["id"]),
        "other-vc-jwt-tampered": f"{head}.{payload[:-4]}AAAA.{sig}",
        "other-vc-jwt-claims": ed.jwt(jwt_credential, jti="urn:uuid:another"),
        "other-vc-1.1": ed.sign(v1),
        "other-compact-shapes": ed.sign(compact),
        "other-no-recipient": ed.sign(nobody),
        "other-endorsement": ed.sign(endorsement),
        "other-clr": ed.sign(clr),
        "other-status-unavailable": ed.sign(
            badge(ed.did, credentialStatus=entry("https://odi.example/status/1", 5))
        ),
    }


def corpus(registry_root: Path) -> dict[str, object]:
    """name -> credential JSON."""
    out: dict[str, object] = {}
    demo = {
        p.stem: json.loads(p.read_text())
        for p in sorted((registry_root / "issued/credentials").glob("*.json"))
    }
    for cid, doc in demo.items():
        out[f"demo-{cid}"] = doc
        for name, mutate in {**TAMPERS, **_structural()}.items():
            changed = copy.deepcopy(doc)
            try:
                mutate(changed)
            except (KeyError, IndexError, AttributeError, TypeError):
                continue
            out[f"{name}-{cid}"] = changed
    one = next(iter(demo.values()))
    out["impersonation-did-key"] = _self_signed(one, issuer=None)
    key = SigningKey.from_seed(bytes([7]) * 32)
    stranger = "did:key:" + encode_multikey_public(key.public_key)
    foreign = copy.deepcopy(one)
    foreign["issuer"] = {"id": stranger, "type": ["Profile"], "name": "A Stranger"}
    foreign["id"] = "https://stranger.example/credentials/1"
    foreign["credentialSubject"]["achievement"]["id"] = "https://stranger.example/a/1"
    foreign["credentialSubject"]["achievement"]["creator"] = {"id": stranger, "type": ["Profile"]}
    foreign.pop("credentialStatus")
    out["foreign-did-key-issuer"] = _self_signed(foreign, issuer=stranger)
    vectors = REPO / "tests/vectors"
    ob = json.loads((vectors / "ob-v3p0-eddsa-rdfc-2022.json").read_text())
    out["vector-1edtech-ob"] = ob["expected"]["signedDocument"]
    for case in json.loads((vectors / "eddsa-rdfc-2022.json").read_text())["cases"]:
        out[f"vector-w3c-{case['name']}"] = case["expected"]["signedDocument"]
    out.update(_other_issuers())
    return out


def test_cli_and_page_agree_on_every_status_and_check_code(site_dir, server, page, tmp_path):
    registry_root = site_dir.parent / "registry"
    docs = corpus(registry_root)
    assert len(docs) >= 100, len(docs)
    folder = tmp_path / "corpus"
    folder.mkdir()
    paths = {}
    for name, doc in docs.items():
        if isinstance(doc, str):  # a VC-JWT
            path = folder / f"{name}.jwt"
            path.write_text(doc)
        else:
            path = folder / f"{name}.json"
            path.write_text(json.dumps(doc))
        paths[name] = path
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "credstack.cli",
            "-C",
            str(registry_root),
            "verify",
            "--json",
            *map(str, paths.values()),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    cli_reports = json.loads(run.stdout)
    assert len(cli_reports) == len(docs), run.stderr
    cli = {Path(r["target"]).stem: r for r in cli_reports}

    page.goto(server + "verify/")
    page.wait_for_function("() => window.credstackPage && window.CredstackVerifier")
    browser_reports = page.evaluate(
        """async (docs) => {
            const out = {};
            for (const [name, doc] of Object.entries(docs)) {
                out[name] = await window.credstackPage.verify(doc);
            }
            return out;
        }""",
        docs,
    )

    def summary(report):
        return report["status"], {c["id"]: c["code"] for c in report["checks"]}

    differences = {
        name: {"cli": summary(cli[name]), "page": summary(browser_reports[name])}
        for name in docs
        if summary(cli[name]) != summary(browser_reports[name])
    }
    assert not differences, json.dumps(differences, indent=1)[:6000]
    statuses = {summary(r)[0] for r in cli.values()}
    assert {"verified", "revoked", "suspended", "expired", "invalid", "error"} <= statuses, statuses

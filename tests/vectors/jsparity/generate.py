"""Regenerate ../jsonld-js-parity.json: what real jsonld.js makes of tricky OB credentials.

Not a test. Needs node and network access once, outside the repository:

    mkdir -p /tmp/js9 /tmp/js8
    (cd /tmp/js9 && npm install jsonld@9.0.0)   # brings rdf-canonize 5.0.0 (RDFC-1.0)
    (cd /tmp/js8 && npm install jsonld@8.3.3)   # brings rdf-canonize 3.4.0 (URDNA2015)
    python tests/vectors/jsparity/generate.py /tmp/js9/node_modules/jsonld \
        /tmp/js8/node_modules/jsonld

Each case is an edit of the 1EdTech OB 3.0 vector's unsigned credential. The output records, per
case, the document exactly as JSON text and, per jsonld.js version, either the SHA-256 of the
canonical N-Quads (safe mode on, as Digital Bazaar verifiers run it) plus the lines that differ
from the unedited credential, or the safe-mode event that refused it.
"""

from __future__ import annotations

import copy
import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
VECTORS = HERE.parent
REPO = VECTORS.parent.parent
PACKAGE_CONTEXTS = REPO / "plugins" / "credstack" / "crypto" / "contexts"

BASE = json.loads((VECTORS / "ob-v3p0-eddsa-rdfc-2022.json").read_text())["unsignedDocument"]
ACHIEVEMENT = ("credentialSubject", "achievement")
OBJECTS = {
    "credential": (),
    "issuer": ("issuer",),
    "credentialSubject": ("credentialSubject",),
    "achievement": ACHIEVEMENT,
    "criteria": (*ACHIEVEMENT, "criteria"),
}


def edit(path: tuple[str, ...], key: str, value: Any) -> dict[str, Any]:
    doc = copy.deepcopy(BASE)
    target = doc
    for part in path:
        target = target[part]
    target[key] = value
    return doc


REGISTRY = "https://example.github.io/registry"
REALISTIC: dict[str, Any] = {
    "@context": [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json",
    ],
    "id": "urn:uuid:0f2b3c4d-5e6f-4a1b-9c8d-7e6f5a4b3c2d",
    "type": ["VerifiableCredential", "OpenBadgeCredential"],
    "name": "Data Analysis Foundations",
    "description": "Awarded for completing the foundations track.\n\nIncludes:\tSQL, statistics.",
    "issuer": {
        "id": "did:web:example.github.io:registry",
        "type": ["Profile"],
        "name": "Example Academy",
        "url": f"{REGISTRY}/",
        "email": "badges@example.org",
        "image": {"id": f"{REGISTRY}/logo.png", "type": "Image", "caption": "Example Academy"},
    },
    "validFrom": "2025-03-01T09:00:00Z",
    "validUntil": "2028-03-01T09:00:00Z",
    "awardedDate": "2025-03-01T09:00:00Z",
    "credentialSubject": {
        "type": ["AchievementSubject"],
        "identifier": [
            {
                "type": "IdentityObject",
                "identityHash": "sha256$" + "0" * 64,
                "identityType": "emailAddress",
                "hashed": True,
                "salt": "s4lt",
            },
            {
                "type": "IdentityObject",
                "identityHash": "Ada Lovelace",
                "identityType": "name",
                "hashed": False,
            },
        ],
        "creditsEarned": 2.5,
        "activityStartDate": "2025-01-10",
        "achievement": {
            "id": f"{REGISTRY}/achievements/data-analysis",
            "type": ["Achievement"],
            "achievementType": "Certificate",
            "name": "Data Analysis Foundations",
            "description": "SQL and statistics for analysts.",
            "criteria": {
                "id": f"{REGISTRY}/achievements/data-analysis#criteria",
                "narrative": "1. Pass the SQL exam\n2. Submit the capstone",
            },
            "image": {"id": f"{REGISTRY}/badges/data-analysis.png", "type": "Image"},
            "alignment": [
                {
                    "type": ["Alignment"],
                    "targetName": "Writing SQL queries",
                    "targetUrl": f"{REGISTRY}/competencies/sql",
                    "targetType": "ceasn:Competency",
                    "targetFramework": "Example Skills Framework",
                }
            ],
            "creditsAvailable": 2.5,
            "tag": ["data", "sql"],
            "creator": {"id": "did:web:example.github.io:registry", "type": ["Profile"]},
        },
    },
    "evidence": [
        {
            "id": f"{REGISTRY}/evidence/capstone-1",
            "type": ["Evidence"],
            "name": "Capstone",
            "narrative": "Built a dashboard.",
            "genre": "Project",
        }
    ],
    "credentialSchema": [
        {
            "id": "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/"
            "ob_v3p0_achievementcredential_schema.json",
            "type": "1EdTechJsonSchemaValidator2019",
        }
    ],
    "credentialStatus": {
        "id": f"{REGISTRY}/status/1#94567",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "94567",
        "statusListCredential": f"{REGISTRY}/status/1",
    },
}


def cases() -> list[tuple[str, dict[str, Any]]]:
    out: list[tuple[str, dict[str, Any]]] = []
    out.append(("realistic OB credential", copy.deepcopy(REALISTIC)))
    endorsed = copy.deepcopy(REALISTIC)
    # No tab here: this one shows jsonld.js 8 agreeing when the text has no control characters.
    endorsed["description"] = "Awarded for completing the foundations track.\n\nSQL, statistics."
    endorsed["credentialSubject"]["achievement"]["endorsement"] = [
        {
            "@context": REALISTIC["@context"][:2],
            "id": "urn:uuid:5a6b7c8d-0000-4000-8000-000000000001",
            "type": ["VerifiableCredential", "EndorsementCredential"],
            "name": "Endorsement",
            "issuer": {"id": "https://partner.example/", "type": ["Profile"]},
            "validFrom": "2025-02-01T00:00:00Z",
            "credentialSubject": {
                "id": f"{REGISTRY}/achievements/data-analysis",
                "type": ["EndorsementSubject"],
                "endorsementComment": "Solid curriculum.",
            },
            "proof": [
                {
                    "type": "DataIntegrityProof",
                    "cryptosuite": "eddsa-rdfc-2022",
                    "created": "2025-02-01T00:00:00Z",
                    "verificationMethod": "https://partner.example/#key-1",
                    "proofPurpose": "assertionMethod",
                    "proofValue": "z3FXQjecWufY46yg5abdVZsXqLhxhueuSoZgNSARiKBk9czhSePTFeh"
                    "P8c3PGfb6a22gkfUKKFxDoXJ4NZDhLADLK",
                }
            ],
        }
    ]
    out.append(("realistic OB credential with a signed endorsement", endorsed))
    link = {"p": {"@id": "https://example.org/p", "@type": "@id"}}
    out.append(
        ("blank node 2-cycle", {"@context": link, "@id": "_:a", "p": {"@id": "_:b", "p": "_:a"}})
    )
    out.append(
        (
            "blank node 3-cycle",
            {"@context": link, "@id": "_:a", "p": {"@id": "_:b", "p": {"@id": "_:c", "p": "_:a"}}},
        )
    )
    twins = edit(ACHIEVEMENT, "https://example.org/p", [{"ex:q": "x"}, {"ex:q": "x"}])
    out.append(("two identical anonymous objects", twins))
    narrative = (*ACHIEVEMENT, "criteria")
    for cp in [*range(0x20), 0x7F, 0x80, 0x85, 0x9F, 0xA0, 0x2028, 0xFEFF, 0x22, 0x5C]:
        out.append((f"narrative with U+{cp:04X}", edit(narrative, "narrative", f"a{chr(cp)}b")))
    out.append(
        (
            "description with newlines, tab, quotes, backslash",
            edit(ACHIEVEMENT, "description", 'Line 1\nLine 2\r\n\tindented "quoted" back\\slash'),
        )
    )
    out.append(("name with non-ASCII", edit(ACHIEVEMENT, "name", "Team 😀 é ü ß 中文")))
    out.append(
        ("names sorted by UTF-16", edit(("issuer",), "name", ["\uff08x", "\U0001f600y", "z"]))
    )
    numbers = {
        "3": 3,
        "3.0": 3.0,
        "3.5": 3.5,
        "0.1": 0.1,
        "-2.5": -2.5,
        "0.30000000000000004": 0.1 + 0.2,
        "1.0000000000000002": 1.0000000000000002,
        "123456.789": 123456.789,
        "1e-6": 1e-6,
        "1e20": 1e20,
        "1e21": 1e21,
        "-0.0": -0.0,
        "max double": 1.7976931348623157e308,
        "rounding tie 1001/2**20": 1001 / 2**20,
        "rounding tie -1001/2**20": -1001 / 2**20,
        "1e-7": 1e-7,
        "1.5e-7": 1.5e-7,
        "2**53 + 2": 2**53 + 2,
    }
    for label, number in numbers.items():
        out.append((f"creditsAvailable {label}", edit(ACHIEVEMENT, "creditsAvailable", number)))
        out.append((f"untyped number {label}", edit(ACHIEVEMENT, "https://example.org/n", number)))
    out.append(
        (
            "xsd:double string",
            edit(
                ACHIEVEMENT,
                "https://example.org/n",
                {"@value": "1.50", "@type": "http://www.w3.org/2001/XMLSchema#double"},
            ),
        )
    )
    for where, path in OBJECTS.items():
        for key in ["foo", "foo bar", "@foo", "", "ex:foo", "https://example.org/p", "_:b0"]:
            out.append((f"key {key!r} in {where}", edit(path, key, "x")))
        for label, value in [("null", None), ("[]", []), ("{}", {})]:
            out.append((f"ex:foo {label} in {where}", edit(path, "ex:foo", value)))
        out.append((f"relative id in {where}", edit(path, "id", "foo/bar")))
        out.append((f"id with space in {where}", edit(path, "id", "https://example.org/a b")))
        out.append((f"id with < in {where}", edit(path, "id", "https://example.org/a<b")))
        out.append((f"keyword-like id in {where}", edit(path, "id", "@foo")))
        out.append((f"null id in {where}", edit(path, "id", None)))
        out.append((f"undefined type in {where}", edit(path, "type", ["Foo"])))
    out.append(("name null", edit(ACHIEVEMENT, "name", None)))
    out.append(("relative issuer", edit((), "issuer", "issuers/1")))
    out.append(("relative anyURI-typed url", edit(("issuer",), "url", "relative")))
    out.append(("relative image id", edit(ACHIEVEMENT, "image", {"id": "i.png", "type": "Image"})))
    out.append(("relative image string", edit(ACHIEVEMENT, "image", "i.png")))
    out.append(("@value null", edit(ACHIEVEMENT, "name", {"@value": None})))
    out.append(("only @language", edit(ACHIEVEMENT, "name", {"@language": "en"})))
    out.append(
        ("@language en-GB", edit(ACHIEVEMENT, "name", {"@value": "x", "@language": "en-GB"}))
    )
    out.append(
        ("@language en_GB", edit(ACHIEVEMENT, "name", {"@value": "x", "@language": "en_GB"}))
    )
    out.append(("@direction", edit(ACHIEVEMENT, "name", {"@value": "x", "@direction": "rtl"})))
    out.append(("free-floating string in @graph", edit((), "@graph", ["x"])))
    contexts = BASE["@context"]
    out.append(("unknown context URL", edit((), "@context", [*contexts, "https://example.org/c"])))
    out.append(("OB context removed", edit((), "@context", contexts[:1])))
    out.append(
        (
            "OB 3.0.3 context replaced by 3.0.2",
            edit((), "@context", [contexts[0], contexts[1].replace("3.0.3", "3.0.2")]),
        )
    )
    inline = edit((), "@context", [*contexts, {"foo": "https://example.org/foo"}])
    inline["foo"] = "x"
    out.append(("inline context defines a term", inline))
    based = edit((), "@context", [*contexts, {"@base": "https://example.org/"}])
    based["id"] = "rel"
    out.append(("inline @base makes an id absolute", based))
    out.append(("inline relative @vocab", edit((), "@context", [*contexts, {"@vocab": "rel/"}])))
    out.append(("proof with only id", edit((), "proof", {"id": "urn:uuid:1"})))
    out.append(("empty proof", edit((), "proof", {})))
    out.append(("document with only id", {"@context": contexts, "id": "urn:x"}))
    out.append(("@list", edit((), "https://example.org/l", {"@list": ["a", 1, 2.5]})))
    extensions = "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json"
    schema = [{"id": "https://example.org/s.json", "type": "1EdTechJsonSchemaValidator2019"}]
    out.append(("1EdTech schema type without extensions", edit((), "credentialSchema", schema)))
    with_ext = edit((), "@context", [*contexts, extensions])
    with_ext["credentialSchema"] = schema
    out.append(("1EdTech schema type with extensions", with_ext))
    return out


def nquad_lines(nquads: str) -> list[str]:
    # Not str.splitlines(): that also splits at U+0085 and U+2028, which N-Quads keeps raw.
    return [line + "\n" for line in nquads.split("\n")[:-1]]


def run(jsonld_dir: str, algorithm: str, case_file: Path, contexts_dir: Path) -> dict[str, Any]:
    result = subprocess.run(
        ["node", str(HERE / "canon.js"), jsonld_dir, algorithm],
        stdin=case_file.open(),
        capture_output=True,
        text=True,
        check=True,
        env={"CONTEXTS_DIR": str(contexts_dir), "PATH": "/usr/bin:/bin:/usr/local/bin"},
    )
    return json.loads(result.stdout)


def version(jsonld_dir: str, package: str) -> str:
    root = Path(jsonld_dir).parent
    return json.loads((root / package / "package.json").read_text())["version"]


def main(js9: str, js8: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        contexts_dir = Path(tmp) / "contexts"
        contexts_dir.mkdir()
        index = {}
        sys.path.insert(0, str(REPO / "plugins"))
        from credstack.crypto.contexts import CONTEXT_FILES

        for url, filename in CONTEXT_FILES.items():
            shutil.copy(PACKAGE_CONTEXTS / filename, contexts_dir / filename)
            index[url] = filename
        (contexts_dir / "index.json").write_text(json.dumps(index))
        all_cases = [
            {"name": name, "text": json.dumps(doc, ensure_ascii=False)} for name, doc in cases()
        ]
        all_cases.append({"name": "unedited", "text": json.dumps(BASE, ensure_ascii=False)})
        case_file = Path(tmp) / "cases.json"
        case_file.write_text(json.dumps(all_cases))
        outputs = {
            "jsonld9": run(js9, "RDFC-1.0", case_file, contexts_dir),
            "jsonld8": run(js8, "URDNA2015", case_file, contexts_dir),
        }
    base_lines = {
        stack: set(nquad_lines(out["unedited"]["nquads"])) for stack, out in outputs.items()
    }
    records = []
    for case in all_cases:
        record: dict[str, Any] = {"name": case["name"], "json": case["text"]}
        for stack, out in outputs.items():
            got = out[case["name"]]
            if got["ok"]:
                nquads = got["nquads"]
                record[stack] = {
                    "sha256": hashlib.sha256(nquads.encode("utf-8")).hexdigest(),
                    "changedLines": [
                        line for line in nquad_lines(nquads) if line not in base_lines[stack]
                    ],
                }
            else:
                record[stack] = {"refused": got["error"]}
        records.append(record)
    data = {
        "about": (
            "Canonical N-Quads of edited OB 3.0 credentials as produced by jsonld.js in safe mode "
            "(jsonld.canonize(doc, {safe: true, algorithm, documentLoader: offline})), recorded by "
            "tests/vectors/jsparity/generate.py. sha256 is of the full canonical N-Quads (UTF-8); "
            "changedLines are the lines not in the unedited credential's canonical form; refused "
            "is the safe-mode event code (or error) that stopped canonicalization."
        ),
        "node": subprocess.run(
            ["node", "--version"], capture_output=True, text=True
        ).stdout.strip(),
        "jsonld9": {
            "jsonld": version(js9, "jsonld"),
            "rdf-canonize": version(js9, "rdf-canonize"),
            "algorithm": "RDFC-1.0",
        },
        "jsonld8": {
            "jsonld": version(js8, "jsonld"),
            "rdf-canonize": version(js8, "rdf-canonize"),
            "algorithm": "URDNA2015",
        },
        "cases": records,
    }
    (VECTORS / "jsonld-js-parity.json").write_text(
        json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
    )


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])

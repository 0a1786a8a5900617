"""``credstack verify`` as a visitor runs it: a real CLI process, outside any registry, on every
corpus file, with the saved documents in a folder laid out as their URLs (``--documents``), and
with single files (``--did-document``, ``--status-list URL=FILE``)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from credstack.errors import CredstackError
from credstack.model.status import parse_datetime
from credstack.model.urls import did_web_document_url
from credstack.registry.verify import read_target, registry_verifier, unreadable_report
from support import REPO

CORPUS = REPO / "tests" / "corpus"
sys.path.insert(0, str(CORPUS))

import runner  # noqa: E402


def cli(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "credstack.cli", "-C", str(cwd), "verify", *args],
        capture_output=True,
        text=True,
        check=False,
    )


def mirror(folder: Path) -> Path:
    """The saved documents as a folder of URLs (what ``wget -x`` would save)."""
    for key, entry in runner.manifest()["documents"].items():
        url = did_web_document_url(key) if key.startswith("did:web:") else key
        target = folder / url.removeprefix("https://")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(CORPUS / entry["file"], target)
    return folder


def test_every_corpus_file_from_a_documents_folder(tmp_path):
    entries = list(runner.entries())
    docs = mirror(tmp_path / "documents")
    at = runner.manifest()["at"]
    run = cli(
        tmp_path,
        "--json",
        "--at",
        at,
        "--documents",
        str(docs),
        *[str(CORPUS / e["file"]) for e in entries],
    )
    reports = {Path(r["target"]).resolve(): r for r in json.loads(run.stdout)}
    assert len(reports) == len(entries), run.stderr
    # The same verification in this process (the CLI judges list freshness and proof dates by the
    # real clock, --at only the validity window).
    dids, lists = runner.saved_documents()
    verifier = registry_verifier(
        None, at=parse_datetime(at), now=datetime.now(UTC), did_documents=dids, status_lists=lists
    )
    for entry in entries:
        path = (CORPUS / entry["file"]).resolve()
        try:
            expected = verifier.verify(read_target(path), str(path))
        except CredstackError as e:
            expected = unreadable_report(str(path), e.message)
        report = reports[path]
        assert report["status"] == expected.status, entry["file"]
        assert {c["id"]: c["code"] for c in report["checks"]} == {
            c.id: c.code for c in expected.checks
        }, entry["file"]
    assert run.returncode == 1  # not every file is verified


def test_status_list_served_elsewhere_given_with_its_url(tmp_path):
    credential = CORPUS / "credentials/dcc-verifier-core/getVCv2DidWebWithValidStatus.json"
    did = CORPUS / "documents/dcc-did-web/did.json"
    saved = CORPUS / "documents/dcc-verifier-core/src/test-fixtures/status/e5WK8CbZ1GjycuPombrj"
    url = json.loads(credential.read_text())["credentialStatus"]["statusListCredential"]
    given = cli(
        tmp_path,
        "--json",
        "--did-document",
        str(did),
        "--status-list",
        f"{url}={saved}",
        str(credential),
    )
    report = json.loads(given.stdout)
    assert (report["status"], given.returncode) == ("verified", 0), given.stderr
    status = next(c for c in report["checks"] if c["id"] == "status")
    assert status["params"]["listId"] != url  # reported: the list calls itself by another URL
    # Without the URL, the list is known at its own id: the credential's URL has no list.
    bare = json.loads(
        cli(
            tmp_path,
            "--json",
            "--did-document",
            str(did),
            "--status-list",
            str(saved),
            str(credential),
        ).stdout
    )
    assert (bare["status"], bare["reason"]) == ("error", {"check": "status", "code": "unavailable"})
    # Without the DID document the key is unknown: never verified.
    keyless = json.loads(cli(tmp_path, "--json", str(credential)).stdout)
    assert (keyless["status"], keyless["reason"]["code"]) == ("error", "unresolvable")

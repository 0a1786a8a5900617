"""An independent cross-check: Go's golang.org/x/mod/sumdb/tlog and sumdb/note (Debian's
golang-golang-x-mod-dev) read logs credstack writes, from 1 to 70,000 entries.

Go verifies the signed checkpoint with the vkey we publish, rebuilds the tree hash from our
tiles (its TileHashReader checks every tile against the signed root), proves and checks records
read from our entry bundles, and proves consistency from older sizes, whose roots must be ours.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from credstack.crypto.keys import SigningKey
from credstack.crypto.note import NoteSigner, sign_note
from credstack.model import tlog

PROGRAM = Path(__file__).resolve().parents[1] / "go" / "tlogcheck"
GOPATH = "/usr/share/gocode"  # where Debian installs golang-golang-x-mod-dev


@pytest.fixture(scope="module")
def tlogcheck(tmp_path_factory) -> Path:
    if not shutil.which("go") or not (Path(GOPATH) / "src/golang.org/x/mod/sumdb/tlog").is_dir():
        if os.environ.get("CI"):
            pytest.fail("golang-go and golang-golang-x-mod-dev are missing: .ci/run installs them")
        pytest.skip("Go's sumdb/tlog is not installed (apt-get install golang-golang-x-mod-dev)")
    out = tmp_path_factory.mktemp("go") / "tlogcheck"
    env = {
        **os.environ,
        "GO111MODULE": "off",
        "GOPATH": GOPATH,
        "GOCACHE": str(out.parent / "cache"),
        "GOFLAGS": "",
    }
    subprocess.run(["go", "build", "-o", str(out), "main.go"], check=True, env=env, cwd=PROGRAM)
    return out


@pytest.mark.parametrize("n", [1, 2, 255, 256, 257, 513, 65536, 70000])
def test_go_reads_our_log(tmp_path, tlogcheck, n):
    entries = [f'{{"kind":"test","n":{i}}}'.encode() for i in range(n)]
    tree = tlog.tree_of(entries)
    for rel, data in tlog.tile_files(entries, tree).items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_bytes(data)
    signer = NoteSigner("example.test/log", SigningKey.from_seed(bytes([9] * 32)))  # TEST-ONLY
    body = tlog.Checkpoint(signer.name, n, tree.root()).body()
    (tmp_path / "checkpoint").write_text(sign_note(body, signer, timestamp=1_700_000_000))
    indexes = sorted({0, n - 1, n // 2, min(255, n - 1), min(256, n - 1), (n * 7) // 9})
    old = sorted({1, max(n - 1, 1), (n + 2) // 3, min(256, n)})
    run = subprocess.run(
        [
            str(tlogcheck),
            str(tmp_path),
            signer.verifier.vkey,
            ",".join(map(str, indexes)),
            ",".join(map(str, old)),
        ],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout)
    assert result["size"] == n and result["records"] == len(indexes)
    assert base64.b64decode(result["root"]) == tree.root()
    for m, root in result["old"].items():
        assert base64.b64decode(root) == tree.root(int(m))


def test_go_refuses_a_tampered_tile(tmp_path, tlogcheck):
    entries = [f"e{i}".encode() for i in range(300)]
    tree = tlog.tree_of(entries)
    for rel, data in tlog.tile_files(entries, tree).items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_bytes(data)
    signer = NoteSigner("example.test/log", SigningKey.from_seed(bytes([9] * 32)))
    (tmp_path / "checkpoint").write_text(
        sign_note(tlog.Checkpoint(signer.name, 300, tree.root()).body(), signer)
    )
    tile = tmp_path / "tile" / "0" / "000"
    tile.write_bytes(bytes(32) + tile.read_bytes()[32:])
    run = subprocess.run(
        [str(tlogcheck), str(tmp_path), signer.verifier.vkey, "5", ""], capture_output=True
    )
    assert run.returncode != 0

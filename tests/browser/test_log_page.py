"""The issuer's public log in the page, in real Chromium, against built sites: a genuine page
says where the credential is recorded; every attack of issue 14 is detected and none is shown
as verified (the CLI side: tests/integration/test_log.py).

Sites are built from a registry that keeps a log, signed with a TEST-ONLY log key: once before
a revocation and once after. Attacks are made on copies of the built site, as whoever controls
the hosting would make them; a "returning visitor" keeps the browser's localStorage, where the
page remembers the largest checkpoint it has seen of this issuer.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from browser_support import final_status
from credstack.crypto.keys import SigningKey
from credstack.registry.lifecycle import change_status
from credstack.registry.registry import Registry
from credstack.registry.tlog import LOG_KEY_ENV
from support import at as date
from support import loaded_test_key

pytestmark = pytest.mark.browser
REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests" / "integration"))
from test_log_site import LOG_SEED, logged_registry  # noqa: E402


def _build(root: Path, out: Path, env: dict[str, str]) -> Path:
    mkdocs = Path(sys.executable).with_name("mkdocs")
    run = subprocess.run(
        [str(mkdocs), "build", "--strict", "-d", str(out)],
        cwd=root,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1", **env},
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stderr
    return out


@pytest.fixture(scope="module")
def sites(tmp_path_factory):
    """(registry, site before the revocation, site after it, revoked cid, other cids)."""
    work = tmp_path_factory.mktemp("log-page")
    root = logged_registry(work, count=3)
    key = {LOG_KEY_ENV: SigningKey.from_seed(LOG_SEED).to_multibase_secret()}
    before = _build(root, work / "before", key)
    cids = sorted(Registry(root).credentials)
    change_status(
        Registry(root),
        cids[0],
        "revoked",
        key=loaded_test_key(root),
        when=date("2025-02-01"),
        reason="awarded in error",
    )
    after = _build(root, work / "after", key)
    return root, before, after, cids[0], cids[1], cids[2]


def _log_line(page) -> tuple[str, str]:
    """(status, text of the page's public-log check line)."""
    status = final_status(page)
    lines = page.eval_on_selector_all(".cs-check", "(items) => items.map((i) => i.textContent)")
    line = next((ln for ln in lines if "Public log" in ln), "")
    return status, line


def _visit(page, base: str, cid: str) -> tuple[str, str]:
    page.goto(f"{base}credentials/{cid}/")
    return _log_line(page)


def _copy(site: Path, tmp_path: Path, name: str) -> Path:
    target = tmp_path / name
    shutil.copytree(site, target)
    return target


def test_a_genuine_page_names_its_log_entry_and_offers_the_proof(sites, serve, page):
    _, _, after, revoked, other, _ = sites
    status, line = _visit(page, serve(after), other)
    assert status == "verified", line
    assert "recorded in the issuer's public log, entry" in line
    assert page.locator("a.cs-check__proof").count() == 1
    status, _ = _visit(page, serve(after), revoked)
    assert status == "revoked"


def test_rejects_an_older_status_list_served_after_a_revocation(sites, serve, page, tmp_path):
    _, before, after, _, other, _ = sites
    site = _copy(after, tmp_path, "rolled-back")
    shutil.copy2(before / "status" / "revocation-1.json", site / "status" / "revocation-1.json")
    status, line = _visit(page, serve(site), other)
    assert status == "error", line
    assert "not the latest one the issuer's public log recorded" in line


def test_rejects_a_revoked_page_served_an_older_list(sites, serve, page, tmp_path):
    """Even where the log could not say: the page was built as revoked (revocation is final)."""
    _, before, after, revoked, _, _ = sites
    site = _copy(after, tmp_path, "floor")
    shutil.copy2(before / "status" / "revocation-1.json", site / "status" / "revocation-1.json")
    page.goto(f"{serve(site)}credentials/{revoked}/")
    assert final_status(page) == "error"


def test_rejects_a_checkpoint_signed_with_another_key(sites, serve, page, tmp_path):
    """Same checkpoint body, signed under the log's name by a key that is not the log's."""
    import time

    from credstack.crypto.note import NoteSigner, sign_note

    _, _, after, _, other, _ = sites
    forged = _copy(after, tmp_path, "forged")
    note = (after / "log" / "checkpoint").read_text()
    body = note.split("\n\n", 1)[0] + "\n"
    name = body.split("\n", 1)[0]
    signer = NoteSigner(name, SigningKey.from_seed(bytes([9]) * 32))
    (forged / "log" / "checkpoint").write_text(sign_note(body, signer, timestamp=int(time.time())))
    status, line = _visit(page, serve(forged), other)
    assert status == "invalid", line
    assert "Public log" in line


def test_rejects_an_edited_log_entry(sites, serve, page, tmp_path):
    _, _, after, _, other, _ = sites
    site = _copy(after, tmp_path, "edited")
    tiles = sorted((site / "log" / "tile" / "0").rglob("*"))
    tile = next(p for p in tiles if p.is_file())
    data = bytearray(tile.read_bytes())
    data[0] ^= 1  # one hash of the tree changed
    tile.write_bytes(bytes(data))
    status, line = _visit(page, serve(site), other)
    assert status in ("invalid", "error"), line
    assert status != "verified"


def test_rejects_an_older_log_replayed_after_a_newer_one_was_seen(sites, serve, page):
    """A truncated log, or an old checkpoint replayed: smaller than the one seen before."""
    _, before, after, _, other, _ = sites
    base_after, base_before = serve(after), serve(before)
    # The page remembers checkpoints per issuer in localStorage, which is per origin, and the
    # two copies are on two ports: what the newer one left is carried over to the older one.
    status, _ = _visit(page, base_after, other)
    assert status == "verified"
    remembered = page.evaluate("() => JSON.stringify(window.localStorage)")
    page.goto(base_before)
    page.evaluate(
        "(items) => { for (const [k, v] of Object.entries(JSON.parse(items))) "
        "window.localStorage.setItem(k, v); }",
        remembered,
    )
    status, line = _visit(page, base_before, other)
    assert status == "error", line
    assert "older state of the issuer's public log" in line


def test_rejects_a_log_rewritten_without_a_credential(sites, serve, page, tmp_path):
    """The issuer (or whoever holds the log key) deletes a credential and rebuilds the log
    without it: a returning visitor's browser sees the log no longer extends what it saw."""
    root, _, after, _, other, deleted = sites
    status, _ = _visit(page, serve(after), other)
    assert status == "verified"
    remembered = page.evaluate("() => JSON.stringify(window.localStorage)")
    rewritten = _copy(root, tmp_path, "rewritten-registry")
    (Registry(rewritten).credential_path(deleted)).unlink()
    shutil.rmtree(rewritten / "issued" / "log")
    from credstack.registry.tlog import init_log

    key = SigningKey.from_seed(LOG_SEED)
    init_log(
        Registry(rewritten),
        public_key_multibase=key.public_key_multibase,
        key_id="log-test",
        created=date("2025-01-01") - timedelta(days=0),
    )
    site = _build(rewritten, tmp_path / "rewritten-site", {LOG_KEY_ENV: key.to_multibase_secret()})
    base = serve(site)
    page.goto(base)
    page.evaluate(
        "(items) => { for (const [k, v] of Object.entries(JSON.parse(items))) "
        "window.localStorage.setItem(k, v); }",
        remembered,
    )
    status, line = _visit(page, base, other)
    assert status in ("invalid", "error"), line
    assert status != "verified"


def test_the_page_gives_its_log_entry_and_a_wrong_one_is_never_a_pass(sites, serve, page, tmp_path):
    """A credential page carries its entry in the log (data-log-entry): the log check reads no
    locate file, and proves the entry's inclusion all the same, so a page naming another
    credential's entry is not shown as verified."""
    _, _, after, _, other, third = sites
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    status, line = _visit(page, serve(after), other)
    entry = int(page.get_attribute("#main", "data-log-entry") or "-1")
    assert status == "verified", line
    assert f"entry {entry + 1} of" in line
    assert not [u for u in requests if "/log/locate/" in u]
    wrong = int(
        (after / "credentials" / third / "index.html")
        .read_text()
        .split('data-log-entry="')[1]
        .split('"')[0]
    )
    assert wrong != entry
    site = _copy(after, tmp_path, "wrong-entry")
    html = site / "credentials" / other / "index.html"
    html.write_text(
        html.read_text().replace(f'data-log-entry="{entry}"', f'data-log-entry="{wrong}"')
    )
    status, line = _visit(page, serve(site), other)
    assert status != "verified", line
    assert "Public log (fail)" in line

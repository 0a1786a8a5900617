"""``lean: true``: two files a credential (the page and the signed JSON as issued); the badge
images are made in the browser (tests/browser/test_badges.py). And the hosting check: a build
near a host's limit warns with the figures and the fix."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from credstack.registry.registry import Registry
from support import scratch_registry

#: MkDocs with a host whose limits a small site reaches (argv: mkdocs arguments).
SMALL_HOST = """
import sys
from credstack.site import hosting
hosting.HOSTS = (*hosting.HOSTS, hosting.Host("tiny-host", "Tiny Host", max_files=60))
hosting.HOST_NAMES = (*hosting.HOST_NAMES, "tiny-host")
from mkdocs.__main__ import cli
sys.argv = ["mkdocs", *sys.argv[1:]]
cli()
"""


def build(root: Path, site: Path, options: str, *, prelude: str | None = None):
    config = root / "mkdocs-test.yml"
    text = (root / "mkdocs.yml").read_text("utf-8")
    config.write_text(re.sub(r"(?m)^  - credstack$", "  - credstack:\n" + options, text))
    env = {**os.environ, "SOURCE_DATE_EPOCH": str(int(time.time())), "NO_MKDOCS_2_WARNING": "1"}
    code = prelude or "from mkdocs.__main__ import cli; import sys; sys.argv[0] = 'mkdocs'; cli()"
    return subprocess.run(
        [sys.executable, "-c", code, "build", "-f", str(config), "-d", str(site)],
        cwd=root,
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        check=False,
    )


@pytest.fixture(scope="module")
def lean(tmp_path_factory) -> tuple[Path, Path]:
    root = scratch_registry(tmp_path_factory.mktemp("lean"), with_issued=True)
    site = root / "site"
    result = build(root, site, "      lean: true\n")
    assert result.returncode == 0, result.stderr
    assert "WARNING" not in result.stdout + result.stderr
    return root, site


def test_lean_sites_publish_two_small_files_a_credential(lean):
    root, site = lean
    registry = Registry(root)
    sizes = []
    for cid in registry.credentials:
        folder = site / "credentials" / cid
        assert sorted(p.name for p in folder.iterdir()) == ["credential.json", "index.html"]
        assert (folder / "credential.json").read_bytes() == registry.credential_path(
            cid
        ).read_bytes()
        sizes.append(sum(p.stat().st_size for p in folder.iterdir()))
    # At most 12 KB a credential (the demo's signed JSON alone is 7.4 KB on average).
    assert sum(sizes) / len(sizes) <= 12_000, sorted(sizes)
    # The page offers both images, made in the browser from the shared badge data.
    page = (site / "credentials" / cid / "index.html").read_text("utf-8")
    assert 'data-bake="png svg"' in page
    assert (site / "assets" / "credstack" / "badge" / "credstack-badge.js").is_file()
    assert (site / "assets" / "credstack" / "badge" / "badge-data.json").is_file()


def test_a_site_near_a_hosts_limit_warns_with_the_figures_and_the_fix(tmp_path):
    root = scratch_registry(tmp_path, with_issued=True)
    options = "      hosts: [github-pages, tiny-host]\n"
    result = build(root, root / "site", options, prelude=SMALL_HOST)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    warning = next(line for line in output.splitlines() if "Tiny Host" in line)
    assert warning.startswith("WARNING") and "exceeds a limit of Tiny Host" in warning
    assert re.search(r"the site has [\d,]+ files, \d+% of the 60 it allows", warning)
    assert "hint: set 'lean: true' under the credstack plugin" in output
    # A host the site is not meant for is reported at info level only.
    result = build(root, root / "site", "      hosts: [github-pages]\n", prelude=SMALL_HOST)
    output = result.stdout + result.stderr
    assert "WARNING" not in output and "Tiny Host" in output

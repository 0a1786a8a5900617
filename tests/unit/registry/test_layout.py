"""Where credential files live: shards by year and letter, flat files still read, migration."""

from __future__ import annotations

import shutil
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from credstack.errors import RegistryError
from credstack.registry import layout
from credstack.registry.award import new_cid
from credstack.registry.registry import Registry
from support import REPO


def test_shards_are_year_and_first_letter_of_the_random_part():
    assert layout.shard("2025-zhwnhhb4ze") == "2025/z"
    assert layout.shard("2026-7c4pmls34z") == "2026/7"
    assert layout.shard("legacy-id") == "_"
    root = REPO
    assert layout.sharded_path(root, "2025-zhwnhhb4ze") == (
        root / "issued/credentials/2025/z/2025-zhwnhhb4ze.json"
    )


def test_cid_of_accepts_flat_and_own_shard_only():
    def cid_of(rel: str) -> str | None:
        return layout.cid_of(f"issued/credentials/{rel}")

    assert cid_of("2025-abc.json") == "2025-abc"
    assert cid_of("2025/a/2025-abc.json") == "2025-abc"
    assert cid_of("_/legacy.json") == "legacy"
    assert cid_of("_/2025-abc.json") is None  # an id with a shard of its own
    assert cid_of("2024/a/2025-abc.json") is None  # another year's shard
    assert cid_of("2025/b/2025-abc.json") is None  # another letter's shard
    assert cid_of("2025/a/x/2025-abc.json") is None
    assert cid_of("2025-abc.txt") is None
    assert layout.cid_of("issued/status/2025-abc.json") is None


def test_no_shard_passes_a_thousand_files_at_a_hundred_thousand_credentials():
    """The real id generator, 100,000 credentials over five years (GitHub lists at most
    1,000 files in a folder): the year folders hold at most 32 shards."""
    start = datetime(2021, 1, 1, tzinfo=UTC)
    shards = Counter(
        layout.shard(new_cid(start + timedelta(hours=i * 0.44), f"{i:032x}", "a", "r"))
        for i in range(100_000)
    )
    assert max(shards.values()) <= 1_000, shards.most_common(3)
    years = Counter(s.split("/")[0] for s in shards)
    assert max(years.values()) <= 32 and len(years) >= 5


@pytest.fixture
def registry(tmp_path):
    for folder in ("program", "issued"):
        shutil.copytree(REPO / folder, tmp_path / folder)
    shutil.copy(REPO / "mkdocs.yml", tmp_path / "mkdocs.yml")
    return tmp_path


def test_migration_moves_flat_files_into_shards_and_changes_nothing_else(registry):
    before = Registry(registry)
    views = {cid: v.raw for cid, v in before.credentials.items()}
    data = {cid: before.credential_path(cid).read_bytes() for cid in views}
    moves = layout.migrate(registry)
    assert len(moves) == len(views)
    after = Registry(registry)
    assert {cid: v.raw for cid, v in after.credentials.items()} == views
    for cid in views:
        path = after.credential_path(cid)
        assert path == layout.sharded_path(registry, cid) and path.read_bytes() == data[cid]
        assert after.urls.credential(cid) == before.urls.credential(cid)
    assert not list((registry / "issued/credentials").glob("*.json"))
    assert layout.migrate(registry) == []  # idempotent


def test_a_new_credential_follows_the_registry_layout(registry):
    flat = Registry(registry)
    assert flat.credential_path("2027-newnewnew1").parent == registry / "issued/credentials"
    layout.migrate(registry)
    sharded = Registry(registry)
    assert sharded.credential_path("2027-newnewnew1") == (
        registry / "issued/credentials/2027/n/2027-newnewnew1.json"
    )


def test_misplaced_files_are_stray_and_duplicates_are_refused(registry):
    layout.migrate(registry)
    files = layout.credential_files(registry)
    cid, path = next(iter(files.items()))
    wrong = registry / "issued/credentials/1999/q" / path.name
    wrong.parent.mkdir(parents=True)
    shutil.copy(path, wrong)
    # Not a credential where it is: the merge gate reports it as a file credstack never writes.
    assert Registry(registry).stray_files == [f"issued/credentials/1999/q/{path.name}"]
    assert cid not in layout.credential_files(registry) or files[cid] == path
    wrong.unlink()
    shutil.copy(path, registry / "issued/credentials" / path.name)  # flat and sharded
    with pytest.raises(RegistryError, match=f"credential {cid} has a second file"):
        layout.credential_files(registry)

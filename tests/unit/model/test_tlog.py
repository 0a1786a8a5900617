"""The log's pure core against an independent implementation written here from the specs.

The reference below follows RFC 6962 §2.1 literally (MTH, PATH and PROOF by recursion on
lists) and C2SP tlog-tiles' formula for tile contents (the n-th tile at level l holds
MTH(D[(n·256+i)·256^l : (n·256+i+1)·256^l]) for i in 0..255). It shares no code with
credstack.model.tlog.
"""

from __future__ import annotations

import base64
import hashlib
import json
import random
from functools import cache

import pytest

from credstack.errors import LogError
from credstack.model import tlog

# -- the reference -------------------------------------------------------------------------------


def ref_leaf(d: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + d).digest()


def ref_mth(leaves: tuple[bytes, ...]) -> bytes:
    """RFC 6962 §2.1: MTH over a list of leaf hashes (already hashed with 0x00)."""
    n = len(leaves)
    if n == 0:
        return hashlib.sha256(b"").digest()
    if n == 1:
        return leaves[0]
    k = 1
    while k * 2 < n:
        k *= 2
    return hashlib.sha256(b"\x01" + ref_mth(leaves[:k]) + ref_mth(leaves[k:])).digest()


def ref_path(m: int, leaves: tuple[bytes, ...]) -> list[bytes]:
    n = len(leaves)
    if n == 1:
        return []
    k = 1
    while k * 2 < n:
        k *= 2
    if m < k:
        return [*ref_path(m, leaves[:k]), ref_mth(leaves[k:])]
    return [*ref_path(m - k, leaves[k:]), ref_mth(leaves[:k])]


def ref_subproof(m: int, leaves: tuple[bytes, ...], b: bool) -> list[bytes]:
    n = len(leaves)
    if m == n:
        return [] if b else [ref_mth(leaves)]
    k = 1
    while k * 2 < n:
        k *= 2
    if m <= k:
        return [*ref_subproof(m, leaves[:k], b), ref_mth(leaves[k:])]
    return [*ref_subproof(m - k, leaves[k:], False), ref_mth(leaves[:k])]


def ref_tile(leaves: list[bytes], level: int, index: int, size: int) -> bytes:
    """tlog-tiles: the hashes of tile (level, index) of a tree of ``size`` leaves."""
    block = 256**level
    width = min(256, size // block - index * 256)
    out = b""
    for i in range(width):
        start = (index * 256 + i) * block
        out += _cached_mth(tuple(leaves[start : start + block]))
    return out


@cache
def _cached_mth(leaves: tuple[bytes, ...]) -> bytes:
    return ref_mth(leaves)


# -- published vectors ---------------------------------------------------------------------------

#: The 8 inputs of Certificate Transparency's merkle tree tests (NOTES.md; RFC 6962 test data).
CT_INPUTS = [
    b"",
    b"\x00",
    b"\x10",
    b"\x20\x21",
    b"\x30\x31",
    b"\x40\x41\x42\x43",
    b"\x50\x51\x52\x53\x54\x55\x56\x57",
    bytes(range(0x60, 0x70)),
]
CT_ROOT = "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"


def test_root_of_the_classic_ct_inputs():
    assert tlog.tree_of(CT_INPUTS).root().hex() == CT_ROOT
    assert ref_mth(tuple(ref_leaf(d) for d in CT_INPUTS)).hex() == CT_ROOT


def test_empty_tree_root_is_sha256_of_nothing():
    assert tlog.MerkleTree().root() == hashlib.sha256(b"").digest()


# -- proofs against the reference, 1 to 300 leaves (every size) ----------------------------------


def _leaves(n: int) -> list[bytes]:
    return [ref_leaf(f"entry {i}".encode()) for i in range(n)]


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 33, 100, 255, 256, 257, 300])
def test_roots_paths_and_proofs_match_the_reference(n):
    leaves = _leaves(n)
    tree = tlog.MerkleTree(leaves)
    for size in range(1, n + 1):
        prefix = tuple(leaves[:size])
        root = ref_mth(prefix)
        assert tree.root(size) == root
        for m in {0, size - 1, size // 2, random.Random(size).randrange(size)}:
            path = tree.inclusion_proof(m, size)
            assert path == ref_path(m, prefix)
            assert tlog.verify_inclusion(leaves[m], m, size, path, root)
        for m in {1, size // 2 or 1, size - 1 or 1, size}:
            proof = tree.consistency_proof(m, size)
            assert proof == ref_subproof(m, prefix, True)
            assert tlog.verify_consistency(m, size, ref_mth(prefix[:m]), root, proof)


def test_verification_rejects_tampering():
    leaves = _leaves(37)
    tree = tlog.MerkleTree(leaves)
    root = tree.root()
    path = tree.inclusion_proof(20)
    assert not tlog.verify_inclusion(leaves[21], 20, 37, path, root)  # another leaf
    assert not tlog.verify_inclusion(leaves[20], 21, 37, path, root)  # another index
    assert not tlog.verify_inclusion(leaves[20], 20, 37, path[:-1], root)  # short path
    assert not tlog.verify_inclusion(leaves[20], 20, 37, [*path, path[0]], root)  # long path
    bad = [bytes(32), *path[1:]]
    assert not tlog.verify_inclusion(leaves[20], 20, 37, bad, root)
    proof = tree.consistency_proof(13)
    old = tree.root(13)
    assert tlog.verify_consistency(13, 37, old, root, proof)
    assert not tlog.verify_consistency(13, 37, tree.root(12), root, proof)
    assert not tlog.verify_consistency(12, 37, old, root, proof)
    assert not tlog.verify_consistency(13, 37, old, root, proof[:-1])
    assert not tlog.verify_consistency(13, 37, old, root, [])
    assert not tlog.verify_consistency(40, 37, old, root, proof)
    assert tlog.verify_consistency(37, 37, root, root, [])
    assert not tlog.verify_consistency(37, 37, old, root, [])


# -- tiles: 1 to 70,000 entries ------------------------------------------------------------------


@pytest.mark.parametrize("n", [1, 255, 256, 257, 511, 512, 513, 65535, 65536, 65537, 70000])
def test_tiles_match_the_tlog_tiles_formula(n):
    leaves = _leaves(n)
    tree = tlog.MerkleTree(leaves)
    tiles = tlog.tiles_for_size(n)
    for tile in tiles:
        assert tlog.tile_hashes(tree, tile) == ref_tile(leaves, tile.level, tile.index, n)
    # The spec's own counting: partial tile at level l has floor(n / 256**l) mod 256 hashes.
    for level in range(4):
        width = (n // 256**level) % 256
        partial = [t for t in tiles if t.level == level and t.width < 256]
        assert [t.width for t in partial] == ([width] if width else [])
        assert sum(t.level == level and t.width == 256 for t in tiles) == n // 256 ** (level + 1)
    # The root, proofs and consistency at the tile boundaries, against the reference.
    root = ref_mth(tuple(leaves))
    assert tree.root() == root
    for m in {0, n - 1, n // 2, min(255, n - 1), min(256, n - 1)}:
        assert tlog.verify_inclusion(leaves[m], m, n, tree.inclusion_proof(m), root)
    for m in {1, min(256, n), n - 1 or 1}:
        old = ref_mth(tuple(leaves[:m]))
        assert tlog.verify_consistency(m, n, old, root, tree.consistency_proof(m))


def test_70000_entries_is_the_spec_example():
    tiles = tlog.tiles_for_size(70000)
    level0 = [t for t in tiles if t.level == 0]
    assert sum(t.width == 256 for t in level0) == 273
    assert [t.width for t in level0 if t.width < 256] == [112]
    assert [(t.index, t.width) for t in tiles if t.level == 1] == [(0, 256), (1, 17)]
    assert [(t.index, t.width) for t in tiles if t.level == 2] == [(0, 1)]
    # "a tree of size 256 will be represented by a full level 0 tile and a partial level 1
    # tile of width 1"
    assert tlog.tiles_for_size(256) == [tlog.Tile(0, 0), tlog.Tile(1, 0, 1)]


def test_tile_paths():
    assert tlog.encode_tile_index(1234067) == "x001/x234/067"
    assert tlog.encode_tile_index(0) == "000"
    assert tlog.encode_tile_index(1000) == "x001/000"
    assert tlog.Tile(0, 1234067, 5).path == "tile/0/x001/x234/067.p/5"
    assert tlog.Tile(-1, 3).path == "tile/entries/003"
    assert tlog.Tile(2, 0, 1).path == "tile/2/000.p/1"
    for tile in [tlog.Tile(0, 1234067, 5), tlog.Tile(-1, 3), tlog.Tile(63, 999, 255)]:
        assert tlog.parse_tile_path(tile.path) == tile
    for bad in [
        "tile/0/1234",
        "tile/0/x1/000",
        "tile/00/000",
        "tile/0/000.p/256",
        "tile/0/000.p/0",
    ]:
        with pytest.raises(ValueError):
            tlog.parse_tile_path(bad)


def test_tiles_grow_incrementally_and_full_tiles_never_change():
    leaves = _leaves(600)
    small, big = tlog.MerkleTree(leaves[:300]), tlog.MerkleTree(leaves[:300])
    big.extend(leaves[300:])
    assert big.root() == tlog.MerkleTree(leaves).root()
    changed = tlog.changed_tiles(300, 600)
    assert tlog.Tile(0, 1) in changed and tlog.Tile(0, 0) not in changed
    for tile in tlog.tiles_for_size(300):
        if tile.width == 256:
            assert tlog.tile_hashes(small, tile) == tlog.tile_hashes(big, tile)


def test_entry_bundles_are_length_prefixed():
    entries = [b"a", b"", b"x" * 300]
    bundle = tlog.entry_bundle(entries)
    assert bundle[:3] == b"\x00\x01a" and bundle[3:5] == b"\x00\x00"
    assert bundle[5:7] == (300).to_bytes(2, "big")
    assert tlog.parse_entry_bundle(bundle) == entries
    with pytest.raises(LogError):
        tlog.parse_entry_bundle(bundle[:-1])
    with pytest.raises(ValueError):
        tlog.entry_bundle([b"x" * 70000])


# -- checkpoints and entries ---------------------------------------------------------------------


def test_checkpoint_body_round_trips():
    root = hashlib.sha256(b"r").digest()
    body = tlog.Checkpoint("example.com/log", 20852163, root).body()
    assert body == f"example.com/log\n20852163\n{base64.b64encode(root).decode()}\n"
    assert tlog.Checkpoint.parse(body) == tlog.Checkpoint("example.com/log", 20852163, root)
    with_ext = tlog.Checkpoint("o", 0, root, ("ext one",))
    assert tlog.Checkpoint.parse(with_ext.body()) == with_ext


@pytest.mark.parametrize(
    "text",
    [
        "o\n1\n",
        "o\n01\nAAAA\n",
        "\n1\n" + base64.b64encode(bytes(32)).decode() + "\n",
        "o\n1\n" + base64.b64encode(bytes(31)).decode() + "\n",
        "o\n1\n" + base64.b64encode(bytes(32)).decode(),
        "o\n1\n" + base64.b64encode(bytes(32)).decode() + "\n\n",
    ],
)
def test_malformed_checkpoints_are_refused(text):
    with pytest.raises(LogError) as e:
        tlog.Checkpoint.parse(text)
    assert e.value.code == "malformed-checkpoint"


def test_entries_are_canonical_json():
    entry = tlog.credential_entry("https://x.example/credentials/a/", b"{}\n")
    data = tlog.canonical_json(entry)
    assert data == (
        b'{"id":"https://x.example/credentials/a/","kind":"credential-issued","sha256":"'
        + hashlib.sha256(b"{}\n").hexdigest().encode()
        + b'"}'
    )
    assert tlog.parse_entry(data) == entry
    assert json.loads(data) == entry


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        (b'{"kind":"credential-issued","id":"x"}', "missing sha256"),
        (b'{"id":"x","kind":"credential-issued","sha256":"ab"}', "64 lower-case hex"),
        (b'{"kind":"credential-issued", "id":"x","sha256":"' + b"a" * 64 + b'"}', "canonical"),
        (b'{"kind":"nonsense"}', "unknown kind"),
        (b"[1]", "not a JSON object"),
        (b'{"kind":"status-lists","lists":{"u":"nothex"}}', "lists"),
        (
            b'{"date":"2026-01-01","keyId":"k","kind":"key-added","publicKeyMultibase":"z"}',
            "UTC date-time",
        ),
        (
            tlog.canonical_json(
                tlog.status_entry("c", "revocation", "suspended", "2026-01-01T00:00:00Z", "l", b"")
            ),
            "does not go with",
        ),
    ],
)
def test_malformed_entries_are_refused(data, fragment):
    with pytest.raises(LogError) as e:
        tlog.parse_entry(data)
    assert fragment in e.value.message


def test_replay_tells_each_state_entry_what_the_lists_were():
    entries = [
        tlog.list_created_entry("L", "revocation", "2026-01-01T00:00:00Z", b"v1"),
        tlog.lists_entry({"L": tlog.sha256_hex(b"v1")}),
        tlog.status_entry("c", "revocation", "revoked", "2026-01-02T00:00:00Z", "L", b"v2"),
        tlog.lists_entry({"L": tlog.sha256_hex(b"v1")}),  # a lie: the list is v2 now
    ]
    replayed = dict(tlog.replay_lists(entries))
    assert replayed[1] == entries[1]["lists"]
    assert replayed[3] != entries[3]["lists"]

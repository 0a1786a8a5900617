"""The transparency log on the site, under ``log/`` (C2SP tlog-tiles, served as static files).

- ``log/checkpoint``: the signed checkpoint (C2SP tlog-checkpoint + signed-note), dated with a
  timestamped cosignature line. Signed at build time with the log key (``CREDSTACK_LOG_KEY``,
  or the key file ``credstack log init`` stored); without it the site has no checkpoint and
  its pages report the log as unavailable (builds for pull requests have no secrets).
- ``log/tile/<L>/<N>[.p/<W>]`` and ``log/tile/entries/<N>[.p/<W>]``: hash tiles and entry
  bundles. Partial tiles live in ``.p/`` folders: the Pages upload must include hidden files.
- ``log/vkey``: the log key as a note verifier key (Go's sumdb/note reads it).
- ``log/tip.json``: the log's last entry (the ``status-lists`` state), its index and its
  inclusion proof, and how the locate files are sharded. All of it is checked against the
  signed root by the reader; it only saves fetching the last tiles and entry bundle.
- ``log/locate/<h>.json``: credential id -> entry index (keys: the first 16 hex digits of
  SHA-256(id); shards: the first ``locate`` of them). A hint too: the reader rebuilds the
  entry from the credential and checks its inclusion.

Leaf hashes are cached per segment file by content (``.cache/credstack/site/tlog/``): after one
award only the last segment is hashed again; the tree itself takes milliseconds.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from credstack.errors import SigningKeyError
from credstack.model import tlog
from credstack.registry.registry import Registry
from credstack.registry.tlog import (
    ENTRIES_DIR,
    entries_from_segments,
    read_config,
    sign_checkpoint,
    split_lines,
)
from credstack.registry.transparency import find_log_key
from credstack.site.cache import BuildCache, content_key

PREFIX = "log/"
CACHE_KIND = "tlog"
#: Locate files hold about this many credentials at most (a few KB).
LOCATE_TARGET = 64
LOCATE_KEY_DIGITS = 16


@dataclass
class LogFiles:
    """What the site publishes for the log: files by site path, and facts for the pages."""

    files: dict[str, bytes] = field(default_factory=dict)
    size: int = 0
    signed: bool = False
    origin: str = ""
    #: Credential id (URL) -> index of its ``credential-issued`` entry.
    index: dict[str, int] = field(default_factory=dict)

    def entry_index(self, credential_id: str) -> int | None:
        """The index of the credential's entry (for a page's ``data-log-index``), or None."""
        return self.index.get(credential_id)


def locate_key(credential_id: str) -> str:
    """The lookup key of a credential id in the locate files."""
    return hashlib.sha256(credential_id.encode()).hexdigest()[:LOCATE_KEY_DIGITS]


def locate_digits(count: int) -> int:
    """How many hex digits name a locate shard, for ``count`` credentials (at least 1)."""
    digits = 1
    while count > LOCATE_TARGET * 16**digits:
        digits += 1
    return digits


def _leaf_hashes(segment: bytes, where: str, cache: BuildCache | None) -> list[bytes]:
    def make() -> bytes:
        return b"".join(tlog.leaf_hash(e) for e in split_lines(segment, where))

    if cache is None:
        data = make()
    else:
        data = cache.file(CACHE_KIND, content_key("leaves", segment), "bin", make).read_bytes()
    return [data[i : i + tlog.HASH_SIZE] for i in range(0, len(data), tlog.HASH_SIZE)]


def build_log_files(
    registry: Registry,
    *,
    at: datetime,
    cache: BuildCache | None = None,
    env: Mapping[str, str] | None = None,
) -> LogFiles | None:
    """Every file of the log for the site, or None when the registry keeps no log.

    The checkpoint is signed as of ``at`` when the log key is available (see the module).
    Raises LogError for a malformed log (the build stops: run ``credstack log verify``).
    """
    config = read_config(registry.root)
    if config is None:
        return None
    segments = sorted((registry.root / ENTRIES_DIR).glob("*.jsonl"))
    raw = [(f"{ENTRIES_DIR}/{p.name}", p.read_bytes()) for p in segments]
    entries = entries_from_segments(raw)  # checks numbering and sizes
    leaves: list[bytes] = []
    for where, data in raw:
        leaves += _leaf_hashes(data, where, cache)
    tree = tlog.MerkleTree(leaves)
    out = LogFiles(size=tree.size, origin=config.origin)
    for rel, data in tlog.tile_files(entries, tree).items():
        out.files[PREFIX + rel] = data
    marker = b'"kind":"' + tlog.CREDENTIAL_ISSUED.encode() + b'"'
    for position, entry in enumerate(entries):
        if marker in entry:
            out.index[json.loads(entry)["id"]] = position
    digits = locate_digits(len(out.index))
    shards: dict[str, dict[str, int]] = {}
    for credential_id, position in out.index.items():
        key = locate_key(credential_id)
        shards.setdefault(key[:digits], {})[key] = position
    for shard, table in sorted(shards.items()):
        out.files[f"{PREFIX}locate/{shard}.json"] = _json(dict(sorted(table.items())))
    last = tree.size - 1
    tip = {
        "size": tree.size,
        "index": last,
        "entry": entries[last].decode("utf-8"),
        "proof": [base64.b64encode(h).decode() for h in tree.inclusion_proof(last)],
        "locate": digits,
    }
    out.files[PREFIX + "tip.json"] = _json(tip)
    out.files[PREFIX + "vkey"] = (config.verifier.vkey + "\n").encode()
    try:
        log_key = find_log_key(registry.program, registry.root, config, env=env)
    except SigningKeyError as e:
        if e.code != "no-key":
            raise  # a key was given, but the wrong one: say so
        return out  # no checkpoint: the pages say the log could not be checked
    out.files[PREFIX + "checkpoint"] = sign_checkpoint(config, log_key, tree, at).encode()
    out.signed = True
    return out


def _json(value: object) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode() + b"\n"


__all__ = ["LogFiles", "build_log_files", "locate_digits", "locate_key"]

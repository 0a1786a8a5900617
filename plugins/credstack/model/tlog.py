"""The transparency log, as pure data: Merkle trees, proofs, tiles, checkpoints and entries.

- Hashing and proofs follow RFC 6962 §2.1 (leaf ``SHA-256(0x00 || entry)``, node
  ``SHA-256(0x01 || left || right)``; the tree of ``n`` leaves splits at the largest power of
  two below ``n``). Proofs are generated from the RFC's recursive definitions (PATH, PROOF) and
  verified with the iterative algorithms of RFC 9162 §2.1.3.2 and §2.1.4.2.
- Tiles follow C2SP ``tlog-tiles``: hash tiles of height 8 at ``tile/<L>/<N>``, entry bundles at
  ``tile/entries/<N>`` (entries prefixed by their big-endian uint16 length), partial tiles with
  ``.p/<W>``, and ``N`` written in 3-digit groups (``x001/x234/067``).
- Checkpoint bodies follow C2SP ``tlog-checkpoint`` (origin, tree size, base64 root hash,
  extension lines). Signing them is :mod:`credstack.crypto.note`'s job.
- Entries are JSON objects, one per leaf, serialized canonically (RFC 8785 JCS for the values
  entries hold: strings, integers and objects), so that a verifier can rebuild an entry from
  what it already has (a credential's id and the SHA-256 of its file) and hash it.

No I/O here: ``credstack.registry.tlog`` reads and writes ``issued/log/``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from credstack.errors import LogError

HASH_SIZE = 32
#: C2SP tlog-tiles: tiles are 2**8 = 256 hashes wide.
TILE_HEIGHT = 8
TILE_WIDTH = 1 << TILE_HEIGHT
#: MTH({}) = SHA-256() (RFC 6962 §2.1).
EMPTY_ROOT = hashlib.sha256(b"").digest()
#: An entry bundle prefixes each entry with a big-endian uint16 length.
MAX_ENTRY_BYTES = 0xFFFF


# -- hashing (RFC 6962 §2.1) -----------------------------------------------------------------


def leaf_hash(entry: bytes) -> bytes:
    """MTH({d}) = SHA-256(0x00 || d): the hash of one log entry."""
    return hashlib.sha256(b"\x00" + entry).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """SHA-256(0x01 || left || right): an interior node."""
    return hashlib.sha256(b"\x01" + left + right).digest()


def split_point(n: int) -> int:
    """The largest power of two smaller than ``n`` (``n`` >= 2): where RFC 6962 splits a tree."""
    return 1 << ((n - 1).bit_length() - 1)


class MerkleTree:
    """An append-only Merkle tree that keeps the hash of every complete subtree.

    ``levels[k][j]`` is MTH(D[j·2^k : (j+1)·2^k]): level 0 holds the leaf hashes, level 8 the
    hashes that level-1 tiles are made of, and so on. Appending is O(1) amortised; any root,
    proof or tile of any size up to :attr:`size` can be computed from these "stored hashes".
    """

    def __init__(self, leaf_hashes: Iterable[bytes] = ()) -> None:
        self.levels: list[list[bytes]] = [[]]
        self.extend(leaf_hashes)

    @property
    def size(self) -> int:
        return len(self.levels[0])

    def append(self, leaf: bytes) -> None:
        """Add one leaf hash (use :func:`leaf_hash` on the entry first)."""
        if len(leaf) != HASH_SIZE:
            raise ValueError(f"a leaf hash is {HASH_SIZE} bytes, got {len(leaf)}")
        self.levels[0].append(leaf)
        level = 0
        # A complete subtree of height k+1 closes whenever level k gets an even count.
        while len(self.levels[level]) % 2 == 0:
            pair = self.levels[level][-2:]
            if level + 1 == len(self.levels):
                self.levels.append([])
            self.levels[level + 1].append(node_hash(pair[0], pair[1]))
            level += 1

    def extend(self, leaves: Iterable[bytes]) -> None:
        for leaf in leaves:
            self.append(leaf)

    def stored(self, level: int, index: int) -> bytes:
        """MTH(D[index·2^level : (index+1)·2^level]); raises IndexError beyond the tree."""
        return self.levels[level][index]

    def subtree(self, start: int, end: int) -> bytes:
        """MTH(D[start:end]) as RFC 6962 defines it for that list of leaves (0 <= start < end)."""
        if not 0 <= start < end <= self.size:
            raise ValueError(f"no subtree [{start}, {end}) in a tree of {self.size}")
        width = end - start
        if width & (width - 1) == 0 and start % width == 0:
            return self.levels[width.bit_length() - 1][start // width]
        k = split_point(width)
        return node_hash(self.subtree(start, start + k), self.subtree(start + k, end))

    def root(self, size: int | None = None) -> bytes:
        """The root hash of the first ``size`` leaves (default: all)."""
        n = self.size if size is None else size
        if not 0 <= n <= self.size:
            raise ValueError(f"no tree of size {n} in a log of {self.size}")
        return EMPTY_ROOT if n == 0 else self.subtree(0, n)

    def inclusion_proof(self, index: int, size: int | None = None) -> list[bytes]:
        """RFC 6962 §2.1.1 PATH(index, D[0:size]): sibling hashes from the leaf up."""
        n = self.size if size is None else size
        if not 0 <= index < n <= self.size:
            raise ValueError(f"no leaf {index} in a tree of size {n}")
        path: list[bytes] = []
        start, end, m = 0, n, index
        while end - start > 1:
            k = split_point(end - start)
            if m < k:
                path.append(self.subtree(start + k, end))
                end = start + k
            else:
                path.append(self.subtree(start, start + k))
                start, m = start + k, m - k
        path.reverse()  # the recursion appends on the way back up: leaf's sibling first
        return path

    def consistency_proof(self, old_size: int, size: int | None = None) -> list[bytes]:
        """RFC 6962 §2.1.2 PROOF(old_size, D[0:size]) (empty when the sizes are equal)."""
        n = self.size if size is None else size
        if not 0 < old_size <= n <= self.size:
            raise ValueError(f"no consistency proof from {old_size} to {n}")
        proof: list[bytes] = []
        start, end, m, complete = 0, n, old_size, True
        # SUBPROOF(m, D[start:end], complete), unrolled: each step appends one hash.
        while m != end - start:
            k = split_point(end - start)
            if m <= k:
                proof.append(self.subtree(start + k, end))
                end = start + k
            else:
                proof.append(self.subtree(start, start + k))
                start, m, complete = start + k, m - k, False
        if not complete:
            proof.append(self.subtree(start, end))
        proof.reverse()
        return proof


# -- verification (RFC 9162 §2.1.3.2, §2.1.4.2) ----------------------------------------------


def verify_inclusion(
    leaf: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes
) -> bool:
    """Whether ``proof`` shows the leaf hash ``leaf`` at ``index`` in the tree ``(size, root)``."""
    # Step 1.
    if not 0 <= index < size or any(len(p) != HASH_SIZE for p in proof):
        return False
    # Steps 2-3.
    fn, sn, r = index, size - 1, leaf
    # Step 4.
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    # Step 5.
    return sn == 0 and r == root


def verify_consistency(
    old_size: int, size: int, old_root: bytes, root: bytes, proof: Sequence[bytes]
) -> bool:
    """Whether ``proof`` shows the tree ``(size, root)`` extends ``(old_size, old_root)``."""
    if not 0 <= old_size <= size or any(len(p) != HASH_SIZE for p in proof):
        return False
    if old_size == size:
        return not proof and old_root == root
    if old_size == 0:
        return not proof and old_root == EMPTY_ROOT
    # Step 1.
    if not proof:
        return False
    path = list(proof)
    # Step 2.
    if old_size & (old_size - 1) == 0:
        path.insert(0, old_root)
    # Steps 3-4.
    fn, sn = old_size - 1, size - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    # Step 5.
    fr = sr = path[0]
    # Step 6.
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            if not fn & 1:
                while fn and not fn & 1:
                    fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    # Step 7.
    return fr == old_root and sr == root and sn == 0


# -- tiles (C2SP tlog-tiles) ------------------------------------------------------------------


def encode_tile_index(n: int) -> str:
    """``N`` as tlog-tiles writes it: 3-digit groups, all but the last prefixed with ``x``."""
    if n < 0:
        raise ValueError("a tile index is not negative")
    groups = []
    while True:
        groups.append(f"{n % 1000:03d}")
        n //= 1000
        if n == 0:
            break
    groups.reverse()
    return "/".join([*("x" + g for g in groups[:-1]), groups[-1]])


@dataclass(frozen=True, order=True)
class Tile:
    """One tile: ``level`` L (hashes at tree height 8·L), index N, width W (1-256).

    ``level`` -1 stands for the entry bundle of level-0 tile N.
    """

    level: int
    index: int
    width: int = TILE_WIDTH

    @property
    def is_entries(self) -> bool:
        return self.level < 0

    @property
    def path(self) -> str:
        """The tile's path under the log prefix: ``tile/0/x001/234`` or ``tile/entries/5.p/17``."""
        head = "tile/entries" if self.is_entries else f"tile/{self.level}"
        tail = f".p/{self.width}" if self.width < TILE_WIDTH else ""
        return f"{head}/{encode_tile_index(self.index)}{tail}"


_TILE_PATH = re.compile(
    r"^tile/(entries|0|[1-9][0-9]?)/((?:x[0-9]{3}/)*[0-9]{3})(?:\.p/([1-9][0-9]{0,2}))?$"
)


def parse_tile_path(path: str) -> Tile:
    """The tile named by a tlog-tiles path; raises ValueError for anything else."""
    match = _TILE_PATH.match(path)
    if not match or (match.group(3) and int(match.group(3)) >= TILE_WIDTH):
        raise ValueError(f"not a tlog-tiles path: {path!r}")
    level = -1 if match.group(1) == "entries" else int(match.group(1))
    if level > 63:
        raise ValueError(f"tile level {level} is above 63")
    index = int(match.group(2).replace("x", "").replace("/", ""))
    if encode_tile_index(index) != match.group(2):
        raise ValueError(f"not a tlog-tiles path: {path!r}")
    width = int(match.group(3)) if match.group(3) else TILE_WIDTH
    return Tile(level, index, width)


def tiles_for_size(size: int, *, entries: bool = False) -> list[Tile]:
    """Every tile a log of ``size`` entries serves (full ones, then the partial one, by level).

    With ``entries``, the entry bundles (level -1, same indexes as level 0) come first.
    """
    out: list[Tile] = []
    levels = [-1, 0] if entries else [0]
    level = 1
    while size >> (TILE_HEIGHT * level):
        levels.append(level)
        level += 1
    for lv in levels:
        count = size >> (TILE_HEIGHT * max(lv, 0))  # hashes at this tile level
        full, width = divmod(count, TILE_WIDTH)
        out.extend(Tile(lv, n) for n in range(full))
        if width:
            out.append(Tile(lv, full, width))
    return out


def changed_tiles(old_size: int, size: int, *, entries: bool = False) -> list[Tile]:
    """The tiles a log of ``size`` serves that a log of ``old_size`` did not (same bytes
    otherwise: full tiles never change)."""
    before = set(tiles_for_size(old_size, entries=entries))
    return [t for t in tiles_for_size(size, entries=entries) if t not in before]


def tile_hashes(tree: MerkleTree, tile: Tile) -> bytes:
    """The bytes of hash tile ``tile``: its ``width`` stored hashes at tree level 8·L."""
    if tile.is_entries:
        raise ValueError("an entry bundle holds entries, not hashes")
    start = tile.index * TILE_WIDTH
    level = tree.levels[tile.level * TILE_HEIGHT]
    hashes = level[start : start + tile.width]
    if len(hashes) != tile.width:
        raise ValueError(f"{tile.path} lies beyond a tree of {tree.size}")
    return b"".join(hashes)


def entry_bundle(entries: Sequence[bytes]) -> bytes:
    """An entry bundle: each entry prefixed by its length as a big-endian uint16."""
    out = bytearray()
    for entry in entries:
        if len(entry) > MAX_ENTRY_BYTES:
            raise ValueError(f"an entry of {len(entry)} bytes does not fit a bundle")
        out += len(entry).to_bytes(2, "big") + entry
    return bytes(out)


def parse_entry_bundle(data: bytes) -> list[bytes]:
    """The entries of a bundle; raises LogError when a length runs past the end."""
    out, pos = [], 0
    while pos < len(data):
        if pos + 2 > len(data):
            raise LogError("an entry bundle ends inside a length prefix", code="malformed-entry")
        length = int.from_bytes(data[pos : pos + 2], "big")
        if pos + 2 + length > len(data):
            raise LogError("an entry bundle ends inside an entry", code="malformed-entry")
        out.append(data[pos + 2 : pos + 2 + length])
        pos += 2 + length
    return out


def tile_files(entries: Sequence[bytes], tree: MerkleTree) -> dict[str, bytes]:
    """Every tile and entry bundle of the log (path under the log prefix -> bytes)."""
    if len(entries) != tree.size:
        raise ValueError("the tree is not the tree of these entries")
    out: dict[str, bytes] = {}
    for tile in tiles_for_size(tree.size, entries=True):
        if tile.is_entries:
            start = tile.index * TILE_WIDTH
            out[tile.path] = entry_bundle(entries[start : start + tile.width])
        else:
            out[tile.path] = tile_hashes(tree, tile)
    return out


# -- checkpoints (C2SP tlog-checkpoint) ---------------------------------------------------------


@dataclass(frozen=True)
class Checkpoint:
    """A checkpoint's note text: the log's origin, tree size, root hash and extension lines."""

    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = ()

    def body(self) -> str:
        """The note text, each line ending in a newline."""
        lines = [self.origin, str(self.size), base64.b64encode(self.root).decode("ascii")]
        return "".join(line + "\n" for line in [*lines, *self.extensions])

    @classmethod
    def parse(cls, text: str) -> Checkpoint:
        """Read a checkpoint body; raises LogError (``malformed-checkpoint``)."""

        def bad(what: str) -> LogError:
            return LogError(f"not a checkpoint: {what}", code="malformed-checkpoint")

        if not text.endswith("\n"):
            raise bad("the text does not end in a newline")
        lines = text[:-1].split("\n")
        if len(lines) < 3:
            raise bad("fewer than three lines")
        origin, size_text, root_text, *extensions = lines
        if not origin:
            raise bad("the origin line is empty")
        if not re.fullmatch(r"0|[1-9][0-9]{0,19}", size_text):
            raise bad(f"the tree size {size_text!r} is not a decimal number")
        try:
            root = base64.b64decode(root_text, validate=True)
        except (binascii.Error, ValueError) as e:
            raise bad("the root hash is not base64") from e
        if len(root) != HASH_SIZE or base64.b64encode(root).decode() != root_text:
            raise bad("the root hash is not 32 bytes of base64")
        if any(not line for line in extensions):
            raise bad("an extension line is empty")
        return cls(origin, int(size_text), root, tuple(extensions))


# -- entries ------------------------------------------------------------------------------------

CREDENTIAL_ISSUED = "credential-issued"
STATUS_CHANGED = "status-changed"
STATUS_LIST_CREATED = "status-list-created"
#: A status list re-signed with the same bits for a new validity window (credstack status refresh).
STATUS_LIST_REFRESHED = "status-list-refreshed"
KEY_ADDED = "key-added"
KEY_RETIRED = "key-retired"
#: The state every transaction ends with: the SHA-256 of every status list as it now stands.
STATUS_LISTS = "status-lists"

#: Each kind's fields (besides ``kind``), all required, no others.
ENTRY_FIELDS: dict[str, tuple[str, ...]] = {
    CREDENTIAL_ISSUED: ("id", "sha256"),
    STATUS_CHANGED: ("id", "purpose", "event", "date", "list", "sha256"),
    STATUS_LIST_CREATED: ("list", "purpose", "date", "sha256"),
    STATUS_LIST_REFRESHED: ("list", "date", "sha256"),
    KEY_ADDED: ("keyId", "publicKeyMultibase", "date"),
    KEY_RETIRED: ("keyId", "publicKeyMultibase", "date"),
    STATUS_LISTS: ("lists",),
}
STATUS_EVENTS = {"revoked": "revocation", "suspended": "suspension", "reinstated": "suspension"}
_HEX64 = re.compile(r"^[0-9a-f]{64}$")
_DATE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


def canonical_json(value: Any) -> bytes:
    """RFC 8785 (JCS) serialization of objects, strings and integers: sorted keys, no space."""
    _check_values(value)
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _check_values(value: Any) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise ValueError("entry keys are strings")
            _check_values(item)
    elif isinstance(value, bool) or not isinstance(value, (str, int)):
        # Floats and booleans are left out: JCS number formatting is then never needed.
        raise ValueError(f"entries hold strings, integers and objects, not {type(value).__name__}")


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def credential_entry(credential_id: str, data: bytes) -> dict[str, str]:
    """A credential was issued: its id and the SHA-256 of its published file's bytes."""
    return {"kind": CREDENTIAL_ISSUED, "id": credential_id, "sha256": sha256_hex(data)}


def status_entry(
    credential_id: str, purpose: str, event: str, date: str, list_url: str, list_data: bytes
) -> dict[str, str]:
    """A status change, with the SHA-256 of the status list signed for it."""
    return {
        "kind": STATUS_CHANGED,
        "id": credential_id,
        "purpose": purpose,
        "event": event,
        "date": date,
        "list": list_url,
        "sha256": sha256_hex(list_data),
    }


def list_created_entry(list_url: str, purpose: str, date: str, data: bytes) -> dict[str, str]:
    """A new (empty) status list was published."""
    return {
        "kind": STATUS_LIST_CREATED,
        "list": list_url,
        "purpose": purpose,
        "date": date,
        "sha256": sha256_hex(data),
    }


def list_refreshed_entry(list_url: str, date: str, data: bytes) -> dict[str, str]:
    """A status list re-signed with the same bits (a new validity window)."""
    return {
        "kind": STATUS_LIST_REFRESHED,
        "list": list_url,
        "date": date,
        "sha256": sha256_hex(data),
    }


def key_entry(kind: str, key_id: str, public_key_multibase: str, date: str) -> dict[str, str]:
    """A signing key was added or retired (``kind`` is KEY_ADDED or KEY_RETIRED)."""
    if kind not in (KEY_ADDED, KEY_RETIRED):
        raise ValueError(f"not a key entry kind: {kind}")
    return {"kind": kind, "keyId": key_id, "publicKeyMultibase": public_key_multibase, "date": date}


def lists_entry(lists: Mapping[str, str]) -> dict[str, Any]:
    """The state entry: status list URL -> SHA-256 of its current file."""
    return {"kind": STATUS_LISTS, "lists": dict(sorted(lists.items()))}


def parse_entry(data: bytes) -> dict[str, Any]:
    """Check one entry: canonical JSON, a known kind, exactly its fields, well-formed values.

    Returns the entry; raises LogError (``malformed-entry``) saying what is wrong.
    """

    def bad(what: str) -> LogError:
        return LogError(what, code="malformed-entry")

    if len(data) > MAX_ENTRY_BYTES:
        raise bad(f"an entry of {len(data)} bytes is longer than {MAX_ENTRY_BYTES}")
    try:
        entry = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as e:
        raise bad(f"not JSON ({e})") from e
    if not isinstance(entry, dict):
        raise bad("not a JSON object")
    kind = entry.get("kind")
    fields = ENTRY_FIELDS.get(kind) if isinstance(kind, str) else None
    if fields is None:
        raise bad(f"unknown kind {kind!r}")
    if set(entry) != {"kind", *fields}:
        missing = sorted({*fields} - set(entry))
        extra = sorted(set(entry) - {"kind", *fields})
        raise bad(
            f"{kind}: "
            + "; ".join(
                ([f"missing {', '.join(missing)}"] if missing else [])
                + ([f"unexpected {', '.join(extra)}"] if extra else [])
            )
        )
    for name in fields:
        value = entry[name]
        if name == "lists":
            if not isinstance(value, dict) or not all(
                isinstance(v, str) and _HEX64.match(v) for v in value.values()
            ):
                raise bad("lists: expected an object of list URL -> SHA-256 (hex)")
        elif not isinstance(value, str) or not value:
            raise bad(f"{kind}: {name} is not a non-empty string")
        elif name == "sha256" and not _HEX64.match(value):
            raise bad(f"{kind}: sha256 is not 64 lower-case hex digits")
        elif name == "date" and not _DATE.match(value):
            raise bad(f"{kind}: date {value!r} is not a UTC date-time (YYYY-MM-DDTHH:MM:SSZ)")
    if kind == STATUS_CHANGED and STATUS_EVENTS.get(entry["event"]) != entry["purpose"]:
        raise bad(f"status-changed: event {entry['event']!r} does not go with {entry['purpose']!r}")
    if canonical_json(entry) != data:
        raise bad("not in canonical form (RFC 8785: sorted keys, no spaces)")
    return entry


def replay_lists(entries: Iterable[Mapping[str, Any]]) -> Iterator[tuple[int, dict[str, str]]]:
    """For each state entry (by position): the status lists as the entries before it left them.

    Yields ``(index, lists)``; the caller compares ``lists`` with the entry's own.
    """
    lists: dict[str, str] = {}
    for index, entry in enumerate(entries):
        kind = entry.get("kind")
        if kind in (STATUS_LIST_CREATED, STATUS_CHANGED, STATUS_LIST_REFRESHED):
            lists[entry["list"]] = entry["sha256"]
        elif kind == STATUS_LISTS:
            yield index, dict(lists)


def tree_of(entries: Iterable[bytes]) -> MerkleTree:
    """The Merkle tree of these entries (leaf hashes computed here)."""
    return MerkleTree(leaf_hash(e) for e in entries)


__all__ = [
    "CREDENTIAL_ISSUED",
    "EMPTY_ROOT",
    "KEY_ADDED",
    "KEY_RETIRED",
    "STATUS_CHANGED",
    "STATUS_LISTS",
    "STATUS_LIST_CREATED",
    "STATUS_LIST_REFRESHED",
    "TILE_HEIGHT",
    "TILE_WIDTH",
    "Checkpoint",
    "MerkleTree",
    "Tile",
    "canonical_json",
    "changed_tiles",
    "credential_entry",
    "encode_tile_index",
    "entry_bundle",
    "key_entry",
    "leaf_hash",
    "list_created_entry",
    "list_refreshed_entry",
    "lists_entry",
    "node_hash",
    "parse_entry",
    "parse_entry_bundle",
    "parse_tile_path",
    "replay_lists",
    "status_entry",
    "tile_files",
    "tile_hashes",
    "tiles_for_size",
    "tree_of",
    "verify_consistency",
    "verify_inclusion",
]

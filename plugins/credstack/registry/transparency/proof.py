"""Offline proofs that a credential is in the issuer's log (C2SP ``tlog-proof``).

:func:`prove` writes the proof of a credential against a signed checkpoint: the entry's index
and its RFC 6962 inclusion proof, then the checkpoint. :func:`check_log_proof` checks one with
the log's public key alone (no network) and returns a typed :class:`LogCheck`.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from credstack.crypto.note import NoteVerifier, open_note
from credstack.errors import LogError
from credstack.model import tlog
from credstack.model.status import format_datetime
from credstack.registry.files import dump_json
from credstack.registry.registry import Registry
from credstack.registry.tlog import entries_from_segments, read_config
from credstack.registry.transparency.log import segments_on_disk
from credstack.registry.transparency.verify import open_checkpoint

PROOF_HEADER = "c2sp.org/tlog-proof@v1"


@dataclass(frozen=True)
class LogCheck:
    """A typed outcome for a verifier: ``outcome`` pass | warn | fail | error, a stable
    ``code``, message ``params`` and the English ``message`` made from them."""

    outcome: str
    code: str
    params: dict[str, Any]
    message: str


# -- offline proofs (C2SP tlog-proof) -------------------------------------------------------------


def find_entry(entries: list[bytes], credential_id: str) -> int | None:
    """The index of the ``credential-issued`` entry of ``credential_id``, or None."""
    needle = json.dumps(credential_id, ensure_ascii=False).encode()
    for index, data in enumerate(entries):
        if needle in data:
            entry = json.loads(data)
            if entry.get("kind") == tlog.CREDENTIAL_ISSUED and entry.get("id") == credential_id:
                return index
    return None


def proof_text(index: int, proof: list[bytes], checkpoint: str, extra: bytes | None = None) -> str:
    """A C2SP tlog-proof: header, optional extra, index, inclusion proof, blank line, checkpoint."""
    lines = [PROOF_HEADER]
    if extra is not None:
        lines.append("extra " + base64.b64encode(extra).decode())
    lines.append(f"index {index}")
    lines += [base64.b64encode(h).decode() for h in proof]
    return "\n".join(lines) + "\n\n" + checkpoint


def prove(registry: Registry, credential: str, checkpoint: str) -> str:
    """The tlog-proof of ``credential`` (an id or URL) in the log at ``checkpoint``.

    Raises RegistryError for an unknown credential and LogError when the checkpoint does not
    verify, is not this log's, or predates the credential.
    """
    config = read_config(registry.root)
    if config is None:
        raise LogError("this registry keeps no transparency log", code="no-log")
    view = registry.get(credential)
    entries = entries_from_segments(segments_on_disk(registry.root))
    index = find_entry(entries, view.id)
    if index is None:
        raise LogError(
            f"{view.cid} is not in the transparency log",
            hint="run `credstack log verify`",
            code="not-in-log",
        )
    checked, _ = open_checkpoint(config, checkpoint)
    tree = tlog.tree_of(entries)
    if checked.size > tree.size or tree.root(checked.size) != checked.root:
        raise LogError("the checkpoint is not one of this log's", code="inconsistent")
    if index >= checked.size:
        raise LogError(
            f"the checkpoint ({checked.size} entries) predates {view.cid} (entry {index})",
            hint="sign a fresh one with `credstack log checkpoint`",
            code="inconsistent",
        )
    return proof_text(index, tree.inclusion_proof(index, checked.size), checkpoint)


@dataclass(frozen=True)
class ParsedProof:
    """A tlog-proof's parts: the entry's index, the inclusion proof, the checkpoint, extra data."""

    index: int
    proof: list[bytes]
    checkpoint: str
    extra: bytes | None


def parse_proof(text: str) -> ParsedProof:
    """Read a tlog-proof; raises LogError (``malformed-proof``)."""

    def bad(what: str) -> LogError:
        return LogError(f"not a tlog-proof: {what}", code="malformed-proof")

    head, sep, checkpoint = text.partition("\n\n")
    if not sep:
        raise bad("no blank line before the checkpoint")
    lines = head.split("\n")
    if lines[0] != PROOF_HEADER:
        raise bad(f"the first line is not {PROOF_HEADER}")
    rest = lines[1:]
    extra = None
    try:
        if rest and rest[0].startswith("extra "):
            extra = base64.b64decode(rest.pop(0)[6:], validate=True)
        if not rest or not rest[0].startswith("index "):
            raise bad("no index line")
        number = rest.pop(0)[6:]
        if not number.isdigit() or (number.startswith("0") and number != "0"):
            raise bad("the index is not a decimal number")
        hashes = [base64.b64decode(line, validate=True) for line in rest]
    except (binascii.Error, ValueError) as e:
        raise bad("a line is not base64") from e
    if any(len(h) != tlog.HASH_SIZE for h in hashes):
        raise bad("a proof hash is not 32 bytes")
    return ParsedProof(int(number), hashes, checkpoint, extra)


def check_log_proof(
    credential_bytes: bytes,
    proof: str,
    log_public_key: str | NoteVerifier,
    *,
    at: datetime | None = None,
    max_age: timedelta | None = None,
) -> LogCheck:
    """Check offline that a credential is in the issuer's log (a tlog-proof).

    ``log_public_key`` is the log's note verifier key (``vkey``: ``<origin>+<id>+<key>``, as
    published at ``<site>/log/vkey`` and derived from the DID document). With ``at`` and
    ``max_age``, a checkpoint signed longer ago is an ``error`` (``log-stale``).
    Codes: ``logged`` (pass); ``malformed-proof``, ``checkpoint-signature``, ``not-in-log``
    (fail); ``log-stale``, ``log-undated`` (error, with ``max_age`` only). Never raises for bad
    input.
    """

    def result(outcome: str, code: str, message: str, **params: Any) -> LogCheck:
        return LogCheck(outcome, code, params, message)

    try:
        verifier = (
            log_public_key
            if isinstance(log_public_key, NoteVerifier)
            else NoteVerifier.from_vkey(log_public_key)
        )
    except LogError as e:
        return result("error", "malformed-key", f"the log key could not be read: {e.message}")
    try:
        parsed = parse_proof(proof)
    except LogError as e:
        return result("fail", "malformed-proof", e.message)
    try:
        opened = open_note(parsed.checkpoint, verifier)
        checkpoint = tlog.Checkpoint.parse(opened.text)
    except LogError as e:
        return result(
            "fail", "checkpoint-signature", f"the log's checkpoint does not verify: {e.message}"
        )
    if checkpoint.origin != verifier.name:
        return result(
            "fail",
            "checkpoint-signature",
            f"the checkpoint is for {checkpoint.origin}, not {verifier.name}",
        )
    try:
        doc = json.loads(credential_bytes)
        credential_id = doc["id"] if isinstance(doc, dict) else None
    except ValueError:
        credential_id = None
    if not isinstance(credential_id, str):
        return result("fail", "not-in-log", "the credential has no id to look up in the log")
    # The file as published, or credstack's own serialization of it (a re-saved copy).
    candidates = [credential_bytes, dump_json(doc).encode("utf-8")]
    included = any(
        tlog.verify_inclusion(
            tlog.leaf_hash(tlog.canonical_json(tlog.credential_entry(credential_id, data))),
            parsed.index,
            checkpoint.size,
            parsed.proof,
            checkpoint.root,
        )
        for data in candidates
    )
    signed_at = (
        datetime.fromtimestamp(opened.timestamp, UTC) if opened.timestamp is not None else None
    )
    params = {
        "index": parsed.index,
        "entry": parsed.index + 1,
        "size": checkpoint.size,
        "origin": checkpoint.origin,
        "signedAt": format_datetime(signed_at) if signed_at else None,
    }
    if not included:
        return result(
            "fail",
            "not-in-log",
            f"the credential is not entry {parsed.index + 1} of the issuer's log "
            f"({checkpoint.size} entries): it differs from the one recorded, or was never "
            "recorded",
            **params,
        )
    if max_age is not None:
        if signed_at is None:
            return result(
                "error", "log-undated", "the log's checkpoint carries no signing time", **params
            )
        if at is not None and at - signed_at > max_age:
            return result(
                "error",
                "log-stale",
                f"the issuer's log was last signed on {signed_at:%Y-%m-%d}, longer ago than "
                f"{max_age.days} days",
                **params,
            )
    signed = f", signed on {signed_at:%Y-%m-%d}" if signed_at else ""
    return result(
        "pass",
        "logged",
        f"Recorded in the issuer's public log, entry {parsed.index + 1} of {checkpoint.size}"
        f"{signed}",
        **params,
    )

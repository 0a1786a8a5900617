"""C2SP signed notes (Ed25519) and the timestamped cosignature that dates a checkpoint."""

from __future__ import annotations

import base64
import hashlib

import pytest

from credstack.crypto.keys import SigningKey
from credstack.crypto.note import (
    NoteSigner,
    NoteVerifier,
    cosignature_message,
    key_id,
    open_note,
    sign_note,
)
from credstack.errors import LogError

# Go's golang.org/x/mod/sumdb/note tests (note_test.go, TestSign): a published TEST key, text and
# signed note. The signer key is "PRIVATE+KEY+PeterNeumann+c74f20a3+<base64(0x01 || seed)>".
GO_SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
GO_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
GO_TEXT = (
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
)
GO_SIGNED = (
    GO_TEXT + "\n— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNX"
    "gKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
)


def go_signer() -> NoteSigner:
    seed = base64.b64decode(GO_SKEY.split("+", 4)[4])[1:]
    return NoteSigner("PeterNeumann", SigningKey.from_seed(seed))


def test_signs_and_verifies_gos_published_vector():
    assert sign_note(GO_TEXT, go_signer()) == GO_SIGNED
    verifier = NoteVerifier.from_vkey(GO_VKEY)
    assert verifier == go_signer().verifier
    assert verifier.vkey == GO_VKEY
    opened = open_note(GO_SIGNED, verifier)
    assert opened.text == GO_TEXT and opened.timestamp is None


def test_key_ids_follow_the_spec_formula():
    key = SigningKey.from_seed(bytes(32))  # TEST-ONLY
    pub = key.public_key
    for kind in (0x01, 0x04):
        expected = hashlib.sha256(b"example.com/log\n" + bytes([kind]) + pub).digest()[:4]
        assert key_id("example.com/log", kind, pub) == expected
    digest = hashlib.sha256(b"example.com/log\n\x01" + pub).digest()
    assert NoteVerifier("example.com/log", pub).key_id.hex() == digest[:4].hex()


def test_timestamped_cosignature_dates_the_note():
    signer = NoteSigner("example.com/log", SigningKey.from_seed(bytes(range(32))))
    text = "example.com/log\n1\n" + base64.b64encode(bytes(32)).decode() + "\n"
    note = sign_note(text, signer, timestamp=1679315147)
    lines = note.split("\n\n", 1)[1].splitlines()
    assert len(lines) == 2
    raw = base64.b64decode(lines[1].split(" ", 2)[2])
    assert raw[:4] == signer.verifier.cosignature_key_id
    assert int.from_bytes(raw[4:12], "big") == 1679315147
    # tlog-cosignature: the message is "cosignature/v1\ntime <t>\n" + the note text.
    message = cosignature_message(text, 1679315147)
    assert message.startswith(b"cosignature/v1\ntime 1679315147\nexample.com/log\n")
    from credstack.crypto.keys import verify_signature

    assert verify_signature(signer.key.public_key, message, raw[12:])
    assert open_note(note, signer.verifier).timestamp == 1679315147


def test_signatures_by_other_keys_are_ignored_and_a_bad_known_one_rejects():
    signer = go_signer()
    other = NoteSigner("witness.example/w1", SigningKey.from_seed(bytes(32)))
    both = GO_SIGNED + sign_note(GO_TEXT, other).split("\n\n", 1)[1]
    opened = open_note(both, signer.verifier)
    assert len(opened.unverified) == 1
    tampered = GO_SIGNED.replace("problem,", "problem;")
    with pytest.raises(LogError) as e:
        open_note(tampered, signer.verifier)
    assert e.value.code == "checkpoint-signature"
    with pytest.raises(LogError) as e:
        open_note(sign_note(GO_TEXT, other), signer.verifier)
    assert e.value.code == "unknown-key"


def test_a_checkpoint_resigned_with_another_key_under_the_same_name_is_not_accepted():
    impostor = NoteSigner("PeterNeumann", SigningKey.from_seed(bytes(32)))  # same name, other key
    with pytest.raises(LogError) as e:
        open_note(sign_note(GO_TEXT, impostor), go_signer().verifier)
    assert e.value.code == "unknown-key"


@pytest.mark.parametrize(
    "note",
    [
        GO_TEXT,  # no signatures
        GO_TEXT + "\n",
        GO_TEXT + "\n— PeterNeumann notbase64!\n",
        GO_TEXT + "\nPeterNeumann x08go/ZJ\n",
        GO_TEXT.replace("\n", "\r\n", 1) + GO_SIGNED[len(GO_TEXT) :],
    ],
)
def test_malformed_notes_are_refused(note):
    with pytest.raises(LogError) as e:
        open_note(note, go_signer().verifier)
    assert e.value.code in ("malformed-note", "unknown-key")


def test_vkeys_whose_base64_holds_a_plus_sign_are_read():
    for seed in range(40):
        verifier = NoteSigner("example.test/log", SigningKey.from_seed(bytes([seed] * 32))).verifier
        assert NoteVerifier.from_vkey(verifier.vkey) == verifier


@pytest.mark.parametrize("vkey", [GO_VKEY.replace("c74f20a3", "c74f20a4"), "a+b", GO_VKEY + "x"])
def test_bad_vkeys_are_refused(vkey):
    with pytest.raises(LogError):
        NoteVerifier.from_vkey(vkey)

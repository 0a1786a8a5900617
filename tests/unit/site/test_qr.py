"""The fast QR encoder makes exactly the modules the qrcode library makes."""

from __future__ import annotations

import random
import string

import pytest

from credstack.site import qr


def inputs() -> list[str]:
    rng = random.Random(8)
    site = "https://northwind-lab.github.io/credentials/credentials/"
    ids = string.ascii_lowercase + string.digits
    out = [f"{site}2026-{''.join(rng.choices(ids, k=10))}/" for _ in range(150)]
    out += ["", "a", "0", "A", "HTTPS://EXAMPLE.ORG/", "é", "\u2603" * 3]
    out += [str(rng.randrange(10 ** rng.randrange(1, 120))) for _ in range(30)]  # numeric mode
    alnum = string.ascii_uppercase + string.digits + " $%*+-./:"
    out += ["".join(rng.choices(alnum, k=rng.randrange(1, 300))) for _ in range(30)]
    out += ["".join(rng.choices(string.printable, k=rng.randrange(1, 700))) for _ in range(60)]
    out += ["Łódź " * rng.randrange(1, 60) for _ in range(10)]
    return out


@pytest.mark.parametrize("chunk", range(4))
def test_same_modules_as_qrcode(chunk):
    data = inputs()[chunk::4]
    for text in data:
        assert qr.matrix(text) == qr.reference_matrix(text), text


def test_versions_with_version_information_are_covered():
    versions = {qr._codewords(text)[0] for text in inputs()}
    assert min(versions) == 1 and max(versions) >= 10  # 7 and up carry version information


def test_rows_are_the_matrix_as_text():
    text = "https://example.org/credentials/x/"
    rows = qr.rows(text)
    assert [[c == "1" for c in row] for row in rows] == qr.reference_matrix(text)

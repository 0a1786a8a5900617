"""The snapshot's JSON reader refuses duplicate keys at any depth (a signed credential read two
ways is a credential read wrong)."""

import pytest

from credstack.registry.registry import parse_json_bytes


def test_reads_json_without_duplicates():
    assert parse_json_bytes(b'{"a": {"b": [1, {"c": 2}]}, "d": "e"}', "x.json") == {
        "a": {"b": [1, {"c": 2}]},
        "d": "e",
    }


@pytest.mark.parametrize(
    "text",
    [
        b'{"id": "a", "id": "b"}',
        b'{"credentialSubject": {"name": "A", "x": 1, "name": "B"}}',
        b'[{"k": 1}, {"proof": {"v": 1, "v": 1}}]',
    ],
)
def test_refuses_a_duplicate_key_at_any_depth(text):
    with pytest.raises(ValueError, match="duplicate key"):
        parse_json_bytes(text, "x.json")


def test_errors_name_the_file():
    with pytest.raises(ValueError, match=r"^x\.json:1: not valid JSON"):
        parse_json_bytes(b"{", "x.json")
    with pytest.raises(ValueError, match="not UTF-8"):
        parse_json_bytes(b'{"a": "\xff"}', "x.json")

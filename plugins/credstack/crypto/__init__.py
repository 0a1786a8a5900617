"""Keys, JSON-LD canonicalization and Data Integrity proofs: the only code that touches pyld and nacl."""  # noqa: E501

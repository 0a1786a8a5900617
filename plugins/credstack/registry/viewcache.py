"""Credential views kept by their file's digest, so that a snapshot need not parse every file.

Reading a registry of 100,000 credentials means parsing 100,000 JSON documents (about 700 MB)
to make each one's :class:`~credstack.model.credential.CredentialView`; from one build to the
next almost none of them change. A :class:`ViewCache` keeps each view's fields (not the
document) by the SHA-256 of the file's bytes, the credential id and the fingerprint of the code
that reads them (:func:`credstack.registry.vcache.fingerprint`: the model's code among it), in
``.cache/credstack/views.json``, authenticated entry by entry with the same per-user MAC key as
the verification cache (a cache file someone else wrote is ignored). A view read from the cache
keeps the file's bytes and parses them only when its document is asked for.
"""

from __future__ import annotations

from pathlib import Path

from credstack.model.credential import CredentialView
from credstack.registry.vcache import CACHE_DIR, VerificationCache, entry_key

VIEWS_FILE = "views.json"


class ViewCache:
    """Views by (credential id, file digest); ``folder`` None remembers nothing."""

    def __init__(self, folder: Path | None):
        self._entries = VerificationCache(folder, VIEWS_FILE)

    @classmethod
    def for_registry(cls, root: Path) -> ViewCache:
        """The registry's view cache (``.cache/credstack/`` under ``root``)."""
        return cls(Path(root) / CACHE_DIR)

    @property
    def hits(self) -> int:
        return self._entries.hits.get("view", 0)

    def get(self, cid: str, digest: str, data: bytes) -> CredentialView | None:
        """The view of the file whose bytes are ``data`` (SHA-256 ``digest``), or None."""
        record = self._entries.get("view", entry_key("view", cid, digest))
        if not isinstance(record, dict):
            return None
        try:
            view = CredentialView.from_record(record, data)
        except (KeyError, TypeError, ValueError):
            return None
        return view if view.cid == cid else None

    def put(self, cid: str, digest: str, view: CredentialView) -> None:
        """Keep ``view``, read from the file whose SHA-256 is ``digest``."""
        self._entries.put(entry_key("view", cid, digest), view.to_record())

    def save(self) -> None:
        """Write the views used by this run (and some others); never raises."""
        self._entries.save()


__all__ = ["VIEWS_FILE", "ViewCache"]

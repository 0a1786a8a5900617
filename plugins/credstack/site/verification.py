"""Build-time verification of every issued credential, cached by content hash.

A credential's report depends only on: its bytes, the issuer's DID document, the status lists it
points at, its status-log events (dates and reasons in the verdict), for a certification the same
for each component credential, and where the build time falls among the dates in all of those
(validFrom, validUntil, proof created, key retirement, list expiry). All of that goes into the
cache key, so an unchanged credential costs one hash and one small JSON read on the next build,
and a revocation, a key retirement or an expiry date passing re-verifies exactly the credentials
it affects.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
from collections.abc import Iterable
from dataclasses import asdict
from datetime import datetime
from typing import Any

from credstack import __version__
from credstack.model.status import parse_datetime
from credstack.registry.registry import Registry
from credstack.registry.verify import Check, VerificationReport, registry_verifier
from credstack.site.cache import BuildCache, content_key

KIND = "verify"
#: Bump when the cached shape changes.
CACHE_VERSION = "2"
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


def instants(*docs: Any) -> list[datetime]:
    """Every date-time value found anywhere in ``docs`` (JSON values), sorted."""
    found: list[datetime] = []

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)
        elif isinstance(value, str) and _DATETIME.match(value):
            with contextlib.suppress(ValueError):
                found.append(parse_datetime(value))

    for doc in docs:
        walk(doc)
    return sorted(found)


def time_bucket(moments: Iterable[datetime], at: datetime) -> tuple[int, int]:
    """Where ``at`` falls among ``moments``: (how many are before it, how many equal it).

    Every time comparison a verifier makes is between ``at`` and one of these moments, so two
    build times in the same bucket give the same report.
    """
    moments = list(moments)
    return sum(m < at for m in moments), sum(m == at for m in moments)


def report_to_json(report: VerificationReport) -> dict:
    return {
        "target": report.target,
        "credential_id": report.credential_id,
        "status": report.status,
        "verdict": report.verdict,
        "checks": [asdict(c) for c in report.checks],
    }


def report_from_json(data: dict) -> VerificationReport:
    return VerificationReport(
        target=data["target"],
        credential_id=data["credential_id"],
        checks=[Check(**c) for c in data["checks"]],
        status=data["status"],
        verdict=data["verdict"],
    )


class BuildVerifier:
    """Verify the registry's credentials as of ``at``, reusing cached reports."""

    def __init__(
        self,
        registry: Registry,
        *,
        at: datetime,
        cache: BuildCache,
        raw: dict[str, bytes],
        digests: dict[str, str] | None = None,
    ):
        self.registry = registry
        self.at = at
        self.cache = cache
        self.raw = raw  # cid -> the credential file's bytes
        self.digests = digests or {}  # cid -> SHA-256 hex of those bytes
        self._verifier = None
        self._did = registry.did_document()
        # Documents many credentials share (the DID document, each status list) are hashed
        # and searched for dates once per build; a key names them by their hash.
        self._did_digest = content_key(self._did)
        self._did_instants = instants(self._did)
        self._lists: dict[str, tuple[str | None, list[datetime]]] = {}
        self._events: dict[str, list[dict]] = {}
        for event in registry.log:
            self._events.setdefault(event.credential, []).append(event.to_json())
        self.verified = 0  # how many were actually verified (cache misses)

    @property
    def verifier(self):
        if self._verifier is None:
            self._verifier = registry_verifier(self.registry, at=self.at)
        return self._verifier

    def _list(self, url: str) -> tuple[str | None, list[datetime]]:
        """(hash, dates) of the status list at ``url`` (None when the registry has none)."""
        if url not in self._lists:
            doc = self.registry.status_lists.get(url)
            self._lists[url] = (None, []) if doc is None else (content_key(doc), instants(doc))
        return self._lists[url]

    def _digest(self, cid: str) -> str:
        if cid not in self.digests:
            self.digests[cid] = hashlib.sha256(self.raw[cid]).hexdigest()
        return self.digests[cid]

    def _inputs(self, cid: str) -> tuple[list[Any], list[datetime]]:
        """What the report of ``cid`` depends on, besides the DID document and the time, and
        the dates found in it."""
        view = self.registry.credentials[cid]
        lists = [self._list(s.list_url) for s in view.statuses]
        moments = instants(view.raw)
        for _, dates in lists:
            moments += dates
        return [self._digest(cid), [h for h, _ in lists], self._events.get(cid, [])], moments

    def key(self, cid: str) -> str:
        view = self.registry.credentials[cid]
        inputs, moments = self._inputs(cid)
        parts = [inputs]
        moments += self._did_instants
        if view.achievement_type == "Certification":
            for evidence in view.evidence:
                other = self.registry.urls.cid_from_url(evidence.url)
                if other in self.registry.credentials:
                    other_inputs, other_moments = self._inputs(other)
                    parts.append(other_inputs)
                    moments += other_moments
        return content_key(
            "credstack-verification",
            CACHE_VERSION,
            __version__,
            self._did_digest,
            parts,
            time_bucket(moments, self.at),
        )

    def reports(self, cids: Iterable[str]) -> dict[str, VerificationReport]:
        """The build-time report of each of ``cids``: from the cache when nothing it depends on
        changed, else verified now (the signatures of a large batch on every core)."""
        out: dict[str, VerificationReport] = {}
        missing: dict[str, str] = {}
        for cid in cids:
            key = self.key(cid)
            cached = self.cache.get_json(KIND, key)
            try:
                out[cid] = report_from_json(cached)  # type: ignore[arg-type]
            except (KeyError, TypeError):
                missing[cid] = key
        credentials = self.registry.credentials
        prime = getattr(self.verifier, "prime", None)
        if missing and prime is not None:
            prime([credentials[cid].raw for cid in missing])
        for cid, key in missing.items():
            report = self.verifier.verify(credentials[cid].raw, target=cid)
            self.verified += 1
            self.cache.put_json(KIND, key, report_to_json(report))
            out[cid] = report
        return {cid: out[cid] for cid in cids}

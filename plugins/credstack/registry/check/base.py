"""Rules against the target branch (``--base``): what a pull request may change, and how.

Issued credentials are only ever added; status lists change only in their bits (re-signed), a
revocation never goes back, and every changed bit has its new status-log event; the log and
``program/keys.yml`` are append-only, and a new or changed signing key is its own finding that
needs acknowledgement; new credentials satisfy the base branch's program as of their issue
date, replayed in issue order. The base is read through git (only the files that differ).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import yaml

from credstack.errors import CredentialError, CredstackError
from credstack.model.assessment import recorded_assessors  # issue 15
from credstack.model.credential import CredentialView
from credstack.model.history import StatusEvent, StatusHistory
from credstack.model.status import Bitstring, parse_datetime
from credstack.registry.award import AwardInput, _Ledger, check_assessment, check_rules
from credstack.registry.check.gate import Gate, rule
from credstack.registry.keys import KEYS_FILE
from credstack.registry.registry import (
    CREDENTIAL_FILE,
    STATUS_FILE,
    STATUS_LOG,
    Registry,
    parse_json_bytes,
)

#: A new credential dated more than this before it was signed is flagged as back-dated.
BACKDATE_WARNING = timedelta(days=90)
#: Award dates before this are certainly wrong (year-0001 and similar).
EARLIEST_AWARD = datetime(2000, 1, 1, tzinfo=UTC)


@dataclass
class Diff:
    """What the pull request changed under issued/ and in keys.yml, read once."""

    old: dict[str, bytes] = field(default_factory=dict)  # base bytes of changed/gone files
    changed: list[str] = field(default_factory=list)  # credentials modified
    gone: list[str] = field(default_factory=list)  # credentials deleted (not renamed)
    renamed: dict[str, str] = field(default_factory=dict)  # new path -> base path
    new: list[str] = field(default_factory=list)  # cids of new credentials (not renamed)
    lists_changed: list[str] = field(default_factory=list)


def diff(gate: Gate) -> Diff:
    """The shared comparison of head and base (computed once per gate)."""
    if "diff" in gate.memo:
        return gate.memo["diff"]  # type: ignore[no-any-return]
    assert gate.head is not None and gate.base_source is not None
    base, head = gate.base_source, gate.head
    files = head.files
    base_creds = [p for p in base.tree if CREDENTIAL_FILE.match(p)]
    result = Diff()
    result.changed = [p for p in base_creds if p in files and not base.same(p, files[p])]
    gone = [p for p in base_creds if p not in files]
    result.lists_changed = [
        p for p in base.tree if STATUS_FILE.match(p) and not (p in files and base.same(p, files[p]))
    ]
    extra = [STATUS_LOG, KEYS_FILE]
    result.old = base.read([*result.changed, *gone, *result.lists_changed, *extra])
    base_set = set(base_creds)
    new_issued = [i for i in head.issued.values() if i.rel not in base_set]
    by_bytes = {_normalized(i.data): i.rel for i in new_issued}
    by_id = {i.doc.get("id"): i.rel for i in new_issued if isinstance(i.doc, dict)}
    for path in gone:
        data = result.old[path]
        try:
            old_id = json.loads(data).get("id")
        except (ValueError, AttributeError):
            old_id = None
        target = by_bytes.get(_normalized(data)) or by_id.get(old_id)
        if target is not None:
            result.renamed[target] = path
        else:
            result.gone.append(path)
    result.new = [i.cid for i in new_issued if i.rel not in result.renamed]
    gate.report.new_credentials = len(new_issued)
    gate.memo["diff"] = result
    return result


@rule("credential-unchanged", "an issued credential is never modified", needs="base")
def credential_unchanged(gate: Gate) -> None:
    d = diff(gate)
    assert gate.head is not None
    for path in d.changed:
        if _normalized(d.old[path]) == _normalized(gate.head.files[path]):
            continue
        gate.error(
            path,
            "credential-unchanged",
            f"modified after it was issued (differs from {gate.base_ref})",
            f"issued credentials are permanent: restore it with `git checkout {gate.base_ref} -- "
            f"{path}`; to correct one, use `credstack reissue`",
        )


@rule("credential-not-deleted", "an issued credential is never deleted", needs="base")
def credential_not_deleted(gate: Gate) -> None:
    for path in diff(gate).gone:
        gate.error(
            path,
            "credential-not-deleted",
            f"deleted (it exists in {gate.base_ref})",
            f"restore it with `git checkout {gate.base_ref} -- {path}`; to withdraw a "
            "credential, use `credstack revoke`",
        )


@rule("credential-not-renamed", "an issued credential is never renamed", needs="base")
def credential_not_renamed(gate: Gate) -> None:
    for target, path in diff(gate).renamed.items():
        gate.error(
            target,
            "credential-not-renamed",
            f"renamed from {path} (issued credentials keep their file and id)",
            f"restore it with `git checkout {gate.base_ref} -- {path}` and remove {target}",
        )


def _old_log(gate: Gate) -> list[Any] | None:
    data = diff(gate).old.get(STATUS_LOG)
    if data is None:
        return None
    try:
        raw = yaml.safe_load(data) or {}
        events = raw.get("events") or [] if isinstance(raw, dict) else []
    except yaml.YAMLError:
        return None
    return events if isinstance(events, list) else None


@dataclass
class LogChanges:
    """How the status log changed against the base: new events, and edits of old ones."""

    new_events: list[StatusEvent] = field(default_factory=list)
    edits: list[str] = field(default_factory=list)  # messages for status-log-append-only


def log_changes(gate: Gate) -> LogChanges:
    """The status log compared with the base's (computed once per gate)."""
    if "log" in gate.memo:
        return gate.memo["log"]  # type: ignore[no-any-return]
    assert gate.head is not None
    out = LogChanges()
    gate.memo["log"] = out
    old_events = _old_log(gate)
    raw_events, events, problems = gate.head.log_entries
    if problems:
        return out  # status-log-valid
    if old_events is None:
        out.new_events = list(events)
        return out
    if STATUS_LOG not in gate.head.files:
        out.edits.append(f"deleted (it exists in {gate.base_ref})")
        return out
    if raw_events[: len(old_events)] == old_events:
        out.new_events = events[len(old_events) :]
        return out
    for i, event in enumerate(old_events):
        if i >= len(raw_events) or raw_events[i] != event:
            what = "removed" if event not in raw_events else "moved or changed"
            name = (
                f"{event.get('event')} {event.get('credential')}"
                if isinstance(event, dict)
                else "?"
            )
            out.edits.append(f"events[{i}] of {gate.base_ref} ({name}) was {what}")
            break
    counted = Counter(json.dumps(e, sort_keys=True, default=str) for e in old_events)
    for raw, event in zip(raw_events, events, strict=False):
        key = json.dumps(raw, sort_keys=True, default=str)
        if counted[key]:
            counted[key] -= 1
        else:
            out.new_events.append(event)
    return out


@rule("status-log-append-only", "status log events are only ever appended", needs="base")
def status_log_append_only(gate: Gate) -> None:
    for edit in log_changes(gate).edits:
        gate.error(
            STATUS_LOG,
            "status-log-append-only",
            edit,
            "the status log is append-only: restore the old events and append new ones",
        )


def _list_changes(gate: Gate) -> Iterator[tuple[str, str, int, bool, bool, str | None]]:
    """(path, purpose, index, was, now, cid) for every bit a pull request changed."""
    assert gate.head is not None
    d = diff(gate)
    head = gate.head
    index: dict[tuple[str, int], str] = {}
    for cid, issued in head.issued.items():
        for ref in issued.view.statuses if issued.view else ():
            index.setdefault((ref.list_url, ref.index), cid)
    base_tree = gate.base_source.tree if gate.base_source else {}
    new_lists = [rel for rel in head.lists if rel not in base_tree]
    for rel in [*d.lists_changed, *new_lists]:
        published = head.lists.get(rel)
        verdict = gate.lists.get(rel)
        if published is None or verdict is None or verdict.code != "ok":
            continue  # deleted, or reported by status-list-verifies
        after = verdict.bits()
        before = None
        if rel in d.old:
            try:
                old_doc = parse_json_bytes(d.old[rel], rel)
                before = Bitstring.decode(old_doc["credentialSubject"]["encodedList"])
            except (ValueError, KeyError, TypeError, CredstackError):
                before = None
        if before is None:
            before = Bitstring.empty(after.size)
        url = head.urls.status_list(published.purpose, published.number)
        for i in _changed_bits(before, after):
            was = before.get(i) if i < before.size else False
            now = after.get(i) if i < after.size else False
            yield rel, published.purpose, i, was, now, index.get((url, i))


@rule("status-list-not-deleted", "a status list is never deleted", needs="base")
def status_list_not_deleted(gate: Gate) -> None:
    assert gate.head is not None
    for rel in diff(gate).lists_changed:
        if rel not in gate.head.lists:
            gate.error(
                rel,
                "status-list-not-deleted",
                f"deleted (it exists in {gate.base_ref})",
                f"restore it with `git checkout {gate.base_ref} -- {rel}`",
            )


@rule(
    "status-list-only-bits-change",
    "a status list changes only in encodedList, proof and validity dates",
    needs="base",
)
def status_list_only_bits_change(gate: Gate) -> None:
    assert gate.head is not None
    d = diff(gate)
    for rel in d.lists_changed:
        published = gate.head.lists.get(rel)
        if published is None or published.doc is None or rel not in d.old:
            continue
        try:
            old_doc = parse_json_bytes(d.old[rel], rel)
        except ValueError:
            old_doc = None
        if _strip_list(old_doc) != _strip_list(published.doc):
            gate.error(
                rel,
                "status-list-only-bits-change",
                "changed beyond encodedList, proof and validity dates",
                "status lists are re-signed by `credstack revoke/suspend/reinstate`; restore it "
                f"with `git checkout {gate.base_ref} -- {rel}` and repeat",
            )
        elif isinstance(old_doc, dict):
            for name in ("validFrom", "validUntil"):
                before, after = _when(old_doc.get(name)), _when(published.doc.get(name))
                if before is not None and (after is None or after < before):
                    gate.error(
                        rel,
                        "status-list-only-bits-change",
                        f"{name} moved back from {before:%Y-%m-%d %H:%M} (an older list)",
                        "status lists are only re-signed forward in time; restore it with "
                        f"`git checkout {gate.base_ref} -- {rel}`",
                    )


@rule("revocation-final", "a revocation bit never goes back from 1 to 0", needs="base")
def revocation_final(gate: Gate) -> None:
    for rel, purpose, i, was, now, cid in _list_changes(gate):
        if purpose == "revocation" and was and not now:
            gate.error(
                rel,
                "revocation-final",
                f"index {i}{f' ({cid})' if cid else ''} went from revoked to not revoked",
                "revocation is final: restore the list; issue a new credential instead",
            )


@rule(
    "status-change-logged",
    "every changed status bit has a matching new status log event",
    needs="base",
)
def status_change_logged(gate: Gate) -> None:
    new_events = log_changes(gate).new_events
    for rel, purpose, i, was, now, cid in _list_changes(gate):
        if purpose == "revocation" and was and not now:
            continue  # revocation-final
        expected = {
            ("revocation", True): "revoked",
            ("suspension", True): "suspended",
            ("suspension", False): "reinstated",
        }[(purpose, now)]
        if cid is None:
            gate.error(
                rel,
                "status-change-logged",
                f"index {i} changed to {int(now)}, but no credential uses that index",
                "restore the list; change status only with `credstack revoke/suspend/reinstate`",
            )
        elif not any(e.credential == cid and e.event == expected for e in new_events):
            gate.error(
                rel,
                "status-change-logged",
                f"index {i} ({cid}) changed to {int(now)} with no new '{expected}' event in "
                f"{STATUS_LOG}",
                "change status only with `credstack revoke/suspend/reinstate`, which re-signs "
                "the list and logs the event together",
            )


def base_keys(gate: Gate) -> dict[str, dict[str, Any]]:
    """The base branch's keys.yml entries by id ({} when it has none)."""
    data = diff(gate).old.get(KEYS_FILE)
    try:
        raw = yaml.safe_load(data) if data is not None else None
        entries = raw.get("keys") or [] if isinstance(raw, dict) else []
        return {str(k["id"]): k for k in entries if isinstance(k, dict) and "id" in k}
    except (yaml.YAMLError, KeyError, TypeError):
        return {}


@rule("keys-append-only", "keys are only added or retired, never removed or changed", needs="base")
def keys_append_only(gate: Gate) -> None:
    assert gate.head is not None
    head = {k.id: k for k in gate.head.program.issuer.keys}
    hint = (
        "keys.yml is append-only (written by `credstack keys`): restore it with "
        f"`git checkout {gate.base_ref} -- {KEYS_FILE}`; to stop a key, `credstack keys retire` it"
    )
    for key_id, entry in base_keys(gate).items():
        now = head.get(key_id)
        if now is None:
            gate.error(KEYS_FILE, "keys-append-only", f"key {key_id} was removed", hint)
            continue
        if entry.get("publicKeyMultibase") != now.public_key_multibase:
            gate.error(
                KEYS_FILE, "keys-append-only", f"the public key of {key_id} was changed", hint
            )
        if _when(entry.get("created")) != now.created:
            gate.error(
                KEYS_FILE, "keys-append-only", f"the creation date of {key_id} was changed", hint
            )
        retired = entry.get("retired")
        retired_at = _when(retired.get("at")) if isinstance(retired, dict) else None
        if retired_at is not None and now.retired_at is None:
            gate.error(
                KEYS_FILE, "keys-append-only", f"the retirement of {key_id} was undone", hint
            )
        elif retired_at is not None and now.retired_at != retired_at:
            gate.error(
                KEYS_FILE, "keys-append-only", f"the retirement date of {key_id} was changed", hint
            )


@rule(
    "key-added-acknowledged",
    "a pull request that adds a signing key says so, and a maintainer acknowledges it",
    needs="base",
)
def key_added_acknowledged(gate: Gate) -> None:
    assert gate.head is not None
    if gate.base_source is not None and gate.base_source.commit is None:
        return  # the first commit of a repository: its keys found the registry
    old = base_keys(gate)
    for key in gate.head.program.issuer.keys:
        if key.id in old:
            continue
        gate.report.keys_added.append(key.id)
        text = (
            f"this pull request adds the signing key {key.id} ({key.public_key_multibase[:12]}…): "
            "anything it signs will verify as issued by you"
        )
        if gate.allow_key_change:
            gate.warning(KEYS_FILE, "key-added-acknowledged", text + " (acknowledged)")
        else:
            gate.error(
                KEYS_FILE,
                "key-added-acknowledged",
                text,
                "if a maintainer created this key, acknowledge it: run the check with "
                "--allow-key-change (the check workflow passes it when the pull request has "
                "the 'key-change' label)",
            )


@rule(
    "key-not-retired-on-base",
    "a key already retired on the target branch signs nothing new",
    needs="base",
)
def key_not_retired_on_base(gate: Gate) -> None:
    assert gate.head is not None
    old = base_keys(gate)
    for cid in diff(gate).new:
        view = gate.head.issued[cid].view
        method = view.verification_method if view else None
        if not method or not method.startswith(gate.head.urls.issuer_id + "#"):
            continue  # an unknown key is reported by key-known
        entry = old.get(method.split("#", 1)[1])
        retired = entry.get("retired") if entry else None
        at = _when(retired.get("at")) if isinstance(retired, dict) else None
        if at is not None:
            created = view.proof_created if view else None
            claims = f" (its proof claims {created:%Y-%m-%d})" if created else ""
            gate.error(
                gate.head.issued[cid].rel,
                "key-not-retired-on-base",
                f"new, but signed with {method.split('#', 1)[1]}, which {gate.base_ref} already "
                f"retired on {at:%Y-%m-%d}{claims}",
                "sign new credentials with an active key (`credstack keys list`)",
            )


@rule(
    "award-date-plausible", "a new credential is not back-dated or dated before 2000", needs="base"
)
def award_date_plausible(gate: Gate) -> None:
    assert gate.head is not None
    for cid in diff(gate).new:
        issued = gate.head.issued[cid]
        view = issued.view
        if view is None:
            continue
        if view.valid_from < EARLIEST_AWARD:
            gate.error(
                issued.rel,
                "award-date-plausible",
                f"awarded on {view.valid_from:%Y-%m-%d}: that date cannot be right",
                "award with the real date of the assessment (`--issued-at YYYY-MM-DD`)",
            )
        elif view.proof_created and view.valid_from < view.proof_created - BACKDATE_WARNING:
            gate.warning(
                issued.rel,
                "award-date-plausible",
                f"back-dated: awarded on {view.valid_from:%Y-%m-%d} but signed on "
                f"{view.proof_created:%Y-%m-%d}",
                "fine for a registry's history; otherwise award with the real assessment date",
            )


@rule(
    "stacking-rules",
    "every new credential satisfies the base branch's program as of its issue date",
    needs="base",
)
def stacking_rules(gate: Gate) -> None:
    assert gate.head is not None and gate.base is not None
    d = diff(gate)
    head = gate.head
    held: dict[str, CredentialView] = {}
    base_set = set(gate.base_source.tree) if gate.base_source else set()
    for issued in head.issued.values():
        if issued.rel in base_set and issued.rel not in d.old and issued.view is not None:
            held[issued.cid] = issued.view
    for path in [*d.changed, *d.gone]:
        cid = CREDENTIAL_FILE.match(path).group(1)  # type: ignore[union-attr]
        try:
            held[cid] = CredentialView.from_json(parse_json_bytes(d.old[path], path), cid=cid)
        except (ValueError, CredentialError):
            continue
    ledger_registry = _AsOf(gate.base, dict(sorted(held.items())), head.history)
    ledger = _Ledger(ledger_registry)
    replaces = {e.replacement: e.credential for e in head.history.events if e.replacement}
    corrected = {e.replacement for e in head.history.events if e.event == "revoked"}  # issue 15
    new = [head.issued[c] for c in d.new if head.issued[c].view is not None]
    new.sort(key=lambda i: (i.view.valid_from, i.view.proof_created or i.view.valid_from, i.cid))  # type: ignore[union-attr]
    for issued in new:
        view = issued.view
        assert view is not None
        if view.recipient is None or view.email_hash is None or view.salt is None:
            gate.error(
                issued.rel,
                "stacking-rules",
                "carries no hashed recipient identity (email hash, salt, id)",
                "award credentials with `credstack award`",
            )
            continue
        ledger_registry.moment(view.proof_created or view.valid_from)
        inp = AwardInput(
            achievement=view.achievement_id,
            name=view.name,
            email=None,
            issued_at=view.valid_from,
            result=view.result,
            renews=replaces.get(view.cid),
            identity=(view.email_hash, view.salt, view.recipient),
            assessors=recorded_assessors(view.raw),  # issue 15: who assessed, on record?
            keep_assessment=view.cid in corrected,  # a correction keeps its assessment
        )
        reasons = check_rules(ledger_registry, ledger, inp)
        reasons += check_assessment(ledger_registry, inp)  # issue 15
        for reason in reasons:
            gate.error(
                issued.rel,
                "stacking-rules",
                reason.replace("; use `credstack renew` to issue a fresh one", ""),
                "award with `credstack award`, which applies the program's rules; program "
                "changes must land before the awards that rely on them",
            )
        ledger.add(view)
        if inp.renews:
            ledger.superseded.add(inp.renews)


class _AsOf(Registry):
    """The base branch's program and credentials, with the status log as it stood at a moment."""

    def __init__(self, base: Registry, held: dict[str, CredentialView], history: StatusHistory):
        super().__init__(base.root, base.program, source=base.source)
        self.__dict__["credentials"] = held
        self._all = history
        self.__dict__["history"] = history

    def moment(self, when: datetime) -> None:
        self.__dict__["history"] = self._all.as_of(when)


def _normalized(data: bytes) -> bytes:
    return data.replace(b"\r\n", b"\n")


def _strip_list(doc: Any) -> Any:
    if not isinstance(doc, dict):
        return doc
    out = {k: v for k, v in doc.items() if k not in ("proof", "validFrom", "validUntil")}
    subject = out.get("credentialSubject")
    if isinstance(subject, dict):
        out["credentialSubject"] = {k: v for k, v in subject.items() if k != "encodedList"}
    return out


def _changed_bits(before: Bitstring, after: Bitstring) -> Iterator[int]:
    old, new = bytes(before.data), bytes(after.data)
    length = max(len(old), len(new))
    old, new = old.ljust(length, b"\0"), new.ljust(length, b"\0")
    if old == new:
        return
    for byte, (a, b) in enumerate(zip(old, new, strict=True)):
        diff_bits = a ^ b
        if diff_bits:
            for bit in range(8):
                if diff_bits & (0x80 >> bit):
                    yield byte * 8 + bit


def _when(value: Any) -> datetime | None:
    if value is None:
        return None
    try:
        return parse_datetime(value if isinstance(value, str) else value.isoformat())
    except (ValueError, AttributeError):
        return None


__all__ = ["Diff", "LogChanges", "base_keys", "diff", "log_changes"]

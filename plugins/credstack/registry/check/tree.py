"""Rules about the registry as it stands: every credential, status list and log event.

They read the verification reports computed once by the one verifier (``Gate.reports``) and
decide on their codes.
"""

from __future__ import annotations

from credstack.model.history import EVENTS
from credstack.registry.check.gate import RESTORE, Gate, rule
from credstack.registry.registry import STATUS_DIR, STATUS_LOG

PLACEHOLDER_SITE_HOSTS = ("example.github.io",)

_FATAL_HINTS = {
    "signature": "the file was changed after signing, or signed with another key: restore it "
    "with git, or award again with `credstack award`",
    "issuer-key": "sign with a key listed in program/keys.yml (`credstack keys list`)",
    "key-valid": "sign with an active key: `credstack keys create` makes a new one",
}


def _check_message(gate: Gate, cid: str, check_id: str) -> tuple[str, str] | None:
    """(code, message) of the check ``check_id`` of ``cid`` when it did not pass."""
    from credstack.model.wording import message

    report = gate.reports.get(cid)
    check = report.check(check_id) if report else None
    if check is None or check.outcome in ("pass", "skip"):
        return None
    return check.code, message(check)


@rule("format-valid", "each credential is readable JSON and an OB 3.0 OpenBadgeCredential")
def format_valid(gate: Gate) -> None:
    assert gate.head is not None
    from credstack.model.schema import schema_errors

    for cid, issued in gate.head.issued.items():
        if issued.view is None:
            gate.error(issued.rel, "format-valid", str(issued.problem), RESTORE)
            continue
        found = _check_message(gate, cid, "format")
        if found is not None:
            gate.error(issued.rel, "format-valid", found[1], RESTORE)
            continue
        errors = schema_errors(issued.doc)
        if errors:
            more = f" (+{len(errors) - 3} more)" if len(errors) > 3 else ""
            gate.error(
                issued.rel,
                "format-valid",
                f"does not match the OB 3.0 schema: {'; '.join(errors[:3])}{more}",
                RESTORE,
            )


@rule("signature-verifies", "each credential's eddsa-rdfc-2022 proof verifies")
def signature_verifies(gate: Gate) -> None:
    assert gate.head is not None
    for cid, issued in gate.head.issued.items():
        found = _check_message(gate, cid, "signature")
        if found is not None:
            gate.error(issued.rel, "signature-verifies", found[1], _FATAL_HINTS["signature"])


@rule("key-known", "each proof uses a key listed in program/keys.yml")
def key_known(gate: Gate) -> None:
    assert gate.head is not None
    for cid, issued in gate.head.issued.items():
        found = _check_message(gate, cid, "issuer-key")
        if found is not None:
            # An issuer key only named in the credential itself is not one of keys.yml.
            gate.error(issued.rel, "key-known", found[1], _FATAL_HINTS["issuer-key"])


@rule("key-not-retired", "each proof was made while its key was in force")
def key_not_retired(gate: Gate) -> None:
    assert gate.head is not None
    for cid, issued in gate.head.issued.items():
        found = _check_message(gate, cid, "key-valid")
        if found is not None and found[0] in ("retired", "before-key"):
            gate.error(issued.rel, "key-not-retired", found[1], _FATAL_HINTS["key-valid"])


@rule("valid-from-not-future", "no credential is dated in the future")
def valid_from_not_future(gate: Gate) -> None:
    assert gate.head is not None
    for cid, issued in gate.head.issued.items():
        found = _check_message(gate, cid, "key-valid")
        if found is not None and found[0] == "future":
            gate.error(issued.rel, "valid-from-not-future", found[1], "sign with the real date")
        elif issued.view is not None and issued.view.valid_from > gate.at:
            gate.error(
                issued.rel,
                "valid-from-not-future",
                f"valid from {issued.view.valid_from:%Y-%m-%d %H:%M}, which is in the future",
                "award with an issue date on or before today",
            )


@rule("id-matches-file", "a credential's id is this site's URL for its file name (ids are unique)")
def id_matches_file(gate: Gate) -> None:
    assert gate.head is not None
    for cid, issued in gate.head.issued.items():
        if issued.view is None:
            continue
        expected = gate.head.urls.credential(cid)
        if issued.view.id != expected:
            gate.error(
                issued.rel,
                "id-matches-file",
                f"the credential's id is {issued.view.id}, but its file name says {expected}",
                "file names are the credential ids: credstack writes them; restore the file "
                "with git",
            )


@rule("status-entry-present", "every credential carries a status entry (so it can be revoked)")
def status_entry_present(gate: Gate) -> None:
    assert gate.head is not None
    for cid, issued in gate.head.issued.items():
        report = gate.reports.get(cid)
        if report is not None and report.code("status") in ("none", "unsupported"):
            gate.error(
                issued.rel,
                "status-entry-present",
                "the credential carries no BitstringStatusListEntry: it could never be revoked",
                "award credentials with `credstack award`, which adds the status entry",
            )


@rule("status-index-unique", "no two credentials share a status list index")
def status_index_unique(gate: Gate) -> None:
    assert gate.head is not None
    seen: dict[tuple[str, int], str] = {}
    for cid, issued in gate.head.issued.items():
        for ref in issued.view.statuses if issued.view else ():
            if ref.implied:
                continue
            slot = (ref.list_url, ref.index)
            if slot in seen:
                gate.error(
                    issued.rel,
                    "status-index-unique",
                    f"uses index {ref.index} of {_list_name(ref.list_url)}, already used by "
                    f"{seen[slot]}",
                    "each credential needs its own index: if two branches awarded at the same "
                    "time, reissue this one (`credstack reissue`) on the merged branch",
                )
            else:
                seen[slot] = cid


@rule("status-list-exists", "every status list a credential points at exists (and its companion)")
def status_list_exists(gate: Gate) -> None:
    assert gate.head is not None
    published = {gate.head.urls.status_list(p.purpose, p.number) for p in gate.head.lists.values()}
    missing: dict[str, list[str]] = {}
    for cid, issued in gate.head.issued.items():
        for ref in issued.view.statuses if issued.view else ():
            if ref.list_url not in published:
                missing.setdefault(ref.list_url, []).append(cid)
    for url, cids in missing.items():
        shown = ", ".join(cids[:3]) + (f" and {len(cids) - 3} more" if len(cids) > 3 else "")
        gate.error(
            f"{STATUS_DIR}/{_list_name(url)}",
            "status-list-exists",
            f"missing, but {shown} point{'s' if len(cids) == 1 else ''} at it ({url})",
            "status lists are written by `credstack award` with the first credential that "
            "uses them; restore it with git",
        )


@rule("status-list-verifies", "every status list is signed by the issuer and well formed")
def status_list_verifies(gate: Gate) -> None:
    assert gate.head is not None
    for rel, published in gate.head.lists.items():
        problem = published.problem
        verdict = gate.lists.get(rel)
        if problem is None and verdict is not None and verdict.code != "ok":
            problem = verdict.detail
        elif problem is None and verdict is not None and verdict.purpose != published.purpose:
            problem = f"statusPurpose is {verdict.purpose!r}, expected {published.purpose!r}"
        if problem is not None:
            gate.error(
                rel,
                "status-list-verifies",
                problem,
                "status lists are written by `credstack revoke/suspend/reinstate`; restore it "
                "with git and repeat the command",
            )


#: A status list ending within this is reported so that it is re-signed in time.
FRESHNESS_MARGIN_DAYS = 7


@rule("status-list-fresh", "every status list is within its validity window (re-signed in time)")
def status_list_fresh(gate: Gate) -> None:
    from datetime import timedelta

    from credstack.model.status import parse_datetime

    assert gate.head is not None
    hint = (
        "re-sign the lists with `credstack status refresh` (the scheduled status workflow does "
        "it every week); verifiers call an expired list stale and show no credential on it as "
        "valid"
    )
    for rel in gate.head.lists:
        verdict = gate.lists.get(rel)
        if verdict is None or verdict.code != "ok" or not verdict.valid_until:
            continue
        until = parse_datetime(verdict.valid_until)
        if until <= gate.at:
            gate.error(rel, "status-list-fresh", f"expired on {until:%Y-%m-%d %H:%M} UTC", hint)
        elif until <= gate.at + timedelta(days=FRESHNESS_MARGIN_DAYS):
            gate.warning(rel, "status-list-fresh", f"expires on {until:%Y-%m-%d %H:%M} UTC", hint)


@rule(
    "status-log-valid",
    "issued/status-log.yml is readable, names issued credentials, and "
    "every event is a possible change",
)
def status_log_valid(gate: Gate) -> None:
    assert gate.head is not None
    _, events, problems = gate.head.log_entries
    for _, problem in problems:
        gate.error(STATUS_LOG, "status-log-valid", problem, RESTORE)
    if problems:
        return
    for i, event in enumerate(events):
        if event.credential not in gate.head.issued:
            gate.error(
                STATUS_LOG,
                "status-log-valid",
                f"events[{i}] names {event.credential}, which is not issued",
                RESTORE,
            )
        if event.replacement and event.replacement not in gate.head.issued:
            gate.error(
                STATUS_LOG,
                "status-log-valid",
                f"events[{i}] names the replacement {event.replacement}, which is not issued",
                RESTORE,
            )
        if event.event not in EVENTS:
            gate.error(
                STATUS_LOG,
                "status-log-valid",
                f"events[{i}]: unknown event {event.event!r}",
                RESTORE,
            )
    for refused in gate.head.history.refused:
        if refused.code == "unknown-event":
            continue  # reported above
        gate.error(
            STATUS_LOG,
            "status-log-valid",
            f"events[{refused.index}] ({refused.event.event} {refused.event.credential}) is not "
            f"possible: {refused.code.replace('-', ' ')}",
            "change status only with `credstack revoke/suspend/reinstate`",
        )


@rule(
    "status-log-links",
    "renewals and corrections join the same recipient and achievement, forward in time",
)
def status_log_links(gate: Gate) -> None:
    assert gate.head is not None
    if gate.head.log_entries[2]:
        return
    for i, event in enumerate(gate.head.log_entries[1]):
        if not event.replacement:
            continue
        old = gate.head.issued.get(event.credential)
        new = gate.head.issued.get(event.replacement)
        if old is None or new is None or old.view is None or new.view is None:
            continue  # reported by status-log-valid / format-valid
        problems = []
        if old.view.recipient != new.view.recipient or old.view.email_hash != new.view.email_hash:
            problems.append("a different recipient")
        if old.view.achievement_id != new.view.achievement_id:
            problems.append("a different achievement")
        if event.event == "renewed" and new.view.valid_from < old.view.valid_from:
            problems.append("an earlier award date")
        if event.replacement == event.credential:
            problems.append("itself")
        if problems:
            gate.error(
                STATUS_LOG,
                "status-log-links",
                f"events[{i}] links {event.credential} to {event.replacement}, which has "
                + " and ".join(problems),
                "renew and reissue only with `credstack renew` / `credstack reissue`",
            )


@rule("status-log-matches-lists", "the log and the signed status lists tell the same story")
def status_log_matches_lists(gate: Gate) -> None:
    assert gate.head is not None
    if gate.head.log_entries[2]:
        return
    history = gate.head.history
    by_url = {gate.head.urls.status_list(p.purpose, p.number): p for p in gate.head.lists.values()}
    for cid, issued in gate.head.issued.items():
        for ref in issued.view.statuses if issued.view else ():
            published = by_url.get(ref.list_url)
            verdict = gate.lists.get(published.rel) if published else None
            if published is None or verdict is None or verdict.code != "ok":
                continue
            try:
                bit = verdict.bits().get(ref.index)
            except Exception:
                continue
            logged = history.current(cid).bit(ref.purpose)
            if bit != logged:
                word = {"revocation": "revoked", "suspension": "suspended"}[ref.purpose]
                gate.error(
                    published.rel,
                    "status-log-matches-lists",
                    f"{cid} is {'' if bit else 'not '}{word} in this list but "
                    f"{'' if logged else 'not '}{word} per {STATUS_LOG}",
                    "change status only with `credstack revoke/suspend/reinstate`, which writes "
                    "both",
                )


@rule("site-url-set", "credentials are not issued under the placeholder site_url")
def site_url_set(gate: Gate) -> None:
    assert gate.head is not None
    host = gate.head.urls.site.split("/")[2].lower()
    if gate.head.issued and host in PLACEHOLDER_SITE_HOSTS:
        gate.error(
            "mkdocs.yml",
            "site-url-set",
            f"credentials are issued under the placeholder site_url {gate.head.program.site_url}",
            "credential ids embed site_url forever: set site_url in mkdocs.yml to your site, "
            "delete these credentials and award again before anything is published",
        )


def _list_name(url: str) -> str:
    return url.rsplit("/", 1)[-1]


__all__: list[str] = []

"""Tell holders that their credential exists: a mail-merge CSV, or mail sent over SMTP.

Every award in the roster whose credential is in force and that has not been notified yet is
*pending*. ``credstack notify`` writes them as CSV rows (name, email, credential URL, LinkedIn
add-to-profile link, how to add it to a wallet); ``--send`` mails each one through the SMTP
server named by the environment (:class:`SmtpSettings`).

Nobody is mailed twice, even across interrupted runs: before a message is handed to the
server, a ``sending`` line is appended (and flushed to disk) to a private log beside the local
roster; after the server accepts it, a ``sent`` line. A run that stops between the two leaves
the award *uncertain*: it may or may not have been delivered, so it is not sent again unless
the issuer says so (``--resend-uncertain``). A message the server refuses is logged ``failed``
and is pending again on the next run.
"""

from __future__ import annotations

import contextlib
import json
import os
import smtplib
import ssl
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime as email_date
from email.utils import formataddr
from ipaddress import ip_address
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from credstack.errors import RosterError
from credstack.model.credential import CredentialView
from credstack.model.sharing import WALLET_HOWTO, linkedin_url
from credstack.model.status import format_datetime
from credstack.registry.registry import Registry
from credstack.registry.roster import Roster, RosterRow, private_path, read_jsonl, refuse_inside

CSV_COLUMNS = (
    "credential",
    "name",
    "email",
    "achievement",
    "credential_url",
    "linkedin_url",
    "wallet",
)
SECURITY = ("starttls", "ssl", "none")


@dataclass(frozen=True)
class Notification:
    """One message to one holder about one credential."""

    row: RosterRow
    email: str
    achievement: str  # the achievement's name
    url: str  # the credential page
    linkedin: str
    subject: str
    body: str

    @property
    def cid(self) -> str:
        return self.row.credential

    def csv_row(self) -> list[str]:
        return [
            self.cid,
            self.row.name,
            self.email,
            self.achievement,
            self.url,
            self.linkedin,
            WALLET_HOWTO,
        ]


@dataclass
class NotifyPlan:
    """What ``notify`` would do now."""

    pending: list[Notification] = field(default_factory=list)
    #: interrupted while being sent: maybe delivered, so not sent again unless asked
    uncertain: list[Notification] = field(default_factory=list)
    done: int = 0  # already notified
    no_email: list[str] = field(default_factory=list)  # rows whose email is unknown
    not_in_force: int = 0  # revoked, suspended, expired: never announced
    log: Path | None = None


def log_path(registry: Registry, env: Mapping[str, str] | None = None) -> Path:
    """The private notification log of this registry (beside the local roster)."""
    return private_path(registry, ".notified.jsonl", env)


def log_states(path: Path) -> dict[str, str]:
    """Credential id -> its last state in the log (sending, sent, marked, failed)."""
    states: dict[str, str] = {}
    try:
        entries = read_jsonl(path)
    except RosterError:
        # A line cut short by a crash is the last one: read what is whole.
        entries = []
        for line in path.read_text("utf-8").splitlines():
            try:
                entries.append(json.loads(line))
            except ValueError:
                continue
    for entry in entries:
        if isinstance(entry, dict) and "credential" in entry and "state" in entry:
            states[str(entry["credential"])] = str(entry["state"])
    return states


def message_for(
    registry: Registry, row: RosterRow, view: CredentialView, email: str
) -> Notification:
    """The notification of one award: subject, plain-text body and the links it carries."""
    program = registry.program
    achievement = program.achievements.get(view.achievement_id)
    name = achievement.name if achievement else view.raw.get("name", view.achievement_id)
    issuer = program.issuer.name
    url = registry.urls.credential(view.cid)
    linkedin = linkedin_url(
        name=name,
        organization=issuer,
        issued=view.valid_from,
        expires=view.valid_until,
        cert_url=url,
        cert_id=view.cid,
    )
    expiry = f"It is valid until {view.valid_until:%d %B %Y}.\n" if view.valid_until else ""
    body = (
        f"Dear {row.name},\n\n"
        f'{issuer} has awarded you the credential "{name}" on {view.valid_from:%d %B %Y}.\n'
        f"{expiry}\n"
        f"Your credential, which anyone can verify:\n{url}\n\n"
        f"Add it to your LinkedIn profile (the fields are filled in for you):\n{linkedin}\n\n"
        f"{WALLET_HOWTO}\n\n"
        f"Credential ID: {view.cid}\n\n"
        f"{issuer}\n{program.issuer.url}\n"
    )
    return Notification(
        row, email, name, url, linkedin, f"Your credential: {name} ({issuer})", body
    )


def plan_notifications(
    registry: Registry, roster: Roster, *, at: datetime, env: Mapping[str, str] | None = None
) -> NotifyPlan:
    """The awards not yet notified, in award order, and those left uncertain by a run that
    was interrupted. Credentials not in force at ``at`` are never announced."""
    log = log_path(registry, env)
    plan = NotifyPlan(log=log)
    states = log_states(log)
    rows = sorted(roster.rows.values(), key=lambda r: (r.awarded_at, r.credential))
    for row in rows:
        state = states.get(row.credential)
        if state in ("sent", "marked"):
            plan.done += 1
            continue
        view = registry.credentials[row.credential]
        if state == "sending" and row.email:
            plan.uncertain.append(message_for(registry, row, view, row.email))
            continue
        if not registry.in_force(view, at):
            plan.not_in_force += 1
            continue
        if not row.email:
            plan.no_email.append(row.credential)
            continue
        plan.pending.append(message_for(registry, row, view, row.email))
    return plan


def _append(path: Path, root: Path, doc: dict[str, Any]) -> None:
    """Append one line to the log and flush it to disk before going on (O_APPEND, 0600)."""
    refuse_inside(path, root)
    path.parent.mkdir(parents=True, exist_ok=True)
    line = (json.dumps(doc, ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8")
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, line)
        os.fsync(fd)
    finally:
        os.close(fd)


def mark(
    registry: Registry,
    cids: list[str],
    *,
    at: datetime,
    state: str,
    env: Mapping[str, str] | None = None,
) -> None:
    """Record ``cids`` as notified (``marked``: mailed by the issuer's own mail merge)."""
    path = log_path(registry, env)
    for cid in cids:
        _append(path, registry.root, {"credential": cid, "state": state, "at": format_datetime(at)})


@dataclass(frozen=True)
class SmtpSettings:
    """Where and how to send, from the environment:

    ``CREDSTACK_SMTP_HOST`` (required), ``CREDSTACK_SMTP_PORT`` (default 587, or 465 with
    ssl), ``CREDSTACK_SMTP_SECURITY`` (``starttls`` default, ``ssl``, or ``none``: only to a
    server on this machine), ``CREDSTACK_SMTP_USER`` and ``CREDSTACK_SMTP_PASSWORD`` (both or
    neither), ``CREDSTACK_SMTP_FROM`` (default: the issuer's email from the program).
    """

    host: str
    port: int
    security: str
    user: str | None
    password: str | None
    sender: str

    @classmethod
    def from_env(cls, env: Mapping[str, str], *, default_sender: str) -> SmtpSettings:
        """Read the settings; raises RosterError naming the variable that is wrong."""
        host = (env.get("CREDSTACK_SMTP_HOST") or "").strip()
        if not host:
            raise RosterError(
                "--send needs an SMTP server: CREDSTACK_SMTP_HOST is not set",
                hint="set CREDSTACK_SMTP_HOST (and _PORT, _USER, _PASSWORD, _FROM), or leave "
                "out --send to write the mail-merge CSV only",
            )
        security = (env.get("CREDSTACK_SMTP_SECURITY") or "starttls").strip().lower()
        if security not in SECURITY:
            raise RosterError(
                f"CREDSTACK_SMTP_SECURITY={security!r} is not one of {', '.join(SECURITY)}"
            )
        if security == "none" and not _loopback(host):
            raise RosterError(
                f"CREDSTACK_SMTP_SECURITY=none sends in clear text to {host}",
                hint="use starttls or ssl; 'none' is only for a server on this machine",
            )
        raw_port = env.get("CREDSTACK_SMTP_PORT") or ("465" if security == "ssl" else "587")
        try:
            port = int(raw_port)
            assert 0 < port < 65536
        except (ValueError, AssertionError) as e:
            raise RosterError(f"CREDSTACK_SMTP_PORT={raw_port!r} is not a port number") from e
        user = env.get("CREDSTACK_SMTP_USER") or None
        password = env.get("CREDSTACK_SMTP_PASSWORD") or None
        if bool(user) != bool(password):
            raise RosterError(
                "set both CREDSTACK_SMTP_USER and CREDSTACK_SMTP_PASSWORD, or neither"
            )
        sender = (env.get("CREDSTACK_SMTP_FROM") or default_sender).strip()
        return cls(host, port, security, user, password, sender)


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@dataclass
class SendResult:
    sent: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (cid, server's answer)


def send(
    registry: Registry,
    notifications: list[Notification],
    settings: SmtpSettings,
    *,
    at: datetime,
    sender_name: str,
    progress: Callable[[int, int], None] | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float = 30.0,
) -> SendResult:
    """Mail every notification, logging each before and after (see the module docstring).

    A message the server refuses is logged ``failed`` and the run goes on. Raises RosterError
    when the server cannot be reached or drops the connection (the message being sent is then
    uncertain and the rest stay pending).
    """
    path = log_path(registry, env)
    result = SendResult()
    if not notifications:
        return result
    host_part = urlsplit(registry.urls.site).hostname or "credstack.invalid"
    try:
        if settings.security == "ssl":
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                settings.host, settings.port, timeout=timeout, context=ssl.create_default_context()
            )
        else:
            smtp = smtplib.SMTP(settings.host, settings.port, timeout=timeout)
        if settings.security == "starttls":
            smtp.starttls(context=ssl.create_default_context())
        if settings.user and settings.password:
            smtp.login(settings.user, settings.password)
    except (OSError, smtplib.SMTPException) as e:
        raise RosterError(
            f"cannot reach the SMTP server {settings.host}:{settings.port} ({e})",
            hint="check the CREDSTACK_SMTP_* settings; nothing was sent",
        ) from e
    try:
        for i, note in enumerate(notifications, 1):
            message = EmailMessage()
            message["From"] = formataddr((sender_name, settings.sender))
            message["To"] = formataddr((note.row.name, note.email))
            message["Subject"] = note.subject
            message["Date"] = email_date(at)
            message["Message-ID"] = f"<credstack.{note.cid}@{host_part}>"
            message["X-Credstack-Credential"] = note.cid
            message.set_content(note.body)
            stamp = format_datetime(at)
            _append(path, registry.root, {"credential": note.cid, "state": "sending", "at": stamp})
            try:
                smtp.send_message(message)
            except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused) as e:
                # Refused before the message was accepted: not delivered, safe to retry.
                _append(
                    path,
                    registry.root,
                    {"credential": note.cid, "state": "failed", "at": stamp, "error": str(e)},
                )
                result.failed.append((note.cid, str(e)))
            except smtplib.SMTPDataError as e:
                # The server refused the message itself (4xx/5xx after DATA): not delivered.
                _append(
                    path,
                    registry.root,
                    {"credential": note.cid, "state": "failed", "at": stamp, "error": str(e)},
                )
                result.failed.append((note.cid, str(e)))
            else:
                _append(path, registry.root, {"credential": note.cid, "state": "sent", "at": stamp})
                result.sent.append(note.cid)
            if progress is not None:
                progress(i, len(notifications))
    except (OSError, smtplib.SMTPException) as e:
        raise RosterError(
            f"the SMTP server dropped the connection after {len(result.sent)} message(s) ({e})",
            hint="run `credstack notify --send` again: the rest are still pending; the one "
            "being sent is left uncertain (see --resend-uncertain)",
        ) from e
    finally:
        with contextlib.suppress(OSError, smtplib.SMTPException):
            smtp.quit()
    return result

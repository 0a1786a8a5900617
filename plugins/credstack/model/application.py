"""Applications made with the generated GitHub issue forms, read back into award input.

GitHub turns an issue form into a Markdown body: one ``### <label>`` heading per field, then
the answer (``_No response_`` when an optional field was left empty, ``- [X] ...`` for a ticked
box). :func:`parse_application` reads that body (and the issue's number, state and labels)
into an :class:`Application`, refusing, with every reason at once, anything that cannot be
awarded as it stands: an email address pasted into the public issue, an unknown achievement, a
missing name or reference, an evidence line that is not an http(s) link, consent not given.

The field labels below are the one definition shared with the form generator
(``credstack.registry.workflows``), so the forms and the reader cannot drift apart.

Pure: no I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from credstack.errors import ApplicationError, CredentialError
from credstack.model.credential import Evidence, clean_text
from credstack.model.program import Program

# -- the form's fields (labels are what GitHub writes as headings) ----------------------------

ACHIEVEMENT = "Achievement"
NAME = "Name on the credential"
EVIDENCE = "Evidence links"
REFERENCE = "Enrolment or payment reference"
CONSENT = "Publication"
CONSENT_TEXT = (
    "I agree that my name, this achievement and the evidence links above are published on the "
    "credential's public page."
)
NO_RESPONSE = "_No response_"

#: Labels: ``application`` marks every application; the others are its states, in order.
LABEL_APPLICATION = "application"
LABEL_APPEAL = "appeal"
STATES: tuple[str, ...] = ("submitted", "in assessment", "passed", "not passed", "awarded")

#: An email address anywhere in text (deliberately broad: better one false alarm than a leak).
EMAIL_IN_TEXT = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
_OPTION_ID = re.compile(r"\(([a-z0-9][a-z0-9-]{0,63})\)\s*$")
_MARKDOWN_LINK = re.compile(r"^\[(?P<title>[^\]]+)\]\((?P<url>[^)\s]+)\)$")
_TITLED = re.compile(r"^(?P<title>[^=]+?)\s*[=:]\s*(?P<url>https?://\S+)$")


def achievement_option(program: Program, achievement_id: str) -> str:
    """The form's one dropdown option for an achievement: ``Name (id)``."""
    return f"{program.achievements[achievement_id].name} ({achievement_id})"


@dataclass(frozen=True)
class Application:
    """One application as read from its issue: what to award, to whom, with which evidence."""

    issue: int
    url: str
    achievement: str
    name: str
    evidence: tuple[Evidence, ...]
    reference: str
    author: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "issue": self.issue,
            "url": self.url,
            "author": self.author,
            "achievement": self.achievement,
            "name": self.name,
            "evidence": [{"name": e.name, "url": e.url} for e in self.evidence],
            "reference": self.reference,
        }


def issue_of(payload: Any) -> dict[str, Any]:
    """The issue in a REST issue object or an ``issues`` event payload; ApplicationError else."""
    issue = payload.get("issue", payload) if isinstance(payload, dict) else None
    if not isinstance(issue, dict) or not isinstance(issue.get("number"), int):
        raise ApplicationError(
            "not a GitHub issue (no issue number)",
            hint="give the issue as JSON: `gh api repos/OWNER/REPO/issues/N > issue.json`, or "
            "the event file of an `issues` workflow run ($GITHUB_EVENT_PATH)",
        )
    return issue


def sections(body: str) -> dict[str, str]:
    """``### Heading`` -> the text under it, trimmed (GitHub's rendering of an issue form)."""
    out: dict[str, str] = {}
    heading: str | None = None
    lines: list[str] = []
    for line in body.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if line.startswith("### "):
            if heading is not None:
                out.setdefault(heading, "\n".join(lines).strip())
            heading, lines = line[4:].strip(), []
        elif heading is not None:
            lines.append(line)
    if heading is not None:
        out.setdefault(heading, "\n".join(lines).strip())
    return {k: ("" if v == NO_RESPONSE else v) for k, v in out.items()}


def emails_in(text: str, *, allowed: str | None = None) -> list[int]:
    """1-based line numbers of ``text`` that show an email address (other than ``allowed``)."""
    allowed = (allowed or "").strip().lower()
    return [
        n
        for n, line in enumerate(text.replace("\r\n", "\n").split("\n"), 1)
        if any(m.group().lower() != allowed for m in EMAIL_IN_TEXT.finditer(line))
    ]


def redact_emails(text: str, *, allowed: str | None = None) -> str:
    """``text`` with every email address but ``allowed`` replaced by ``[email removed]``."""
    allowed = (allowed or "").strip().lower()
    return EMAIL_IN_TEXT.sub(
        lambda m: m.group() if m.group().lower() == allowed else "[email removed]", text
    )


def parse_evidence_line(line: str) -> Evidence:
    """One evidence line: ``URL``, ``Title=URL``, ``Title: URL`` or ``[Title](URL)``, as a
    bullet or not; raises ApplicationError unless the link is http(s)."""
    text = line.strip()
    for bullet in ("- ", "* ", "+ "):
        text = text.removeprefix(bullet).strip()
    title, url = None, text.strip("<>")
    if (match := _MARKDOWN_LINK.match(text)) or (match := _TITLED.match(text)):
        title, url = match["title"].strip(), match["url"]
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or any(c.isspace() for c in url):
        raise ApplicationError(f"evidence {line.strip()!r} is not an http(s) link")
    return Evidence(url=url, name=title or (parts.netloc + parts.path).rstrip("/"))


def parse_application(payload: Any, program: Program) -> Application:
    """Read an application issue; raises ApplicationError listing every reason it cannot be
    awarded as it stands (its ``hint`` says what the applicant or issuer should do)."""
    issue = issue_of(payload)
    number = issue["number"]
    title = issue["title"] if isinstance(issue.get("title"), str) else ""
    body = issue["body"] if isinstance(issue.get("body"), str) else ""
    reasons: list[str] = []
    hint = (
        "ask the applicant to edit the issue so that every field of the form is answered, "
        "then run the award again"
    )
    in_title = emails_in(title, allowed=program.issuer.email)
    in_body = emails_in(body, allowed=program.issuer.email)
    if in_title or in_body:
        where = "the title" if in_title else f"line {in_body[0]} of the text"
        reasons.append(
            f"the application shows an email address in public ({where}): it is never asked "
            "for in the issue, and nothing is awarded from an issue that shows one"
        )
        hint = (
            "delete this issue (its edit history keeps the address even after an edit) and "
            f"apply again without it; send the email address privately to {program.issuer.email}"
        )
    fields = sections(body)
    option = fields.get(ACHIEVEMENT, "")
    match = _OPTION_ID.search(option)
    achievement = match.group(1) if match else ""
    if not option:
        raise ApplicationError(
            f"issue #{number} is not an application made with an 'Apply for …' form "
            f"(no '### {ACHIEVEMENT}' answer)",
            hint="applications are made with the issue forms that `credstack workflows` writes",
        )
    if achievement not in program.achievements:
        known = ", ".join(program.achievements)
        reasons.append(f"unknown achievement {option!r} (the program has: {known})")
    name = fields.get(NAME, "")
    if not name:
        reasons.append(f"'{NAME}' is not answered")
    else:
        try:
            name = clean_text(" ".join(name.split()), "the name")
        except CredentialError as e:
            reasons.append(e.message)
    reference = " ".join(fields.get(REFERENCE, "").split())
    if not reference:
        reasons.append(f"'{REFERENCE}' is not answered")
    evidence: list[Evidence] = []
    for line in fields.get(EVIDENCE, "").split("\n"):
        if not line.strip():
            continue
        try:
            evidence.append(parse_evidence_line(line))
        except ApplicationError as e:
            message = redact_emails(e.message, allowed=program.issuer.email)
            reasons.append(message + " (evidence is one link a line, optionally 'Title=URL')")
    consent = fields.get(CONSENT, "")
    if not re.search(r"^- \[[xX]\] ", consent, re.MULTILINE):
        reasons.append(f"consent to publication ('{CONSENT}') is not given")
    if issue.get("state") == "closed":
        reasons.append(f"application #{number} is closed")
    labels = {
        label.get("name") if isinstance(label, dict) else label
        for label in issue.get("labels") or []
    }
    if "awarded" in labels:
        reasons.append(f"application #{number} is already labelled 'awarded'")
    if reasons:
        raise ApplicationError(
            f"application #{number} cannot be awarded:\n  - " + "\n  - ".join(reasons),
            hint=hint,
        )
    user = issue.get("user")
    return Application(
        issue=number,
        url=str(issue.get("html_url") or ""),
        achievement=achievement,
        name=name,
        evidence=tuple(evidence),
        reference=reference,
        author=user.get("login") if isinstance(user, dict) else None,
    )

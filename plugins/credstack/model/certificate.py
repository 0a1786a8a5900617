"""What a printed certificate says, and where: one layout for the page's print view and the PDF.

:func:`certificate` turns a credential into the lines of its certificate; :data:`LAYOUT` places
them on a landscape page (millimetres from the top, font sizes in points). The credential
page's print view (``site/templates/_certificate.html`` with its print CSS) and
``credstack certificate`` (:mod:`credstack.registry.certificate`, a PDF) both render these.
Pure: no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from credstack.model.credential import CredentialView
from credstack.model.program import Achievement, Program

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
LEVEL_WORDS = {
    "foundation": "Foundation micro-credential",
    "practitioner": "Practitioner micro-credential",
    "certification": "Certification",
}

#: Paper sizes (width, height) in millimetres, landscape.
PAPER = {"a4": (297.0, 210.0), "letter": (279.4, 215.9)}


def long_date(when: datetime | None) -> str:
    """'28 November 2026' (UTC), independent of the machine's locale."""
    if when is None:
        return ""
    when = when.astimezone(UTC)
    return f"{when.day} {MONTHS[when.month - 1]} {when.year}"


@dataclass(frozen=True)
class Line:
    """One centred line: its role (a CSS class and a PDF style), its text."""

    role: str  # issuer | title | lead | holder | awarded | achievement | level | result
    text: str


@dataclass(frozen=True)
class Certificate:
    """Everything printed on one credential's certificate."""

    lines: tuple[Line, ...]  # the centred block, top to bottom
    facts: tuple[tuple[str, str], ...]  # (label, value) in the footer: dates, id
    url: str  # the credential page: printed, and encoded in the QR code
    verify_note: str
    holder: str
    achievement: str
    issuer: str


#: Where each role goes on the page: (mm from the top of the page, font size in points, bold).
#: The footer (facts, URL, QR code) sits ``FOOTER_MM`` from the bottom, the QR code is
#: ``QR_MM`` wide; the frame is inset ``FRAME_MM``.
LAYOUT: dict[str, tuple[float, float, bool]] = {
    "issuer": (32, 12, True),
    "title": (50, 30, False),
    "lead": (68, 13, False),
    "holder": (84, 30, True),
    "awarded": (100, 13, False),
    "achievement": (114, 22, True),
    "level": (126, 12, False),
    "result": (135, 12, False),
}
FOOTER_MM = 22.0
QR_MM = 34.0
FRAME_MM = 10.0


def certificate(
    program: Program, view: CredentialView, achievement: Achievement | None, url: str
) -> Certificate:
    """The certificate of ``view`` (``url``: its page, which the QR code encodes)."""
    name = achievement.name if achievement else str(view.raw.get("name") or view.achievement_id)
    level = LEVEL_WORDS.get(achievement.level, "") if achievement else ""
    certified = achievement is not None and achievement.level == "certification"
    lines = [
        Line("issuer", program.issuer.name),
        Line("title", "Certificate"),
        Line("lead", "This certifies that"),
        Line("holder", view.name),
        Line("awarded", "is certified as" if certified else "has been awarded"),
        Line("achievement", name),
    ]
    if level:
        lines.append(Line("level", level))
    if view.result:
        lines.append(Line("result", f"Result: {view.result.capitalize()}"))
    facts = [("Issued", long_date(view.valid_from))]
    if view.valid_until is not None:
        facts.append(("Valid until", long_date(view.valid_until)))
    facts.append(("Credential ID", view.cid))
    return Certificate(
        lines=tuple(lines),
        facts=tuple(facts),
        url=url,
        verify_note="Verify this credential: scan the code or open",
        holder=view.name,
        achievement=name,
        issuer=program.issuer.name,
    )

"""``credstack certificate``: a printable PDF of one credential, with the signed JSON inside.

The page follows :data:`credstack.model.certificate.LAYOUT`, the same layout as the credential
page's print view: landscape A4 or Letter, a frame, the centred lines, then a footer with the
dates, the credential id, the verification URL and a QR code of it (the badge's code,
:func:`credstack.model.badge.qr_matrix`, drawn as vector squares). Text is real text (Source
Sans Pro, embedded and subset: selectable and searchable). The signed credential is attached
byte for byte as ``credential.json`` (a PDF embedded file), so the PDF carries what ``credstack
verify`` checks.
Built with fpdf2 (pinned in ``pyproject.toml``); the output is reproducible (fixed dates).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from credstack.errors import CredentialError
from credstack.model.badge import dark_runs, qr_matrix
from credstack.model.certificate import FOOTER_MM, FRAME_MM, LAYOUT, PAPER, QR_MM, Certificate

INK = (31, 41, 55)
MUTED = (90, 98, 112)
ACCENT = (15, 61, 92)
FONT = "SourceSans"


def _font_files() -> dict[str, str]:
    try:
        import font_source_sans_pro
    except ImportError as e:  # pragma: no cover - a dependency
        raise CredentialError("the font package font-source-sans-pro is missing") from e
    folder = Path(font_source_sans_pro.font_directory)
    return {
        "": str(folder / "SourceSansPro-Regular.ttf"),
        "B": str(folder / "SourceSansPro-Semibold.ttf"),
    }


def certificate_pdf(
    cert: Certificate,
    credential_json: bytes,
    *,
    paper: str = "a4",
    created: datetime,
) -> bytes:
    """The PDF of ``cert`` on ``paper`` ("a4" or "letter"), ``credential_json`` attached.

    ``created`` is written as the document's dates (pass the credential's issue date for a
    reproducible file). Raises CredentialError for an unknown paper size.
    """
    from fpdf import FPDF

    if paper not in PAPER:
        raise CredentialError(f"unknown paper size {paper!r}", hint="use a4 or letter")
    width, height = PAPER[paper]
    pdf = FPDF(orientation="landscape", unit="mm", format=(height, width))
    pdf.set_creation_date(created)
    pdf.set_title(f"{cert.achievement}: {cert.holder}")
    pdf.set_author(cert.issuer)
    pdf.set_subject(f"Certificate of a credential issued by {cert.issuer}: {cert.url}")
    pdf.set_creator("credstack")
    pdf.set_auto_page_break(False)
    pdf.set_margin(0)
    for style, path in _font_files().items():
        pdf.add_font(FONT, style, path)
    pdf.add_page()

    # The frame: a coloured rule and a thin inner line.
    pdf.set_draw_color(*ACCENT)
    pdf.set_line_width(1.2)
    pdf.rect(FRAME_MM, FRAME_MM, width - 2 * FRAME_MM, height - 2 * FRAME_MM)
    pdf.set_line_width(0.3)
    inset = FRAME_MM + 2.5
    pdf.rect(inset, inset, width - 2 * inset, height - 2 * inset)

    # The centred lines.
    text_width = width - 2 * (FRAME_MM + 12)
    for line in cert.lines:
        top, size, bold = LAYOUT[line.role]
        pdf.set_font(FONT, "B" if bold else "", size)
        pdf.set_text_color(*(ACCENT if line.role in ("issuer", "title") else INK))
        if line.role in ("lead", "awarded", "level", "result"):
            pdf.set_text_color(*MUTED)
        text = line.text.upper() if line.role == "issuer" else line.text
        if line.role == "issuer":
            pdf.set_char_spacing(1.5)
        pdf.set_xy(FRAME_MM + 12, top - size * 0.3528 / 2)
        pdf.cell(text_width, size * 0.3528, text, align="C")
        pdf.set_char_spacing(0)

    # The footer: facts and URL on the left, the QR code on the right.
    bottom = height - FOOTER_MM
    left = FRAME_MM + 14
    qr_left = width - FRAME_MM - 14 - QR_MM
    qr_top = bottom - QR_MM
    y = qr_top + 2
    for label, value in cert.facts:
        pdf.set_xy(left, y)
        pdf.set_font(FONT, "", 10)
        pdf.set_text_color(*MUTED)
        pdf.cell(30, 5, label)
        pdf.set_font(FONT, "B", 10)
        pdf.set_text_color(*INK)
        pdf.cell(qr_left - left - 36, 5, value)
        y += 6
    pdf.set_xy(left, y + 3)
    pdf.set_font(FONT, "", 10)
    pdf.set_text_color(*MUTED)
    pdf.cell(qr_left - left - 6, 5, cert.verify_note)
    pdf.set_xy(left, y + 8)
    pdf.set_font(FONT, "B", 10)
    pdf.set_text_color(*ACCENT)
    pdf.cell(qr_left - left - 6, 5, cert.url, link=cert.url)

    modules = qr_matrix(cert.url)  # the badge's QR code of the same URL
    size = QR_MM / len(modules)
    pdf.set_fill_color(*INK)
    for row, start, stop in dark_runs(modules):
        pdf.rect(qr_left + start * size, qr_top + row * size, (stop - start) * size, size, "F")

    pdf.embed_file(
        bytes=credential_json,
        basename="credential.json",
        desc="The signed Open Badges 3.0 credential: verify it with any OB 3.0 verifier",
        mime_type="application/ld+json",
        creation_date=created,
        modification_date=created,
    )
    return bytes(pdf.output())

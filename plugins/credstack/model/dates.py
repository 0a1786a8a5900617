"""Dates as the site and the badges show them."""

from __future__ import annotations

from datetime import UTC, datetime

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


def fmt_date(when: datetime | None) -> str:
    """'28 November 2026' (UTC), independent of the machine's locale."""
    if when is None:
        return ""
    when = when.astimezone(UTC)
    return f"{when.day} {MONTHS[when.month - 1]} {when.year}"

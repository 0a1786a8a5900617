"""The merge gate's verdict as Markdown, for the comment the check workflow posts."""

from __future__ import annotations

import re


def gate_comment(ok: bool, lines: list[str]) -> str:
    """A pull request comment: the verdict first, then the gate's output verbatim.

    The output sits in a fence longer than any run of backticks or tildes in it (see
    :func:`fenced`), so nothing in a finding can end the block early and turn into Markdown.
    """
    verdict = (
        "**Merge gate: passed.** Every credential verifies and the changes follow the program."
        if ok
        else "**Merge gate: failed.** Fix the errors below before merging."
    )
    return f"{verdict}\n\n{fenced(chr(10).join(lines))}"


def fenced(text: str) -> str:
    """``text`` as a Markdown code block whose fence no line of ``text`` can close."""
    longest = max((len(m) for m in re.findall(r"`+|~+", text)), default=0)
    fence = "~" * max(4, longest + 1)
    return f"{fence}\n{text}\n{fence}\n"

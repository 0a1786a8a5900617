"""Award from an application issue, and the Markdown the workflows post on GitHub.

The award workflow runs ``credstack application award ISSUE.json --assessor …`` with the
recipient's email as a masked input: this module reads the application
(:func:`~credstack.model.application.parse_application`), awards through the same checks as
``credstack award`` (program rules, assessors), and writes the comment for the issue and the
pull request's description. Every text meant for the public issue passes through
:func:`~credstack.model.application.redact_emails`: a refusal never repeats an email address.
"""

from __future__ import annotations

from datetime import datetime

from credstack.errors import ApplicationError, CredstackError
from credstack.model.application import Application, redact_emails
from credstack.model.assessment import assessment_record
from credstack.registry.award import Awarded, AwardInput, AwardPlan, plan_awards
from credstack.registry.gate import fenced
from credstack.registry.keys import LoadedKey
from credstack.registry.registry import Registry


def plan_application(
    registry: Registry,
    application: Application,
    *,
    email: str,
    assessors: tuple[str, ...],
    key: LoadedKey,
    now: datetime,
    issued_at: datetime | None = None,
    assessed_on: datetime | None = None,
    result: str | None = None,
    awarded_by: str | None = None,
) -> AwardPlan:
    """Check and sign the credential an application asks for; returns the plan to write
    (``write_plan``, with the roster's rows in the same transaction).

    ``awarded_by`` is the GitHub user who runs the award: refused (ApplicationError) when they
    are one of the assessors, so that nobody both assesses and awards. Raises AwardError (rules,
    assessors) or ApplicationError; writes nothing then.
    """
    if awarded_by:
        handles = {
            (registry.program.assessors[a].github or "").lower()
            for a in assessors
            if a in registry.program.assessors
        }
        if awarded_by.removeprefix("@").lower() in handles:
            raise ApplicationError(
                f"@{awarded_by.removeprefix('@')} is named as an assessor of this award and "
                "cannot also make it",
                hint="ask a maintainer who did not assess the candidate to run the award",
            )
    inp = AwardInput(
        achievement=application.achievement,
        name=application.name,
        email=email,
        issued_at=issued_at or now,
        evidence=application.evidence,
        result=result or None,
        where=f"application #{application.issue}",
        assessors=assessors,
        assessed_on=assessed_on,
    )
    return plan_awards(registry, [inp], key, signed_at=now)


def received_comment(registry: Registry, application: Application) -> str:
    """The answer to a new application that can be awarded as it stands."""
    program = registry.program
    a = program.achievements[application.achievement]
    needed = program.assessors_needed(a.id)
    by = "an assessor" if needed == 1 else f"{needed} independent assessors"
    text = (
        f"Thank you: this application for **{a.name}** can be assessed.\n\n"
        f"- Name on the credential: {application.name}\n"
        f"- Evidence: {len(application.evidence)} link(s)\n"
        f"- Reference: {application.reference}\n\n"
        "**Next:** if you have not done so yet, send the email address the credential should "
        f"be linked to privately to {program.issuer.email}, quoting #{application.issue}. Never "
        f"write it here. Then {by} on record will assess your work (label *in assessment*); "
        "when you pass, the credential is awarded and published, and this issue is closed.\n"
    )
    return redact_emails(text, allowed=program.issuer.email)


def refusal_comment(registry: Registry | None, issue: int | None, error: CredstackError) -> str:
    """Why an application cannot be awarded, and what to do (never with an email in it)."""
    allowed = registry.program.issuer.email if registry is not None else None
    what = f"application #{issue}" if issue is not None else "this application"
    text = f"**Nothing was awarded for {what}.**\n\n{fenced(error.message)}"
    if error.hint:
        text += f"\n**What to do:** {error.hint}\n"
    return redact_emails(text, allowed=allowed)


def awarded_comment(registry: Registry, application: Application, awarded: Awarded) -> str:
    """The answer once the credential is signed: what happens before it is published."""
    a = registry.program.achievements[application.achievement]
    record = assessment_record(awarded.credential)
    how = f"\n\n{record.sentence()}" if record is not None else ""
    text = (
        f"**Passed: {a.name} is awarded to {application.name}.**{how}\n\n"
        f"The signed credential `{awarded.cid}` is in a pull request for review; once it is "
        f"merged it is published at {awarded.url} and this issue is closed.\n"
    )
    return redact_emails(text, allowed=registry.program.issuer.email)


def pr_body(registry: Registry, application: Application, awarded: Awarded) -> str:
    """The award pull request's description: links and closes the application."""
    a = registry.program.achievements[application.achievement]
    record = assessment_record(awarded.credential)
    lines = [
        f"Awards **{a.name}** to {application.name} from application #{application.issue}.",
        "",
        f"- Credential: `{awarded.cid}` ({awarded.url})",
    ]
    if record is not None:
        lines.append(f"- Assessment: {record.sentence()}")
    lines += [
        f"- Evidence: {len(application.evidence)} link(s) from the application",
        "",
        "The recipient's email is stored only as a salted hash. Review: an assessor on record "
        "(CODEOWNERS); the merge gate's verdict is in the comments.",
        "",
        f"Closes #{application.issue}",
    ]
    return redact_emails("\n".join(lines) + "\n", allowed=registry.program.issuer.email)

"""The one exception hierarchy of credstack.

Every error says what happened, where, and what to do about it: ``str(error)`` is the
message (prefixed with the location when there is one) and ``error.hint`` the advice. The CLI
catches :class:`CredstackError` once and prints both; the MkDocs plugin turns it into a
``PluginError``.
"""

from __future__ import annotations

from typing import Any


class CredstackError(Exception):
    """Base class: a message, an optional location (``file`` or ``file:line``) and a hint.

    ``code`` is a stable, machine-readable reason (for example ``"mismatch"`` for a signature
    that does not match): callers decide on it, never on the message text.
    """

    default_hint: str | None = None
    default_code: str | None = None

    def __init__(
        self,
        message: str,
        *,
        hint: str | None = None,
        where: str | None = None,
        code: str | None = None,
    ):
        self.message = message
        self.hint = hint if hint is not None else self.default_hint
        self.where = where
        self.code = code if code is not None else self.default_code
        super().__init__(f"{where}: {message}" if where else message)


class ProgramError(CredstackError):
    """The program definition under ``program/`` is missing, unreadable or invalid."""

    def __init__(self, message: str, *, problems: list[Any] | None = None, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.problems = list(problems or [])


class ConfigError(CredstackError):
    """``mkdocs.yml`` or the command line is missing something credstack needs."""


class SigningKeyError(CredstackError):
    """A signing key is missing, malformed, unsafe to use or unknown to the issuer."""


class CanonicalizationError(CredstackError):
    """JSON-LD processing would lose or rewrite data (safe mode), or a context is not shipped."""

    default_hint = (
        "use only terms defined by the shipped contexts (VC 2.0, OB 3.0.3) and absolute IRIs"
    )
    #: ``unsafe-jsonld`` (data the contexts do not define) or ``unknown-context``.
    default_code = "unsafe-jsonld"


class UnknownContextError(CanonicalizationError):
    """A JSON-LD context credstack does not ship (nothing is ever fetched); ``url`` names it.

    Code ``unknown-context``.
    """

    default_code = "unknown-context"

    def __init__(self, url: str, *, hint: str | None = None):
        super().__init__(
            f"unknown JSON-LD context {url!r}: credstack never fetches contexts from the network",
            hint=hint,
        )
        self.url = url


class ProofError(CredstackError):
    """A Data Integrity proof is missing, malformed or does not verify.

    Codes: ``unsigned``, ``malformed-proof``, ``unsupported-suite``, ``mismatch``.
    """

    default_code = "malformed-proof"


class CredentialError(CredstackError):
    """A credential document is malformed or cannot be built."""


class AwardError(CredstackError):
    """An award was refused: the program's rules are not met. Nothing was written."""


class ApplicationError(CredstackError):
    """An application (a GitHub issue made with an 'Apply for …' form) cannot be read or awarded."""


class StatusError(CredstackError):
    """A status change (revoke, suspend, reinstate) was refused, or a status list is invalid."""


class RegistryError(CredstackError):
    """The registry under ``issued/`` is inconsistent or cannot be written."""


class CheckError(CredstackError):
    """The merge gate found problems."""


class LogError(CredstackError):
    """The transparency log is malformed, inconsistent with itself or an older checkpoint, or
    its checkpoint does not verify.

    Codes: ``malformed-entry``, ``malformed-checkpoint``, ``malformed-note``,
    ``malformed-proof``, ``checkpoint-signature``, ``unknown-key``, ``inconsistent``,
    ``no-log``.
    """

    default_code = "malformed-entry"


class ResolutionError(CredstackError):
    """The issuer's key could not be found: unknown DID, verification method or key format.

    Codes as the ``issuer-key`` check's: ``unresolvable``, ``not-found``, ``not-assertion``,
    ``wrong-controller``, ``unsupported``, ``malformed-key``.
    """

    default_code = "not-found"


class RosterError(CredstackError):
    """The private roster (names and emails of recipients) is missing, unsafe or unreadable,
    or a notification could not be prepared or sent."""


class KeyFormatError(ResolutionError):
    """A key written in the credential itself (did:key, ``<url>#z...``) is not a valid key."""

    default_code = "malformed-key"

"""Award credentials: check the program's stacking rules, build, sign and write atomically.

Every award in one call (a single award or a whole cohort) is checked first, against the
registry plus the awards earlier in the same batch; if anything is refused, nothing is written.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from credstack.crypto.keys import SigningKey
from credstack.crypto.proof import create_proof
from credstack.errors import AwardError, CredentialError, CredstackError
from credstack.model.assessment import AssessmentRecord, assessor_problems, record_for
from credstack.model.credential import (
    AwardRequest,
    CredentialView,
    Evidence,
    build_credential,
    clean_text,
    normalize_email,
    recipient_id,
)
from credstack.model.schema import schema_errors
from credstack.model.status import (
    Bitstring,
    list_credential,
    parse_date_or_datetime,
)
from credstack.registry import tlog
from credstack.registry.files import Transaction
from credstack.registry.freshness import validity_window
from credstack.registry.keys import LoadedKey
from credstack.registry.parallel import parallel_map
from credstack.registry.placeholders import refuse_placeholders
from credstack.registry.registry import LIST_SIZE, Registry

CSV_COLUMNS = (
    "name",
    "email",
    "achievement",
    "result",
    "evidence",
    "issued_at",
    "public_profile",
    "assessors",
)
#: Values of the ``public_profile`` column that opt in (anything else but empty is an error).
YES = ("yes", "y", "true", "1", "x")
NO = ("no", "n", "false", "0", "")
REQUIRED_CSV_COLUMNS = ("name", "email", "achievement")
#: A cohort file larger than this is refused before it is parsed.
MAX_CSV_BYTES = 20 * 1024 * 1024
#: Longest evidence URL accepted (browsers and servers handle about 2,000 characters).
MAX_URL_LENGTH = 2000
#: A status list takes new credentials until this many of its indexes are used.
LIST_FILL = LIST_SIZE // 2
#: Awards dated earlier than this before the signing time need ``allow_backdated``.
BACKDATE_LIMIT = timedelta(days=366)
#: The clock of the machine that awards may run a little ahead of the award date it is given.
CLOCK_SKEW = timedelta(minutes=5)
#: No award is ever dated before this (a typo such as year 0001).
EARLIEST_AWARD = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class AwardInput:
    """One award as asked for (CLI flags or a CSV row)."""

    achievement: str
    name: str
    email: str | None
    issued_at: datetime
    evidence: tuple[Evidence, ...] = ()
    result: str | None = None
    renews: str | None = None  # cid of the credential this one renews or corrects
    where: str = ""  # "cohort.csv:7" for CSV rows
    #: (identityHash, salt, recipient id) of an earlier credential, when renewing or correcting
    identity: tuple[str, str, str] | None = None
    #: Ids of the assessors (program/assessors.yml) who assessed the candidate.
    assessors: tuple[str, ...] = ()
    #: When the assessment took place (default: the award date).
    assessed_on: datetime | None = None
    #: A corrected copy of a credential: its assessment (``record``, or none) stands unchanged.
    keep_assessment: bool = False
    record: AssessmentRecord | None = None
    #: The recipient opted into a public earner page (CSV column ``public_profile``).
    public_profile: bool = False

    def recipient(self, issuer_id: str) -> str:
        """The stable recipient id; raises CredentialError for a malformed email."""
        if self.identity is not None:
            return self.identity[2]
        return recipient_id(issuer_id, normalize_email(self.email or ""))


@dataclass(frozen=True)
class Awarded:
    cid: str
    path: Path
    url: str
    credential: dict[str, Any]
    input: AwardInput


@dataclass
class AwardPlan:
    """The checked, signed result of an award call, ready to write."""

    awarded: list[Awarded] = field(default_factory=list)
    skipped: list[tuple[AwardInput, str]] = field(default_factory=list)
    status_lists: dict[Path, dict[str, Any]] = field(default_factory=dict)
    root: Path | None = None  # the registry written to (lock, journal, transparency log)


def parse_evidence(text: str) -> Evidence:
    """``URL`` or ``Title=URL`` -> Evidence; raises AwardError unless the URL is http(s).

    Refuses URLs with a user name or password in them (``https://user:pass@host/``: a secret
    that would be signed into a public credential forever) and URLs over 2,000 characters.
    """
    title, url = None, text.strip()
    if "=" in text and not text.strip().lower().startswith(("http://", "https://")):
        title, url = (s.strip() for s in text.split("=", 1))
    if len(url) > MAX_URL_LENGTH:
        raise AwardError(
            f"evidence URL is {len(url):,} characters long; the limit is {MAX_URL_LENGTH:,}",
            hint="link to a page that holds the evidence",
        )
    try:
        parts = urlsplit(url)
        has_userinfo = parts.username is not None or parts.password is not None
        bad_port = parts.port is not None and not 0 < parts.port < 65536
    except ValueError:
        parts, has_userinfo, bad_port = urlsplit(""), False, True
    if (
        parts.scheme not in ("http", "https")
        or not parts.hostname
        or bad_port
        or any(c.isspace() or ord(c) < 32 for c in url)
    ):
        raise AwardError(
            f"evidence {url!r} is not an http(s) URL",
            hint="give evidence as https://… or 'Title=https://…'",
        )
    if has_userinfo:
        raise AwardError(
            f"evidence URL {parts.scheme}://…@{parts.hostname}… carries a user name or password",
            hint="credentials are public and signed forever: link without 'user:password@' "
            "(share access to the evidence some other way)",
        )
    name = (parts.netloc + parts.path).rstrip("/")
    if title:
        try:
            name = clean_text(title, "the evidence title", max_length=200)
        except CredstackError as e:
            raise AwardError(e.message, hint=e.hint) from e
    return Evidence(url=url, name=name)


def new_cid(issued_at: datetime, salt: str, achievement: str, recipient: str) -> str:
    """A short, unguessable, permanent credential id like '2026-k3j5x9q2mf'."""
    digest = hashlib.sha256(f"{salt}\x00{achievement}\x00{recipient}".encode()).digest()
    return f"{issued_at:%Y}-" + base64.b32encode(digest).decode("ascii")[:10].lower()


class _Ledger:
    """Holdings as of a date: the registry's credentials plus those planned in this call."""

    def __init__(self, registry: Registry):
        self.registry = registry
        self.planned: dict[str, list[CredentialView]] = {}  # by recipient
        self.cids: set[str] = set()
        self.superseded: set[str] = set()

    def add(self, view: CredentialView) -> None:
        self.planned.setdefault(view.recipient or "", []).append(view)
        self.cids.add(view.cid)

    def in_force(self, recipient: str, at: datetime) -> dict[str, list[CredentialView]]:
        held = {k: list(v) for k, v in self.registry.holdings(recipient, at).items()}
        for view in self.planned.get(recipient, ()):
            if view.valid_from <= at and (view.valid_until is None or view.valid_until > at):
                held.setdefault(view.achievement_id, []).append(view)
        for aid in list(held):
            held[aid] = [v for v in held[aid] if v.cid not in self.superseded]
            if not held[aid]:
                del held[aid]
        return held


class _Slots:
    """Status list indexes for new credentials: never reused, and not in issue order.

    Each credential's index comes from its id, which is random (a hash of a fresh salt), with
    the next free index taken when that one is used. Two branches that award at the same time
    then rarely pick the same index (about k1 x k2 / 65,536 for k1 and k2 awards), where "the
    next index" always collided; the merge gate catches the rare collision (status-index-unique).
    The index also no longer tells how many credentials were issued before. A list takes new
    credentials until half its indexes are used, then the next list starts.
    """

    def __init__(self, registry: Registry):
        self.used: dict[int, set[int]] = {}
        for view in registry.credentials.values():
            for ref in view.statuses:
                if ref.purpose != "revocation" or ref.implied:
                    continue
                number = list_number(ref.list_url)
                if number is not None:
                    self.used.setdefault(number, set()).add(ref.index)
        self.number = max(self.used, default=1)

    def take(self, cid: str) -> tuple[int, int]:
        """(list number, index) for the credential ``cid``."""
        used = self.used.setdefault(self.number, set())
        if len(used) >= LIST_FILL:
            self.number += 1
            used = self.used.setdefault(self.number, set())
        index = int.from_bytes(hashlib.sha256(cid.encode("utf-8")).digest()[:8], "big")
        index %= LIST_SIZE
        while index in used:
            index = (index + 1) % LIST_SIZE
        used.add(index)
        return self.number, index


def list_number(list_url: str) -> int | None:
    """N of a credstack status list URL ``…/<purpose>-N.json`` (None for other URLs)."""
    tail = list_url.rsplit("-", 1)[-1].removesuffix(".json")
    return int(tail) if tail.isdigit() else None


def check_award_date(issued_at: datetime, signed_at: datetime, *, allow_backdated: bool) -> None:
    """Refuse an award date in the future, before 1970, or (unless allowed) over a year back.

    Raises AwardError. A credential's award date is signed into it forever: a typo such as year
    0001 or 2062 cannot be corrected later except by reissuing.
    """
    day = f"{issued_at:%Y-%m-%d}"
    if issued_at > signed_at + CLOCK_SKEW:
        raise AwardError(
            f"the award date {day} lies in the future",
            hint="award on or before today (give --issued-at YYYY-MM-DD, or leave it out)",
        )
    if issued_at < EARLIEST_AWARD:
        raise AwardError(
            f"the award date {day} is before 1970: surely a typo",
            hint="give the date the work was assessed, as YYYY-MM-DD",
        )
    if issued_at < signed_at - BACKDATE_LIMIT and not allow_backdated:
        raise AwardError(
            f"the award date {day} is more than a year ago",
            hint="if the assessment really was then (e.g. moving earlier awards into "
            "credstack), pass --allow-backdated; the date is signed into the credential",
        )


def check_rules(registry: Registry, ledger: _Ledger, inp: AwardInput) -> list[str]:
    """Every reason the program refuses this award (empty list = allowed)."""
    program = registry.program
    reasons: list[str] = []
    achievement = program.achievements.get(inp.achievement)
    if achievement is None:
        known = ", ".join(sorted(program.achievements))
        return [f"unknown achievement {inp.achievement!r} (known: {known})"]
    try:
        recipient = inp.recipient(registry.urls.issuer_id)
    except CredentialError as e:
        return [e.message]
    held = ledger.in_force(recipient, inp.issued_at)
    if inp.achievement in held and inp.renews is None:
        cids = ", ".join(v.cid for v in held[inp.achievement])
        reasons.append(
            f"the recipient already holds {inp.achievement} ({cids}); use `credstack renew` "
            "to issue a fresh one"
        )
    missing_pre = [p for p in achievement.prerequisites if p not in held]
    if missing_pre:
        reasons.append(
            f"{inp.achievement} requires {', '.join(missing_pre)}, which the recipient does not "
            f"hold in force on {inp.issued_at:%Y-%m-%d}"
        )
    if achievement.level == "certification":
        pathway = program.pathway_for(achievement.id)
        if pathway is None:
            reasons.append(f"no pathway leads to {achievement.id}")
        else:
            for group in pathway.missing(set(held)):
                have = [a for a in group.achievements if a in held]
                reasons.append(
                    f"{achievement.id} requires {group.describe()}; the recipient holds "
                    f"{len(have)} of them ({', '.join(have) or 'none'})"
                )
            if inp.result is None:
                reasons.append(
                    f"{achievement.id} needs the capstone result ({pathway.capstone.assesses}); "
                    "pass --result"
                )
    scale = achievement.assessment.result_scale if achievement.assessment else ()
    if inp.result is not None and scale and inp.result not in scale:
        reasons.append(f"result {inp.result!r} is not on the scale ({', '.join(scale)})")
    return reasons


def check_assessment(registry: Registry, inp: AwardInput) -> list[str]:
    """Every reason the assessors named for this award are refused (empty list = allowed).

    A corrected copy keeps the original's assessment as it is.
    """
    if inp.keep_assessment or inp.achievement not in registry.program.achievements:
        return []
    reasons = assessor_problems(registry.program, inp.achievement, inp.assessors)
    if inp.assessed_on is not None and inp.assessed_on > inp.issued_at:
        reasons.append(
            f"the assessment ({inp.assessed_on:%Y-%m-%d}) is dated after the award "
            f"({inp.issued_at:%Y-%m-%d}); award on or after the day of the assessment"
        )
    return reasons


def assessment_of(registry: Registry, inp: AwardInput) -> AssessmentRecord | None:
    """The record that goes into the credential for an allowed award."""
    if inp.keep_assessment:
        return inp.record
    return record_for(
        registry.program,
        inp.achievement,
        inp.assessors,
        assessed_on=inp.assessed_on or inp.issued_at,
        result=inp.result,
    )


def component_evidence(
    registry: Registry, ledger: _Ledger, inp: AwardInput
) -> tuple[Evidence, ...]:
    """For a certification: the component credentials it stands on, as evidence URLs."""
    program = registry.program
    pathway = program.pathway_for(inp.achievement)
    if pathway is None:
        return ()
    recipient = inp.recipient(registry.urls.issuer_id)
    held = ledger.in_force(recipient, inp.issued_at)
    out = []
    for aid in pathway.components():
        for view in sorted(held.get(aid, []), key=lambda v: v.valid_from)[-1:]:
            name = program.achievements[aid].name
            out.append(Evidence(url=view.id, name=f"Component credential: {name}"))
    return tuple(out)


def plan_awards(
    registry: Registry,
    inputs: Iterable[AwardInput],
    key: LoadedKey,
    *,
    signed_at: datetime,
    salt_factory: Callable[[], str] | None = None,
    skip_already_held: bool = False,
    allow_backdated: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> AwardPlan:
    """Check, build and sign every award; raise AwardError listing every refusal.

    With ``skip_already_held`` (cohort re-runs), an award the recipient already holds in force
    is skipped and reported instead of refused. Award dates are checked with
    :func:`check_award_date` (``allow_backdated`` lets dates over a year back through).
    """
    refuse_placeholders(registry.program, "award")
    plan = AwardPlan(root=registry.root)
    ledger = _Ledger(registry)
    errors: list[str] = []
    refused = 0
    slots = _Slots(registry)
    hints: list[str] = []
    inputs = list(inputs)
    for position, inp in enumerate(inputs, 1):
        if progress is not None:
            progress(position, len(inputs))
        if not key.issuer_key.usable_at(signed_at):
            raise AwardError(
                f"the signing key {key.issuer_key.id} is retired or not yet valid",
                hint="create a new key with `credstack keys create`",
            )
        try:
            check_award_date(inp.issued_at, signed_at, allow_backdated=allow_backdated)
        except AwardError as e:
            errors.append(f"{inp.where + ': ' if inp.where else ''}{e.message}")
            refused += 1
            if e.hint and e.hint not in hints:
                hints.append(e.hint)
            continue
        reasons = check_rules(registry, ledger, inp) + check_assessment(registry, inp)
        if skip_already_held and reasons and reasons[0].startswith("the recipient already holds"):
            plan.skipped.append((inp, reasons[0]))
            continue
        if reasons:
            where = f"{inp.where}: " if inp.where else ""
            errors.extend(f"{where}{r}" for r in reasons)
            refused += 1
            continue
        evidence = inp.evidence
        if registry.program.achievements[inp.achievement].level == "certification":
            evidence = component_evidence(registry, ledger, inp) + evidence
        email = normalize_email(inp.email or "") if inp.identity is None else None
        recipient = inp.recipient(registry.urls.issuer_id)
        salt = salt_factory() if salt_factory is not None else secrets.token_hex(16)
        cid = new_cid(inp.issued_at, salt, inp.achievement, recipient)
        if cid in registry.credentials or cid in ledger.cids:
            raise AwardError(f"credential id {cid} collides; try again")  # pragma: no cover
        number, index = slots.take(cid)
        request = AwardRequest(
            cid=cid,
            achievement=inp.achievement,
            name=inp.name,
            email=email,
            salt=salt,
            issued_at=inp.issued_at,
            evidence=evidence,
            result=inp.result,
            status_index=index,
            status_list_number=number,
            identity=inp.identity,
            assessment=assessment_of(registry, inp),
        )
        try:
            unsigned = build_credential(registry.program, request)
        except CredstackError as e:
            errors.append(f"{inp.where + ': ' if inp.where else ''}{e.message}")
            refused += 1
            if e.hint and e.hint not in hints:
                hints.append(e.hint)
            continue
        view = CredentialView.from_json(unsigned, cid=cid)
        ledger.add(view)
        if inp.renews:
            ledger.superseded.add(inp.renews)
        plan.awarded.append(
            Awarded(
                cid, registry.credential_path(cid), registry.urls.credential(cid), unsigned, inp
            )
        )
    if not errors:
        errors = _sign_all(plan, key, signed_at)
        refused = len(errors)
    if errors:
        awards = "1 award" if refused == 1 else f"{refused} awards"
        raise AwardError(
            f"{awards} refused; nothing was written:\n  " + "\n  ".join(errors),
            hint="; ".join([*hints, "fix the rows above and run the same command again"]),
        )
    plan.status_lists = missing_status_lists(registry, plan, key, signed_at)
    return plan


_SIGNER: tuple[SigningKey, str, datetime] | None = None


def _init_signer(secret: str, method: str, created: datetime) -> None:
    global _SIGNER
    _SIGNER = (SigningKey.from_multibase_secret(secret), method, created)


def _sign_one(unsigned: dict[str, Any]) -> dict[str, Any] | str:
    """Sign and schema-check one credential (runs in a worker); an error message on failure."""
    assert _SIGNER is not None
    key, method, created = _SIGNER
    try:
        signed = create_proof(unsigned, key, verification_method=method, created=created)
    except CredstackError as e:
        return e.message
    problems = schema_errors(signed)
    if problems:  # a bug in credstack, never the user's input: fail loudly
        return "BUG: the credential does not match the OB 3.0 schema: " + "; ".join(problems)
    return signed


def _sign_all(plan: AwardPlan, key: LoadedKey, signed_at: datetime) -> list[str]:
    """Sign every planned credential in place (both cores for big batches); errors returned."""
    results = parallel_map(
        _sign_one,
        [a.credential for a in plan.awarded],
        initializer=_init_signer,
        initargs=(key.signing_key.to_multibase_secret(), key.verification_method, signed_at),
    )
    errors = []
    for i, (awarded, result) in enumerate(zip(plan.awarded, results, strict=True)):
        if isinstance(result, str):
            if result.startswith("BUG:"):
                raise AwardError(result.removeprefix("BUG: "))
            where = awarded.input.where
            errors.append(f"{where + ': ' if where else ''}{result}")
        else:
            plan.awarded[i] = replace(awarded, credential=result)
    return errors


def missing_status_lists(
    registry: Registry, plan: AwardPlan, key: LoadedKey, signed_at: datetime
) -> dict[Path, dict[str, Any]]:
    """Signed, empty status lists for every list an award points at that does not exist yet."""
    out: dict[Path, dict[str, Any]] = {}
    for awarded in plan.awarded:
        for ref in CredentialView.from_json(awarded.credential).statuses:
            url, purpose = ref.list_url, ref.purpose
            number = list_number(url)
            assert number is not None  # credstack's own list URL
            path = registry.status_list_path(purpose, number)
            if url in registry.status_lists or path in out:
                continue
            unsigned = list_credential(
                list_url=url,
                issuer_id=registry.urls.issuer_id,
                purpose=purpose,
                bitstring=Bitstring.empty(LIST_SIZE),
                valid_from=signed_at,
                valid_until=validity_window(registry.program, signed_at)[1],
            )
            out[path] = create_proof(
                unsigned,
                key.signing_key,
                verification_method=key.verification_method,
                created=signed_at,
            )
    return out


def write_plan(plan: AwardPlan, extra: Callable[[Transaction], None] | None = None) -> None:
    """Write every credential and new status list of ``plan`` in one transaction."""
    with Transaction(plan.root) as tx:
        for awarded in plan.awarded:
            if awarded.path.exists():
                raise AwardError(f"{awarded.path} already exists")  # pragma: no cover
            tx.write_json(awarded.path, awarded.credential)
        for path, doc in plan.status_lists.items():
            tx.write_json(path, doc)
        if plan.root is not None:  # transparency log: one entry per credential and new list
            tlog.record_issued(
                tx, plan.root, [a.credential for a in plan.awarded], plan.status_lists.values()
            )
        if extra is not None:
            extra(tx)


def _decode_csv(path: Path, data: bytes) -> str:
    """The text of a cohort file; AwardError naming the line of the first non-UTF-8 byte."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        raise AwardError(
            f"{path}:{line}: not UTF-8 text (byte 0x{data[e.start]:02x})",
            hint="save the file as 'CSV UTF-8' (in Excel: File > Save As > CSV UTF-8; in "
            "LibreOffice: character set Unicode (UTF-8))",
        ) from None


def read_cohort_csv(path: Path, *, default_issued_at: datetime) -> list[AwardInput]:
    """Parse a cohort CSV; raises AwardError listing every bad row with its line number.

    Refused before any award is planned: a file that is not UTF-8, larger than 20 MB or not
    CSV; unknown, missing or repeated columns; rows with more or fewer fields than the header
    (often an unquoted comma in a name); empty required fields; malformed emails, evidence and
    dates; the same recipient and achievement twice.
    """
    try:
        size = path.stat().st_size
        if size > MAX_CSV_BYTES:
            raise AwardError(
                f"{path} is {size / 2**20:.0f} MB; the limit is {MAX_CSV_BYTES // 2**20} MB",
                hint="split the cohort into several files",
            )
        data = path.read_bytes()
    except OSError as e:
        raise AwardError(f"cannot read {path}: {e.strerror}") from e
    reader = csv.reader(io.StringIO(_decode_csv(path, data), newline=""))
    try:
        header = next(reader, [])
    except csv.Error as e:
        raise AwardError(f"{path}:1: not a CSV header ({e})") from e
    columns = [c.strip().lower() for c in header]
    missing = [c for c in REQUIRED_CSV_COLUMNS if c not in columns]
    unknown = [c for c in columns if c not in CSV_COLUMNS]
    repeated = sorted({c for c in columns if columns.count(c) > 1})
    if missing or unknown or repeated:
        raise AwardError(
            f"{path}:1: "
            + "; ".join(
                ([f"missing column(s) {', '.join(missing)}"] if missing else [])
                + ([f"unknown column(s) {', '.join(map(repr, unknown))}"] if unknown else [])
                + ([f"column(s) {', '.join(repeated)} given twice"] if repeated else [])
            ),
            hint="columns: " + ", ".join(CSV_COLUMNS) + " (the first three are required), "
            "each once",
        )
    inputs: list[AwardInput] = []
    errors: list[str] = []
    seen: dict[tuple[str, str], int] = {}
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            break
        except csv.Error as e:
            errors.append(f"{path.name}:{reader.line_num}: not valid CSV ({e})")
            break
        line = reader.line_num
        where = f"{path.name}:{line}"
        if not any(f.strip() for f in fields):
            continue  # a blank line
        if len(fields) != len(columns):
            errors.append(
                f"{where}: {len(fields)} fields, but the header has {len(columns)} (a comma "
                "inside a name or URL needs the whole field in double quotes)"
            )
            continue
        row = {k: v.strip() for k, v in zip(columns, fields, strict=True)}
        try:
            for column in REQUIRED_CSV_COLUMNS:
                if not row.get(column):
                    raise AwardError(f"{column} is empty")
            email = normalize_email(row["email"])
            name = clean_text(row["name"], "name")
            evidence = tuple(parse_evidence(e) for e in row.get("evidence", "").split())
            issued_at = default_issued_at
            if row.get("issued_at"):
                try:
                    issued_at = parse_date_or_datetime(row["issued_at"])
                except ValueError as e:
                    raise AwardError(f"issued_at {row['issued_at'][:40]!r}: {e}") from e
            assessors = tuple(row.get("assessors", "").split())
            opt_in = row.get("public_profile", "").lower()
            if opt_in not in YES + NO:
                raise AwardError(f"public_profile {row['public_profile']!r} is not yes or no")
            dup = (email, row["achievement"])
            if dup in seen:
                raise AwardError(f"same recipient and achievement as line {seen[dup]}")
            seen[dup] = line
            inputs.append(
                AwardInput(
                    achievement=row["achievement"],
                    name=name,
                    email=email,
                    issued_at=issued_at,
                    evidence=evidence,
                    result=row.get("result") or None,
                    where=where,
                    assessors=assessors,
                    public_profile=opt_in in YES,
                )
            )
        except CredstackError as e:
            errors.append(f"{where}: {e.message}")
    if errors:
        raise AwardError(
            f"{len(errors)} bad row(s) in {path.name}; nothing was written:\n  "
            + "\n  ".join(errors),
            hint="fix these rows and run the same command again",
        )
    return inputs

"""Read ``program/*.yml`` and ``mkdocs.yml`` into a checked :class:`Program`.

The loader checks the *shape* of every file (types, keys, ids, amounts, dates) and keeps going
after each problem so that one run reports everything; ``credstack.model.lint`` then checks the
*design* of what could be loaded. Files and keys are described in ``site_src/program-format.md``.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, date, datetime, time
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from credstack.errors import ProgramError
from credstack.model.lint import lint
from credstack.model.problems import (
    Problem,
    ProblemList,
    closest,
    did_you_mean,
    sort_problems,
)
from credstack.model.program import (
    ASSESSMENT_METHODS,
    COMPETENCY_KINDS,
    LEVELS,
    STATUS_VALID_DAYS,
    Achievement,
    Assessment,
    Assessor,
    Competency,
    Issuer,
    IssuerKey,
    Pathway,
    Price,
    Program,
    Renewal,
    RequirementGroup,
    Source,
)
from credstack.registry.yamlio import LineDict, LineList, read_yaml

MKDOCS_FILE = "mkdocs.yml"
ISSUER_FILE = "program/issuer.yml"
KEYS_FILE = "program/keys.yml"
COMPETENCIES_FILE = "program/competencies.yml"
ACHIEVEMENTS_DIR = "program/achievements"
PATHWAYS_DIR = "program/pathways"
ASSESSORS_FILE = "program/assessors.yml"
YAML_SUFFIXES = (".yml", ".yaml")

#: Achievement, pathway and competency ids: lower-case letters, digits and hyphens.
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
#: Key ids become URL fragments (``did:web:...#key-2026-11-28``).
KEY_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
IMAGE_SUFFIXES = (".png", ".svg", ".jpg", ".jpeg", ".webp")
#: A GitHub user name (1-39 letters, digits, single hyphens) and a team (``org/team``).
GITHUB_USER = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$")
GITHUB_TEAM = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}/[A-Za-z0-9._-]+$")

#: ISO 4217 codes of circulating currencies (funds, metals and test codes left out).
CURRENCIES: frozenset[str] = frozenset(
    """
    AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN BWP
    BYN BZD CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP
    GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR
    KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK
    MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR
    SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS
    UAH UGX USD UYU UZS VES VND VUV WST XAF XCD XCG XOF XPF YER ZAR ZMW ZWG
    """.split()  # noqa: SIM905 - a table reads better than 150 quoted strings
)
#: Currencies without minor units: amounts must be whole numbers.
ZERO_DECIMAL_CURRENCIES: frozenset[str] = frozenset(
    "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX VND VUV XAF XOF XPF".split()  # noqa: SIM905
)

ISSUER_KEYS = ("name", "url", "email", "description")
ISSUER_OPTIONAL = ("logo", "status_valid_days", "maintainers")
KEY_KEYS = ("id", "publicKeyMultibase", "created")
COMPETENCY_KEYS = ("id", "name", "description", "domain", "kind")
ACHIEVEMENT_KEYS = ("name", "level", "description", "criteria", "competencies", "hours", "price")
ACHIEVEMENT_OPTIONAL = (
    "assessment",
    "prerequisites",
    "validity_months",
    "image",
    "color",
    "enrol_url",
    "renewal",
)
RENEWAL_KEYS = ("window_days",)
RENEWAL_OPTIONAL = ("cpd_hours", "evidence", "reassessment")
PATHWAY_OPTIONAL = ("enrol_url",)
ASSESSMENT_KEYS = ("method", "assesses", "passing_standard")
ASSESSMENT_OPTIONAL = ("result_scale", "assessors")
ASSESSOR_KEYS = ("id", "name", "achievements")
ASSESSOR_OPTIONAL = ("url", "github")
PATHWAY_KEYS = (
    "name",
    "description",
    "certification",
    "requires",
    "capstone",
    "bundle_price",
    "credit_percent",
)

_MOVED_KEYS = {
    "site_url": "the site URL comes from site_url in mkdocs.yml",
    "keys": "public keys live in program/keys.yml (written by `credstack keys`)",
    "id": "the id is the file name: program/achievements/<id>.yml, program/pathways/<id>.yml",
}


def load_program(root: Path) -> Program:
    """Read and check the program under ``root``; return it.

    Raises ProgramError (with every problem in ``.problems``) when any check reports an error;
    warnings alone do not prevent loading.
    """
    program, problems = check_program(root)
    errors = [p for p in problems if p.is_error]
    if program is not None and not errors:
        return program
    first = errors[0]
    if len(errors) == 1:
        field = f"{first.field}: " if first.field else ""
        raise ProgramError(
            field + first.message, where=str(first.source), hint=first.hint, problems=problems
        )
    raise ProgramError(
        f"{len(errors)} errors in the program definition, the first: {first.headline}",
        hint="run `credstack lint` to list them all",
        problems=problems,
    )


def check_program(root: Path) -> tuple[Program | None, list[Problem]]:
    """Read the program under ``root`` and run every check; never raises for a bad program.

    Returns the program (None when ``mkdocs.yml`` or ``program/issuer.yml`` is unusable) and every
    problem found (schema and design), sorted by file and line. Achievements are ordered by level,
    then id; pathways by id; competencies as written.
    """
    problems = ProblemList()
    loader = _Loader(Path(root), problems)
    program, complete = loader.load()
    problems.extend(lint(program, unloaded=loader.unloaded))
    return (program if complete else None), sort_problems(problems)


# -- one file --------------------------------------------------------------------------------


def _join(path: str, key: object) -> str:
    return f"{path}.{key}" if path else str(key)


def _kind(value: object) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"true/false ({str(value).lower()})"
    if isinstance(value, int | float | Decimal):
        return f"a number ({value})"
    if isinstance(value, str):
        return f"text ('{value}')" if len(value) <= 40 else "text"
    if isinstance(value, datetime):
        return "a date and time"
    if isinstance(value, date):
        return "a date"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__  # pragma: no cover


def _line_map(value: Any, path: str = "", out: dict[str, int] | None = None) -> dict[str, int]:
    """Every field path in a parsed file and its line: {"price": 12, "price.amount": 13, ...}."""
    out = {} if out is None else out
    if isinstance(value, LineDict):
        for key, item in value.items():
            sub = _join(path, key)
            out[sub] = value.line_of(key)
            _line_map(item, sub, out)
    elif isinstance(value, LineList):
        for i, item in enumerate(value):
            sub = f"{path}[{i}]"
            out[sub] = value.line_of(i)
            _line_map(item, sub, out)
    return out


class _File:
    """Checks the values of one YAML file, reporting each problem with its line."""

    def __init__(self, rel: str, problems: ProblemList):
        self.rel = rel
        self.problems = problems
        self.failed = False

    def src(self, line: int) -> Source:
        return Source(self.rel, line)

    def error(
        self, line: int, field: str, message: str, hint: str | None = None, check: str = "schema"
    ) -> None:
        self.failed = True
        self.problems.error(self.src(line), field, message, hint, check=check)

    # -- shapes ------------------------------------------------------------------------------

    def mapping(
        self,
        value: Any,
        line: int,
        path: str,
        required: tuple[str, ...],
        optional: tuple[str, ...] = (),
    ) -> LineDict | None:
        """``value`` if it is a mapping; reports duplicate, unknown and missing keys."""
        if not isinstance(value, LineDict):
            self.error(
                line,
                path,
                f"expected a mapping with {', '.join(required)}; got {_kind(value)}",
                f"write it as 'key: value' lines: {', '.join(required)}",
            )
            return None
        for key, key_line in value.duplicates:
            self.error(key_line, _join(path, key), "given twice in the same mapping", "remove one")
        allowed = (*required, *optional)
        suggested: set[str] = set()
        for key in value:
            if key in allowed:
                continue
            match = closest(key, [k for k in allowed if k not in value])
            if match:
                suggested.add(match)
                hint = f"did you mean '{match}'?"
            elif key in _MOVED_KEYS:
                hint = _MOVED_KEYS[key]
            else:
                hint = "allowed keys: " + ", ".join(allowed)
            self.error(value.line_of(key), _join(path, key), f"unknown key '{key}'", hint)
        for key in required:
            if key in suggested:
                continue  # already reported as a misspelling
            if key not in value:
                self.error(value.line, _join(path, key), "missing", f"add '{key}: ...'")
            elif value[key] is None or value[key] == "":
                self.error(value.line_of(key), _join(path, key), "has no value")
        return value

    def text(self, m: LineDict, key: str, path: str) -> str | None:
        value = m.get(key)
        if value is None or value == "":
            return None  # missing required keys are reported by mapping()
        if not isinstance(value, str):
            self.error(
                m.line_of(key),
                _join(path, key),
                f"expected text, got {_kind(value)}",
                "put the value in quotes",
            )
            return None
        return value.strip()

    def choice(self, m: LineDict, key: str, path: str, options: tuple[str, ...]) -> str | None:
        value = self.text(m, key, path)
        if value is None or value in options:
            return value
        hint = did_you_mean(value, options) or "one of: " + ", ".join(options)
        self.error(m.line_of(key), _join(path, key), f"unknown {key} '{value}'", hint)
        return None

    def slug(self, value: Any, line: int, path: str, what: str) -> str | None:
        if isinstance(value, str) and SLUG.match(value):
            return value
        hint = "ids are lower-case letters, digits and hyphens, e.g. 'session-design'"
        if isinstance(value, bool):
            hint = "YAML reads yes/no/on/off as true/false: put the id in quotes"
        self.error(line, path, f"not a valid {what} id: {_kind(value)}", hint)
        return None

    def ids(
        self, m: LineDict, key: str, path: str, what: str, *, allow_empty: bool
    ) -> tuple[str, ...]:
        """A list of unique ids (an absent or empty key gives ``()``)."""
        value = m.get(key)
        field = _join(path, key)
        if value is None:
            return ()  # a missing required key is reported by mapping()
        if not isinstance(value, LineList):
            hint = f"write {key}: [{value}]" if isinstance(value, str) else None
            self.error(
                m.line_of(key), field, f"expected a list of {what} ids, got {_kind(value)}", hint
            )
            return ()
        if not value and not allow_empty:
            self.error(m.line_of(key), field, f"lists no {what}", f"name at least one {what} id")
        seen: dict[str, int] = {}
        for i, item in enumerate(value):
            line = value.line_of(i)
            slug = self.slug(item, line, f"{field}[{i}]", what)
            if slug is None:
                continue
            if slug in seen:
                self.error(
                    line,
                    f"{field}[{i}]",
                    f"'{slug}' is listed twice (also on line {seen[slug]})",
                    "remove the repeat",
                )
                continue
            seen[slug] = line
        return tuple(seen)

    def number(self, m: LineDict, key: str, path: str) -> Decimal | None:
        value = m.get(key)
        if value is None:
            return None
        field = _join(path, key)
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            self.error(m.line_of(key), field, f"expected a number, got {_kind(value)}")
            return None
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            number = Decimal("NaN")
        if not number.is_finite():
            self.error(
                m.line_of(key),
                field,
                f"not a number: {_kind(value)}",
                "write digits with a decimal point, e.g. 1200 or 49.90 (no separators or symbols)",
            )
            return None
        return number

    def integer(self, m: LineDict, key: str, path: str, *, minimum: int) -> int | None:
        value = m.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.error(
                m.line_of(key), _join(path, key), f"expected a whole number, got {_kind(value)}"
            )
            return None
        if value < minimum:
            self.error(m.line_of(key), _join(path, key), f"must be at least {minimum}, got {value}")
            return None
        return value

    def price(self, parent: LineDict, key: str, path: str) -> Price | None:
        if parent.get(key) is None:
            return None
        field = _join(path, key)
        m = self.mapping(parent[key], parent.line_of(key), field, ("amount", "currency"))
        if m is None:
            return None
        currency = self.text(m, "currency", field)
        amount = self.number(m, "amount", field)
        ok = True
        if currency is not None and currency not in CURRENCIES:
            ok = False
            hint = (
                f"write it in upper case: {currency.upper()}"
                if currency.upper() in CURRENCIES
                else did_you_mean(currency.upper(), CURRENCIES)
                or "use an ISO 4217 code such as EUR, USD, GBP or CHF"
            )
            self.error(
                m.line_of("currency"), f"{field}.currency", f"unknown currency '{currency}'", hint
            )
        if amount is not None:
            decimals = 0 if currency in ZERO_DECIMAL_CURRENCIES else 2
            if amount < 0:
                ok = False
                self.error(m.line_of("amount"), f"{field}.amount", f"negative amount {amount}")
            elif amount != round(amount, decimals):
                ok = False
                self.error(
                    m.line_of("amount"),
                    f"{field}.amount",
                    f"{amount} has more than {decimals} decimals",
                    f"{currency} has no minor unit: use a whole number"
                    if decimals == 0
                    else "round to cents, e.g. 49.90",
                )
            if ok and currency is not None:
                return Price(amount.quantize(Decimal(1).scaleb(-decimals)), currency)
        return None

    def assessment(self, parent: LineDict, key: str, path: str) -> Assessment | None:
        field = _join(path, key)
        m = self.mapping(
            parent[key], parent.line_of(key), field, ASSESSMENT_KEYS, ASSESSMENT_OPTIONAL
        )
        if m is None:
            return None
        method = self.text(m, "method", field)
        if method is not None and method not in ASSESSMENT_METHODS:
            if method.lower() in ("attendance", "participation", "completion", "none"):
                self.error(
                    m.line_of("method"),
                    f"{field}.method",
                    f"'{method}' is not an assessment",
                    "attendance alone is not a credential: assess what the candidate can do "
                    "(one of: " + ", ".join(ASSESSMENT_METHODS) + ")",
                    check="assessed",
                )
            else:
                self.error(
                    m.line_of("method"),
                    f"{field}.method",
                    f"unknown method '{method}'",
                    did_you_mean(method, ASSESSMENT_METHODS)
                    or "one of: " + ", ".join(ASSESSMENT_METHODS),
                )
            method = None
        assesses = self.text(m, "assesses", field)
        passing = self.text(m, "passing_standard", field)
        scale: list[str] = []
        raw = m.get("result_scale")
        if raw is not None:
            if not isinstance(raw, LineList) or not raw:
                self.error(
                    m.line_of("result_scale"),
                    f"{field}.result_scale",
                    f"expected a list of result names, got {_kind(raw)}",
                    "e.g. result_scale: [pass, merit, distinction] (lowest first)",
                )
            else:
                for i, item in enumerate(raw):
                    where = f"{field}.result_scale[{i}]"
                    if not isinstance(item, str) or not item.strip():
                        self.error(
                            raw.line_of(i), where, f"expected a result name, got {_kind(item)}"
                        )
                    elif item in scale:
                        self.error(raw.line_of(i), where, f"'{item}' is listed twice")
                    else:
                        scale.append(item)
        assessors = 1
        if isinstance(m.get("assessors"), LineList):
            self.error(
                m.line_of("assessors"),
                f"{field}.assessors",
                "expected how many independent assessors a pass needs, got a list",
                "e.g. assessors: 2; the assessors themselves are listed in " + ASSESSORS_FILE,
            )
            return None
        if m.get("assessors") is not None:
            n = self.integer(m, "assessors", field, minimum=1)
            if n is None:
                return None
            assessors = n
        if method and assesses and passing:
            return Assessment(method, assesses, passing, tuple(scale), assessors)
        return None

    def web_url(self, m: LineDict, key: str, path: str) -> str | None:
        """An absolute http(s) URL (a link on the site: nothing else becomes a link)."""
        value = self.text(m, key, path)
        if value is None:
            return None
        parts = urlsplit(value)
        if (
            parts.scheme not in ("http", "https")
            or not parts.netloc
            or any(c.isspace() or ord(c) < 32 for c in value)
        ):
            self.error(
                m.line_of(key),
                _join(path, key),
                f"not an http(s) URL: '{value}'",
                "give the full address, starting with https://",
            )
            return None
        return value

    def renewal(self, parent: LineDict, key: str, path: str) -> Renewal | None:
        """The ``renewal`` rule: window_days, and cpd_hours / evidence / reassessment."""
        field = _join(path, key)
        m = self.mapping(parent[key], parent.line_of(key), field, RENEWAL_KEYS, RENEWAL_OPTIONAL)
        if m is None:
            return None
        window = self.integer(m, "window_days", field, minimum=1)
        hours = self.number(m, "cpd_hours", field)
        if hours is not None and hours <= 0:
            self.error(
                m.line_of("cpd_hours"), f"{field}.cpd_hours", f"must be more than 0, got {hours}"
            )
            hours = None
        evidence = self.text(m, "evidence", field)
        reassessment = self.text(m, "reassessment", field)
        if window is None:
            return None
        return Renewal(window, hours, evidence, reassessment)

    def image(self, m: LineDict, key: str, path: str, docs_dir: str, root: Path) -> str | None:
        """An http(s) URL, or a path relative to the MkDocs docs_dir that exists."""
        value = self.text(m, key, path)
        if value is None:
            return None
        field = _join(path, key)
        parts = urlsplit(value)
        if parts.scheme:
            if parts.scheme not in ("http", "https") or not parts.netloc:
                self.error(m.line_of(key), field, f"not an http(s) URL: '{value}'")
                return None
            return value
        if value.startswith("/") or ".." in Path(value).parts:
            self.error(
                m.line_of(key),
                field,
                f"'{value}' must be relative to {docs_dir}/",
                f"e.g. {key}: images/{Path(value).name}",
            )
            return None
        if Path(value).suffix.lower() not in IMAGE_SUFFIXES:
            self.error(
                m.line_of(key),
                field,
                f"'{value}' is not an image",
                "use " + ", ".join(IMAGE_SUFFIXES),
            )
            return None
        if not (root / docs_dir / value).is_file():
            self.error(
                m.line_of(key),
                field,
                f"file not found: {docs_dir}/{value}",
                f"add the image under {docs_dir}/, or use an https:// URL",
            )
            return None
        return value

    def when(self, m: LineDict, key: str, path: str) -> datetime | None:
        """A timezone-aware datetime; a bare date means 00:00 UTC."""
        value = m.get(key)
        field = _join(path, key)
        if value is None:
            return None
        if isinstance(value, str):
            try:
                value = datetime.fromisoformat(value.strip())
            except ValueError:
                self.error(
                    m.line_of(key),
                    field,
                    f"not an ISO 8601 date and time: '{value}'",
                    "e.g. 2026-11-28T10:00:00Z",
                )
                return None
        if isinstance(value, datetime):
            if value.tzinfo is None or value.utcoffset() is None:
                self.error(
                    m.line_of(key),
                    field,
                    "date and time without a timezone",
                    "add Z for UTC or an offset, e.g. 2026-11-28T10:00:00Z",
                )
                return None
            return value
        if isinstance(value, date):
            return datetime.combine(value, time(0), tzinfo=UTC)
        self.error(m.line_of(key), field, f"expected a date and time, got {_kind(value)}")
        return None


def _top_mapping(
    doc: _File, data: Any, required: tuple[str, ...], optional: tuple[str, ...] = ()
) -> LineDict | None:
    if data is None:
        doc.error(1, "", "the file is empty", "expected keys: " + ", ".join(required))
        return None
    if not isinstance(data, LineDict):
        doc.error(
            getattr(data, "line", 1) or 1,
            "",
            f"expected a mapping at the top level, got {_kind(data)}",
            "expected keys: " + ", ".join(required),
        )
        return None
    return doc.mapping(data, data.line, "", required, optional)


# -- the whole program ------------------------------------------------------------------------


def _multibase_ok(value: str) -> bool:
    """True for an Ed25519 Multikey: base58btc ('z') of 0xed 0x01 + 32 bytes."""
    alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
    if not value.startswith("z6Mk") or any(c not in alphabet for c in value[1:]):
        return False
    n = 0
    for c in value[1:]:
        n = n * 58 + alphabet.index(c)
    raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return len(raw) == 34 and raw[:2] == b"\xed\x01"


class _Loader:
    def __init__(self, root: Path, problems: ProblemList):
        self.root = root
        self.problems = problems
        #: ids of competencies, achievements and pathways that exist but failed their checks:
        #: the design checks skip them instead of reporting them as unknown.
        self.unloaded: set[str] = set()
        self.docs_dir = "docs"
        self.competencies_failed = False

    def read(self, rel: str, *, lenient: bool = False) -> tuple[Any, bool]:
        try:
            return read_yaml(self.root, rel, lenient=lenient), True
        except ProgramError as e:
            self.problems.extend(e.problems)
            return None, False

    def load(self) -> tuple[Program, bool]:
        """(program, complete): the program is complete when site_url and issuer are usable."""
        if not (self.root / "program").is_dir():
            self.problems.error(
                Source("program/"),
                "",
                f"no program/ folder in {self.root}",
                "run credstack from the registry root (with mkdocs.yml), or pass -C PATH",
            )
            return Program(site_url="", issuer=Issuer("", "", "", "")), False
        site_url = self.site_url()
        issuer = self.issuer()
        competencies = self.competencies()
        achievements = self.achievements()
        pathways = self.pathways()
        assessors = self.assessors()
        if not (self.root / ACHIEVEMENTS_DIR).is_dir():
            # Likewise for every achievement reference.
            for a in achievements.values():
                self.unloaded.update(a.prerequisites)
            for p in pathways.values():
                self.unloaded.update([p.certification, *p.components()])
        if self.competencies_failed:
            # Every competency reference would be "unknown": report the file, not each use.
            self.unloaded.update(c for a in achievements.values() for c in a.competencies)
        program = Program(
            site_url=site_url or "",
            issuer=issuer or Issuer(name="", url="", email="", description=""),
            competencies=competencies,
            achievements=achievements,
            pathways=pathways,
            assessors=assessors,
        )
        return program, site_url is not None and issuer is not None

    def site_url(self) -> str | None:
        data, ok = self.read(MKDOCS_FILE, lenient=True)
        if not ok:
            return None
        doc = _File(MKDOCS_FILE, self.problems)
        if not isinstance(data, LineDict):
            doc.error(1, "", f"expected a mapping at the top level, got {_kind(data)}")
            return None
        docs_dir = data.get("docs_dir")
        if isinstance(docs_dir, str) and docs_dir.strip():
            self.docs_dir = docs_dir.strip().rstrip("/")
        url = data.get("site_url")
        hint = (
            "set site_url to the public address of the site, e.g. https://example.org/credentials/"
        )
        if url is None or url == "":
            doc.error(data.line_of("site_url"), "site_url", "missing", hint)
            return None
        parts = urlsplit(url) if isinstance(url, str) else None
        if parts is None or parts.scheme not in ("http", "https") or not parts.netloc:
            doc.error(
                data.line_of("site_url"),
                "site_url",
                f"not an absolute http(s) URL: {_kind(url)}",
                hint + "; credential and issuer ids are built from it",
            )
            return None
        if parts.query or parts.fragment:
            doc.error(data.line_of("site_url"), "site_url", "must not have a query or fragment")
            return None
        text = str(url)
        return text if text.endswith("/") else text + "/"

    def issuer(self) -> Issuer | None:
        data, ok = self.read(ISSUER_FILE)
        doc = _File(ISSUER_FILE, self.problems)
        m = _top_mapping(doc, data, ISSUER_KEYS, ISSUER_OPTIONAL) if ok else None
        keys = self.keys()
        if m is None:
            return None
        name = doc.text(m, "name", "")
        url = doc.text(m, "url", "")
        if url is not None:
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https") or not parts.netloc:
                doc.error(m.line_of("url"), "url", f"not an absolute http(s) URL: '{url}'")
        email = doc.text(m, "email", "")
        if email is not None and not EMAIL.match(email):
            doc.error(
                m.line_of("email"),
                "email",
                f"not an email address: '{email}'",
                "the contact address shown on the site, e.g. credentials@example.org",
            )
        description = doc.text(m, "description", "")
        logo = doc.image(m, "logo", "", self.docs_dir, self.root)
        maintainers = self.maintainers(doc, m)
        valid_days = m.get("status_valid_days", STATUS_VALID_DAYS)
        if (
            isinstance(valid_days, bool)
            or not isinstance(valid_days, int)
            or not (1 <= valid_days <= 3660)
        ):
            doc.error(
                m.line_of("status_valid_days"),
                "status_valid_days",
                f"not a number of days between 1 and 3660: {_kind(valid_days)}",
                "how long a signed status list is valid before it must be re-signed, e.g. 35",
            )
        if doc.failed or keys is None:
            return None
        return Issuer(
            name=name or "",
            url=url or "",
            email=email or "",
            description=description or "",
            logo=logo,
            keys=keys,
            maintainers=maintainers,
            source=Source(ISSUER_FILE, m.line),
            status_valid_days=valid_days,
        )

    def maintainers(self, doc: _File, m: LineDict) -> tuple[str, ...]:
        """``maintainers``: GitHub users or teams, written ``@user`` or ``@org/team``."""
        value = m.get("maintainers")
        if value is None:
            return ()
        hint = 'GitHub users or teams, e.g. maintainers: ["@octocat", "@northwind/credentials"]'
        if not isinstance(value, LineList):
            doc.error(
                m.line_of("maintainers"),
                "maintainers",
                f"expected a list, got {_kind(value)}",
                hint,
            )
            return ()
        out: list[str] = []
        for i, item in enumerate(value):
            handle = item.strip() if isinstance(item, str) else None
            name = handle[1:] if handle and handle.startswith("@") else None
            if name is None or not (GITHUB_USER.match(name) or GITHUB_TEAM.match(name)):
                doc.error(
                    value.line_of(i),
                    f"maintainers[{i}]",
                    f"not a GitHub user or team: {_kind(item)}",
                    hint + " (quote them: @ cannot start a plain YAML value)",
                )
            elif handle in out:
                doc.error(value.line_of(i), f"maintainers[{i}]", f"'{handle}' is listed twice")
            elif handle is not None:
                out.append(handle)
        return tuple(out)

    def assessors(self) -> dict[str, Assessor]:
        """``program/assessors.yml``: who may assess which achievements (optional file)."""
        if not (self.root / ASSESSORS_FILE).exists():
            self.problems.warning(
                Source(ASSESSORS_FILE),
                "",
                "no assessors on record: awards of assessed achievements are refused",
                f"add {ASSESSORS_FILE} listing who may assess each achievement (see the program "
                "format)",
                check="assessed",
            )
            return {}
        data, ok = self.read(ASSESSORS_FILE)
        if not ok:
            return {}
        doc = _File(ASSESSORS_FILE, self.problems)
        if not isinstance(data, LineList) or not data:
            doc.error(
                getattr(data, "line", 1) or 1,
                "",
                f"expected a list of assessors at the top level, got {_kind(data)}",
                "start each assessor with '- id: ...' (id, name, achievements; url and github "
                "are optional)",
            )
            return {}
        result: dict[str, Assessor] = {}
        for i, item in enumerate(data):
            path = f"[{i}]"
            entry = _File(ASSESSORS_FILE, self.problems)
            m = entry.mapping(item, data.line_of(i), path, ASSESSOR_KEYS, ASSESSOR_OPTIONAL)
            if m is None:
                continue
            aid = (
                entry.slug(m["id"], m.line_of("id"), f"{path}.id", "assessor")
                if m.get("id") is not None
                else None
            )
            if aid is not None and aid in result:
                entry.error(
                    m.line_of("id"),
                    f"{path}.id",
                    f"duplicate assessor id '{aid}' (also on line {result[aid].source.line})",
                    "give each assessor their own id; list all their achievements in one entry",
                )
                continue
            name = entry.text(m, "name", path)
            achievements = entry.ids(m, "achievements", path, "achievement", allow_empty=False)
            url = entry.web_url(m, "url", path)
            github = entry.text(m, "github", path)
            if github is not None:
                github = github.removeprefix("@")
                if not GITHUB_USER.match(github):
                    entry.error(
                        m.line_of("github"),
                        f"{path}.github",
                        f"not a GitHub user name: '{github}'",
                        "letters, digits and single hyphens, at most 39 characters",
                    )
            if entry.failed or aid is None:
                continue
            result[aid] = Assessor(
                id=aid,
                name=" ".join((name or "").split()),
                achievements=achievements,
                url=url,
                github=github,
                source=Source(ASSESSORS_FILE, data.line_of(i)),
                lines=_line_map(m),
            )
        return result

    def keys(self) -> tuple[IssuerKey, ...] | None:
        if not (self.root / KEYS_FILE).exists():
            return ()
        data, ok = self.read(KEYS_FILE)
        doc = _File(KEYS_FILE, self.problems)
        m = _top_mapping(doc, data, ("keys",)) if ok else None
        if m is None:
            return None
        items = m.get("keys")
        if not isinstance(items, LineList):
            if items is not None:
                doc.error(m.line_of("keys"), "keys", f"expected a list of keys, got {_kind(items)}")
            return None
        keys: list[IssuerKey] = []
        ids: dict[str, int] = {}
        publics: dict[str, int] = {}
        for i, item in enumerate(items):
            path = f"keys[{i}]"
            k = doc.mapping(item, items.line_of(i), path, KEY_KEYS, ("retired",))
            if k is None:
                continue
            key_id = doc.text(k, "id", path)
            if key_id is not None:
                if not KEY_ID.match(key_id):
                    doc.error(
                        k.line_of("id"),
                        f"{path}.id",
                        f"not a valid key id: '{key_id}'",
                        "lower-case letters, digits and hyphens, e.g. key-2026-11-28",
                    )
                elif key_id in ids:
                    doc.error(
                        k.line_of("id"),
                        f"{path}.id",
                        f"duplicate key id '{key_id}' (also on line {ids[key_id]})",
                        "every key needs its own id",
                    )
                else:
                    ids[key_id] = k.line_of("id")
            public = doc.text(k, "publicKeyMultibase", path)
            if public is not None:
                if not _multibase_ok(public):
                    doc.error(
                        k.line_of("publicKeyMultibase"),
                        f"{path}.publicKeyMultibase",
                        "not an Ed25519 public key in Multikey form (z6Mk...)",
                        "write keys with `credstack keys`; never put a secret key here",
                    )
                elif public in publics:
                    doc.error(
                        k.line_of("publicKeyMultibase"),
                        f"{path}.publicKeyMultibase",
                        f"the same public key is listed twice (also on line {publics[public]})",
                    )
                else:
                    publics[public] = k.line_of("publicKeyMultibase")
            created = doc.when(k, "created", path)
            retired_at = retired_reason = None
            if k.get("retired") is not None:
                r = doc.mapping(
                    k["retired"], k.line_of("retired"), f"{path}.retired", ("at",), ("reason",)
                )
                if r is not None:
                    retired_at = doc.when(r, "at", f"{path}.retired")
                    retired_reason = doc.text(r, "reason", f"{path}.retired")
                    if created and retired_at and retired_at <= created:
                        doc.error(
                            r.line_of("at"),
                            f"{path}.retired.at",
                            "a key must be retired after it was created",
                        )
            if not doc.failed and key_id and public and created:
                keys.append(
                    IssuerKey(
                        id=key_id,
                        public_key_multibase=public,
                        created=created,
                        retired_at=retired_at,
                        retired_reason=retired_reason,
                        source=Source(KEYS_FILE, items.line_of(i)),
                    )
                )
        return None if doc.failed else tuple(keys)

    def competencies(self) -> dict[str, Competency]:
        data, ok = self.read(COMPETENCIES_FILE)
        doc = _File(COMPETENCIES_FILE, self.problems)
        if not ok or not isinstance(data, LineList):
            self.competencies_failed = True
        if not ok:
            return {}
        if not isinstance(data, LineList):
            doc.error(
                getattr(data, "line", 1) or 1,
                "",
                f"expected a list of competencies at the top level, got {_kind(data)}",
                "start each competency with '- id: ...'",
            )
            return {}
        result: dict[str, Competency] = {}
        spellings: dict[str, list[tuple[str, LineDict, str]]] = {}
        for i, item in enumerate(data):
            path = f"[{i}]"
            entry = _File(COMPETENCIES_FILE, self.problems)
            m = entry.mapping(item, data.line_of(i), path, COMPETENCY_KEYS)
            if m is None:
                continue
            cid = (
                entry.slug(m["id"], m.line_of("id"), f"{path}.id", "competency")
                if m.get("id") is not None
                else None
            )
            if cid is not None and (cid in result or cid in self.unloaded):
                first = result[cid].source.line if cid in result else 0
                entry.error(
                    m.line_of("id"),
                    f"{path}.id",
                    f"duplicate competency id '{cid}'"
                    + (f" (also on line {first})" if first else ""),
                    "give each competency its own id",
                )
                continue
            name = entry.text(m, "name", path)
            description = entry.text(m, "description", path)
            domain = entry.text(m, "domain", path)
            kind = entry.choice(m, "kind", path, COMPETENCY_KINDS)
            if domain is not None:
                spellings.setdefault(domain.casefold(), []).append((domain, m, path))
            if entry.failed or cid is None:
                if cid is not None:
                    self.unloaded.add(cid)
                continue
            result[cid] = Competency(
                id=cid,
                name=name or "",
                description=description or "",
                domain=domain or "",
                kind=kind,  # type: ignore[arg-type]
                source=Source(COMPETENCIES_FILE, data.line_of(i)),
            )
        if not data:
            doc.error(data.line or 1, "", "no competencies", "list at least one competency")
        # One domain, one spelling: the most common spelling wins, the others are reported.
        for uses in spellings.values():
            usual, _ = Counter(u[0] for u in uses).most_common(1)[0]
            first = next(m.line_of("domain") for d, m, _ in uses if d == usual)
            for domain, m, path in uses:
                if domain != usual:
                    doc.error(
                        m.line_of("domain"),
                        f"{path}.domain",
                        f"domain '{domain}' differs from '{usual}' (line {first}) only in case",
                        f"write '{usual}'",
                    )
                    cid = str(m.get("id"))
                    if result.pop(cid, None) is not None:
                        self.unloaded.add(cid)
        return result

    def _files(self, folder: str, what: str) -> list[tuple[str, str]]:
        """(id, relative path) of each YAML file in ``folder``, reporting bad names."""
        directory = self.root / folder
        if not directory.is_dir():
            self.problems.error(
                Source(folder),
                "",
                "folder not found",
                f"add {folder}/<id>.yml for each {what}",
            )
            return []
        result: list[tuple[str, str]] = []
        seen: dict[str, str] = {}
        for path in sorted(directory.iterdir()):
            rel = f"{folder}/{path.name}"
            if path.name.startswith(".") or not path.is_file():
                continue
            if path.suffix not in YAML_SUFFIXES:
                self.problems.warning(
                    Source(rel), "", "ignored: not a .yml file", f"only {what} files belong here"
                )
                continue
            stem = path.stem
            if not SLUG.match(stem):
                self.problems.error(
                    Source(rel),
                    "",
                    f"'{path.name}' is not a valid {what} id",
                    f"rename it to {re.sub('[^a-z0-9-]+', '-', stem.lower()).strip('-')}.yml: "
                    "ids are lower-case letters, digits and hyphens",
                )
                continue
            if stem in seen:
                self.problems.error(
                    Source(rel),
                    "",
                    f"{what} '{stem}' is defined twice (also in {seen[stem]})",
                    "keep one of the two files",
                )
                continue
            seen[stem] = rel
            result.append((stem, rel))
        return result

    def achievements(self) -> dict[str, Achievement]:
        loaded: list[Achievement] = []
        for aid, rel in self._files(ACHIEVEMENTS_DIR, "achievement"):
            achievement = self.achievement(aid, rel)
            if achievement is None:
                self.unloaded.add(aid)
            else:
                loaded.append(achievement)
        loaded.sort(key=lambda a: (LEVELS.index(a.level), a.id))
        return {a.id: a for a in loaded}

    def achievement(self, aid: str, rel: str) -> Achievement | None:
        data, ok = self.read(rel)
        if not ok:
            return None
        doc = _File(rel, self.problems)
        m = _top_mapping(doc, data, ACHIEVEMENT_KEYS, ACHIEVEMENT_OPTIONAL)
        if m is None:
            return None
        name = doc.text(m, "name", "")
        level = doc.choice(m, "level", "", LEVELS)
        description = doc.text(m, "description", "")
        criteria = doc.text(m, "criteria", "")
        competencies = doc.ids(m, "competencies", "", "competency", allow_empty=False)
        assessment = (
            doc.assessment(m, "assessment", "") if m.get("assessment") is not None else None
        )
        hours = doc.number(m, "hours", "")
        if hours is not None and hours <= 0:
            doc.error(m.line_of("hours"), "hours", f"must be more than 0, got {hours}")
        prerequisites = doc.ids(m, "prerequisites", "", "achievement", allow_empty=True)
        price = doc.price(m, "price", "")
        validity = doc.integer(m, "validity_months", "", minimum=1)
        image = doc.image(m, "image", "", self.docs_dir, self.root)
        enrol_url = doc.web_url(m, "enrol_url", "")
        renewal = doc.renewal(m, "renewal", "") if m.get("renewal") is not None else None
        color = None
        if "color" in m:
            color = m["color"]
            if color is None:
                doc.error(
                    m.line_of("color"),
                    "color",
                    "has no value",
                    "'#' starts a comment in YAML: quote the color, e.g. color: \"#1f6feb\"",
                )
            elif not isinstance(color, str) or not COLOR.match(color):
                doc.error(
                    m.line_of("color"),
                    "color",
                    f"not a #rrggbb color: {_kind(color)}",
                    'e.g. color: "#1f6feb"',
                )
        if doc.failed or (m.get("assessment") is not None and assessment is None):
            return None
        assert level is not None and price is not None and hours is not None
        return Achievement(
            id=aid,
            name=name or "",
            level=level,  # type: ignore[arg-type]
            description=description or "",
            criteria=criteria or "",
            competencies=competencies,
            assessment=assessment,
            hours=float(hours),
            prerequisites=prerequisites,
            price=price,
            validity_months=validity,
            image=image,
            color=color,
            enrol_url=enrol_url,
            renewal=renewal,
            source=Source(rel, m.line),
            lines=_line_map(m),
        )

    def pathways(self) -> dict[str, Pathway]:
        result: dict[str, Pathway] = {}
        for pid, rel in self._files(PATHWAYS_DIR, "pathway"):
            pathway = self.pathway(pid, rel)
            if pathway is None:
                self.unloaded.add(pid)
            else:
                result[pid] = pathway
        return result

    def pathway(self, pid: str, rel: str) -> Pathway | None:
        data, ok = self.read(rel)
        if not ok:
            return None
        doc = _File(rel, self.problems)
        m = _top_mapping(doc, data, PATHWAY_KEYS, PATHWAY_OPTIONAL)
        if m is None:
            return None
        name = doc.text(m, "name", "")
        description = doc.text(m, "description", "")
        certification = None
        if m.get("certification") is not None:
            certification = doc.slug(
                m["certification"], m.line_of("certification"), "certification", "achievement"
            )
        groups = self.groups(doc, m)
        capstone = doc.assessment(m, "capstone", "") if m.get("capstone") is not None else None
        bundle = doc.price(m, "bundle_price", "")
        enrol_url = doc.web_url(m, "enrol_url", "")
        credit = doc.number(m, "credit_percent", "")
        if credit is not None and not 0 <= credit <= 100:
            doc.error(
                m.line_of("credit_percent"),
                "credit_percent",
                f"must be between 0 and 100, got {credit}",
                "the share (in %) of each held micro-credential's price credited toward the "
                "certification",
            )
        if doc.failed:
            return None
        assert certification and capstone and bundle and credit is not None
        return Pathway(
            id=pid,
            name=name or "",
            description=description or "",
            certification=certification,
            requires=groups,
            capstone=capstone,
            bundle_price=bundle,
            credit_percent=credit,
            enrol_url=enrol_url,
            source=Source(rel, m.line),
            lines=_line_map(m),
        )

    def groups(self, doc: _File, m: LineDict) -> tuple[RequirementGroup, ...]:
        items = m.get("requires")
        if items is None:
            return ()
        if not isinstance(items, LineList) or not items:
            doc.error(
                m.line_of("requires"),
                "requires",
                f"expected a list of requirement groups, got {_kind(items)}",
                "e.g. requires: [{all: [a, b]}, {at_least: 2, of: [c, d, e]}]",
            )
            return ()
        groups: list[RequirementGroup] = []
        for i, item in enumerate(items):
            path = f"requires[{i}]"
            line = items.line_of(i)
            shape_hint = "a group is either 'all: [ids]' or 'at_least: N' with 'of: [ids]'"
            if not isinstance(item, LineDict):
                doc.error(
                    line, path, f"expected a requirement group, got {_kind(item)}", shape_hint
                )
                continue
            shape = {"all", "at_least", "of"} & set(item)
            if not shape or ("all" in shape and len(shape) > 1):
                doc.error(line, path, "not a requirement group", shape_hint)
                continue
            if "all" in item:
                g = doc.mapping(item, line, path, ("all",))
                if g is None:
                    continue
                ids = doc.ids(g, "all", path, "achievement", allow_empty=False)
                groups.append(RequirementGroup(ids, None, Source(doc.rel, line)))
                continue
            g = doc.mapping(item, line, path, ("at_least", "of"))
            if g is None:
                continue
            ids = doc.ids(g, "of", path, "achievement", allow_empty=False)
            n = doc.integer(g, "at_least", path, minimum=1)
            if n is not None:
                groups.append(RequirementGroup(ids, n, Source(doc.rel, line)))
        return tuple(groups)

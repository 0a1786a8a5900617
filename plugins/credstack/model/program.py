"""The program: issuer, competencies, achievements and pathways, as pure, immutable data.

No I/O here: ``credstack.registry.program`` reads ``program/*.yml`` and builds these objects;
``credstack.model.lint`` checks them. Every object remembers where it was defined
(:class:`Source`) so that problems can be reported compiler style.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Literal

Level = Literal["foundation", "practitioner", "certification"]
LEVELS: tuple[Level, ...] = ("foundation", "practitioner", "certification")

AssessmentMethod = Literal[
    "applied-project", "performance-demonstration", "knowledge-exam", "portfolio-review"
]
ASSESSMENT_METHODS: tuple[AssessmentMethod, ...] = (
    "applied-project",
    "performance-demonstration",
    "knowledge-exam",
    "portfolio-review",
)

CompetencyKind = Literal["knowledge", "skill"]
COMPETENCY_KINDS: tuple[CompetencyKind, ...] = ("knowledge", "skill")

#: Usual learning hours per level (inclusive); outside this band lint warns.
LEVEL_HOURS: dict[str, tuple[float, float]] = {
    "foundation": (4, 8),
    "practitioner": (8, 20),
}

#: OB 3.0 achievementType for each level.
ACHIEVEMENT_TYPE: dict[str, str] = {
    "foundation": "MicroCredential",
    "practitioner": "MicroCredential",
    "certification": "Certification",
}


@dataclass(frozen=True)
class Source:
    """Where something was defined: a path relative to the registry root and a 1-based line."""

    file: str
    line: int = 0

    def __str__(self) -> str:
        return f"{self.file}:{self.line}" if self.line else self.file


def _where(source: Source, lines: Mapping[str, int], path: str) -> Source:
    # The closest recorded ancestor: "price.amount" falls back to "price", then to the object.
    while path:
        if path in lines:
            return Source(source.file, lines[path])
        cut = max(path.rfind("."), path.rfind("["))
        path = path[:cut] if cut > 0 else ""
    return source


@dataclass(frozen=True)
class Price:
    amount: Decimal
    currency: str  # ISO 4217, upper case

    def __str__(self) -> str:
        return f"{self.amount:,.2f} {self.currency}"


@dataclass(frozen=True)
class IssuerKey:
    """One of the issuer's Ed25519 signing keys, published as a Multikey verification method."""

    id: str  # fragment, e.g. "key-2026-11-28"
    public_key_multibase: str  # "z6Mk..."
    created: datetime
    retired_at: datetime | None = None
    retired_reason: str | None = None
    source: Source = Source("program/keys.yml")

    def usable_at(self, when: datetime) -> bool:
        """True when a proof created at ``when`` may use this key (created <= when < retired)."""
        if when < self.created:
            return False
        return self.retired_at is None or when < self.retired_at


#: Days a signed status list stays valid (its validUntil): it must be re-signed before then
#: (`credstack status refresh`, run by a scheduled workflow), or verifiers call it stale.
STATUS_VALID_DAYS = 35


@dataclass(frozen=True)
class Issuer:
    name: str
    url: str
    email: str
    description: str
    logo: str | None = None
    keys: tuple[IssuerKey, ...] = ()
    #: GitHub users or teams (``@octocat``, ``@org/team``) who maintain the program: they own
    #: ``program/`` and the status changes in the generated CODEOWNERS.
    maintainers: tuple[str, ...] = ()
    source: Source = Source("program/issuer.yml")
    #: How long a signed status list is valid (issuer.yml ``status_valid_days``).
    status_valid_days: int = STATUS_VALID_DAYS

    def key(self, key_id: str) -> IssuerKey | None:
        return next((k for k in self.keys if k.id == key_id), None)


@dataclass(frozen=True)
class Competency:
    id: str
    name: str
    description: str
    domain: str
    kind: CompetencyKind
    source: Source = Source("program/competencies.yml")


@dataclass(frozen=True)
class Assessment:
    method: AssessmentMethod
    assesses: str  # what is assessed
    passing_standard: str
    result_scale: tuple[str, ...] = ()  # e.g. ("pass", "merit", "distinction"), best last
    #: How many independent assessors a pass needs.
    assessors: int = 1


@dataclass(frozen=True)
class Assessor:
    """Someone on record as allowed to assess candidates for some achievements."""

    id: str
    name: str
    achievements: tuple[str, ...]
    url: str | None = None  # public profile, http(s)
    github: str | None = None  # GitHub user name, without "@"
    source: Source = Source("program/assessors.yml")
    #: Line of each field path ("achievements[1]"). Not part of equality.
    lines: Mapping[str, int] = field(default_factory=dict, compare=False, repr=False)

    def where(self, path: str = "") -> Source:
        """The source of a field (e.g. ``"achievements[1]"``), else of the assessor."""
        return _where(self.source, self.lines, path)

    def may_assess(self, achievement_id: str) -> bool:
        return achievement_id in self.achievements


@dataclass(frozen=True)
class Renewal:
    """How a holder renews an expiring credential: from ``window_days`` before it expires,
    with continuing professional development (CPD) and, optionally, a reassessment."""

    window_days: int  # the renewal window opens this many days before validUntil
    cpd_hours: Decimal | None = None  # CPD hours since the credential was issued
    evidence: str | None = None  # what CPD evidence the holder submits
    reassessment: str | None = None  # what is reassessed (renewing then needs a result)


@dataclass(frozen=True)
class Achievement:
    id: str
    name: str
    level: Level
    description: str
    criteria: str
    competencies: tuple[str, ...]
    assessment: Assessment | None
    hours: float
    prerequisites: tuple[str, ...]
    price: Price
    validity_months: int | None = None
    image: str | None = None
    color: str | None = None
    #: Where to enrol or buy (any checkout, e.g. a payment link): an http(s) URL.
    enrol_url: str | None = None
    renewal: Renewal | None = None
    source: Source = Source("program/achievements")
    #: Line of each field path in the source file ("price.amount", "prerequisites[1]"), so that
    #: design checks can point at the exact line. Not part of equality.
    lines: Mapping[str, int] = field(default_factory=dict, compare=False, repr=False)

    def where(self, path: str = "") -> Source:
        """The source of a field (e.g. ``"prerequisites[1]"``), else of the achievement."""
        return _where(self.source, self.lines, path)

    @property
    def achievement_type(self) -> str:
        return ACHIEVEMENT_TYPE[self.level]

    @property
    def is_micro(self) -> bool:
        return self.level != "certification"


@dataclass(frozen=True)
class RequirementGroup:
    """``all`` of the listed achievements, or ``at_least`` N of them."""

    achievements: tuple[str, ...]
    at_least: int | None = None  # None means all
    source: Source = Source("program/pathways")

    @property
    def needed(self) -> int:
        return len(self.achievements) if self.at_least is None else self.at_least

    def describe(self) -> str:
        if self.at_least is None:
            return "all of " + ", ".join(self.achievements)
        return f"at least {self.at_least} of " + ", ".join(self.achievements)


@dataclass(frozen=True)
class Pathway:
    id: str
    name: str
    description: str
    certification: str  # achievement id (level certification)
    requires: tuple[RequirementGroup, ...]
    capstone: Assessment
    bundle_price: Price
    #: Share (%) of each held micro-credential's price credited toward the certification's price.
    credit_percent: Decimal
    #: Where to enrol in (buy) the whole pathway at the bundle price: an http(s) URL.
    enrol_url: str | None = None
    source: Source = Source("program/pathways")
    #: Line of each field path in the source file ("requires[1].of[0]"). Not part of equality.
    lines: Mapping[str, int] = field(default_factory=dict, compare=False, repr=False)

    def where(self, path: str = "") -> Source:
        """The source of a field (e.g. ``"requires[1].of[0]"``), else of the pathway."""
        return _where(self.source, self.lines, path)

    def components(self) -> tuple[str, ...]:
        """Every achievement id named in the requirement, in order, without repeats."""
        seen: dict[str, None] = {}
        for group in self.requires:
            for a in group.achievements:
                seen.setdefault(a, None)
        return tuple(seen)

    def missing(self, held: set[str]) -> list[RequirementGroup]:
        """The requirement groups that ``held`` (achievement ids) does not satisfy."""
        return [g for g in self.requires if len(held & set(g.achievements)) < g.needed]

    def progress(self, held: set[str]) -> tuple[int, int]:
        """(steps done, steps needed) toward the requirement, capstone excluded."""
        done = sum(min(len(held & set(g.achievements)), g.needed) for g in self.requires)
        return done, sum(g.needed for g in self.requires)


@dataclass(frozen=True)
class Program:
    """The whole program definition, plus the public site URL from ``mkdocs.yml``."""

    site_url: str  # always ends with "/"
    issuer: Issuer
    competencies: dict[str, Competency] = field(default_factory=dict)
    achievements: dict[str, Achievement] = field(default_factory=dict)
    pathways: dict[str, Pathway] = field(default_factory=dict)
    #: Assessors on record (``program/assessors.yml``), by id; empty when there is no file.
    assessors: dict[str, Assessor] = field(default_factory=dict)

    def assessors_needed(self, achievement_id: str) -> int:
        """How many independent assessors a pass of ``achievement_id`` needs (0: not assessed).

        A certification needs at least as many as its pathway's capstone asks for.
        """
        achievement = self.achievements.get(achievement_id)
        if achievement is None or achievement.assessment is None:
            return 0
        needed = achievement.assessment.assessors
        pathway = self.pathway_for(achievement_id)
        if pathway is not None:
            needed = max(needed, pathway.capstone.assessors)
        return needed

    def assessors_for(self, achievement_id: str) -> list[Assessor]:
        """The assessors on record who may assess ``achievement_id``, in file order."""
        return [a for a in self.assessors.values() if a.may_assess(achievement_id)]

    def pathway_for(self, certification_id: str) -> Pathway | None:
        return next(
            (p for p in self.pathways.values() if p.certification == certification_id), None
        )

    def by_level(self, level: Level) -> list[Achievement]:
        return [a for a in self.achievements.values() if a.level == level]

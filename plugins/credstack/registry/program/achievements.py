"""``program/achievements/<id>.yml``: one achievement a file, with its assessment and price.

Besides the achievement's own keys this reads the values it introduces, which pathways reuse: an
:class:`Assessment` (also a pathway's capstone), a :class:`Price` in an ISO 4217 currency (also a
pathway's bundle price) and the :class:`Renewal` rule. Achievements are ordered by level, then id.
"""

from __future__ import annotations

import re
from decimal import Decimal

from credstack.model.problems import did_you_mean
from credstack.model.program import (
    ASSESSMENT_METHODS,
    LEVELS,
    Achievement,
    Assessment,
    Price,
    Renewal,
    Source,
)
from credstack.registry.program.document import (
    ProgramFile,
    join_field,
    kind_of,
    line_map,
    top_mapping,
)
from credstack.registry.program.reader import ACHIEVEMENTS_DIR, ASSESSORS_FILE, ProgramReader
from credstack.registry.yamlio import LineDict, LineList

COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")

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
ASSESSMENT_KEYS = ("method", "assesses", "passing_standard")
ASSESSMENT_OPTIONAL = ("result_scale", "assessors")


def read_achievements(reader: ProgramReader) -> dict[str, Achievement]:
    """Every achievement file that passes its checks, by id, ordered by level, then id."""
    loaded: list[Achievement] = []
    for aid, rel in reader.yaml_files(ACHIEVEMENTS_DIR, "achievement"):
        achievement = read_achievement(reader, aid, rel)
        if achievement is None:
            reader.unloaded.add(aid)
        else:
            loaded.append(achievement)
    loaded.sort(key=lambda a: (LEVELS.index(a.level), a.id))
    return {a.id: a for a in loaded}


def read_achievement(reader: ProgramReader, aid: str, rel: str) -> Achievement | None:
    """The achievement in ``rel`` (id ``aid``); None when the file has an error (reported)."""
    data, ok = reader.read(rel)
    if not ok:
        return None
    doc = ProgramFile(rel, reader.problems)
    m = top_mapping(doc, data, ACHIEVEMENT_KEYS, ACHIEVEMENT_OPTIONAL)
    if m is None:
        return None
    name = doc.text(m, "name", "")
    level = doc.choice(m, "level", "", LEVELS)
    description = doc.text(m, "description", "")
    criteria = doc.text(m, "criteria", "")
    competencies = doc.ids(m, "competencies", "", "competency", allow_empty=False)
    assessment = (
        read_assessment(doc, m, "assessment", "") if m.get("assessment") is not None else None
    )
    hours = doc.number(m, "hours", "")
    if hours is not None and hours <= 0:
        doc.error(m.line_of("hours"), "hours", f"must be more than 0, got {hours}")
    prerequisites = doc.ids(m, "prerequisites", "", "achievement", allow_empty=True)
    price = read_price(doc, m, "price", "")
    validity = doc.integer(m, "validity_months", "", minimum=1)
    image = doc.image(m, "image", "", reader.docs_dir, reader.root)
    enrol_url = doc.web_url(m, "enrol_url", "")
    renewal = read_renewal(doc, m, "renewal", "") if m.get("renewal") is not None else None
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
                f"not a #rrggbb color: {kind_of(color)}",
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
        lines=line_map(m),
    )


def read_price(doc: ProgramFile, parent: LineDict, key: str, path: str) -> Price | None:
    """``parent[key]`` as a Price (amount and ISO 4217 currency); None when absent or invalid."""
    if parent.get(key) is None:
        return None
    field = join_field(path, key)
    m = doc.mapping(parent[key], parent.line_of(key), field, ("amount", "currency"))
    if m is None:
        return None
    currency = doc.text(m, "currency", field)
    amount = doc.number(m, "amount", field)
    ok = True
    if currency is not None and currency not in CURRENCIES:
        ok = False
        hint = (
            f"write it in upper case: {currency.upper()}"
            if currency.upper() in CURRENCIES
            else did_you_mean(currency.upper(), CURRENCIES)
            or "use an ISO 4217 code such as EUR, USD, GBP or CHF"
        )
        doc.error(
            m.line_of("currency"), f"{field}.currency", f"unknown currency '{currency}'", hint
        )
    if amount is not None:
        decimals = 0 if currency in ZERO_DECIMAL_CURRENCIES else 2
        if amount < 0:
            ok = False
            doc.error(m.line_of("amount"), f"{field}.amount", f"negative amount {amount}")
        elif amount != round(amount, decimals):
            ok = False
            doc.error(
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


def read_assessment(doc: ProgramFile, parent: LineDict, key: str, path: str) -> Assessment | None:
    """``parent[key]`` as an Assessment; None when it has an error (reported)."""
    field = join_field(path, key)
    m = doc.mapping(parent[key], parent.line_of(key), field, ASSESSMENT_KEYS, ASSESSMENT_OPTIONAL)
    if m is None:
        return None
    method = doc.text(m, "method", field)
    if method is not None and method not in ASSESSMENT_METHODS:
        if method.lower() in ("attendance", "participation", "completion", "none"):
            doc.error(
                m.line_of("method"),
                f"{field}.method",
                f"'{method}' is not an assessment",
                "attendance alone is not a credential: assess what the candidate can do "
                "(one of: " + ", ".join(ASSESSMENT_METHODS) + ")",
                check="assessed",
            )
        else:
            doc.error(
                m.line_of("method"),
                f"{field}.method",
                f"unknown method '{method}'",
                did_you_mean(method, ASSESSMENT_METHODS)
                or "one of: " + ", ".join(ASSESSMENT_METHODS),
            )
        method = None
    assesses = doc.text(m, "assesses", field)
    passing = doc.text(m, "passing_standard", field)
    scale: list[str] = []
    raw = m.get("result_scale")
    if raw is not None:
        if not isinstance(raw, LineList) or not raw:
            doc.error(
                m.line_of("result_scale"),
                f"{field}.result_scale",
                f"expected a list of result names, got {kind_of(raw)}",
                "e.g. result_scale: [pass, merit, distinction] (lowest first)",
            )
        else:
            for i, item in enumerate(raw):
                where = f"{field}.result_scale[{i}]"
                if not isinstance(item, str) or not item.strip():
                    doc.error(raw.line_of(i), where, f"expected a result name, got {kind_of(item)}")
                elif item in scale:
                    doc.error(raw.line_of(i), where, f"'{item}' is listed twice")
                else:
                    scale.append(item)
    assessors = 1
    if isinstance(m.get("assessors"), LineList):
        doc.error(
            m.line_of("assessors"),
            f"{field}.assessors",
            "expected how many independent assessors a pass needs, got a list",
            "e.g. assessors: 2; the assessors themselves are listed in " + ASSESSORS_FILE,
        )
        return None
    if m.get("assessors") is not None:
        n = doc.integer(m, "assessors", field, minimum=1)
        if n is None:
            return None
        assessors = n
    if method and assesses and passing:
        return Assessment(method, assesses, passing, tuple(scale), assessors)
    return None


def read_renewal(doc: ProgramFile, parent: LineDict, key: str, path: str) -> Renewal | None:
    """The ``renewal`` rule: window_days, and cpd_hours / evidence / reassessment."""
    field = join_field(path, key)
    m = doc.mapping(parent[key], parent.line_of(key), field, RENEWAL_KEYS, RENEWAL_OPTIONAL)
    if m is None:
        return None
    window = doc.integer(m, "window_days", field, minimum=1)
    hours = doc.number(m, "cpd_hours", field)
    if hours is not None and hours <= 0:
        doc.error(m.line_of("cpd_hours"), f"{field}.cpd_hours", f"must be more than 0, got {hours}")
        hours = None
    evidence = doc.text(m, "evidence", field)
    reassessment = doc.text(m, "reassessment", field)
    if window is None:
        return None
    return Renewal(window, hours, evidence, reassessment)

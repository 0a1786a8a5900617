"""Shared test helpers: the TEST-ONLY signing key and scratch registries.

The key below is derived from a fixed seed and is for tests only: it signs scratch copies of
the demo registry, never the committed demo, so signatures in tests are deterministic.
"""

from __future__ import annotations

import shutil
from dataclasses import replace
from datetime import UTC, datetime
from itertools import count
from pathlib import Path

from credstack.crypto.keys import SigningKey
from credstack.registry.award import AwardInput, plan_awards, write_plan
from credstack.registry.keys import create_key, find_signing_key
from credstack.registry.registry import Registry

REPO = Path(__file__).resolve().parent.parent
TEST_SEED = bytes(range(32))  # TEST-ONLY
TEST_KEY_ID = "test-key"
KEY_CREATED = datetime(2024, 1, 1, tzinfo=UTC)


def demo_credential(name: str, achievement: str, root: Path = REPO) -> str:
    """The id of the demo credential awarded to ``name`` for ``achievement`` (by its story,
    see bench/demo.py), so that tests never hard-code ids that a rebuilt demo may change."""
    import json

    found = []
    for path in sorted((root / "issued" / "credentials").rglob("*.json")):  # flat or sharded
        doc = json.loads(path.read_text("utf-8"))
        subject = doc["credentialSubject"]
        names = [i["identityHash"] for i in subject["identifier"] if i["identityType"] == "name"]
        if names == [name] and subject["achievement"]["humanCode"] == achievement:
            found.append(path.stem)
    assert len(found) == 1, f"the demo has {len(found)} {achievement} credentials for {name}"
    return found[0]


def fixed_signing_key() -> SigningKey:
    return SigningKey.from_seed(TEST_SEED)


def at(text: str) -> datetime:
    """'2026-03-01' or '2026-03-01T10:00' as an aware UTC datetime."""
    value = datetime.fromisoformat(text)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def scratch_registry(tmp: Path, *, with_issued: bool = False) -> Path:
    """A writable copy of the demo registry (program, mkdocs.yml, site_src) with the test key.

    ``issued/`` starts empty unless ``with_issued``; the demo's own keys are replaced by the
    TEST-ONLY key so the test can sign.
    """
    root = tmp / "registry"
    root.mkdir()
    shutil.copytree(REPO / "program", root / "program")
    shutil.copy2(REPO / "mkdocs.yml", root / "mkdocs.yml")
    if (REPO / "site_src").is_dir():
        shutil.copytree(REPO / "site_src", root / "site_src")
    if with_issued and (REPO / "issued").is_dir():
        shutil.copytree(REPO / "issued", root / "issued")
    else:
        (root / "issued").mkdir()
        (root / "program" / "keys.yml").unlink(missing_ok=True)
    registry = Registry(root)
    create_key(
        registry.program,
        root,
        now=KEY_CREATED,
        key_id=TEST_KEY_ID,
        store=False,
        secret=fixed_signing_key(),
    )
    return root


_SALTS = count(1)


def salts():
    """Deterministic salts (unique within a test session) for reproducible credential ids."""
    return lambda: f"{next(_SALTS):032x}"


def assessed_by(program, aid: str) -> tuple[str, ...]:
    """As many assessors on record for ``aid`` as a pass needs (the first ones in the file)."""
    needed = program.assessors_needed(aid)
    return tuple(a.id for a in program.assessors_for(aid)[:needed])


def with_assessors(program, inp: AwardInput) -> AwardInput:
    """``inp`` with the assessors a pass needs, unless it names its own."""
    if inp.assessors or inp.keep_assessment or inp.achievement not in program.achievements:
        return inp
    return replace(inp, assessors=assessed_by(program, inp.achievement))


def award(
    root: Path,
    *inputs: AwardInput,
    signed_at: datetime | None = None,
    salt=None,
    allow_backdated: bool = True,
):
    """Award through the real code path with the test key; returns the AwardPlan.

    Inputs that name no assessors get the first ones on record for their achievement.
    Back-dated awards are allowed here (tests sign old awards at fixed dates); the rule itself
    is tested in tests/integration/test_bad_input.py.
    """
    registry = Registry(root)
    inputs = tuple(with_assessors(registry.program, i) for i in inputs)
    key = find_signing_key(
        registry.program,
        root,
        env={"CREDSTACK_SIGNING_KEY": fixed_signing_key().to_multibase_secret()},
    )
    when = signed_at or max(i.issued_at for i in inputs)
    plan = plan_awards(
        registry,
        inputs,
        key,
        signed_at=when,
        salt_factory=salt or salts(),
        allow_backdated=allow_backdated,
    )
    write_plan(plan)
    return plan


def loaded_test_key(root: Path):
    registry = Registry(root)
    return find_signing_key(
        registry.program,
        root,
        env={"CREDSTACK_SIGNING_KEY": fixed_signing_key().to_multibase_secret()},
    )


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under issued/ and program/ with its bytes (to prove nothing changed)."""
    out = {}
    for folder in ("issued", "program"):
        for path in sorted((root / folder).rglob("*")):
            if path.is_file():
                out[str(path.relative_to(root))] = path.read_bytes()
    return out


def stack_order(program, certification: str | None = None) -> list[str]:
    """Achievement ids that earn ``certification`` (default: the first), prerequisites first."""
    pathway = (
        program.pathway_for(certification)
        if certification
        else next(iter(program.pathways.values()))
    )
    chosen: list[str] = []
    for group in pathway.requires:
        chosen.extend(group.achievements[: group.needed])
    ordered: list[str] = []

    def visit(aid: str) -> None:
        for pre in program.achievements[aid].prerequisites:
            visit(pre)
        if aid not in ordered:
            ordered.append(aid)

    for aid in chosen:
        visit(aid)
    return ordered


def result_for(program, aid: str) -> str | None:
    assessment = program.achievements[aid].assessment
    if assessment and assessment.result_scale:
        return assessment.result_scale[-1]
    return None


def earn_certification(root: Path, *, name: str, email: str, start: datetime):
    """Award a full stack (micro-credentials day by day, then the certification)."""
    from datetime import timedelta

    program = Registry(root).program
    cert = next(a.id for a in program.achievements.values() if a.level == "certification")
    steps = stack_order(program, cert)
    plans = []
    for day, aid in enumerate([*steps, cert]):
        when = start + timedelta(days=day * 7)
        result = result_for(program, aid)
        if aid == cert and result is None:
            result = "Completed"
        plans.append(
            award(
                root,
                AwardInput(achievement=aid, name=name, email=email, issued_at=when, result=result),
            )
        )
    return plans


def award_with_prerequisites(
    root: Path,
    aid: str,
    *,
    name: str,
    email: str,
    when: datetime,
    signed_at: datetime | None = None,
):
    """Award ``aid`` after its prerequisites (each a day earlier); returns ``aid``'s Awarded."""
    from datetime import timedelta

    program = Registry(root).program
    pres = program.achievements[aid].prerequisites
    inputs = [
        AwardInput(
            p, name, email, when - timedelta(days=len(pres) - i), result=result_for(program, p)
        )
        for i, p in enumerate(pres)
    ]
    inputs.append(AwardInput(aid, name, email, when, result=result_for(program, aid)))
    plan = award(root, *inputs, signed_at=signed_at or when)
    return plan.awarded[-1]


def expiring_micro(program) -> str:
    """A micro-credential with a validity period."""
    return next(
        a.id
        for a in program.achievements.values()
        if a.validity_months and a.level != "certification"
    )

"""Generate a synthetic registry of N credentials over the demo program, via the real award code.

Realistic: recipients start at different dates (2021–2026) and stop at different points of the
pathway, so the registry holds foundations only, partial stacks, full certifications, expired
practitioner credentials, and about 2 % revoked and 1 % suspended credentials. Shaped like the
demo's credentials: every pass is assessed by as many assessors on record
(``program/assessors.yml``) as the program asks for, a few days before the award, and about a
third of them link a piece of evidence. Signed with a throwaway key that never touches disk.

    python bench/generate.py 1000 /tmp/reg-1000
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from credstack.crypto.keys import SigningKey
from credstack.registry.award import AwardInput, parse_evidence, plan_awards, write_plan
from credstack.registry.keys import create_key, find_signing_key
from credstack.registry.layout import migrate
from credstack.registry.lifecycle import StatusRequest, change_statuses
from credstack.registry.registry import Registry

REPO = Path(__file__).resolve().parent.parent
SIGNED_AT = datetime(2026, 11, 1, 12, tzinfo=UTC)
KEY_CREATED = datetime(2020, 1, 1, tzinfo=UTC)
# Journeys through the demo program: each is a prerequisite-respecting order.
JOURNEYS = [
    [
        "session-design",
        "facilitation-fundamentals",
        "workshop-design",
        "decision-workshops",
        "certified-facilitator",
    ],
    [
        "facilitation-fundamentals",
        "session-design",
        "decision-workshops",
        "workshop-design",
        "certified-facilitator",
    ],
    [
        "evaluation-essentials",
        "impact-evaluation",
        "session-design",
        "facilitation-fundamentals",
        "workshop-design",
        "certified-facilitator",
    ],
    ["session-design", "workshop-design"],
    ["evaluation-essentials"],
]
# How far a recipient gets: (steps, weight); 99 means the whole journey.
STOPS = [(1, 30), (2, 25), (3, 15), (4, 10), (99, 20)]


def copy_program(out: Path) -> Path:
    """A fresh registry root at ``out`` with the demo program and an empty issued/."""
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    shutil.copytree(REPO / "program", out / "program")
    (out / "program" / "keys.yml").unlink(missing_ok=True)
    shutil.copy2(REPO / "mkdocs.yml", out / "mkdocs.yml")
    shutil.copytree(REPO / "site_src", out / "site_src")
    (out / "issued").mkdir()
    return out


def throwaway_key(root: Path, seed: int) -> dict[str, str]:
    """Publish a throwaway key in the registry; returns the environment that holds its secret."""
    secret = SigningKey.from_seed(random.Random(seed).randbytes(32))
    create_key(
        Registry(root).program, root, now=KEY_CREATED, key_id="bench", store=False, secret=secret
    )
    return {"CREDSTACK_SIGNING_KEY": secret.to_multibase_secret()}


def journeys(n: int, rng: random.Random, program) -> list[AwardInput]:
    """Award inputs for about ``n`` credentials (exactly ``n``), recipient by recipient."""
    scales = {
        a.id: (a.assessment.result_scale if a.assessment else ())
        for a in program.achievements.values()
    }
    # Who may assess each achievement and how many a pass needs (issue 15: on record).
    panels = {
        aid: ([a.id for a in program.assessors_for(aid)], program.assessors_needed(aid))
        for aid in program.achievements
    }
    inputs: list[AwardInput] = []
    person = 0
    start_span = (SIGNED_AT - timedelta(days=120) - datetime(2021, 1, 1, tzinfo=UTC)).days
    while len(inputs) < n:
        person += 1
        journey = rng.choice(JOURNEYS)
        steps = rng.choices([s for s, _ in STOPS], weights=[w for _, w in STOPS])[0]
        when = datetime(2021, 1, 1, 9, tzinfo=UTC) + timedelta(days=rng.randrange(start_span))
        for aid in journey[:steps]:
            if when > SIGNED_AT or len(inputs) == n:
                break
            scale = scales[aid]
            allowed, needed = panels[aid]
            evidence = (
                (parse_evidence(f"https://example.org/portfolio/candidate-{person:05d}/{aid}"),)
                if rng.random() < 0.35
                else ()
            )
            inputs.append(
                AwardInput(
                    achievement=aid,
                    name=f"Candidate {person:05d}",
                    email=f"candidate{person:05d}@example.org",
                    issued_at=when,
                    evidence=evidence,
                    result=rng.choice(scale) if scale else None,
                    assessors=tuple(rng.sample(allowed, needed)) if needed else (),
                    assessed_on=when - timedelta(days=rng.randrange(1, 10)) if needed else None,
                )
            )
            when += timedelta(days=rng.randrange(14, 90))
    inputs.sort(key=lambda i: i.issued_at)  # a registry grows in time order
    return inputs


def generate(n: int, out: Path, *, seed: int = 7, sharded: bool | None = None) -> Path:
    """Write a registry of ``n`` credentials at ``out``; returns the root.

    ``sharded`` (default: from 10,000 credentials, as a registry that size would be after
    ``credstack migrate``) moves the credential files into their shards."""
    rng = random.Random(seed)
    root = copy_program(out)
    env = throwaway_key(root, seed)
    registry = Registry(root)
    key = find_signing_key(registry.program, root, env=env)
    counter = iter(range(10**9))
    plan = plan_awards(
        registry,
        journeys(n, rng, registry.program),
        key,
        signed_at=SIGNED_AT,
        salt_factory=lambda: f"{seed:08x}{next(counter):024x}",
        allow_backdated=True,  # five years of awards, all signed on SIGNED_AT
    )
    write_plan(plan)
    registry = Registry(root)
    cids = sorted(registry.credentials)
    picked = rng.sample(cids, k=max(1, len(cids) * 3 // 100))
    split = max(1, len(picked) * 2 // 3)
    requests = [StatusRequest(c, "revoked", "synthetic revocation") for c in picked[:split]]
    requests += [StatusRequest(c, "suspended", "synthetic suspension") for c in picked[split:]]
    change_statuses(registry, requests, key=key, when=SIGNED_AT + timedelta(hours=1))
    if n >= 10_000 if sharded is None else sharded:
        migrate(root)
    return root


def award_one_more(root: Path, *, seed: int = 7, email: str = "late@example.org") -> str:
    """Award one more credential to a new recipient (the warm-rebuild scenario); returns its id.

    ``email``: the recipient's (another one for each further award to the same registry)."""
    env = {
        "CREDSTACK_SIGNING_KEY": SigningKey.from_seed(
            random.Random(seed).randbytes(32)
        ).to_multibase_secret()
    }
    registry = Registry(root)
    key = find_signing_key(registry.program, root, env=env)
    program = registry.program
    when = SIGNED_AT + timedelta(days=1)
    inp = AwardInput(
        "session-design",
        "Late Candidate",
        email,
        when,
        result="pass",
        assessors=tuple(a.id for a in program.assessors_for("session-design"))[
            : program.assessors_needed("session-design")
        ],
        assessed_on=when - timedelta(days=2),
    )
    plan = plan_awards(
        registry, [inp], key, signed_at=SIGNED_AT + timedelta(days=1), salt_factory=lambda: "f" * 32
    )
    write_plan(plan)
    return plan.awarded[0].cid


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int)
    parser.add_argument("out", type=Path)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    t = time.perf_counter()
    root = generate(args.n, args.out, seed=args.seed)
    registry = Registry(root)
    statuses = {"revoked": 0, "suspended": 0}
    for e in registry.log:
        statuses[e.event] = statuses.get(e.event, 0) + 1
    print(
        f"{len(registry.credentials)} credentials, {len(registry.by_recipient())} recipients, "
        f"{statuses['revoked']} revoked, {statuses['suspended']} suspended "
        f"in {time.perf_counter() - t:.1f} s -> {root}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

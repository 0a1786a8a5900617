"""Rebuild the committed demo registry (``issued/`` and ``program/keys.yml``) from its story.

The demo is Northwind Facilitation Lab's registry: nine people, twenty credentials, every one
assessed by assessors on record in ``program/assessors.yml``, with a revoked, a suspended, an
expired, a name-corrected (reissued) and a certification credential. This script replays that
story through the real award and lifecycle code (the same functions ``credstack award``,
``revoke``, ``suspend`` and ``reissue`` call), with the clock fixed for every step and the
salts written down below, so it is deterministic except for the signatures, which depend on
the key:

    CREDSTACK_SIGNING_KEY=$(cat /work/secrets/demo-signing-key) python bench/demo.py

It signs with the key whose multibase secret is in ``CREDSTACK_SIGNING_KEY`` and replaces
``program/keys.yml`` with that key alone. The secret of the demo's first key (``demo-2026``)
was lost, so the demo was re-signed with a new key; the salts kept every credential id except
the corrected one (a reissue draws its id from a fresh salt that was never recorded).

Recipients' emails are fictional (``firstname.lastname@example.org``) and enter the registry
only as salted hashes.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from credstack.crypto.keys import SigningKey
from credstack.registry.award import AwardInput, parse_evidence, plan_awards, write_plan
from credstack.registry.keys import ENV_VAR, KEYS_FILE, create_key, find_signing_key
from credstack.registry.lifecycle import change_status, reissue
from credstack.registry.registry import Registry

REPO = Path(__file__).resolve().parent.parent
KEY_ID = "key-2026-11-28"
KEY_CREATED = "2026-11-28T15:05:44Z"


def at(text: str) -> datetime:
    """'2025-02-14' or '2026-11-28T15:05:54Z' as an aware UTC datetime."""
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return value if value.tzinfo else value.replace(tzinfo=UTC)


@dataclass(frozen=True)
class Award:
    """One award of the story: who, what, when, assessed by whom, and the salt it was drawn."""

    name: str
    achievement: str
    issued: str
    result: str
    assessors: tuple[str, ...]
    assessed: str
    salt: str
    evidence: tuple[str, ...] = ()

    @property
    def email(self) -> str:
        folded = unicodedata.normalize("NFKD", self.name.replace("Smiht", "Smith"))
        first, *_, last = folded.encode("ascii", "ignore").decode().lower().split()
        return f"{first}.{last}@example.org"

    def input(self) -> AwardInput:
        return AwardInput(
            achievement=self.achievement,
            name=self.name,
            email=self.email,
            issued_at=at(self.issued),
            evidence=tuple(parse_evidence(e) for e in self.evidence),
            result=self.result,
            assessors=self.assessors,
            assessed_on=at(self.assessed),
        )


@dataclass(frozen=True)
class Awards:
    """Awards signed together at ``clock`` (one ``credstack award`` run)."""

    clock: str
    awards: tuple[Award, ...]


@dataclass(frozen=True)
class Status:
    """A revocation or suspension at ``clock`` of the credential of ``name`` for ``achievement``."""

    clock: str
    event: str  # revoked | suspended
    name: str
    achievement: str
    reason: str


@dataclass(frozen=True)
class Correction:
    """A reissue at ``clock`` with the corrected ``new_name``; ``salt`` draws the new id."""

    clock: str
    name: str
    achievement: str
    new_name: str
    salt: str


Step = Awards | Status | Correction

STORY: tuple[Step, ...] = (
    Awards(
        "2026-11-28T15:05:54Z",
        (
            Award(
                "Amara Okafor",
                "session-design",
                "2025-02-14",
                "merit",
                ("ines-alvarez",),
                "2025-02-07",
                "8592abb91135fb0cb049c2ffffe01f1c",
                ("https://example.org/portfolio/amara/session-plan",),
            ),
            Award(
                "Amara Okafor",
                "facilitation-fundamentals",
                "2025-03-07",
                "pass",
                ("sean-gallagher",),
                "2025-03-05",
                "a4baece6780153ccbed8701101e2ff5c",
            ),
            Award(
                "Lukas Meyer",
                "session-design",
                "2025-02-14",
                "pass",
                ("kwame-mensah",),
                "2025-02-07",
                "6dc023280b5c2b4e9c8368a612e88e9e",
            ),
            Award(
                "Lukas Meyer",
                "facilitation-fundamentals",
                "2025-03-07",
                "merit",
                ("ines-alvarez",),
                "2025-03-05",
                "b72ac65200375ce4193fb2e019968f53",
            ),
            Award(
                "Sofia Márquez",
                "session-design",
                "2026-10-02",
                "distinction",
                ("yuki-tanaka",),
                "2026-09-25",
                "6f6a86ea4711982a6e434da1611952f9",
            ),
            Award(
                "Priya Raman",
                "facilitation-fundamentals",
                "2025-04-11",
                "merit",
                ("sean-gallagher",),
                "2025-04-09",
                "fc1d65b126c368ed989414adf2f61874",
            ),
            Award(
                "Tomás Novak",
                "evaluation-essentials",
                "2025-05-16",
                "pass",
                ("marta-kowalska",),
                "2025-05-16",
                "568a1f8138858ad3be4b4c4f2941b23a",
            ),
            Award(
                "Wei Chen",
                "evaluation-essentials",
                "2025-05-16",
                "distinction",
                ("marta-kowalska",),
                "2025-05-16",
                "74b8db664806144829eb14df110563be",
            ),
            Award(
                "Wei Chen",
                "session-design",
                "2025-06-20",
                "merit",
                ("yuki-tanaka",),
                "2025-06-13",
                "1207fb67c0577d7477f00111e3a68f6a",
            ),
            Award(
                "Hannah Schmidt",
                "session-design",
                "2022-09-09",
                "pass",
                ("kwame-mensah",),
                "2022-09-02",
                "fbdbfde9f32f861a10d7fba7f8face9e",
            ),
            Award(
                "Jon Smiht",
                "facilitation-fundamentals",
                "2025-09-12",
                "pass",
                ("ines-alvarez",),
                "2025-09-10",
                "1d9290622d2f93590df512be0ca9a361",
            ),
            Award(
                "Amara Okafor",
                "workshop-design",
                "2025-06-13",
                "distinction",
                ("kwame-mensah", "marta-kowalska"),
                "2025-06-06",
                "d0a9140eadf468e129f6f8f226d5080f",
                ("Workshop design portfolio=https://example.org/portfolio/amara/workshop",),
            ),
        ),
    ),
    Awards(
        "2026-11-28T15:05:55Z",
        (
            Award(
                "Amara Okafor",
                "decision-workshops",
                "2025-10-24",
                "merit",
                ("sean-gallagher",),
                "2025-10-17",
                "35b58aa35bb549a0be948d444a0c2ca4",
            ),
            Award(
                "Amara Okafor",
                "certified-facilitator",
                "2026-03-20",
                "distinction",
                ("ines-alvarez", "kwame-mensah"),
                "2026-03-13",
                "a763e675c034da5660adea92cfceb747",
                ("Capstone report=https://example.org/portfolio/amara/capstone",),
            ),
            Award(
                "Lukas Meyer",
                "workshop-design",
                "2025-11-21",
                "merit",
                ("marta-kowalska", "yuki-tanaka"),
                "2025-11-14",
                "ce8ede2bc1cd32316d6154f43093a656",
            ),
        ),
    ),
    Awards(
        "2026-11-28T15:05:56Z",
        (
            Award(
                "Priya Raman",
                "decision-workshops",
                "2025-12-05",
                "pass",
                ("ines-alvarez",),
                "2025-11-28",
                "d8bc9ae96da189d2a5f7849809a30fdd",
            ),
            Award(
                "Tomás Novak",
                "impact-evaluation",
                "2025-10-10",
                "pass",
                ("marta-kowalska", "sean-gallagher"),
                "2025-10-03",
                "230f75ccf2ef82d76f17bcdd4ba8dc65",
            ),
            Award(
                "Wei Chen",
                "impact-evaluation",
                "2025-11-14",
                "distinction",
                ("yuki-tanaka", "marta-kowalska"),
                "2025-11-07",
                "bceb69cdfe2ef7d52849a7db732a2bcb",
            ),
        ),
    ),
    Awards(
        "2026-11-28T15:05:57Z",
        (
            Award(
                "Hannah Schmidt",
                "workshop-design",
                "2023-01-20",
                "pass",
                ("kwame-mensah", "yuki-tanaka"),
                "2023-01-13",
                "171461331984f7113a8d93e6dc1d70f3",
            ),
        ),
    ),
    Status(
        "2026-11-28T15:06:00Z",
        "revoked",
        "Tomás Novak",
        "impact-evaluation",
        "The applied project submitted for assessment was found to be another candidate's work.",
    ),
    Status(
        "2026-11-28T15:06:01Z",
        "suspended",
        "Priya Raman",
        "decision-workshops",
        "Assessment under review after a complaint from a workshop sponsor.",
    ),
    Correction(
        "2026-11-28T15:06:01Z",
        "Jon Smiht",
        "facilitation-fundamentals",
        "Jon Smith",
        "6a1d9b0f3c2e4d5a8b7c6d5e4f3a2b1c",
    ),
)


@dataclass
class Salts:
    """Hands out the story's salts in order (plan_awards draws one per award)."""

    queue: list[str] = field(default_factory=list)

    def __call__(self) -> str:
        return self.queue.pop(0)


def find(registry: Registry, name: str, achievement: str) -> str:
    """The id of ``name``'s credential for ``achievement`` (exactly one in the story)."""
    (cid,) = [
        v.cid
        for v in registry.credentials.values()
        if v.name == name and v.achievement_id == achievement
    ]
    return cid


def reset(root: Path, secret: SigningKey) -> None:
    """Empty issued/ and publish ``secret``'s public key as the registry's only key."""
    shutil.rmtree(root / "issued", ignore_errors=True)
    (root / "issued").mkdir()
    (root / KEYS_FILE).unlink(missing_ok=True)
    registry = Registry(root)
    create_key(
        registry.program, root, now=at(KEY_CREATED), key_id=KEY_ID, store=False, secret=secret
    )


def replay(root: Path, env: dict[str, str], story: tuple[Step, ...] = STORY) -> Iterator[str]:
    """Play ``story`` on the registry at ``root``; yields one line per step."""
    for step in story:
        registry = Registry(root)
        key = find_signing_key(registry.program, root, env=env)
        clock = at(step.clock)
        if isinstance(step, Awards):
            salts = Salts([a.salt for a in step.awards])
            plan = plan_awards(
                registry,
                [a.input() for a in step.awards],
                key,
                signed_at=clock,
                salt_factory=salts,
                allow_backdated=True,  # the story's awards are dated when they happened
            )
            write_plan(plan)
            for awarded in plan.awarded:
                yield f"awarded {awarded.cid}  {awarded.input.achievement}  {awarded.input.name}"
        elif isinstance(step, Status):
            cid = find(registry, step.name, step.achievement)
            change_status(registry, cid, step.event, key=key, when=clock, reason=step.reason)
            yield f"{step.event} {cid}  {step.achievement}  {step.name}"
        else:
            cid = find(registry, step.name, step.achievement)
            plan = reissue(
                registry,
                cid,
                key=key,
                now=clock,
                name=step.new_name,
                salt_factory=Salts([step.salt]),
            )
            yield f"reissued {cid} as {plan.awarded[0].cid}  {step.achievement}  {step.new_name}"


def build(root: Path, env: dict[str, str]) -> list[str]:
    """Rebuild ``root``'s issued/ and program/keys.yml from the story; returns the log lines."""
    secret = os.environ.get(ENV_VAR) if env is os.environ else env.get(ENV_VAR)
    if not secret:
        raise SystemExit(f"set {ENV_VAR} to the demo's multibase signing secret")
    reset(root, SigningKey.from_multibase_secret(secret.strip()))
    return list(replay(root, dict(env)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", default=str(REPO), help="registry root (default: this repo)")
    args = parser.parse_args(argv)
    for line in build(Path(args.root), os.environ):  # type: ignore[arg-type]
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Apply, assess, award: the commands the GitHub workflows run, on saved issue payloads, in a
real git repository made by `credstack init`, ending in a branch the merge gate accepts."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from credstack.cli import main
from credstack.model.application import parse_application, sections
from credstack.model.assessment import assessment_record
from credstack.registry.registry import Registry
from credstack.registry.workflows import application_form, form_path

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "issues"
SITE = "https://acme-academy.github.io/credentials/"
EMAIL = "ada@example.org"  # the recipient's email, as the award workflow's masked input


def cli(capsys, *args: str) -> tuple[int, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def git(root: Path, *args: str) -> str:
    out = subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@t", *args],
        cwd=root,
        check=True,
        capture_output=True,
        text=True,
    )
    return out.stdout


def issued(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted((root / "issued").rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def repo(tmp_path, capsys):
    """`credstack init`, a key, everything committed on main, then an award branch."""
    root = tmp_path / "registry"
    assert (
        cli(
            capsys, "init", str(root), "--site-url", SITE, "--name", "Acme Academy",
            "--email", "credentials@acme-academy.example",
        )[0]
        == 0
    )  # fmt: skip
    key_dir = tmp_path / "keys"
    assert cli(capsys, "-C", str(root), "keys", "create", "--key-dir", str(key_dir))[0] == 0
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "credstack init")
    git(root, "switch", "-q", "-c", "award/application")
    (key,) = key_dir.glob("*.key")
    return root, key


def award(capsys, repo, fixture: str, *assessors: str, tmp: Path, extra=()) -> tuple[int, str]:
    root, key = repo
    args = ["-C", str(root), "application", "award", str(FIXTURES / fixture)]
    for a in assessors:
        args += ["--assessor", a]
    if "--issued-at" not in extra:
        args += ["--issued-at", "2026-11-21"]
    args += ["--email", EMAIL, "--key", str(key)]
    args += ["--comment", str(tmp / "answer.md"), "--pr-body", str(tmp / "pr.md"), *extra]
    return cli(capsys, *args)


# -- the whole way: form -> issue -> read -> award -> branch -> merge gate -----------------------


def test_an_application_becomes_a_credential_on_a_branch_the_gate_accepts(repo, tmp_path, capsys):
    root, _ = repo
    code, out = cli(
        capsys,
        "-C",
        str(root),
        "application",
        "read",
        str(FIXTURES / "event-opened.json"),
        "--comment",
        str(tmp_path / "received.md"),
    )
    assert code == 0, out
    read = json.loads(out)
    assert read == {
        "issue": 7,
        "url": "https://github.com/acme-academy/credentials/issues/7",
        "author": "ada-l",
        "achievement": "data-foundations",
        "name": "Ada Lovelace",
        "evidence": [
            {"name": "Data note", "url": "https://example.org/ada/data-note"},
            {"name": "Change log", "url": "https://example.org/ada/change-log"},
        ],
        "reference": "ACME-2026-0042",
    }
    received = (tmp_path / "received.md").read_text()
    assert "can be assessed" in received and "credentials@acme-academy.example" in received

    code, out = award(capsys, repo, "apply-foundations.json", "first-assessor", tmp=tmp_path)
    assert code == 0, out
    (cid,) = [p.stem for p in (root / "issued" / "credentials").glob("*.json")]
    assert f"awarded {cid}  data-foundations  Ada Lovelace" in out
    credential = Registry(root).get(cid).raw
    assert [e["name"] for e in credential["evidence"] if "id" in e] == ["Data note", "Change log"]
    record = assessment_record(credential)
    assert [a.id for a in record.assessors] == ["first-assessor"]
    pr = (tmp_path / "pr.md").read_text()
    assert pr.rstrip().endswith("Closes #7") and cid in pr and "from application #7" in pr
    answer = (tmp_path / "answer.md").read_text()
    assert f"{SITE}credentials/{cid}/" in answer and "First Assessor" in answer
    for text in (out, pr, answer, json.dumps(credential)):
        assert EMAIL not in text, "the email never leaves the masked input"

    git(root, "add", "issued")
    git(root, "commit", "-q", "-m", f"Award {cid} (application #7)")
    code, out = cli(
        capsys,
        "-C",
        str(root),
        "check",
        "--base",
        "main",
        "--comment",
        str(tmp_path / "gate.md"),
    )
    assert code == 0, out
    assert "(1 new): 1 verified" in out
    gate = (tmp_path / "gate.md").read_text()
    assert gate.startswith("**Merge gate: passed.**") and "1 verified" in gate


def test_a_practitioner_needs_two_assessors_and_its_prerequisite(repo, tmp_path, capsys):
    root, _ = repo
    code, _ = award(capsys, repo, "apply-foundations.json", "first-assessor", tmp=tmp_path)
    assert code == 0
    code, out = award(
        capsys,
        repo,
        "apply-practitioner.json",
        "first-assessor",
        "second-assessor",
        tmp=tmp_path,
        # A day later: the merge gate replays same-day awards signed in the same second in id
        # order, which may put the practitioner before its prerequisite.
        extra=["--result", "merit", "--assessed-on", "2026-11-18", "--issued-at", "2026-11-22"],
    )
    assert code == 0, out
    git(root, "add", "issued")
    git(root, "commit", "-q", "-m", "two awards")
    code, out = cli(capsys, "-C", str(root), "check", "--base", "main")
    assert code == 0, out
    view = next(v for v in Registry(root).credentials.values() if v.result == "merit")
    record = assessment_record(view.raw)
    assert str(record.assessed_on) == "2026-11-18" and len(record.assessors) == 2


def test_windows_line_ends_read_the_same(repo, capsys):
    root, _ = repo
    code, out = cli(
        capsys,
        "-C",
        str(root),
        "application",
        "read",
        str(FIXTURES / "apply-foundations-crlf.json"),
    )
    assert code == 0, out
    assert json.loads(out)["evidence"][1]["url"] == "https://example.org/ada/change-log"


# -- refusals: each says what to do, posts the reason, and changes nothing ------------------------


def refused(capsys, repo, tmp_path, fixture, *assessors, extra=()) -> str:
    root, _ = repo
    before = issued(root)
    code, out = award(capsys, repo, fixture, *assessors, tmp=tmp_path, extra=extra)
    assert code == 1, out
    assert "error:" in out and "hint:" in out and "Traceback" not in out
    assert issued(root) == before, "issued/ must stay byte-identical"
    assert not (tmp_path / "pr.md").exists()
    answer = (tmp_path / "answer.md").read_text()
    assert answer.startswith("**Nothing was awarded for application #")
    assert "**What to do:**" in answer
    assert EMAIL not in answer and "@example.org" not in answer.replace(
        "credentials@acme-academy.example", ""
    )
    return answer


def test_refuses_an_unknown_assessor(repo, tmp_path, capsys):
    answer = refused(capsys, repo, tmp_path, "apply-foundations.json", "third-assessor")
    assert "unknown assessor 'third-assessor'" in answer
    assert "assessors of data-foundations: first-assessor" in answer


def test_refuses_an_assessor_not_allowed_for_the_achievement(repo, tmp_path, capsys):
    answer = refused(capsys, repo, tmp_path, "apply-foundations.json", "second-assessor")
    assert "is not on record as an assessor of data-foundations" in answer


def test_refuses_the_same_assessor_twice(repo, tmp_path, capsys):
    assert award(capsys, repo, "apply-foundations.json", "first-assessor", tmp=tmp_path)[0] == 0
    (tmp_path / "pr.md").unlink()
    answer = refused(
        capsys, repo, tmp_path, "apply-practitioner.json", "first-assessor", "first-assessor"
    )
    assert "assessor 'first-assessor' is named twice" in answer


def test_refuses_too_few_assessors(repo, tmp_path, capsys):
    assert award(capsys, repo, "apply-foundations.json", "first-assessor", tmp=tmp_path)[0] == 0
    (tmp_path / "pr.md").unlink()
    answer = refused(capsys, repo, tmp_path, "apply-practitioner.json", "second-assessor")
    assert "needs 2 independent assessors (1 named)" in answer


def test_refuses_when_the_program_rules_are_not_met(repo, tmp_path, capsys):
    answer = refused(
        capsys, repo, tmp_path, "apply-practitioner.json", "first-assessor", "second-assessor"
    )
    assert "data-analysis-practitioner requires data-foundations" in answer


def test_refuses_an_email_pasted_into_the_public_issue(repo, tmp_path, capsys):
    answer = refused(capsys, repo, tmp_path, "apply-with-email.json", "first-assessor")
    assert "shows an email address in public (line 12 of the text)" in answer
    assert "delete this issue" in answer
    assert "privately to credentials@acme-academy.example" in answer
    assert "grace.hopper" not in answer
    code, out = award(capsys, repo, "apply-with-email.json", "first-assessor", tmp=tmp_path)
    assert code == 1 and "grace.hopper" not in out, "not repeated in the workflow's log"


def test_refuses_an_incomplete_application_listing_every_gap(repo, tmp_path, capsys):
    answer = refused(capsys, repo, tmp_path, "apply-incomplete.json", "first-assessor")
    for fragment in (
        "'Name on the credential' is not answered",
        "'Enrolment or payment reference' is not answered",
        "evidence 'javascript:alert(1)' is not an http(s) link",
        "consent to publication ('Publication') is not given",
    ):
        assert fragment in answer


def test_refuses_an_issue_that_is_not_an_application(repo, tmp_path, capsys):
    answer = refused(capsys, repo, tmp_path, "not-an-application.json", "first-assessor")
    assert "is not an application made with an 'Apply for …' form" in answer


def test_refuses_an_assessor_who_also_makes_the_award(repo, tmp_path, capsys):
    root, _ = repo
    path = root / "program" / "assessors.yml"
    path.write_text(
        path.read_text().replace("name: First Assessor", "name: First Assessor\n  github: first-a")
    )
    answer = refused(
        capsys,
        repo,
        tmp_path,
        "apply-foundations.json",
        "first-assessor",
        extra=["--awarded-by", "First-A"],
    )
    assert "@First-A is named as an assessor of this award and cannot also make it" in answer


def test_read_refuses_an_email_and_writes_the_answer(repo, tmp_path, capsys):
    root, _ = repo
    code, _ = cli(
        capsys,
        "-C",
        str(root),
        "application",
        "read",
        str(FIXTURES / "apply-with-email.json"),
        "--comment",
        str(tmp_path / "answer.md"),
    )
    assert code == 1
    assert "grace.hopper" not in (tmp_path / "answer.md").read_text()


def test_award_without_an_email_is_refused_before_anything_is_signed(repo, tmp_path, capsys):
    root, key = repo
    code, out = cli(
        capsys,
        "-C",
        str(root),
        "application",
        "award",
        str(FIXTURES / "apply-foundations.json"),
        "--assessor",
        "first-assessor",
        "--key",
        str(key),
    )
    assert code == 1 and "no recipient email" in out and "CREDSTACK_RECIPIENT_EMAIL" in out


# -- the form and the reader agree ----------------------------------------------------------------


def render_as_github(form: dict, answers: dict[str, str]) -> str:
    """An issue body as GitHub writes it from a form and the answers by field id."""
    parts = []
    for item in form["body"]:
        if item["type"] == "markdown":
            continue
        label = item["attributes"]["label"]
        if item["type"] == "checkboxes":
            value = "\n".join(f"- [X] {o['label']}" for o in item["attributes"]["options"])
        elif item["type"] == "dropdown":
            value = item["attributes"]["options"][item["attributes"]["default"]]
        else:
            value = answers.get(item["id"]) or "_No response_"
        parts.append(f"### {label}\n\n{value}")
    return "\n\n".join(parts)


@pytest.mark.parametrize("aid", ["session-design", "certified-facilitator"])
def test_every_generated_form_reads_back(demo_root, aid):
    program = Registry(demo_root).program
    form = yaml.safe_load(application_form(program, aid))
    body = render_as_github(
        form, {"name": "Ada Lovelace", "evidence": "https://example.org/a", "reference": "R-1"}
    )
    app = parse_application({"number": 3, "body": body, "state": "open"}, program)
    assert (app.achievement, app.name, app.reference) == (aid, "Ada Lovelace", "R-1")
    assert set(sections(body)) == {
        i["attributes"]["label"] for i in form["body"] if i["type"] != "markdown"
    }


def test_the_committed_demo_forms_follow_the_program(demo_root, capsys):
    code, out = cli(capsys, "-C", str(demo_root), "workflows", "--check")
    assert code == 0, out
    for aid in Registry(demo_root).program.achievements:
        assert (demo_root / form_path(aid)).is_file()


def test_workflows_rewrites_stale_forms_removes_orphans_and_keeps_own_files(tmp_path, capsys):
    root = tmp_path / "r"
    assert cli(capsys, "init", str(root), "--site-url", SITE, "--name", "Acme Academy")[0] == 0
    forms = root / ".github" / "ISSUE_TEMPLATE"
    (forms / "apply-data-foundations.yml").write_text(
        (forms / "apply-data-foundations.yml").read_text().replace("Data Foundations", "Old")
    )
    shutil.copy(forms / "appeal.yml", forms / "apply-retired-course.yml")
    (forms / "apply-mine.yml").write_text("name: my own form\n")
    (forms / "apply-data-analysis-practitioner.yml").write_text("name: hand-made\n")
    code, out = cli(capsys, "-C", str(root), "workflows", "--check")
    assert code == 1 and "stale   .github/ISSUE_TEMPLATE/apply-data-foundations.yml" in out
    code, out = cli(capsys, "-C", str(root), "workflows")
    assert code == 0, out
    assert "Old" not in (forms / "apply-data-foundations.yml").read_text()
    assert not (forms / "apply-retired-course.yml").exists()
    assert (forms / "apply-mine.yml").read_text() == "name: my own form\n"
    assert (forms / "apply-data-analysis-practitioner.yml").read_text() == "name: hand-made\n"
    assert "kept    .github/ISSUE_TEMPLATE/apply-data-analysis-practitioner.yml" in out


def test_codeowners_gives_the_program_to_maintainers_and_awards_to_assessors(tmp_path, capsys):
    root = tmp_path / "r"
    assert cli(capsys, "init", str(root), "--site-url", SITE, "--name", "Acme Academy")[0] == 0
    issuer = root / "program" / "issuer.yml"
    issuer.write_text(
        issuer.read_text().replace(
            '# maintainers: ["@your-github-user"]', 'maintainers: ["@acme/credentials", "@lead"]'
        )
    )
    assessors = root / "program" / "assessors.yml"
    assessors.write_text(
        assessors.read_text().replace(
            "name: Second Assessor", "name: Second Assessor\n  github: sec"
        )
    )
    code, out = cli(capsys, "-C", str(root), "workflows")
    assert code == 0, out
    owners = {
        line.split()[0]: line.split()[1:]
        for line in (root / ".github" / "CODEOWNERS").read_text().splitlines()
        if line and not line.startswith("#")
    }
    maintainers = ["@acme/credentials", "@lead"]
    assert owners["/program/keys.yml"] == maintainers
    assert owners["/program/"] == owners["/issued/status-log.yml"] == maintainers
    assert owners["/issued/credentials/"] == ["@sec"]
    keys_rows = [p for p in owners if p == "/program/keys.yml"]
    assert list(owners).index(keys_rows[0]) > list(owners).index("/program/"), (
        "GitHub uses the last matching pattern: keys.yml must come after program/"
    )


def test_maintainers_must_be_github_handles(tmp_path, capsys):
    root = tmp_path / "r"
    assert cli(capsys, "init", str(root), "--site-url", SITE, "--name", "Acme Academy")[0] == 0
    issuer = root / "program" / "issuer.yml"
    issuer.write_text(
        issuer.read_text().replace('# maintainers: ["@your-github-user"]', "maintainers: [lead]")
    )
    code, out = cli(capsys, "-C", str(root), "lint")
    assert code == 1 and "maintainers[0]: not a GitHub user or team" in out


def test_the_gate_refuses_a_new_credential_that_names_no_assessor(repo, capsys):
    """A credential signed around `credstack award` (an old version, a script) is caught."""
    from datetime import UTC, datetime

    from credstack.registry.award import AwardInput, plan_awards, write_plan
    from credstack.registry.keys import find_signing_key

    root, key = repo
    registry = Registry(root)
    loaded = find_signing_key(registry.program, root, key_file=key)
    when = datetime(2026, 11, 21, tzinfo=UTC)
    unassessed = AwardInput(
        "data-foundations", "Eve", "eve@example.org", when, keep_assessment=True
    )
    now = datetime.now(UTC).replace(microsecond=0)
    write_plan(plan_awards(registry, [unassessed], loaded, signed_at=now))
    git(root, "add", "issued")
    git(root, "commit", "-q", "-m", "an award without assessors")
    code, out = cli(capsys, "-C", str(root), "check", "--base", "main")
    assert code == 1
    assert "stacking-rules: a pass of data-foundations needs 1 independent assessor" in out


def test_the_gate_lets_a_correction_keep_its_assessment(repo, capsys):
    """Correcting the name on a credential awarded before assessors were on record passes."""
    from datetime import UTC, datetime

    from credstack.registry.award import AwardInput, plan_awards, write_plan
    from credstack.registry.keys import find_signing_key
    from credstack.registry.lifecycle import reissue

    root, key = repo
    git(root, "switch", "-q", "main")
    registry = Registry(root)
    loaded = find_signing_key(registry.program, root, key_file=key)
    now = datetime.now(UTC).replace(microsecond=0)
    legacy = AwardInput(
        "data-foundations", "Eve Smiht", "eve@example.org", now, keep_assessment=True
    )
    write_plan(plan_awards(registry, [legacy], loaded, signed_at=now))
    (old,) = Registry(root).credentials
    git(root, "add", "issued")
    git(root, "commit", "-q", "-m", "a credential from before assessors were on record")
    git(root, "switch", "-q", "-c", "correct-name")
    plan = reissue(Registry(root), old, key=loaded, now=now, name="Eve Smith")
    assert assessment_record(plan.awarded[0].credential) is None, "nothing to carry over"
    git(root, "add", "issued")
    git(root, "commit", "-q", "-m", "correct the name")
    code, out = cli(capsys, "-C", str(root), "check", "--base", "main")
    assert code == 0, out

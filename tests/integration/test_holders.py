"""Holders and buyers through the real CLI: the private roster (local and sealed), no plain email
in the tree or the site, earner pages, renewal rules, notify over real SMTP, the PDF certificate.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from credstack.crypto.sealed import new_roster_key
from credstack.registry.registry import Registry
from integration.test_site import mkdocs_build
from support import REPO, assessed_by, fixed_signing_key, scratch_registry, snapshot

ENV_SECRET = fixed_signing_key().to_multibase_secret()
EMAILS = ("ada.lovelace@example.org", "grace@example.org", "alan.t@example.org")
ANY_EMAIL = re.compile(rb"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")


@pytest.fixture
def root(tmp_path):
    root = scratch_registry(tmp_path)
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    return root


@pytest.fixture
def env(tmp_path):
    """The environment of an issuer's shell: signing key, a config folder outside the tree."""
    return {
        **os.environ,
        "CREDSTACK_SIGNING_KEY": ENV_SECRET,
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "CREDSTACK_ROSTER": "",
        "CREDSTACK_ROSTER_SECRET": "",
    }


def assessed(root, args: tuple) -> tuple:
    """``args`` with the assessors a pass needs (issue 15), unless they name their own: the
    first ones on record for the achievement awarded or renewed."""
    if not args or args[0] not in ("award", "renew") or "--csv" in args or "--assessor" in args:
        return args
    registry = Registry(root)
    aid = args[1] if args[0] == "award" else registry.get(args[1]).achievement_id
    return (*args, *(w for a in assessed_by(registry.program, aid) for w in ("--assessor", a)))


def run(root, *args, env, check=True):
    args = assessed(root, args)
    result = subprocess.run(
        [sys.executable, "-m", "credstack.cli", "-C", str(root), *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=300,
    )
    if check:
        assert result.returncode == 0, result.stdout + result.stderr
    return result


def awarded_ids(output: str) -> list[str]:
    return re.findall(r"^awarded (\S+)", output, re.M)


def write_cohort(path: Path, rows: list[tuple[str, str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["name", "email", "achievement", "public_profile", "assessors"])
        program = Registry(REPO).program
        for row in rows:
            by = " ".join(assessed_by(program, row[2]))
            writer.writerow((*row, "yes" if "grace" in row[1] else "", by))
    return path


def every_kind_of_award(root, env, tmp_path):
    """A single award, a cohort CSV and a CI-style sealed award. Returns the roster secret."""
    run(root, "award", "session-design", "--name", "Ada Lovelace", "--email", EMAILS[0], env=env)
    cohort = write_cohort(
        tmp_path / "cohort.csv",
        [
            ("Grace Hopper", EMAILS[1], "session-design"),
            ("Alan Turing", EMAILS[2], "facilitation-fundamentals"),
        ],
    )
    run(root, "award", "--csv", str(cohort), env=env)
    made = run(root, "roster", "keys", "create", "--print", env=env)
    secret = made.stdout.split("\n")[-2].strip()
    ci_env = {**env, "XDG_CONFIG_HOME": str(tmp_path / "ci-runner"), "CREDSTACK_ROSTER": "sealed"}
    run(
        root,
        "award",
        "facilitation-fundamentals",
        "--name",
        "Ada Lovelace",
        "--email",
        EMAILS[0].upper(),
        "--public-profile",
        env=ci_env,
    )
    return secret


def test_no_plain_email_in_the_tree_or_the_site_after_every_kind_of_award(root, env, tmp_path):
    secret = every_kind_of_award(root, env, tmp_path)
    assert list((root / "issued" / "roster").glob("*.sealed"))
    assert (root / "issued" / "profiles.yml").exists()
    for path in [*root.rglob("*")]:
        if path.is_file() and ".git" not in path.parts:
            found = ANY_EMAIL.findall(path.read_bytes())
            assert not [f for f in found if f.decode().lower() in EMAILS], path
    check = run(root, "check", env=env, check=False)
    assert check.returncode == 0, check.stdout + check.stderr
    site = tmp_path / "site"
    built = mkdocs_build(root, site, int(time.time()))
    assert built.returncode == 0, built.stderr
    for path in site.rglob("*"):
        if path.is_file():
            data = path.read_bytes().lower()
            assert not any(e.encode() in data for e in EMAILS), path
    # The merged roster has every award and every email (the sealed row opened with the secret).
    out = run(root, "roster", "--csv", env={**env, "CREDSTACK_ROSTER_SECRET": secret})
    rows = list(csv.DictReader(io.StringIO(out.stdout)))
    assert len(rows) == 4 and {r["email"] for r in rows} == set(EMAILS)


def test_the_local_roster_is_private_and_outside_the_tree(root, env, tmp_path):
    run(root, "award", "session-design", "--name", "Ada", "--email", EMAILS[0], env=env)
    (file,) = (tmp_path / "config" / "credstack" / "roster").glob("*.jsonl")
    assert stat.S_IMODE(file.stat().st_mode) == 0o600
    assert stat.S_IMODE(file.parent.stat().st_mode) == 0o700
    assert EMAILS[0] in file.read_text()


def test_refuses_a_roster_inside_the_work_tree_and_writes_nothing(root, env):
    before = snapshot(root)
    inside = {**env, "XDG_CONFIG_HOME": str(root / "config")}
    result = run(
        root,
        "award",
        "session-design",
        "--name",
        "Ada",
        "--email",
        EMAILS[0],
        env=inside,
        check=False,
    )
    assert result.returncode == 1
    assert "inside the registry work tree" in result.stderr
    assert snapshot(root) == before and not (root / "config").exists()


def test_sealed_award_without_a_roster_key_writes_nothing(root, env):
    before = snapshot(root)
    result = run(
        root,
        "award",
        "session-design",
        "--name",
        "Ada",
        "--email",
        EMAILS[0],
        "--roster",
        "sealed",
        env=env,
        check=False,
    )
    assert result.returncode == 1 and "no roster key" in result.stderr
    assert snapshot(root) == before


def test_sealed_rows_open_only_with_the_roster_secret(root, env, tmp_path):
    secret = every_kind_of_award(root, env, tmp_path)
    ci_only = {**env, "XDG_CONFIG_HOME": str(tmp_path / "elsewhere")}  # no local roster here
    opened = run(root, "roster", "--csv", env={**ci_only, "CREDSTACK_ROSTER_SECRET": secret})
    assert EMAILS[0] in opened.stdout
    _, wrong = new_roster_key()
    closed = run(root, "roster", "--csv", env={**ci_only, "CREDSTACK_ROSTER_SECRET": wrong})
    assert EMAILS[0] not in closed.stdout
    assert "1 sealed roster row(s)" in closed.stderr
    none = run(root, "roster", "--csv", env=ci_only)
    assert EMAILS[0] not in none.stdout and "could not be opened" in none.stderr
    # A changed ciphertext does not open either (and is not mistaken for another row).
    (sealed,) = (root / "issued" / "roster").glob("*.sealed")
    line = sealed.read_text().strip()
    sealed.write_text(line[:-8] + ("A" if line[-8] != "A" else "B") + line[-7:] + "\n")
    tampered = run(root, "roster", "--csv", env={**ci_only, "CREDSTACK_ROSTER_SECRET": secret})
    assert EMAILS[0] not in tampered.stdout


def test_expiring_with_the_roster_adds_the_email_and_is_spreadsheet_safe(root, env, tmp_path):
    run(
        root,
        "award",
        "session-design",
        "--name",
        "=cmd|' /C calc'!A0",
        "--email",
        EMAILS[0],
        env=env,
    )
    run(
        root,
        "award",
        "workshop-design",
        "--name",
        "=cmd|' /C calc'!A0",
        "--email",
        EMAILS[0],
        env=env,
    )
    out = run(root, "expiring", "--within", "5y", "--csv", "--roster", env=env).stdout.splitlines()
    assert out[0].endswith(",email")
    assert out[1].endswith("," + EMAILS[0])
    assert ",'=cmd|" in out[1], "a formula-looking name is quoted for spreadsheets"
    plain = run(root, "expiring", "--within", "5y", "--csv", env=env).stdout
    assert "email" not in plain.splitlines()[0] and EMAILS[0] not in plain


# -- earner pages ---------------------------------------------------------------------------


def test_earner_pages_only_for_holders_who_opted_in_and_gone_after_unpublish(root, env, tmp_path):
    every_kind_of_award(root, env, tmp_path)
    site = tmp_path / "site"
    assert mkdocs_build(root, site, int(time.time())).returncode == 0
    pages = sorted((site / "earners").iterdir())
    assert len(pages) == 2  # Grace (CSV column) and Ada (--public-profile); not Alan
    names = {
        re.search(r'<h1 id="earner">(.*?)</h1>', (p / "index.html").read_text()).group(1)
        for p in pages
    }
    assert names == {"Ada Lovelace", "Grace Hopper"}
    for page in pages:
        assert re.fullmatch(r"[a-z2-7]{26}", page.name)
        html = (page / "index.html").read_text()
        assert '<meta name="robots" content="noindex">' in html
        assert "credstack-holders.js" in html and "data-cs-live=" in html
    sitemap = (site / "sitemap.xml").read_text()
    assert "earners/" not in sitemap
    ada_page = next(p for p in pages if "Ada Lovelace" in (p / "index.html").read_text())
    ada_credential = awarded_ids(
        run(
            root,
            "award",
            "workshop-design",
            "--name",
            "Ada Lovelace",
            "--email",
            EMAILS[0],
            env=env,
        ).stdout
    )[0]
    # her credential page links to her earner page
    site2 = tmp_path / "site2"
    assert mkdocs_build(root, site2, int(time.time())).returncode == 0
    page_html = (site2 / "credentials" / ada_credential / "index.html").read_text()
    assert f"earners/{ada_page.name}/" in page_html
    out = run(root, "profile", "unpublish", ada_credential, env=env).stdout
    assert "removed" in out
    site3 = tmp_path / "site3"
    assert mkdocs_build(root, site3, int(time.time())).returncode == 0
    assert not (site3 / "earners" / ada_page.name).exists()
    assert len(list((site3 / "earners").iterdir())) == 1
    assert "earners/" not in (site3 / "credentials" / ada_credential / "index.html").read_text()
    # publishing again gives a new, unrelated address
    again = run(root, "profile", "publish", ada_credential, env=env).stdout
    assert ada_page.name not in again and "/earners/" in again


def test_earner_page_ids_are_not_derived_from_the_email(root, env, tmp_path):
    import hashlib

    run(
        root,
        "award",
        "session-design",
        "--name",
        "Ada",
        "--email",
        EMAILS[0],
        "--public-profile",
        env=env,
    )
    text = (root / "issued" / "profiles.yml").read_text()
    page = re.search(r"page: (\S+)", text).group(1)
    for digest in (hashlib.sha256, hashlib.sha1, hashlib.md5):
        assert page not in digest(EMAILS[0].encode()).hexdigest()
    view = next(iter(Registry(root).credentials.values()))
    assert page not in view.recipient


# -- renewal ------------------------------------------------------------------------------------


def _old_workshop(root, env, when="2023-06-01"):
    run(
        root,
        "award",
        "session-design",
        "--name",
        "Ada",
        "--email",
        EMAILS[0],
        "--issued-at",
        "2023-05-01",
        "--allow-backdated",  # issue 12: awards over a year back need it
        env=env,
    )
    out = run(
        root,
        "award",
        "workshop-design",
        "--name",
        "Ada",
        "--email",
        EMAILS[0],
        "--issued-at",
        when,
        "--allow-backdated",
        env=env,
    )
    return awarded_ids(out.stdout)[0]


def test_renew_checks_the_window_the_cpd_hours_and_the_evidence(root, env):
    cid = _old_workshop(root, env)  # expires 2026-06-01; the window opens 90 days before
    before = snapshot(root)
    early = run(root, "renew", cid, "--issued-at", "2025-12-01", env=env, check=False)
    assert early.returncode == 1 and "opens on 2026-03-03" in early.stderr
    assert "--cpd-hours" in early.stderr and "CPD evidence" in early.stderr
    short = run(
        root, "renew", cid, "--issued-at", "2026-04-01", "--cpd-hours", "8",
        "--evidence", "CPD log=https://example.org/cpd", env=env, check=False,
    )  # fmt: skip
    assert short.returncode == 1 and "fewer than the 12" in short.stderr
    late = run(
        root, "renew", cid, "--issued-at", "2026-06-02", "--cpd-hours", "20",
        "--evidence", "https://example.org/cpd", env=env, check=False,
    )  # fmt: skip
    assert late.returncode == 1 and "window has closed" in late.stderr
    assert snapshot(root) == before
    ok = run(
        root, "renew", cid, "--issued-at", "2026-04-01", "--cpd-hours", "14",
        "--evidence", "CPD log=https://example.org/cpd", env=env,
    )  # fmt: skip
    new = awarded_ids(ok.stdout)[0]
    doc = json.loads((root / "issued" / "credentials" / f"{new}.json").read_text())
    cpd = [e for e in doc["evidence"] if e["name"].startswith("CPD record")]
    assert cpd and "14 hours of continuing professional development" in cpd[0]["description"]


def test_renewals_lists_ids_and_dates_without_emails(root, env):
    cid = _old_workshop(root, env)
    out = run(root, "renewals", "--at", "2026-03-10", "--markdown", env=env).stdout
    assert cid in out and "2026-03-03" in out and "2026-06-01" in out
    assert "@" not in out and "Ada" not in out
    assert (
        "0 credential" in run(root, "renewals", "--at", "2025-01-01", "--markdown", env=env).stdout
    )


# -- notify over a real SMTP server on 127.0.0.1 -------------------------------------------------


class _Inbox:
    """An aiosmtpd handler that keeps every message; ``hold`` blocks before accepting one."""

    def __init__(self):
        import threading

        self.messages: list[bytes] = []
        self.hold_at: int | None = None
        self.held = threading.Event()
        self.release = threading.Event()

    async def handle_DATA(self, server, session, envelope):
        import asyncio

        if self.hold_at is not None and len(self.messages) + 1 == self.hold_at:
            self.messages.append(envelope.content)  # the server has it: delivered
            self.held.set()
            while not self.release.is_set():
                await asyncio.sleep(0.05)
            return "250 OK"
        if any(b"refuse-me" in r.encode() for r in envelope.rcpt_tos):
            return "550 mailbox unavailable"
        self.messages.append(envelope.content)
        return "250 OK"

    def credentials(self) -> list[str]:
        return [
            re.search(rb"X-Credstack-Credential: (\S+)", m).group(1).decode() for m in self.messages
        ]


@pytest.fixture
def smtp():
    pytest.importorskip("aiosmtpd")
    import socket

    from aiosmtpd.controller import Controller

    with socket.socket() as probe:  # a free port on the loopback interface
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, controller.port
    inbox.release.set()
    controller.stop()


def _cohort(root, env, tmp_path, n=6):
    rows = [(f"Holder {i}", f"holder{i}@example.org", "session-design") for i in range(n)]
    run(root, "award", "--csv", str(write_cohort(tmp_path / "c.csv", rows)), env=env)


def _smtp_env(env, port):
    return {
        **env,
        "CREDSTACK_SMTP_HOST": "127.0.0.1",
        "CREDSTACK_SMTP_PORT": str(port),
        "CREDSTACK_SMTP_SECURITY": "none",
        "CREDSTACK_SMTP_FROM": "credentials@northwind-lab.example",
    }


def test_notify_dry_run_writes_a_mail_merge_csv_and_sends_nothing(root, env, tmp_path, smtp):
    inbox, port = smtp
    _cohort(root, env, tmp_path, n=2)
    out = run(root, "notify", env=_smtp_env(env, port))
    rows = list(csv.DictReader(io.StringIO(out.stdout)))
    assert sorted(r["email"] for r in rows) == ["holder0@example.org", "holder1@example.org"]
    assert (
        rows[0]["credential_url"].startswith("https://")
        and "/credentials/" in rows[0]["credential_url"]
    )
    assert "startTask=CERTIFICATION_NAME" in rows[0]["linkedin_url"]
    assert "certId=" + rows[0]["credential"] in rows[0]["linkedin_url"]
    assert "wallet" in rows[0]["wallet"]
    assert inbox.messages == []
    assert "dry run" in out.stderr


def test_notify_never_mails_the_same_award_twice_across_interrupted_runs(root, env, tmp_path, smtp):
    inbox, port = smtp
    _cohort(root, env, tmp_path, n=6)
    senv = _smtp_env(env, port)
    inbox.hold_at = 3  # the server takes the 3rd message and stalls before answering
    proc = subprocess.Popen(
        [sys.executable, "-m", "credstack.cli", "-C", str(root), "notify", "--send"],
        env=senv,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert inbox.held.wait(60), "the third message never arrived"
    proc.kill()  # interrupted hard, while waiting for the server's answer
    proc.wait(30)
    inbox.release.set()
    inbox.hold_at = None
    assert len(inbox.messages) == 3
    second = run(root, "notify", "--send", env=senv, check=False)
    assert second.returncode == 0, second.stderr
    assert "may have been delivered" in second.stderr  # the 3rd: uncertain, not sent again
    third = run(root, "notify", "--send", env=senv)
    assert "sent 0" in third.stdout
    sent = inbox.credentials()
    assert len(sent) == 6 and len(set(sent)) == 6, "every award exactly once"
    # Asked explicitly, the uncertain one is sent again (and only it).
    fourth = run(root, "notify", "--send", "--resend-uncertain", env=senv)
    assert "sent 1" in fourth.stdout and len(inbox.credentials()) == 7
    assert "sent 0" in run(root, "notify", "--send", env=senv).stdout


def test_notify_keeps_a_refused_message_pending(root, env, tmp_path, smtp):
    inbox, port = smtp
    rows = [
        ("Ok", "ok@example.org", "session-design"),
        ("No", "refuse-me@example.org", "session-design"),
    ]
    run(root, "award", "--csv", str(write_cohort(tmp_path / "c.csv", rows)), env=env)
    senv = _smtp_env(env, port)
    first = run(root, "notify", "--send", env=senv, check=False)
    assert first.returncode == 1 and "refused" in first.stderr
    assert len(inbox.messages) == 1
    pending = run(root, "notify", env=senv).stdout
    assert "refuse-me@example.org" in pending and "ok@example.org" not in pending


def test_notify_refuses_clear_text_smtp_to_another_host(root, env, tmp_path):
    _cohort(root, env, tmp_path, n=1)
    bad = {**env, "CREDSTACK_SMTP_HOST": "smtp.example.org", "CREDSTACK_SMTP_SECURITY": "none"}
    result = run(root, "notify", "--send", env=bad, check=False)
    assert result.returncode == 1 and "clear text" in result.stderr


# -- the PDF certificate --------------------------------------------------------------------------


def _tool(name):
    path = shutil.which(name)
    if path is None:
        if os.environ.get("CI"):
            pytest.fail(f"{name} is missing: .ci/run installs poppler-utils")
        pytest.skip(f"{name} (poppler-utils) is not installed")
    return path


def test_certificate_pdf_text_qr_and_attached_credential(root, env, tmp_path):
    import zxingcpp
    from PIL import Image

    out = run(
        root, "award", "session-design", "--name", "Zoë Ångström", "--email", EMAILS[0], env=env
    )
    cid = awarded_ids(out.stdout)[0]
    pdf = tmp_path / "cert.pdf"
    run(root, "certificate", cid, "-o", str(pdf), env=env)
    url = Registry(root).urls.credential(cid)
    text = subprocess.run(
        [_tool("pdftotext"), "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    for expected in (
        "Zoë Ångström",
        "Evidence-Based Session Design",
        "NORTHWIND FACILITATION LAB",
        url,
    ):
        assert expected in text, expected
    subprocess.run(
        [_tool("pdftoppm"), "-r", "150", "-png", "-singlefile", str(pdf), str(tmp_path / "page")],
        check=True,
    )
    (code,) = zxingcpp.read_barcodes(Image.open(tmp_path / "page.png"))
    assert code.text == url
    subprocess.run([_tool("pdfdetach"), "-saveall", "-o", str(tmp_path), str(pdf)], check=True)
    attached = tmp_path / "credential.json"
    assert attached.read_bytes() == (root / "issued" / "credentials" / f"{cid}.json").read_bytes()
    verified = run(root, "verify", str(attached), env=env)
    assert ": Verified" in verified.stdout


def test_certificate_letter_and_refused_for_a_revoked_credential(root, env, tmp_path):
    out = run(root, "award", "session-design", "--name", "Ada", "--email", EMAILS[0], env=env)
    cid = awarded_ids(out.stdout)[0]
    run(root, "certificate", cid, "--paper", "letter", "-o", str(tmp_path / "l.pdf"), env=env)
    info = subprocess.run(
        [_tool("pdfinfo"), str(tmp_path / "l.pdf")], capture_output=True, text=True
    ).stdout
    assert "792 x 612 pts (letter)" in info
    run(root, "revoke", cid, "--reason", "assessment misconduct", env=env)
    refused = run(root, "certificate", cid, "-o", str(tmp_path / "r.pdf"), env=env, check=False)
    assert refused.returncode == 1 and "revoked" in refused.stderr
    assert not (tmp_path / "r.pdf").exists()

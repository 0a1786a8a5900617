"""The real `credstack` CLI: keys, award, verify, lifecycle commands on scratch registries."""

import json
import os
import stat
import subprocess
import sys

import pytest

from credstack.cli import main
from credstack.crypto.keys import SigningKey
from credstack.registry.registry import Registry
from support import REPO, assessed_by, fixed_signing_key, scratch_registry, snapshot

ENV_SECRET = fixed_signing_key().to_multibase_secret()


@pytest.fixture
def root(tmp_path):
    return scratch_registry(tmp_path)


@pytest.fixture
def signing_env(monkeypatch):
    monkeypatch.setenv("CREDSTACK_SIGNING_KEY", ENV_SECRET)


def run(root, *args, env=None):
    """Run the installed console script, as a user would."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "credstack.cli", "-C", str(root), *args],
        capture_output=True,
        text=True,
        env=full_env,
        check=False,
    )


def foundation(root):
    return Registry(root).program.by_level("foundation")[0].id


def assessed(root):
    """The foundation to award and the --assessor option a pass needs."""
    aid = foundation(root)
    (assessor,) = assessed_by(Registry(root).program, aid)
    return [aid, "--assessor", assessor]


def test_keys_create_stores_secret_outside_the_tree_with_mode_0600(root, tmp_path):
    key_dir = tmp_path / "secrets"
    assert (
        main(["-C", str(root), "keys", "create", "--id", "key-two", "--key-dir", str(key_dir)]) == 0
    )
    (secret_file,) = key_dir.iterdir()
    assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600
    secret = SigningKey.from_multibase_secret(secret_file.read_text().strip())
    keys_yml = (root / "program/keys.yml").read_text()
    assert secret.public_key_multibase in keys_yml
    assert secret.to_multibase_secret() not in keys_yml
    ids = [k.id for k in Registry(root).program.issuer.keys]
    assert ids == ["test-key", "key-two"]


def test_keys_create_print_shows_the_secret_once_and_stores_nothing(root, tmp_path, capsys):
    assert (
        main(
            [
                "-C",
                str(root),
                "keys",
                "create",
                "--id",
                "ci-key",
                "--print",
                "--key-dir",
                str(tmp_path / "none"),
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    secret = next(line.strip() for line in out.splitlines() if line.strip().startswith("z"))
    assert SigningKey.from_multibase_secret(secret)
    assert not (tmp_path / "none").exists()


def test_keys_create_refuses_a_key_dir_inside_the_work_tree(root, capsys):
    before = snapshot(root)
    assert (
        main(["-C", str(root), "keys", "create", "--id", "bad", "--key-dir", str(root / "secrets")])
        == 1
    )
    err = capsys.readouterr().err
    assert "inside the registry work tree" in err and "hint:" in err
    assert snapshot(root) == before


def test_award_refuses_a_key_file_inside_the_work_tree(root, capsys):
    inside = root / "signing.key"
    inside.write_text(ENV_SECRET)
    assert (
        main(
            [
                "-C",
                str(root),
                "award",
                *assessed(root),
                "--name",
                "A",
                "--email",
                "a@example.org",
                "--key",
                str(inside),
            ]
        )
        == 1
    )
    assert "inside the registry work tree" in capsys.readouterr().err
    assert list((root / "issued").iterdir()) == []


def test_award_refuses_a_key_file_tracked_by_git(root, tmp_path, capsys):
    other = tmp_path / "other-repo"
    other.mkdir()
    subprocess.run(["git", "init", "-q"], cwd=other, check=True)
    key = other / "k.key"
    key.write_text(ENV_SECRET)
    subprocess.run(["git", "add", "k.key"], cwd=other, check=True)
    assert (
        main(
            [
                "-C",
                str(root),
                "award",
                *assessed(root),
                "--name",
                "A",
                "--email",
                "a@example.org",
                "--key",
                str(key),
            ]
        )
        == 1
    )
    assert "tracked by git" in capsys.readouterr().err


def test_award_with_a_key_file_prints_id_path_and_url(root, tmp_path, capsys):
    key = tmp_path / "k.key"
    key.write_text(ENV_SECRET + "\n")
    assert (
        main(
            [
                "-C",
                str(root),
                "award",
                *assessed(root),
                "--name",
                "Ada",
                "--email",
                "ada@example.org",
                "--key",
                str(key),
                "--evidence",
                "Plan=https://example.org/plan",
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    (cid,) = Registry(root).credentials
    assert cid in out and f"issued/credentials/{cid}.json" in out
    assert f"https://northwind-lab.github.io/credentials/credentials/{cid}/" in out


def test_award_with_an_unknown_key_is_refused(root, monkeypatch, capsys):
    monkeypatch.setenv(
        "CREDSTACK_SIGNING_KEY", SigningKey.from_seed(bytes(32)).to_multibase_secret()
    )
    assert (
        main(["-C", str(root), "award", *assessed(root), "--name", "A", "--email", "a@example.org"])
        == 1
    )
    assert "not one of the issuer's keys" in capsys.readouterr().err


def test_award_refusal_exits_1_names_what_is_missing_and_writes_nothing(root, signing_env, capsys):
    practitioner = next(a for a in Registry(root).program.by_level("practitioner"))
    before = snapshot(root)
    assert (
        main(["-C", str(root), "award", practitioner.id, "--name", "B", "--email", "b@example.org"])
        == 1
    )
    err = capsys.readouterr().err
    assert "requires" in err and practitioner.prerequisites[0] in err
    assert "Traceback" not in err
    assert snapshot(root) == before


def test_award_usage_errors(root, signing_env, capsys):
    assert main(["-C", str(root), "award", *assessed(root), "--name", "A"]) == 1
    assert "missing email" in capsys.readouterr().err
    assert (
        main(
            [
                "-C",
                str(root),
                "award",
                *assessed(root),
                "--name",
                "A",
                "--email",
                "a@example.org",
                "--issued-at",
                "2999-01-01",
            ]
        )
        == 1
    )
    assert "future" in capsys.readouterr().err


def test_cohort_csv_then_rerun_skips(root, signing_env, tmp_path, capsys):
    f, _, assessor = assessed(root)
    csv = tmp_path / "cohort.csv"
    csv.write_text(
        f"name,email,achievement,assessors\nA,a@example.org,{f},{assessor}\n"
        f"B,b@example.org,{f},{assessor}\n"
    )
    assert main(["-C", str(root), "award", "--csv", str(csv)]) == 0
    assert "2 awarded, 0 skipped" in capsys.readouterr().out
    assert main(["-C", str(root), "award", "--csv", str(csv)]) == 0
    out = capsys.readouterr().out
    assert "0 awarded, 2 skipped" in out and "already awarded" in out


def test_verify_json_report_and_exit_codes(root, signing_env, capsys):
    main(["-C", str(root), "award", *assessed(root), "--name", "A", "--email", "a@example.org"])
    (view,) = Registry(root).credentials.values()
    path = root / "issued/credentials" / f"{view.cid}.json"
    capsys.readouterr()
    assert main(["-C", str(root), "verify", str(path), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["status"] == "verified"
    assert [c["outcome"] for c in report["checks"]] == ["pass"] * 6 + ["skip", "skip"]
    assert [c["code"] for c in report["checks"]][-2:] == ["not-applicable", "none"]
    doc = json.loads(path.read_text())
    doc["credentialSubject"]["identifier"][1]["identityHash"] = "Mallory"
    forged = root.parent / "forged.json"
    forged.write_text(json.dumps(doc))
    assert main(["-C", str(root), "verify", str(forged)]) == 1
    out = capsys.readouterr().out
    assert "FAIL Signature: the content has changed since it was signed" in out


def test_verify_outside_a_registry_with_did_document(root, signing_env, tmp_path, capsys):
    main(["-C", str(root), "award", *assessed(root), "--name", "A", "--email", "a@example.org"])
    (view,) = Registry(root).credentials.values()
    did = tmp_path / "did.json"
    did.write_text(json.dumps(Registry(root).did_document()))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    path = root / "issued/credentials" / f"{view.cid}.json"
    capsys.readouterr()
    assert main(["-C", str(elsewhere), "verify", str(path)]) == 1
    assert "issuer keys could not be fetched" in capsys.readouterr().out
    revocation = root / "issued/status/revocation-1.json"
    suspension = root / "issued/status/suspension-1.json"
    base = ["-C", str(elsewhere), "verify", str(path), "--did-document", str(did)]
    # Without the companion suspension list, a suspension could not be seen: error, not "OK".
    assert main([*base, "--status-list", str(revocation)]) == 1
    out = capsys.readouterr().out
    assert "Signature verified, but revocation status could not be checked" in out
    assert "suspension-1.json is not available" in out
    assert main([*base, "--status-list", str(revocation), "--status-list", str(suspension)]) == 0
    out = capsys.readouterr().out
    assert "OK   Revocation status" in out


def test_lifecycle_commands(root, signing_env, capsys):
    main(["-C", str(root), "award", *assessed(root), "--name", "A", "--email", "a@example.org"])
    (cid,) = Registry(root).credentials
    assert main(["-C", str(root), "suspend", cid, "--reason", "review"]) == 0
    assert main(["-C", str(root), "verify", str(root / "issued")]) == 1
    assert "Suspended by the issuer" in capsys.readouterr().out
    assert main(["-C", str(root), "reinstate", cid]) == 0
    assert main(["-C", str(root), "revoke", cid, "--reason", "fraud"]) == 0
    before = snapshot(root)
    assert main(["-C", str(root), "revoke", cid, "--reason", "again"]) == 1
    assert "revocation is final" in capsys.readouterr().err
    assert snapshot(root) == before
    assert main(["-C", str(root), "revoke", "2026-unknown", "--reason", "x"]) == 1
    assert "no issued credential" in capsys.readouterr().err


def test_expiring_csv(root, signing_env, capsys):
    from support import at as date
    from support import award_with_prerequisites, expiring_micro

    aid = expiring_micro(Registry(root).program)
    award_with_prerequisites(
        root,
        aid,
        name="A",
        email="a@example.org",
        when=date("2024-01-10"),
        signed_at=date("2026-01-01"),
    )
    capsys.readouterr()
    assert (
        main(["-C", str(root), "expiring", "--within", "60d", "--at", "2026-12-01", "--csv"]) == 0
    )
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0].startswith("credential,name,achievement,valid_until")
    assert len(lines) == 2 and aid in lines[1]


def test_console_script_is_installed():
    """`credstack` is installed beside the Python running the tests (the venv's bin/)."""
    script = os.path.join(os.path.dirname(sys.executable), "credstack")
    out = subprocess.run([script, "--version"], capture_output=True, text=True, check=False)
    assert out.returncode == 0 and out.stdout.startswith("credstack ")


def test_demo_registry_credentials_are_all_genuine():
    """The committed demo: every credential genuine; some legitimately revoked/suspended/expired."""
    out = run(REPO, "verify", str(REPO / "issued"), "--json")
    reports = json.loads(out.stdout)
    statuses = {r["status"] for r in reports}
    assert statuses <= {"verified", "revoked", "suspended", "expired"}, statuses
    assert {"verified", "revoked", "suspended", "expired"} <= statuses
    assert any(
        c["id"] == "components" and c["outcome"] == "pass" for r in reports for c in r["checks"]
    ), "the demo holds a full certification"

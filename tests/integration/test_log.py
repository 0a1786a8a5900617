"""The transparency log through the real CLI, in real git repositories.

Each test starts from a registry with the TEST-ONLY signing key, three awarded credentials and
a log started with `credstack log init`, committed on ``main`` (the log key's secret lives in a
temporary XDG config folder, never in the repository). The attacks of issue 14 are made by
hand, as an attacker with write access to the files would, and each must be detected.
"""

from __future__ import annotations

import io
import json
import re
import shutil
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

from credstack.cli import main
from credstack.crypto.keys import SigningKey
from credstack.crypto.note import NoteSigner, sign_note
from credstack.model import tlog
from credstack.registry.award import AwardInput
from credstack.registry.registry import Registry
from credstack.registry.tlog import CONFIG_FILE, ENTRIES_DIR, read_config, read_entries
from credstack.registry.transparency import LOG_RULES, check_log
from gate_support import FINDING, commit, git
from support import assessed_by, award, fixed_signing_key, result_for, scratch_registry, snapshot
from support import at as date


def run(root: Path, *args: str) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(["-C", str(root), *args])
    return code, out.getvalue() + err.getvalue()


def rules(text: str) -> set[str]:
    found = {m.group(3) for m in map(FINDING.match, text.splitlines()) if m}
    assert found <= set(LOG_RULES), found - set(LOG_RULES)
    return found


def segment(root: Path) -> Path:
    return root / ENTRIES_DIR / "000000.jsonl"


def entries(root: Path) -> list[dict]:
    return [json.loads(e) for e in read_entries(root)]


def foundation(root: Path) -> str:
    program = Registry(root).program
    return next(a.id for a in program.achievements.values() if not a.prerequisites)


@pytest.fixture
def env(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("CREDSTACK_SIGNING_KEY", fixed_signing_key().to_multibase_secret())
    monkeypatch.delenv("CREDSTACK_LOG_KEY", raising=False)


@pytest.fixture
def root(tmp_path, env) -> Path:
    root = scratch_registry(tmp_path)
    aid = foundation(root)
    result = result_for(Registry(root).program, aid)
    for day, (name, email) in enumerate(
        [("Ada", "ada@example.org"), ("Bob", "bob@example.org"), ("Cy", "cy@example.org")], 2
    ):
        award(root, AwardInput(aid, name, email, date(f"2025-01-0{day}"), result=result))
    git(root, "init", "-q", "-b", "main")
    code, text = run(root, "log", "init")
    assert code == 0, text
    commit(root, "registry with a log")
    git(root, "checkout", "-q", "-b", "pr")
    return root


def cids(root: Path) -> list[str]:
    return sorted(Registry(root).credentials)


# -- log init, the hooks, verify -----------------------------------------------------------------


def test_log_init_backfills_in_historical_order(root, tmp_path):
    kinds = [e["kind"] for e in entries(root)]
    assert kinds == [
        "key-added",
        "status-list-created",
        "status-list-created",
        "credential-issued",
        "credential-issued",
        "credential-issued",
        "status-lists",
    ]
    config = read_config(root)
    assert config.origin == "northwind-lab.github.io/credentials/log"
    keys = list((tmp_path / "config" / "credstack" / "keys").iterdir())
    assert len(keys) == 1 and oct(keys[0].stat().st_mode & 0o777) == "0o600"
    code, text = run(root, "log", "verify")
    assert code == 0, text
    assert "7 entries" in text
    before = snapshot(root)
    code, text = run(root, "log", "init")
    assert code == 1 and "already keeps a transparency log" in text
    assert snapshot(root) == before


def assessed(root) -> list[str]:
    """The award arguments for a foundation credential: its id and the assessors it needs."""
    aid = foundation(root)
    program = Registry(root).program
    return [aid, *(x for a in assessed_by(program, aid) for x in ("--assessor", a))]


def test_the_log_key_is_in_the_did_document_but_cannot_sign_credentials(root):
    did = Registry(root).did_document()
    config = read_config(root)
    method = f"{did['id']}#{config.key_id}"
    assert method in [m["id"] for m in did["verificationMethod"]]
    assert method not in did["assertionMethod"]
    assert did["service"][0]["verificationMethod"] == method
    assert did["service"][0]["serviceEndpoint"].endswith("/credentials/log/")


def test_every_cli_change_appends_its_entries_and_the_state(root):
    count = len(read_entries(root))
    code, text = run(root, "award", *assessed(root), "--name", "Di", "--email", "di@example.org")
    assert code == 0, text
    new = entries(root)[count:]
    assert [e["kind"] for e in new] == ["credential-issued", "status-lists"]
    cid = cids(root)[0]
    code, text = run(root, "revoke", cid, "--reason", "awarded in error")
    assert code == 0, text
    changed = entries(root)[-2]
    assert changed["kind"] == "status-changed" and changed["event"] == "revoked"
    current = (root / "issued/status/revocation-1.json").read_bytes()
    assert changed["sha256"] == tlog.sha256_hex(current)
    assert entries(root)[-1]["lists"][changed["list"]] == tlog.sha256_hex(current)
    code, text = run(root, "keys", "create", "--id", "second-key", "--print")
    assert code == 0, text
    assert entries(root)[-2]["kind"] == "key-added"
    code, text = run(root, "log", "verify")
    assert code == 0, text


def test_a_refused_command_writes_no_entry(root):
    before = snapshot(root)
    code, _ = run(root, "award", "no-such-thing", "--name", "X", "--email", "x@example.org")
    assert code == 1
    code, _ = run(root, "reinstate", cids(root)[0])  # not suspended: refused
    assert code == 1
    assert snapshot(root) == before


def test_registries_without_a_log_write_none(tmp_path, env):
    root = scratch_registry(tmp_path)
    award(root, AwardInput(foundation(root), "Ada", "ada@example.org", date("2025-01-02")))
    assert not (root / "issued" / "log").exists()
    assert "issued/log/log.json" not in json.dumps(Registry(root).did_document())


# -- prove, checkpoint, verify --log-proof ---------------------------------------------------


def test_prove_then_verify_offline(root, tmp_path):
    cid = cids(root)[1]
    proof = tmp_path / "p.tlog-proof"
    code, text = run(root, "log", "prove", cid, "--out", str(proof))
    assert code == 0, text
    assert proof.read_text().startswith("c2sp.org/tlog-proof@v1\nindex ")
    credential = root / f"issued/credentials/{cid}.json"
    code, text = run(root, "verify", str(credential), "--log-proof", str(proof))
    assert code == 0, text
    assert "Public log: recorded in the issuer's public log, entry" in text
    # The same proof does not fit another credential.
    other = root / f"issued/credentials/{cids(root)[0]}.json"
    code, text = run(root, "verify", str(other), "--log-proof", str(proof), "--json")
    assert code == 1
    report = json.loads(text)
    assert report["status"] == "invalid"
    assert next(c for c in report["checks"] if c["id"] == "log")["code"] == "not-in-log"


def test_checkpoint_is_dated_and_verifies(root, tmp_path):
    out = tmp_path / "checkpoint"
    code, text = run(root, "log", "checkpoint", "--out", str(out), "--at", "2026-01-02T03:04:05Z")
    assert code == 0, text
    code, text = run(root, "log", "verify", "--checkpoint", str(out))
    assert code == 0, text
    assert "signed 2026-01-02T03:04:05Z" in text


# -- the attacks ---------------------------------------------------------------------------------


def test_attack_an_older_status_list_after_a_revocation(root):
    path = root / "issued/status/revocation-1.json"
    older = path.read_bytes()
    assert run(root, "revoke", cids(root)[0], "--reason", "fraud")[0] == 0
    path.write_bytes(older)  # the list from before the revocation: validly signed, but old
    code, text = run(root, "log", "verify")
    assert code == 1
    assert "log-lists-current" in rules(text)


def test_attack_a_credential_deleted_and_the_log_rebuilt_without_it(root, tmp_path):
    old = tmp_path / "seen.checkpoint"
    assert run(root, "log", "checkpoint", "--out", str(old))[0] == 0
    key_file = next((tmp_path / "config" / "credstack" / "keys").iterdir())
    (root / f"issued/credentials/{cids(root)[1]}.json").unlink()
    shutil.rmtree(root / "issued" / "log")
    code, text = run(root, "log", "init", "--key", str(key_file))  # same key: looks genuine
    assert code == 0, text
    assert run(root, "log", "verify")[0] == 0  # consistent with itself...
    code, text = run(root, "log", "verify", "--since", str(old))
    assert code == 1  # ...but not with what was published before
    assert "log-consistent" in rules(text)
    findings = check_log(root, base="main")
    assert "log-append-only" in {f.rule for f in findings}


def test_attack_an_entry_edited(root):
    lines = segment(root).read_text().splitlines(keepends=True)
    cred = next(i for i, line in enumerate(lines) if "credential-issued" in line)
    lines[cred] = re.sub(r'"sha256":"[0-9a-f]{64}"', '"sha256":"' + "0" * 64 + '"', lines[cred])
    segment(root).write_text("".join(lines))
    code, text = run(root, "log", "verify")
    assert code == 1
    assert "log-credential-logged" in rules(text)
    findings = check_log(root, base="main")
    append = [f for f in findings if f.rule == "log-append-only"]
    assert append and append[0].path == f"{ENTRIES_DIR}/000000.jsonl:{cred + 1}"


def test_attack_a_checkpoint_resigned_with_another_key(root, tmp_path):
    config = read_config(root)
    tree = tlog.tree_of(read_entries(root))
    body = tlog.Checkpoint(config.origin, tree.size, tree.root()).body()
    forged = sign_note(
        body, NoteSigner(config.origin, SigningKey.from_seed(b"\x07" * 32)), timestamp=1
    )
    path = tmp_path / "forged"
    path.write_text(forged)
    code, text = run(root, "log", "verify", "--checkpoint", str(path))
    assert code == 1
    assert "log-checkpoint-valid" in rules(text)
    cid = cids(root)[0]
    proof = tmp_path / "p.tlog-proof"
    code, text = run(root, "log", "prove", cid, "--checkpoint", str(path), "--out", str(proof))
    assert code == 1
    assert "no signature by" in text or "does not verify" in text


def test_attack_an_old_checkpoint_replayed_after_a_newer_one(root, tmp_path):
    old_state = snapshot(root)
    assert run(root, "revoke", cids(root)[0], "--reason", "fraud")[0] == 0
    newer = tmp_path / "newer.checkpoint"
    assert run(root, "log", "checkpoint", "--out", str(newer))[0] == 0
    # The registry (and so the log) put back as it was before the revocation.
    shutil.rmtree(root / "issued")
    for rel_path, data in old_state.items():
        (root / rel_path).parent.mkdir(parents=True, exist_ok=True)
        (root / rel_path).write_bytes(data)
    code, text = run(root, "log", "verify", "--since", str(newer))
    assert code == 1
    assert "log-consistent" in rules(text)
    assert "truncated" in text


def test_attack_a_log_truncated_by_a_pull_request(root):
    lines = segment(root).read_text().splitlines(keepends=True)
    segment(root).write_text("".join(lines[:-2]))
    commit(root, "truncate")
    findings = check_log(root, base="main")
    assert any(f.rule == "log-append-only" and "truncated" in f.message for f in findings)


# -- the merge gate ------------------------------------------------------------------------------


def test_gate_accepts_changes_made_with_the_cli(root):
    assert run(root, "award", *assessed(root), "--name", "Di", "--email", "di@example.org")[0] == 0
    assert run(root, "suspend", cids(root)[0], "--reason", "appeal")[0] == 0
    commit(root)
    assert check_log(root, base="main") == []


def test_gate_finds_a_credential_without_its_entry(root):
    cid = cids(root)[0]
    data = (root / f"issued/credentials/{cid}.json").read_text()
    copy = root / "issued/credentials/2025-copied0000.json"
    copy.write_text(data.replace(cid, "2025-copied0000"))
    findings = check_log(root, base="main")
    assert ("issued/credentials/2025-copied0000.json", "log-credential-logged") in {
        (f.path, f.rule) for f in findings
    }


def test_gate_finds_an_entry_without_its_change(root):
    entry = tlog.credential_entry("https://northwind-lab.github.io/credentials/credentials/x/", b"")
    with segment(root).open("ab") as fh:
        fh.write(tlog.canonical_json(entry) + b"\n")
    findings = check_log(root, base="main")
    assert "log-entry-has-change" in {f.rule for f in findings}
    assert "log-lists-current" in {f.rule for f in findings}  # no state entry after it


def test_gate_finds_a_status_change_without_its_entry(root):
    from credstack.registry.files import Transaction
    from credstack.registry.lifecycle import change_status
    from support import loaded_test_key

    registry = Registry(root)
    tx = Transaction()
    change_status(
        registry,
        cids(root)[0],
        "revoked",
        key=loaded_test_key(root),
        when=date("2025-02-01"),
        reason="x",
        tx=tx,
    )
    # Drop the log's part of the transaction: the change without its entry.
    for path in [p for p in tx.paths if "issued/log" in p.as_posix()]:
        del tx._staged[path]
    tx.commit()
    rules_found = {f.rule for f in check_log(root, base="main")}
    assert {"log-status-logged", "log-lists-current"} <= rules_found


def test_gate_refuses_a_deleted_or_changed_log(root):
    shutil.rmtree(root / "issued" / "log")
    assert "log-append-only" in {f.rule for f in check_log(root, base="main")}
    git(root, "checkout", "-q", "--", ".")
    config = json.loads((root / CONFIG_FILE).read_text())
    config["origin"] = "elsewhere.example/log"
    (root / CONFIG_FILE).write_text(json.dumps(config))
    assert "log-append-only" in {f.rule for f in check_log(root, base="main")}


def test_gate_lets_a_pull_request_start_a_log(tmp_path, env):
    root = scratch_registry(tmp_path)
    award(root, AwardInput(foundation(root), "Ada", "ada@example.org", date("2025-01-02")))
    git(root, "init", "-q", "-b", "main")
    commit(root)
    git(root, "checkout", "-q", "-b", "pr")
    assert run(root, "log", "init")[0] == 0
    assert check_log(root, base="main") == []


# -- every rule has a scenario that finds it; disabled, it is gone --------------------------------


def _corrupt_line(root, tmp_path):
    with segment(root).open("ab") as fh:
        fh.write(b"not json\n")


def _unlogged_credential(root, tmp_path):
    cid = cids(root)[0]
    data = (root / f"issued/credentials/{cid}.json").read_text()
    (root / "issued/credentials/2025-copied0000.json").write_text(
        data.replace(cid, "2025-copied0000")
    )


def _unlogged_status_change(root, tmp_path):
    from credstack.registry.files import Transaction
    from credstack.registry.lifecycle import change_status
    from support import loaded_test_key

    tx = Transaction()
    change_status(
        Registry(root),
        cids(root)[0],
        "revoked",
        key=loaded_test_key(root),
        when=date("2025-02-01"),
        reason="x",
        tx=tx,
    )
    for path in [p for p in tx.paths if "issued/log" in p.as_posix()]:
        del tx._staged[path]
    tx.commit()


def _unlogged_key(root, tmp_path):
    keys = root / "program" / "keys.yml"
    other = SigningKey.from_seed(b"\x05" * 32).public_key_multibase
    keys.write_text(
        keys.read_text()
        + f"- id: extra\n  publicKeyMultibase: {other}\n  created: '2024-06-01T00:00:00Z'\n"
    )


def _entry_without_change(root, tmp_path):
    entry = tlog.credential_entry("https://northwind-lab.github.io/credentials/credentials/x/", b"")
    state = entries(root)[-1]
    with segment(root).open("ab") as fh:
        fh.write(tlog.canonical_json(entry) + b"\n" + tlog.canonical_json(state) + b"\n")


def _lying_state(root, tmp_path):
    assert run(root, "award", *assessed(root), "--name", "Di", "--email", "di@example.org")[0] == 0
    lines = segment(root).read_text().splitlines(keepends=True)
    first_state = next(i for i, line in enumerate(lines) if '"status-lists"' in line)
    lines[first_state] = re.sub(r"[0-9a-f]{64}", "1" * 64, lines[first_state], count=1)
    segment(root).write_text("".join(lines))


def _older_list(root, tmp_path):
    path = root / "issued/status/revocation-1.json"
    older = path.read_bytes()
    assert run(root, "revoke", cids(root)[0], "--reason", "fraud")[0] == 0
    path.write_bytes(older)


def _site_with_a_bad_tile(root, tmp_path):
    site = tmp_path / "site"
    for rel_path, data in tlog.tile_files(
        read_entries(root), tlog.tree_of(read_entries(root))
    ).items():
        (site / "log" / rel_path).parent.mkdir(parents=True, exist_ok=True)
        (site / "log" / rel_path).write_bytes(
            data[:-1] + b"\x00" if "tile/0/" in rel_path else data
        )
    return {"site_dir": site}


def _forged_checkpoint(root, tmp_path):
    config = read_config(root)
    tree = tlog.tree_of(read_entries(root))
    body = tlog.Checkpoint(config.origin, tree.size, tree.root()).body()
    other = NoteSigner(config.origin, SigningKey.from_seed(b"\x07" * 32))
    return {"checkpoint": sign_note(body, other)}


def _rebuilt_since(root, tmp_path):
    assert run(root, "log", "checkpoint", "--out", str(tmp_path / "old"))[0] == 0
    key_file = next((tmp_path / "config" / "credstack" / "keys").iterdir())
    (root / f"issued/credentials/{cids(root)[1]}.json").unlink()
    shutil.rmtree(root / "issued" / "log")
    assert run(root, "log", "init", "--key", str(key_file))[0] == 0
    return {"since": (tmp_path / "old").read_text()}


def _truncated(root, tmp_path):
    lines = segment(root).read_text().splitlines(keepends=True)
    segment(root).write_text("".join(lines[:-1]))
    return {"base": "main"}


SCENARIOS = {
    "log-entries-valid": _corrupt_line,
    "log-credential-logged": _unlogged_credential,
    "log-status-logged": _unlogged_status_change,
    "log-key-logged": _unlogged_key,
    "log-entry-has-change": _entry_without_change,
    "log-state-valid": _lying_state,
    "log-lists-current": _older_list,
    "log-tiles-match": _site_with_a_bad_tile,
    "log-checkpoint-valid": _forged_checkpoint,
    "log-consistent": _rebuilt_since,
    "log-append-only": _truncated,
}


def test_every_rule_has_a_scenario():
    assert set(SCENARIOS) == set(LOG_RULES)


@pytest.mark.parametrize("rule", sorted(SCENARIOS))
def test_each_rule_finds_its_scenario_and_disabled_it_is_silent(root, tmp_path, rule):
    from credstack.registry.transparency import verify_log

    options = SCENARIOS[rule](root, tmp_path) or {}
    if "base" in options:
        found = {f.rule for f in check_log(root, base=options["base"])}
        silent = {f.rule for f in check_log(root, base=options["base"], disabled=[rule])}
    else:
        found = {f.rule for f in verify_log(root, **options).findings}
        silent = {f.rule for f in verify_log(root, **options, disabled=[rule]).findings}
    assert rule in found
    assert rule not in silent


def test_the_merge_gate_runs_the_log_rules(root):
    """`credstack check --base` reports the log's findings with the other rules."""
    from datetime import UTC, datetime

    from credstack.registry.check import check_registry

    shutil.rmtree(root / "issued" / "log")
    report = check_registry(root, at=datetime.now(UTC), base="main")
    assert "log-append-only" in {f.rule for f in report.errors}
    quiet = check_registry(root, at=datetime.now(UTC), base="main", disabled={"log-append-only"})
    assert "log-append-only" not in {f.rule for f in quiet.findings}

"""Bad input from the hostile review (issue 12): each gets a clear error or a safe result, and the
registry stays as it was. Each test is named for the attack."""

from __future__ import annotations

import csv
import io
import json
import os
import stat
import struct
import subprocess
import sys
import time
import tracemalloc
import zlib
from contextlib import redirect_stderr, redirect_stdout
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from credstack.cli import main
from credstack.errors import AwardError, CredentialError, ProofError
from credstack.model import jsondoc
from credstack.model.baking import PNG_SIGNATURE, bake_png, extract
from credstack.model.credential import clean_text
from credstack.model.sharing import spreadsheet_safe as safe_cell
from credstack.model.status import parse_date_or_datetime, parse_datetime
from credstack.registry.award import AwardInput, parse_evidence, plan_awards, read_cohort_csv
from credstack.registry.registry import Registry
from support import (
    assessed_by,
    award,
    expiring_micro,
    fixed_signing_key,
    loaded_test_key,
    result_for,
    scratch_registry,
    snapshot,
    with_assessors,
)

NOW = datetime(2026, 3, 2, 9, tzinfo=UTC)


@pytest.fixture(autouse=True)
def private_home(tmp_path, monkeypatch):
    """Private files the CLI keeps outside the registry (roster rows, notes) go to tmp_path."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return scratch_registry(tmp_path)


@pytest.fixture
def key_env(monkeypatch):
    monkeypatch.setenv("CREDSTACK_SIGNING_KEY", fixed_signing_key().to_multibase_secret())


def cli(*args: str) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(list(args))
    return code, out.getvalue() + err.getvalue()


def foundation(root: Path) -> str:
    return Registry(root).program.by_level("foundation")[0].id


def assessors(root: Path) -> list[str]:
    """`--assessor ID` for each assessor the foundation award needs."""
    return [
        a for x in assessed_by(Registry(root).program, foundation(root)) for a in ("--assessor", x)
    ]


# -- CSV output -------------------------------------------------------------------------------


def test_expiring_csv_writes_formula_names_as_text_not_formulas(root, key_env):
    aid = expiring_micro(Registry(root).program)
    program = Registry(root).program
    pres = program.achievements[aid].prerequisites
    when = datetime.now(UTC) - timedelta(days=300)
    inputs = [
        AwardInput(p, '=HYPERLINK("https://evil.example","Click")', "x@example.org", when)
        for p in pres
    ]
    inputs.append(
        AwardInput(
            aid,
            '=HYPERLINK("https://evil.example","Click")',
            "x@example.org",
            when + timedelta(days=1),
            result=result_for(program, aid),
        )
    )
    award(root, *inputs, signed_at=datetime.now(UTC))
    code, out = cli("-C", str(root), "expiring", "--within", "100y", "--csv")
    assert code == 0, out
    rows = list(csv.reader(io.StringIO(out)))
    names = [r[1] for r in rows[1:]]
    assert names and all(n.startswith("'=HYPERLINK") for n in names), rows
    assert not any(cell.startswith(("=", "+", "-", "@")) for r in rows for cell in r)


@pytest.mark.parametrize("cell", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_spreadsheet_cells_starting_a_formula_get_an_apostrophe(cell):
    assert safe_cell(cell) == "'" + cell
    assert safe_cell("Ada Lovelace") == "Ada Lovelace"


# -- leftovers of a crash ---------------------------------------------------------------------


def test_tmp_files_left_by_an_old_crashed_write_are_cleaned_by_the_next_run(root):
    folder = root / "issued" / "credentials"
    folder.mkdir(parents=True, exist_ok=True)
    old_style = folder / ".2026-abcdefghij.json.k3j5x9q2.tmp"  # tempfile.mkstemp's form
    new_style = root / "issued" / ".status-log.yml.credstack-0123456789ab.tmp"
    old_style.write_text("{")
    new_style.write_text("events: [")
    code, out = cli("-C", str(root), "recover")
    assert code == 0, out
    assert "removed 2 temporary file(s)" in out
    assert not old_style.exists() and not new_style.exists()
    code, out = cli("-C", str(root), "recover")
    assert "nothing to recover" in out


# -- baked images -----------------------------------------------------------------------------


def _chunk(kind: bytes, payload: bytes) -> bytes:
    return (
        struct.pack(">I", len(payload))
        + kind
        + payload
        + struct.pack(">I", zlib.crc32(kind + payload) & 0xFFFFFFFF)
    )


@pytest.fixture(scope="module")
def png_bomb() -> bytes:
    """A 1.5 MB PNG whose compressed iTXt chunk expands to 1.5 GB."""
    squeeze = zlib.compressobj(9)
    block = bytes(2**24)
    stream = b"".join(squeeze.compress(block) for _ in range(96)) + squeeze.flush()
    itxt = b"openbadgecredential\x00" + b"\x01\x00" + b"\x00" + b"\x00" + stream
    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    idat = zlib.compress(b"\x00\x00")
    return (
        PNG_SIGNATURE
        + _chunk(b"IHDR", ihdr)
        + _chunk(b"iTXt", itxt)
        + _chunk(b"IDAT", idat)
        + _chunk(b"IEND", b"")
    )


def test_a_png_with_a_compressed_itxt_bomb_is_refused_quickly_in_bounded_memory(png_bomb):
    assert 1_000_000 < len(png_bomb) < 2_000_000
    tracemalloc.start()
    started = time.perf_counter()
    try:
        with pytest.raises(CredentialError, match="is compressed, which Open Badges"):
            extract(png_bomb)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 64 * 2**20, f"peak {peak / 2**20:.0f} MB"  # not 1.6 GB
    assert time.perf_counter() - started < 10  # seconds, on a busy machine; it was 43 s


def test_verify_of_the_png_bomb_is_one_clear_failure_not_a_memory_error(png_bomb, tmp_path):
    path = tmp_path / "badge.png"
    path.write_bytes(png_bomb)
    code, out = cli("-C", str(tmp_path), "verify", str(path))
    assert code == 1
    assert "is compressed, which Open Badges 3.0" in out
    assert "Traceback" not in out


# -- dates --------------------------------------------------------------------------------


def _plan(root: Path, issued_at: datetime, **kw):
    registry = Registry(root)
    inp = with_assessors(
        registry.program, AwardInput(foundation(root), "Ada", "ada@example.org", issued_at)
    )
    return plan_awards(registry, [inp], loaded_test_key(root), signed_at=NOW, **kw)


def test_award_back_dated_to_year_0001_is_refused(root):
    before = snapshot(root)
    with pytest.raises(AwardError, match="before 1970: surely a typo"):
        _plan(root, datetime(1, 1, 1, tzinfo=UTC), allow_backdated=True)
    assert snapshot(root) == before


def test_award_far_in_the_future_is_refused(root):
    with pytest.raises(AwardError, match="lies in the future"):
        _plan(root, datetime(2062, 1, 1, tzinfo=UTC))


def test_award_more_than_a_year_back_needs_allow_backdated(root):
    old = NOW - timedelta(days=500)
    with pytest.raises(AwardError, match="more than a year ago") as caught:
        _plan(root, old)
    assert "--allow-backdated" in (caught.value.hint or "")
    assert _plan(root, old, allow_backdated=True).awarded


def test_cli_award_back_dated_to_year_0001_is_refused_with_a_hint(root, key_env):
    code, out = cli(
        "-C", str(root), "award", foundation(root), "--name", "Ada", "--email",
        "ada@example.org", "--issued-at", "0001-01-01", *assessors(root),
    )  # fmt: skip
    assert code == 1
    assert "out of range" in out and "hint:" in out
    assert not list((root / "issued").rglob("*.json"))


@pytest.mark.parametrize("flag", [("verify", "--at"), ("expiring", "--at")])
def test_year_0001_dates_on_the_command_line_are_refused(root, flag):
    command, option = flag
    args = [command, option, "0001-01-01"]
    if command == "verify":
        args.insert(1, str(root / "issued"))
    code, out = cli("-C", str(root), *args)
    assert code == 1
    assert "out of range" in out and "Traceback" not in out


@pytest.mark.parametrize(
    "text",
    [
        "2026-W10-1",  # ISO week date: fromisoformat accepted it
        "20260302",  # basic format
        "2026-03-02 09:00:00Z",  # space for T
        "2026-03-02T09:00:00z",  # lower-case z
        "2026-03-02T09:00:00",  # no time zone
        "0001-01-01T00:00:00+01:00",  # not expressible in UTC
    ],
)
def test_the_one_date_parser_refuses_forms_other_parsers_read_differently(text):
    with pytest.raises(ValueError):
        parse_date_or_datetime(text)
    with pytest.raises(ValueError):
        parse_datetime(text)
    from credstack.crypto.proof import parse_datetime as proof_parse

    with pytest.raises(ProofError):
        proof_parse(text, "created")


def test_the_cli_and_the_cohort_csv_read_dates_the_same_way(root, tmp_path):
    for text, ok in (("2026-03-02", True), ("2026-03-02T09:00:00Z", True), ("2026-W10-1", False)):
        path = tmp_path / "c.csv"
        path.write_text(f"name,email,achievement,issued_at\nA,a@example.org,x,{text}\n")
        try:
            rows = read_cohort_csv(path, default_issued_at=NOW)
            from_csv = rows[0].issued_at
        except AwardError:
            from_csv = None
        try:
            from_flag = parse_date_or_datetime(text)
        except ValueError:
            from_flag = None
        assert from_csv == from_flag and (from_csv is not None) == ok


# -- names --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "fragment"),
    [
        ("Ada\rLovelace", "U+000D"),
        ("Ada\nLovelace", "U+000A"),
        ("Ada \u202eecalevoL", "U+202E RIGHT-TO-LEFT OVERRIDE"),
        ("Ada\u200bLovelace", "U+200B ZERO WIDTH SPACE"),
        ("\u200dAda", "U+200D ZERO WIDTH JOINER"),
        ("Ada\ufeff", "U+FEFF"),
        ("A" * 10_000, "10,000 characters long; the limit is 200"),
    ],
)
def test_names_with_cr_rtl_override_zero_width_or_10000_characters_are_refused(name, fragment):
    with pytest.raises(CredentialError, match=fragment.replace("+", r"\+")) as caught:
        clean_text(name, "the recipient's name")
    assert caught.value.hint


def test_names_in_scripts_that_need_joiners_are_accepted():
    persian = "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645"  # ZWNJ between letters
    assert clean_text(persian, "name") == persian
    assert clean_text("Zoë Ñúñez-Ødegård", "name") == "Zoë Ñúñez-Ødegård"


def test_cli_award_refuses_an_rtl_override_name_and_writes_nothing(root, key_env):
    before = snapshot(root)
    code, out = cli(
        "-C", str(root), "award", foundation(root), "--name", "Ada \u202egpj.exe",
        "--email", "ada@example.org", *assessors(root),
    )  # fmt: skip
    assert code == 1
    assert "U+202E" in out and "hint:" in out
    assert snapshot(root) == before


# -- cohort files -------------------------------------------------------------------------


def test_non_utf8_csv_is_refused_naming_the_line(tmp_path):
    path = tmp_path / "c.csv"
    path.write_bytes(b"name,email,achievement\nAda,ada@example.org,x\nZo\xeb,z@example.org,x\n")
    with pytest.raises(AwardError, match=r"c.csv:3: not UTF-8 text \(byte 0xeb\)") as caught:
        read_cohort_csv(path, default_issued_at=NOW)
    assert "CSV UTF-8" in caught.value.hint


def test_oversized_csv_field_is_refused_naming_the_line(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text(f'name,email,achievement\nAda,ada@example.org,x\n"{"A" * 200_000}",b@x.org,x\n')
    with pytest.raises(AwardError, match=r"c.csv:3: not valid CSV \(field larger"):
        read_cohort_csv(path, default_issued_at=NOW)


def test_csv_name_over_200_characters_is_refused_naming_the_line(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text(f"name,email,achievement\n{'A' * 5000},ada@example.org,x\n")
    with pytest.raises(AwardError, match=r"c.csv:2: name is 5,000 characters long"):
        read_cohort_csv(path, default_issued_at=NOW)


def test_extra_csv_fields_are_refused_with_line_numbers(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text(
        "name,email,achievement\n"
        "Lovelace, Ada,ada@example.org,x\n"  # an unquoted comma
        "Grace,grace@example.org,x\n"
        "Hopper, Grace,g@example.org,x\n"
    )
    with pytest.raises(AwardError) as caught:
        read_cohort_csv(path, default_issued_at=NOW)
    message = caught.value.message
    assert "c.csv:2: 4 fields, but the header has 3" in message
    assert "c.csv:4: 4 fields" in message and "c.csv:3" not in message
    assert "double quotes" in message


def test_duplicate_csv_columns_are_refused(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("name,email,achievement,name\nAda,ada@example.org,x,Eve\n")
    with pytest.raises(AwardError, match=r"c.csv:1: column.s. name given twice"):
        read_cohort_csv(path, default_issued_at=NOW)


# -- JSON -------------------------------------------------------------------------------------


def test_one_deep_json_file_gets_its_own_verdict_and_verify_dir_checks_the_rest(tmp_path):
    folder = tmp_path / "creds"
    folder.mkdir()
    (folder / "deep.json").write_text("[" * 100_000 + "]" * 100_000)
    (folder / "deep2.json").write_text('{"a":' * 200 + "1" + "}" * 200)
    (folder / "other.json").write_text('{"not": "a credential"}')
    code, out = cli("-C", str(tmp_path), "verify", str(folder))
    assert code == 1
    assert "Traceback" not in out
    assert "deep.json: Not verified" in out and "nests more than 64 levels" in out
    assert "deep2.json: Not verified" in out
    assert "other.json:" in out  # still checked
    assert "3 credentials" in out


def test_duplicate_json_keys_in_a_credential_are_malformed(tmp_path, demo_root):
    source = next((demo_root / "issued" / "credentials").glob("*.json")).read_text()
    doc = json.loads(source)
    # The same credential with a second "name": one reader shows one, the next the other.
    twisted = source.replace('"name":', '"name": "Forged name", "name":', 1)
    assert json.loads(twisted) == doc  # plain json keeps the last one silently
    with pytest.raises(CredentialError, match="has the key 'name' twice"):
        jsondoc.loads(twisted)
    path = tmp_path / "dup.json"
    path.write_text(twisted)
    code, out = cli("-C", str(tmp_path), "verify", str(path))
    assert code == 1 and "twice" in out


# -- files ------------------------------------------------------------------------------------


def _run(args: list[str], **kw) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CREDSTACK_SIGNING_KEY": fixed_signing_key().to_multibase_secret()}
    return subprocess.run(
        [sys.executable, "-c", *args], capture_output=True, text=True, env=env, check=False, **kw
    )


def test_written_files_are_0644_like_git_and_secret_keys_0600(root, tmp_path):
    script = (
        "import os, sys; os.umask(0o022); from credstack.cli import main; "
        "sys.exit(main(sys.argv[1:]))"
    )
    run = _run(
        [script, "-C", str(root), "award", foundation(root), "--name", "Ada", "--email",
         "ada@example.org", *assessors(root)]
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    written = [p for p in (root / "issued").rglob("*") if p.is_file()]
    written.append(root / "program" / "keys.yml")
    assert written and {stat.S_IMODE(p.stat().st_mode) for p in written} == {0o644}
    key_dir = tmp_path / "keys"
    mkdocs = root / "mkdocs.yml"
    run = _run([script, "-C", str(root), "keys", "create", "--id", "k2", "--key-dir", str(key_dir)])
    assert run.returncode == 0, run.stderr
    (secret,) = key_dir.glob("*.key")
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600
    assert stat.S_IMODE((root / "program" / "keys.yml").stat().st_mode) == 0o644
    assert mkdocs.exists()


def test_a_full_disk_gives_a_clear_error_naming_the_file_and_writes_nothing(root):
    """The disk fills while the credential is written (RLIMIT_FSIZE: the kernel refuses the
    write as it would on a full disk): the error names the file, not 'cannot write None'."""
    before = snapshot(root)
    script = (
        "import resource, signal, sys; signal.signal(signal.SIGXFSZ, signal.SIG_IGN); "
        "resource.setrlimit(resource.RLIMIT_FSIZE, (1000, 1000)); "
        "from credstack.cli import main; sys.exit(main(sys.argv[1:]))"
    )
    run = _run(
        [script, "-C", str(root), "award", foundation(root), "--name", "Ada", "--email",
         "ada@example.org", *assessors(root)]
    )  # fmt: skip
    assert run.returncode == 1
    assert "None" not in run.stderr and "Traceback" not in run.stderr
    assert "error: cannot write " in run.stderr and "issued/" in run.stderr
    assert "File too large" in run.stderr
    assert "free some space" in run.stderr and "nothing was written" in run.stderr
    assert snapshot(root) == before
    assert not [p for p in root.rglob("*.tmp")]


def test_verify_piped_into_head_stops_quietly_without_broken_pipe(demo_root):
    # Far more output than a pipe holds (64 KB), so the writer meets the closed pipe.
    targets = " ".join([str(demo_root / "issued")] * 10)
    run = subprocess.run(
        f"{sys.executable} -m credstack.cli -C {demo_root} verify --json {targets} | head -n 1",
        shell=True,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert run.stdout.count("\n") == 1
    assert "BrokenPipeError" not in run.stderr and "Traceback" not in run.stderr
    assert "Exception ignored" not in run.stderr


def test_the_unknown_key_hint_names_a_command_that_exists_and_works(root, tmp_path):
    from credstack.crypto.keys import SigningKey

    other = tmp_path / "ci-secret.key"
    other.write_text(SigningKey.from_seed(bytes(range(1, 33))).to_multibase_secret() + "\n")
    code, out = cli("-C", str(root), "revoke", "x", "--statement", "s", "--key", str(other))
    assert code == 1
    assert "`credstack keys create --import FILE`" in out
    code, out = cli("-C", str(root), "keys", "create", "--id", "ci", "--import", str(other))
    assert code == 0, out
    assert "secret imported from" in out
    assert Registry(root).program.issuer.key("ci") is not None


def test_evidence_url_with_user_and_password_is_refused_before_it_is_signed():
    with pytest.raises(AwardError, match="carries a user name or password") as caught:
        parse_evidence("Portfolio=https://ada:hunter2@portfolio.example/")
    assert "hunter2" not in caught.value.message
    with pytest.raises(AwardError, match="is not an http"):
        parse_evidence("https://portfolio.example:99999/")


def test_bake_then_extract_still_round_trips(demo_root):
    source = next((demo_root / "issued" / "credentials").glob("*.json")).read_text()
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (4, 4)).save(buf, "PNG")
    assert extract(bake_png(buf.getvalue(), source)) == json.loads(source)

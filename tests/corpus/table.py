"""Print the corpus tables: files by shape and expected verdict, and how the verifiers did.

    python tests/corpus/table.py            # shapes x expected verdict; CLI verdicts; proofs
    python tests/corpus/table.py --page     # also the built in-browser verifier (node) vs the CLI
    python tests/corpus/table.py --shapes   # rewrite manifest.json's "shape" of every file

Run from the repository root with the package installed (.venv/bin/python); --page needs node
and verifier/node_modules.
"""

from __future__ import annotations

import argparse
import collections
import json
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import runner

VERDICTS = ("verified", "expired", "revoked", "suspended", "invalid", "error")
TO_VERIFY = ("verified", "expired", "revoked", "suspended")


def label(shape: dict) -> str:
    """A short row label: VC version, OB context, suites, format."""
    suites = "+".join(shape["suites"]) or "no proof"
    ob = f"OB {shape['ob']}" if shape["ob"] != "none" else shape["type"]
    carrier = "" if shape["carrier"] == "file" else f" in {shape['carrier']}"
    return f"VC {shape['vc']} | {ob} | {suites}{carrier}"


def rewrite_shapes() -> None:
    manifest = json.loads((runner.HERE / "manifest.json").read_text(encoding="utf-8"))
    for entry in manifest["credentials"]:
        entry["shape"] = runner.shape(entry)
    text = json.dumps(manifest, indent=1, ensure_ascii=False) + "\n"
    (runner.HERE / "manifest.json").write_text(text, encoding="utf-8")


def page_reports() -> dict[str, dict]:
    """file -> {status, codes, suites} from the built in-browser verifier (node)."""
    from credstack.crypto.contexts import context_bundle

    contexts = context_bundle()
    contexts.update(runner.test_contexts())
    verifier = runner.HERE.parents[1] / "verifier"
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as fh:
        json.dump(contexts, fh)
    result = subprocess.run(
        ["node", "test-support/verify-corpus.mjs", str(runner.HERE / "manifest.json"), fh.name],
        cwd=verifier,
        capture_output=True,
        text=True,
        check=True,
    )
    Path(fh.name).unlink()
    return {line["file"]: line for line in map(json.loads, result.stdout.splitlines())}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shapes", action="store_true", help="rewrite the manifest's shapes")
    parser.add_argument("--page", action="store_true", help="also run the in-browser verifier")
    args = parser.parse_args(argv)
    if args.shapes:
        rewrite_shapes()
        return 0
    page = page_reports() if args.page else {}
    verdicts: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    right: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    codes: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    all_codes: set[str] = set()
    totals = collections.Counter()
    for entry in runner.entries():
        row = f"{entry['kind'][:6]:6} {label(entry['shape'])}"
        verdicts[row][entry["expected"]] += 1
        report = runner.verify(entry)
        cli = (report.status, {c.id: c.code for c in report.checks})
        group = "verify" if entry["expected"] in TO_VERIFY else "fail"
        tampered = entry["file"].startswith("credentials/tampered/")
        right[row]["files"] += 1
        right[row]["cli"] += report.status == entry["expected"]
        totals[f"{group} files"] += 1
        totals[f"{group} cli"] += report.status == entry["expected"]
        if tampered:
            totals["tampered files"] += 1
            totals["tampered cli"] += report.status == "invalid"
        if page:
            line = page[entry["file"]]
            same = cli == (line["status"], line["codes"])
            right[row]["page"] += same
            totals["page same"] += same
            totals["suites loaded"] += bool(line["suites"])
        found = runner.codes(entry)
        for code in ["unreadable"] if found is None else (found or ["no-proof"]):
            codes[row][code] += 1
            all_codes.add(code)
    width = 84
    head = " ".join(f"{v[:8]:>8}" for v in VERDICTS)
    print(
        f"{'files by shape (expected verdict)':{width}} {head}    all    CLI"
        + ("  CLI=page" if page else "")
    )
    for row in sorted(verdicts):
        counts = verdicts[row]
        cells = " ".join(f"{counts[v] or '':>8}" for v in VERDICTS)
        tail = f" {right[row]['cli']:>6}" + (f" {right[row]['page']:>9}" if page else "")
        print(f"{row[:width]:{width}} {cells} {sum(counts.values()):>6}{tail}")
    total = collections.Counter()
    for counts in verdicts.values():
        total.update(counts)
    tail = f" {totals['verify cli'] + totals['fail cli']:>6}" + (
        f" {totals['page same']:>9}" if page else ""
    )
    print(
        f"{'total':{width}} "
        + " ".join(f"{total[v]:>8}" for v in VERDICTS)
        + f" {sum(total.values()):>6}{tail}"
    )
    print()
    print(
        f"expected to verify (verified/expired/revoked/suspended): {totals['verify cli']}/"
        f"{totals['verify files']} = {100 * totals['verify cli'] / totals['verify files']:.1f} % "
        "(target >= 95 %)"
    )
    print(
        f"expected to fail (invalid/error): {totals['fail cli']}/{totals['fail files']} = "
        f"{100 * totals['fail cli'] / totals['fail files']:.1f} % (target 100 %); tampered copies "
        f"invalid: {totals['tampered cli']}/{totals['tampered files']}"
    )
    if page:
        n = sum(total.values())
        print(
            f"CLI and page (status and every check code) agree on {totals['page same']}/{n} files; "
            f"the page loaded credstack-suites.js for {totals['suites loaded']} of them"
        )
    print()
    columns = sorted(all_codes, key=lambda c: (c != "ok", c))
    print(
        f"{'proofs by shape (Python outcome)':{width}} " + " ".join(f"{c[:9]:>9}" for c in columns)
    )
    for row in sorted(codes):
        print(f"{row[:width]:{width}} " + " ".join(f"{codes[row][c] or '':>9}" for c in columns))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Print the corpus tables: files by shape and expected verdict, and by shape and proof outcome.

    python tests/corpus/table.py            # expected verdicts and Python proof outcomes
    python tests/corpus/table.py --shapes   # rewrite manifest.json's "shape" of every file

Run from the repository root with the package installed (.venv/bin/python).
"""

from __future__ import annotations

import argparse
import collections
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import runner

VERDICTS = ("verified", "expired", "revoked", "suspended", "invalid", "error")


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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shapes", action="store_true", help="rewrite the manifest's shapes")
    args = parser.parse_args(argv)
    if args.shapes:
        rewrite_shapes()
        return 0
    verdicts: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    codes: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    all_codes: set[str] = set()
    for entry in runner.entries():
        row = f"{entry['kind'][:6]:6} {label(entry['shape'])}"
        verdicts[row][entry["expected"]] += 1
        found = runner.codes(entry)
        for code in ["unreadable"] if found is None else (found or ["no-proof"]):
            codes[row][code] += 1
            all_codes.add(code)
    print(f"{'files by shape':86} " + " ".join(f"{v[:8]:>8}" for v in VERDICTS) + "    all")
    for row in sorted(verdicts):
        counts = verdicts[row]
        cells = " ".join(f"{counts[v] or '':>8}" for v in VERDICTS)
        print(f"{row[:86]:86} {cells} {sum(counts.values()):>6}")
    total = collections.Counter()
    for counts in verdicts.values():
        total.update(counts)
    print(
        f"{'total':86} "
        + " ".join(f"{total[v]:>8}" for v in VERDICTS)
        + f" {sum(total.values()):>6}"
    )
    print()
    columns = sorted(all_codes, key=lambda c: (c != "ok", c))
    print(f"{'proofs by shape (Python outcome)':86} " + " ".join(f"{c[:9]:>9}" for c in columns))
    for row in sorted(codes):
        print(f"{row[:86]:86} " + " ".join(f"{codes[row][c] or '':>9}" for c in columns))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

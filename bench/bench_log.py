"""Measure the transparency log at scale: start, build, rebuild, bytes on the site and per check.

For N credentials (bench/generate.py: the real award code), on a hard-linked copy:

- log init:   ``credstack log init``'s work (backfill every credential, list, key and status
  change in historical order, one transaction);
- log build:  everything the site publishes under log/ (site/tlog.py), cold (no cache) and
  after one more award with the cache of the cold build (only the last segment is hashed again);
- tile bytes: hash tiles, entry bundles, locate files, and the log's files in issued/log/;
- cold build share: with ``--site``, one cold ``mkdocs build`` of the registry with the log,
  and the log's share of it;
- per verification: the in-browser module (verifier/src/tlog.js, run by node) checks sample
  credentials against the files on disk and counts the log bytes it fetched.

    python bench/bench_log.py --n 10000 [--site] [--samples 50]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_site import link_copy, mkdocs, registry
from generate import award_one_more

from credstack.crypto.keys import SigningKey
from credstack.registry.registry import Registry
from credstack.registry.tlog import LOG_DIR, LOG_KEY_ENV, init_log, read_entries
from credstack.site.cache import BuildCache
from credstack.site.tlog import build_log_files

REPO = Path(__file__).resolve().parent.parent
LOG_KEY = SigningKey.from_seed(bytes([0x5A] * 32))  # throwaway, bench only
AT = datetime(2026, 11, 2, 12, tzinfo=UTC)
NODE_CHECK = """
import { readFileSync } from 'node:fs';
import { verifyLog } from '%(module)s';
const { site, base, ids, now, did } = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const fetchBytes = async (url) => {
  if (!url.startsWith(base)) throw new Error('not on the site: ' + url);
  return new Uint8Array(readFileSync(site + '/' + url.slice(base.length)));
};
const out = [];
for (const id of ids) {
  const t = performance.now();
  const doc = JSON.parse(readFileSync(site + '/' + id.slice(base.length) + 'credential.json'));
  const r = await verifyLog(doc, { fetchBytes, didDocument: did, now: new Date(now) });
  out.push({ outcome: r.outcome, code: r.code, bytes: r.fetched.bytes,
             requests: r.fetched.requests, ms: performance.now() - t });
}
console.log(JSON.stringify(out));
"""


def kib(n: float) -> str:
    return f"{n / 1024:,.1f} KiB"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10000)
    parser.add_argument(
        "--work", type=Path, default=Path(tempfile.gettempdir()) / "credstack-bench"
    )
    parser.add_argument("--site", action="store_true", help="also time a cold mkdocs build")
    parser.add_argument("--samples", type=int, default=50)
    args = parser.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    root = args.work / f"log-{args.n}"
    link_copy(registry(args.n, args.work), root)
    rows: list[tuple[str, str]] = []

    t = time.perf_counter()
    _config, count = init_log(
        Registry(root),
        public_key_multibase=LOG_KEY.public_key_multibase,
        key_id="log-bench",
        created=AT,
    )
    rows.append(("log init (backfill)", f"{time.perf_counter() - t:.2f} s, {count:,} entries"))
    stored = sum(p.stat().st_size for p in (root / LOG_DIR).rglob("*") if p.is_file())
    rows.append(("issued/log/ in the repository", kib(stored)))

    env = {LOG_KEY_ENV: LOG_KEY.to_multibase_secret()}
    cache_dir = Path(tempfile.mkdtemp(prefix="credstack-log-cache-"))
    t = time.perf_counter()
    out = build_log_files(Registry(root), at=AT, cache=BuildCache(cache_dir), env=env)
    cold = time.perf_counter() - t
    assert out is not None and out.signed
    rows.append(("log build, cold", f"{cold * 1000:.0f} ms"))
    tiles = {p: d for p, d in out.files.items() if p.startswith("log/tile/")}
    hashes = sum(len(d) for p, d in tiles.items() if "/entries/" not in p)
    bundles = sum(len(d) for p, d in tiles.items() if "/entries/" in p)
    locate = sum(len(d) for p, d in out.files.items() if p.startswith("log/locate/"))
    rows.append(
        ("hash tiles", f"{kib(hashes)} in {sum('/entries/' not in p for p in tiles)} files")
    )
    rows.append(
        ("entry bundles", f"{kib(bundles)} in {sum('/entries/' in p for p in tiles)} files")
    )
    rows.append(
        (
            "locate files",
            f"{kib(locate)} in {sum(p.startswith('log/locate/') for p in out.files)} files",
        )
    )
    rows.append(
        (
            "all of log/ on the site",
            f"{kib(sum(map(len, out.files.values())))} in {len(out.files)} files",
        )
    )

    award_one_more(root)  # the award's hook appends to the log
    t = time.perf_counter()
    again = build_log_files(Registry(root), at=AT, cache=BuildCache(cache_dir), env=env)
    warm = time.perf_counter() - t
    assert again is not None and again.size > out.size
    rows.append(("log build after one more award (cached)", f"{warm * 1000:.0f} ms"))

    if args.site:
        site = args.work / f"log-site-{args.n}"
        shutil.rmtree(site, ignore_errors=True)
        shutil.rmtree(root / ".cache", ignore_errors=True)
        t = time.perf_counter()
        subprocess.run(
            [*mkdocs(), "build", "--strict", "-d", str(site)],
            cwd=root,
            # Signed as of AT, the time the in-browser checks below run at.
            env={
                **os.environ,
                **env,
                "NO_MKDOCS_2_WARNING": "1",
                "SOURCE_DATE_EPOCH": str(int(AT.timestamp())),
            },
            check=True,
            capture_output=True,
        )
        build = time.perf_counter() - t
        rows.append(("cold site build (with the log)", f"{build:.1f} s"))
        rows.append(("the log's share of it", f"{100 * cold / build:.2f} %"))
    else:
        site = Path(tempfile.mkdtemp(prefix="credstack-log-site-"))
        for path, data in again.files.items():
            (site / path).parent.mkdir(parents=True, exist_ok=True)
            (site / path).write_bytes(data)
        reg = Registry(root)
        for cid in reg.credentials:
            target = site / "credentials" / cid / "credential.json"
            target.parent.mkdir(parents=True, exist_ok=True)
            os.link(reg.credential_path(cid), target)
        (site / "status").mkdir(exist_ok=True)
        for path in (root / "issued" / "status").glob("*.json"):
            shutil.copy(path, site / "status" / path.name)

    reg = Registry(root)
    ids = random.Random(1).sample([v.id for v in reg.credentials.values()], args.samples)
    job = Path(tempfile.mkdtemp()) / "job.json"
    job.write_text(
        json.dumps(
            {
                "site": str(site),
                "base": reg.urls.site,
                "ids": ids,
                "now": AT.isoformat(),
                "did": reg.did_document(),
            }
        )
    )
    script = job.with_name("check.mjs")
    script.write_text(NODE_CHECK % {"module": (REPO / "verifier/src/tlog.js").as_uri()})
    run = subprocess.run(
        ["node", str(script), str(job)], capture_output=True, text=True, check=True
    )
    results = json.loads(run.stdout)
    outcomes = {r["outcome"] for r in results}
    sizes = sorted(r["bytes"] for r in results)
    times = sorted(r["ms"] for r in results)
    rows.append(
        (
            "per verification: log bytes (median / max)",
            f"{kib(sizes[len(sizes) // 2])} / {kib(sizes[-1])}",
        )
    )
    rows.append(
        ("per verification: requests", f"{results[0]['requests']} (checkpoint, tip, locate, tiles)")
    )
    rows.append(("per verification: node time (median)", f"{times[len(times) // 2]:.1f} ms"))
    rows.append(("outcomes", ", ".join(sorted(outcomes))))

    width = max(len(a) for a, _ in rows)
    print(f"transparency log, {args.n:,} credentials ({len(read_entries(root)):,} entries)")
    for name, value in rows:
        print(f"  {name:<{width}}  {value}")
    return 0 if outcomes == {"pass"} else 1


if __name__ == "__main__":
    sys.exit(main())

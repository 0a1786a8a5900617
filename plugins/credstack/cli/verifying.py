"""``verify`` (offline, or fetching another issuer's documents) and ``badge``."""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from datetime import datetime
from pathlib import Path

from credstack.cli.common import (
    current_time,
    parse_when,
    root_of,
)
from credstack.cli.log import log_config
from credstack.errors import ConfigError, CredstackError
from credstack.model.report import VerificationReport
from credstack.model.wording import label, message, report_json, verdict
from credstack.registry.documents import (
    Documents,
    fetch_documents,
    from_arguments,
    from_folder,
    needed_urls,
)
from credstack.registry.logcheck import LogChecker, proof_log_check
from credstack.registry.registry import Registry
from credstack.registry.vcache import VerificationCache
from credstack.registry.verify import (
    collect_targets,
    read_target,
    registry_verifier,
    unreadable_report,
)


def print_report(report: VerificationReport) -> None:
    marks = {"pass": "OK  ", "warn": "WARN", "fail": "FAIL", "error": "ERR ", "skip": "SKIP"}
    print(f"{report.target}: {verdict(report)}")
    for check in report.checks:
        print(f"  {marks[check.outcome]} {label(check.id)}: {message(check)}")


def _cmd_badge(args: argparse.Namespace) -> int:
    """Bake one credential's badge images offline (what a lean site's page makes on demand)."""
    from credstack.registry.badges import write_badges

    registry = Registry(root_of(args))
    out = Path(args.out) if args.out else Path.cwd()
    for path in write_badges(registry, args.credential, out):
        print(f"wrote {path}")
    return 0


def _cmd_verify(args: argparse.Namespace) -> int:
    root = root_of(args)
    registry = (
        Registry(root) if (root / "mkdocs.yml").exists() and (root / "program").is_dir() else None
    )
    documents = _verify_documents(args, registry)
    now = current_time()
    at = parse_when(args.at, what="--at") or now
    cache = VerificationCache.for_registry(
        registry.root if registry is not None else root,
        enabled=registry is not None and not args.no_cache,
    )
    items: list[tuple[object, str, str | None]] = []
    unreadable: list[VerificationReport] = []
    for target in args.targets:
        for path in collect_targets(Path(target)):
            try:
                doc = read_target(path)
            except CredstackError as e:
                unreadable.append(unreadable_report(str(path), e.message))
                continue
            # The SHA-256 of a credential file (the transparency log records the file's).
            digest = (
                hashlib.sha256(path.read_bytes()).hexdigest()
                if path.suffix.lower() == ".json" and isinstance(doc, dict)
                else None
            )
            items.append((doc, str(path), digest))
    verifier = registry_verifier(
        registry,
        at=at,
        now=now,
        did_documents=documents.did_documents,
        status_lists=documents.status_lists,
        cache=cache,
        log=_log_proof_check(args, registry, items, now) if args.log_proof else None,
    )
    reports = verifier.verify_many(items) + unreadable
    cache.save()
    if args.json:
        out = [report_json(r) for r in reports]
        print(json.dumps(out if len(out) != 1 else out[0], indent=2, ensure_ascii=False))
    else:
        for report in reports:
            print_report(report)
        if len(reports) > 1:
            counts: dict[str, int] = {}
            for r in reports:
                counts[r.status] = counts.get(r.status, 0) + 1
            print(
                f"{len(reports)} credentials: "
                + ", ".join(f"{n} {s}" for s, n in sorted(counts.items()))
            )
    return 0 if reports and all(r.ok for r in reports) else 1


def _verify_documents(args: argparse.Namespace, registry: Registry | None) -> Documents:
    """The DID documents and status lists ``verify`` was given (and, with --fetch, fetched)."""
    documents = from_arguments(args.did_document, args.status_list)
    for folder in args.documents:
        from_folder(Path(folder), documents)
    if args.fetch:
        if registry is not None:
            raise ConfigError(
                "--fetch is for credentials verified outside a registry",
                hint="inside a registry, its own DID document and status lists are used",
            )
        credentials = []
        for target in args.targets:
            for path in collect_targets(Path(target)):
                try:
                    credentials.append(read_target(path))
                except CredstackError:
                    continue  # reported by the verification itself
        fetch_documents(needed_urls(credentials), documents)
        for url in documents.fetched:
            print(f"fetched {url}", file=sys.stderr)
    for where, problem in documents.problems:
        print(f"warning: {where}: {problem}", file=sys.stderr)
    return documents


def _log_proof_check(
    args: argparse.Namespace,
    registry: Registry | None,
    items: list[tuple[object, str, str | None]],
    now: datetime,
) -> LogChecker:
    """``verify --log-proof FILE``: the ``log`` check from a tlog-proof, offline."""
    if len(items) != 1:
        raise ConfigError("--log-proof checks one credential", hint="give one TARGET")
    _, path, _ = items[0]
    vkey = args.log_key or (log_config(registry).verifier.vkey if registry else None)
    if vkey is None:
        raise ConfigError("--log-proof needs the log's key", hint="pass --log-key VKEY")
    raw = Path(path).read_bytes() if path.endswith(".json") else None
    proof = Path(args.log_proof).read_text("utf-8")
    return proof_log_check(proof, vkey, raw=raw, now=now, max_age=None)


def add_verify_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """verify and badge."""
    p = sub.add_parser("verify", help="verify credentials offline (JSON, baked PNG/SVG, folders)")
    p.add_argument("targets", nargs="+", metavar="TARGET")
    p.add_argument("--json", action="store_true", help="machine-readable report")
    p.add_argument("--at", help="verify as of this date (default now)")
    p.add_argument(
        "--did-document",
        action="append",
        default=[],
        metavar="FILE",
        help="the issuer's DID document (did:web), saved as a file",
    )
    p.add_argument(
        "--status-list",
        action="append",
        default=[],
        metavar="[URL=]FILE",
        help="a status list (JSON or VC-JWT), as served at URL (default: at its own id)",
    )
    p.add_argument(
        "--documents",
        action="append",
        default=[],
        metavar="DIR",
        help="a folder of saved DID documents and status lists, laid out as their URLs",
    )
    p.add_argument(
        "--fetch",
        action="store_true",
        help="outside a registry, fetch missing did:web documents and status lists over https",
    )
    p.add_argument("--no-cache", action="store_true", help="do not read or write .cache/")
    p.add_argument("--log-proof", metavar="FILE", help="a tlog-proof: check the issuer's log too")
    p.add_argument(
        "--log-key", metavar="VKEY", help="the log's verifier key (default: this registry's)"
    )
    p.set_defaults(handler=_cmd_verify)

    p = sub.add_parser(
        "badge",
        help="bake a credential's badge.png and badge.svg (offline)",
        description="Write badge.png and badge.svg of an issued credential, the signed "
        "credential baked in, with a QR code of its page: the files its page makes on demand.",
    )
    p.add_argument("credential", metavar="ID", help="credential id or URL")
    p.add_argument("-o", "--out", metavar="DIR", help="where to write them (default: here)")
    p.set_defaults(handler=_cmd_badge)

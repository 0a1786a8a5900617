"""The transparency log: ``log init``, ``verify``, ``prove`` and ``checkpoint``."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from credstack.cli.common import (
    current_time,
    open_registry,
    parse_when,
    root_of,
    writes,
)
from credstack.errors import ConfigError
from credstack.model.status import format_datetime
from credstack.registry.keys import (
    read_secret_file,
)
from credstack.registry.registry import Registry

if TYPE_CHECKING:
    from credstack.crypto.keys import SigningKey
    from credstack.registry.tlog import LogConfig


def _log_key(args: argparse.Namespace, registry: Registry, config: LogConfig) -> SigningKey:
    from credstack.registry.transparency import find_log_key

    key_file = Path(args.log_key) if getattr(args, "log_key", None) else None
    return find_log_key(registry.program, registry.root, config, key_file=key_file)


def log_config(registry: Registry) -> LogConfig:
    from credstack.errors import LogError
    from credstack.registry.tlog import read_config

    config = read_config(registry.root)
    if config is None:
        raise LogError(
            "this registry keeps no transparency log",
            hint="start one with `credstack log init`",
            code="no-log",
        )
    return config


def _fresh_checkpoint(
    args: argparse.Namespace, registry: Registry, config: LogConfig, at: datetime
) -> str:
    from credstack.model.tlog import tree_of
    from credstack.registry.tlog import read_entries, sign_checkpoint

    key = _log_key(args, registry, config)
    return sign_checkpoint(config, key, tree_of(read_entries(registry.root)), at)


def _cmd_log_init(args: argparse.Namespace) -> int:
    """Start the transparency log: a log key, log.json and every past change as entries."""
    from credstack.crypto.keys import SigningKey
    from credstack.registry.tlog import CONFIG_FILE, LOG_KEY_ENV, LogConfig, init_log, log_origin
    from credstack.registry.transparency import log_key_file, store_log_key

    registry = open_registry(args)
    now = current_time()
    key_id = args.id or f"log-{now:%Y-%m-%d}"
    if args.key:
        secret = read_secret_file(Path(args.key).expanduser(), registry.root)
    else:
        secret = SigningKey.generate()
    if any(
        k.public_key_multibase == secret.public_key_multibase for k in registry.program.issuer.keys
    ):
        raise ConfigError(
            "that key signs credentials; the log needs a key of its own",
            hint="leave out --key: `credstack log init` makes a dedicated log key",
        )
    planned = LogConfig(
        log_origin(registry.program.site_url), key_id, secret.public_key_multibase, now
    )
    stored = None
    if not args.key and not args.print:
        stored = log_key_file(
            registry.program, planned, Path(args.key_dir) if args.key_dir else None
        )
        store_log_key(stored, registry.root, secret)
    try:
        config, count = init_log(
            registry, public_key_multibase=secret.public_key_multibase, key_id=key_id, created=now
        )
    except BaseException:
        if stored is not None:
            stored.unlink(missing_ok=True)
        raise
    print(f"started the transparency log {config.origin}: {count} entries, oldest change first")
    print(f"  log key {config.key_id}: {config.public_key_multibase} (in {CONFIG_FILE}; commit it)")
    print(f"  verifier key: {config.verifier.vkey}")
    if stored is not None:
        print(f"  secret stored in {stored} (mode 0600, outside the repository)")
    elif args.print:
        print(f"  secret (shown once; store it as the CI secret {LOG_KEY_ENV}):")
        print(f"  {secret.to_multibase_secret()}")
    return 0


def _read_optional(path: str | None) -> str | None:
    return Path(path).read_text("utf-8") if path else None


def _cmd_log_verify(args: argparse.Namespace) -> int:
    """Check the log against the registry (and a checkpoint, an older one, a built site)."""
    import base64

    from credstack.registry.transparency import verify_log

    root = root_of(args)
    report = verify_log(
        root,
        checkpoint=_read_optional(args.checkpoint),
        since=_read_optional(args.since),
        site_dir=Path(args.site) if args.site else None,
    )
    for finding in sorted(report.findings, key=lambda f: (f.path, f.rule, f.message)):
        print(f"{finding.severity}: {finding}")
        if finding.hint:
            print(f"  hint: {finding.hint}")
    root_hash = base64.b64encode(report.root).decode()
    print(f"log {report.config.origin}: {report.size} entries, root {root_hash}")
    if report.checkpoint is not None:
        signed = f", signed {format_datetime(report.signed_at)}" if report.signed_at else ""
        print(f"  checkpoint: {report.checkpoint.size} entries{signed}")
    if report.tiles:
        print(f"  site: {report.tiles} tiles and entry bundles compared")
    errors = sum(f.severity == "error" for f in report.findings)
    print(f"{errors} error{'s' if errors != 1 else ''}")
    return 0 if report.ok else 1


def _cmd_log_prove(args: argparse.Namespace) -> int:
    """Write a C2SP tlog-proof: the credential's entry in a signed checkpoint, offline."""
    from credstack.registry.transparency import prove

    registry = open_registry(args)
    config = log_config(registry)
    if args.checkpoint:
        checkpoint = Path(args.checkpoint).read_text("utf-8")
    else:
        checkpoint = _fresh_checkpoint(args, registry, config, current_time())
    view = registry.get(args.credential)
    text = prove(registry, view.cid, checkpoint)
    out = Path(args.out or f"{view.cid}.tlog-proof")
    from credstack.registry.files import write_atomic

    write_atomic(out, text)
    print(f"wrote {out}: {view.cid} in the log {config.origin}")
    print(f"  check it offline: credstack verify CREDENTIAL --log-proof {out}")
    return 0


def _cmd_log_checkpoint(args: argparse.Namespace) -> int:
    """Sign a fresh, dated checkpoint of the log with the log key."""
    registry = open_registry(args)
    config = log_config(registry)
    at = parse_when(args.at, what="--at") or current_time()
    text = _fresh_checkpoint(args, registry, config, at)
    if args.out:
        from credstack.registry.files import write_atomic

        write_atomic(Path(args.out), text)
        print(f"wrote {args.out}: checkpoint of {config.origin} signed {format_datetime(at)}")
    else:
        sys.stdout.write(text)
    return 0


def add_log_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    log = sub.add_parser(
        "log",
        help="the public transparency log: init, verify, prove, checkpoint",
        description="An append-only Merkle log (C2SP tlog-tiles) of every credential, status "
        "change and key, published with the site so that anyone can check nothing was removed "
        "or rewritten.",
    )
    lsub = log.add_subparsers(dest="log_command", metavar="ACTION")
    lsub.required = True
    p = lsub.add_parser("init", help="start the log: a log key and every past change as entries")
    p.add_argument("--id", help="log key id (default log-YYYY-MM-DD)")
    p.add_argument("--key", help="use this secret key file as the log key (default: a new key)")
    p.add_argument("--key-dir", help="where to store the secret (default ~/.config/credstack/keys)")
    p.add_argument("--print", action="store_true", help="print the secret once (for a CI secret)")
    p.set_defaults(handler=writes(_cmd_log_init))
    p = lsub.add_parser("verify", help="check the log against the registry (and a site)")
    p.add_argument("--checkpoint", metavar="FILE", help="a signed checkpoint to check")
    p.add_argument("--since", metavar="FILE", help="an older checkpoint the log must extend")
    p.add_argument("--site", metavar="DIR", help="a built site whose log/ tiles to compare")
    p.set_defaults(handler=_cmd_log_verify)
    p = lsub.add_parser("prove", help="write an offline proof (tlog-proof) for a credential")
    p.add_argument("credential", metavar="ID")
    p.add_argument(
        "--checkpoint", metavar="FILE", help="prove in this checkpoint (default: sign one)"
    )
    p.add_argument("--out", metavar="FILE", help="default: <ID>.tlog-proof")
    p.add_argument("--log-key", metavar="FILE", help="log key file (or set CREDSTACK_LOG_KEY)")
    p.set_defaults(handler=_cmd_log_prove)
    p = lsub.add_parser("checkpoint", help="sign a fresh, dated checkpoint with the log key")
    p.add_argument("--out", metavar="FILE", help="write it here (default: print it)")
    p.add_argument("--at", help="signing time (default now)")
    p.add_argument("--log-key", metavar="FILE", help="log key file (or set CREDSTACK_LOG_KEY)")
    p.set_defaults(handler=_cmd_log_checkpoint)

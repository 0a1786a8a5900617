"""The log key: the Ed25519 key that signs the log's checkpoints (not the issuer's key).

Its public half is in ``issued/log/log.json``; its secret lives outside the work tree like the
signing keys' (``credstack log init``), or comes from ``CREDSTACK_LOG_KEY``.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping
from pathlib import Path

from credstack.crypto.keys import SigningKey
from credstack.errors import SigningKeyError
from credstack.model.program import Program
from credstack.registry.files import write_atomic
from credstack.registry.keys import (
    default_key_dir,
    key_file_name,
    read_secret_file,
    refuse_unsafe_key_file,
)
from credstack.registry.tlog import CONFIG_FILE, LOG_KEY_ENV, LogConfig

# -- the log key -------------------------------------------------------------------------------


def log_key_file(program: Program, config: LogConfig, key_dir: Path | None = None) -> Path:
    """Where ``credstack log init`` stores the log key's secret by default."""
    return (key_dir or default_key_dir()).expanduser() / key_file_name(program, config.key_id)


def store_log_key(path: Path, root: Path, secret: SigningKey) -> None:
    """Write the log key's secret outside the work tree (mode 0600); raises SigningKeyError."""
    refuse_unsafe_key_file(path, root)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    write_atomic(path, secret.to_multibase_secret() + "\n", mode=stat.S_IRUSR | stat.S_IWUSR)


def find_log_key(
    program: Program,
    root: Path,
    config: LogConfig,
    *,
    key_file: Path | None = None,
    env: Mapping[str, str] | None = None,
    key_dir: Path | None = None,
) -> SigningKey:
    """The log key's secret: ``key_file``, else ``CREDSTACK_LOG_KEY``, else the stored file.

    Raises SigningKeyError when none is found or it is not the key of ``log.json``.
    """
    env = os.environ if env is None else env
    if key_file is not None:
        secret = read_secret_file(Path(key_file).expanduser(), root)
    elif env.get(LOG_KEY_ENV):
        secret = SigningKey.from_multibase_secret(env[LOG_KEY_ENV].strip())
    else:
        path = log_key_file(program, config, key_dir or default_key_dir(env))
        if not path.exists():
            raise SigningKeyError(
                "no log key given",
                hint=f"pass --log-key FILE or set {LOG_KEY_ENV} (the secret of "
                "`credstack log init --print`)",
                code="no-key",
            )
        secret = read_secret_file(path, root)
    if secret.public_key_multibase != config.public_key_multibase:
        raise SigningKeyError(
            f"that key is not the log key {config.key_id} of {CONFIG_FILE}",
            hint="use the secret `credstack log init` created for this registry",
        )
    return secret

"""Checking the transparency log: ``credstack log verify``, offline proofs, and the merge gate.

- :func:`verify_log`: every credential, status change, status list and key of the registry has
  its entry and every entry its change; the state entries tell the truth; optionally a signed
  checkpoint names this log's root, the published tiles are the log's, and the log extends an
  older checkpoint (consistency proof).
- :func:`prove` writes a C2SP ``tlog-proof`` for a credential; :func:`check_log_proof` checks
  one offline (no network) and returns a typed :class:`LogCheck`.
- :func:`check_log` is the merge gate's part: the above over the pull request's tree, plus the
  head log being an append-only extension of the target branch's (consistency proof, and the
  first rewritten entry named).
- The log key: :func:`find_log_key`, :func:`store_log_key`.

The checks are split by use: ``log`` (reading the log; rules, findings and the report),
``verify`` (:func:`verify_log`), ``proof`` (tlog-proofs), ``gate`` (:func:`check_log`) and
``key`` (the log key). Import them from here.
"""

from credstack.registry.transparency.gate import check_log
from credstack.registry.transparency.key import find_log_key, log_key_file, store_log_key
from credstack.registry.transparency.log import LOG_RULES, LogFinding, LogReport
from credstack.registry.transparency.proof import (
    PROOF_HEADER,
    LogCheck,
    ParsedProof,
    check_log_proof,
    find_entry,
    parse_proof,
    proof_text,
    prove,
)
from credstack.registry.transparency.verify import open_checkpoint, verify_log

__all__ = [
    "LOG_RULES",
    "PROOF_HEADER",
    "LogCheck",
    "LogFinding",
    "LogReport",
    "ParsedProof",
    "check_log",
    "check_log_proof",
    "find_entry",
    "find_log_key",
    "log_key_file",
    "open_checkpoint",
    "parse_proof",
    "proof_text",
    "prove",
    "store_log_key",
    "verify_log",
]

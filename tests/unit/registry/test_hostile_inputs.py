"""Every input, however hostile, ends in a verdict within seconds (the CLI's path).

The cases (tests/hostile.py) are files as ``credstack verify`` reads them: deep nesting, huge
arrays, a 9 MB string, thousands of proofs or status entries, a blank-node clique (RDFC-1.0
dataset poisoning), a GZIP bomb status list, garbage that looks like a VC-JWT. Each must give its
verdict; a hang becomes a failure after HANG seconds (the bound is a hang detector, the times are
measured in bench/bench_hostile.py). The page runs the same cases in tests/browser/test_corpus.py.
"""

from __future__ import annotations

import signal
from contextlib import contextmanager

import pytest

import hostile
from credstack.errors import CredstackError
from credstack.model.status import parse_datetime
from credstack.registry.verify import read_target, registry_verifier, unreadable_report

HANG = 30


@contextmanager
def hang_guard(seconds: int = HANG):
    def alarm(signum, frame):
        raise TimeoutError(f"no verdict after {seconds} s")

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@pytest.mark.parametrize("name", sorted(hostile.cases()))
def test_hostile_input_ends_in_its_verdict(name, tmp_path):
    case = hostile.cases()[name]
    path = tmp_path / "input.json"
    path.write_bytes(case.data)
    lists = tmp_path / "list.json"
    lists.write_bytes(hostile.bomb_list())
    at = parse_datetime(hostile.AT)
    with hang_guard():
        verifier = registry_verifier(
            None, at=at, now=at, status_lists={hostile.LIST_URL: read_target(lists)}
        )
        try:
            report = verifier.verify(read_target(path), str(path))
        except CredstackError as e:
            report = unreadable_report(str(path), e.message)
    decision = report.decision
    assert report.status == case.status, (name, decision)
    reason = (decision.check, decision.code) if decision.check else None
    assert reason == case.reason, name

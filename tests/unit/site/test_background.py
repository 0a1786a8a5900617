"""Work on forked processes: results in order, failures and log records come back."""

from __future__ import annotations

import logging
import os

import pytest

from credstack.errors import CredstackError
from credstack.site.background import Background


def square(x: int) -> tuple[int, int]:
    return x * x, os.getpid()


@pytest.mark.parametrize("workers", [1, 2, 3])
def test_results_come_back_in_order(workers):
    results = Background(square, range(25), workers).start().wait()
    assert [r for r, _ in results] == [x * x for x in range(25)]
    pids = {pid for _, pid in results}
    assert (pids == {os.getpid()}) == (workers == 1)


def test_a_failure_is_raised_with_its_traceback():
    def boom(x: int) -> int:
        if x == 7:
            raise ValueError("seven")
        return x

    with pytest.raises(CredstackError, match="seven"):
        Background(boom, range(10), 2).start().wait()


def test_warnings_logged_by_workers_are_logged_again(caplog):
    def warn(x: int) -> None:
        logging.getLogger("mkdocs.plugins.test").warning(f"warning {x}")

    with caplog.at_level(logging.INFO):
        Background(warn, range(4), 2).start().wait()
    assert sorted(r.getMessage() for r in caplog.records) == [f"warning {x}" for x in range(4)]


def test_nothing_to_do():
    assert Background(square, [], 2).start().wait() == []

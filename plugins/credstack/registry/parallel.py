"""Use both cores for the expensive, independent steps: signing and verifying credentials.

RDF canonicalization dominates both (about 6–8 ms a credential in pyld), so large batches are
split across worker processes. Small batches stay in-process: a pool costs ~50 ms to start.
Results come back in input order, so the parallel and serial paths give identical output.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

#: Below this many items the work runs in this process.
MIN_PARALLEL = 48
ENV_WORKERS = "CREDSTACK_WORKERS"


def worker_count(requested: int | None = None) -> int:
    """Workers to use: ``requested``, else $CREDSTACK_WORKERS, else the usable CPU count."""
    if requested:
        return max(1, requested)
    env = os.environ.get(ENV_WORKERS, "").strip()
    if env.isdigit() and int(env) > 0:
        return int(env)
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def parallel_map(
    func: Callable[[T], R],
    items: Sequence[T] | Iterable[T],
    *,
    workers: int | None = None,
    initializer: Callable[..., Any] | None = None,
    initargs: tuple[Any, ...] = (),
    min_parallel: int = MIN_PARALLEL,
) -> list[R]:
    """``[func(x) for x in items]``, across processes when worthwhile; order is preserved.

    ``func`` and ``initializer`` must be module-level functions. ``initializer`` also runs in
    this process for the serial path, so both paths see the same state.
    """
    items = list(items)
    n = worker_count(workers)
    if n == 1 or len(items) < min_parallel:
        if initializer is not None:
            initializer(*initargs)
        return [func(x) for x in items]
    chunk = max(1, len(items) // (n * 8))
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(
        n, mp_context=context, initializer=initializer, initargs=initargs
    ) as pool:
        return list(pool.map(func, items, chunksize=chunk))

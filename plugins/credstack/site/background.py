"""Work split over forked processes, possibly while this process goes on with other work.

Each process takes every n-th item of a list known before the fork (it inherits everything it
needs: no pickling of inputs), writes its files itself, and sends back only the results of
``func`` (small), the warnings it logged and, if it failed, the error. The parent has no helper
threads, so forking again meanwhile (the verifier's own worker pool) is safe. Where
``os.fork`` is missing, or one worker is asked for, the work runs right away in this process:
the same function on the same items, in the same order.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import os
import pickle
import signal
import traceback
from collections.abc import Callable, Sequence
from typing import Any

from credstack.errors import CredstackError


class _Collect(logging.Handler):
    """What a worker logs, to be logged again by the parent, in order (where MkDocs shows it,
    and counts warnings for ``--strict``)."""

    def __init__(self) -> None:
        super().__init__()
        self.records: list[tuple[str, int, str]] = []
        self._last: logging.LogRecord | None = None

    def emit(self, record: logging.LogRecord) -> None:
        if record is not self._last:  # it may reach both loggers this listens to
            self._last = record
            self.records.append((record.name, record.levelno, record.getMessage()))


class Background:
    """``func`` over ``items``, split across ``workers`` forked processes."""

    def __init__(
        self, func: Callable[[Any], Any], items: Sequence[Any], workers: int, *, nice: int = 0
    ):
        self.func = func
        self.nice = nice  # lower the workers' priority (work that is not on the critical path)
        self.items = list(items)
        self.workers = max(1, min(workers, len(self.items)))
        self._children: list[tuple[int, int]] = []  # (pid, read end of its result pipe)
        self._results: list[Any] | None = None

    def start(self) -> Background:
        if self.workers == 1 or not hasattr(os, "fork"):
            self._results = [self.func(item) for item in self.items]
            return self
        # Objects that exist now are never collected in the workers: the collector would touch
        # (and so copy) every page of this process's memory in each of them. (Objects the
        # caller froze before stay frozen: only what this call froze is thawed again.)
        thaw = gc.get_freeze_count() == 0
        gc.freeze()
        for k in range(self.workers):
            read, write = os.pipe()
            pid = os.fork()
            if pid == 0:  # pragma: no cover - runs in the child (coverage does not follow)
                os.close(read)
                self._child(k, write)
            os.close(write)
            self._children.append((pid, read))
        if thaw:
            gc.unfreeze()
        return self

    def _child(self, k: int, write: int) -> None:  # pragma: no cover - in the child
        code = 0
        if self.nice:
            with contextlib.suppress(OSError):
                os.nice(self.nice)
        collect = _Collect()
        for logger in (logging.getLogger(), logging.getLogger("mkdocs")):
            for handler in list(logger.handlers):
                logger.removeHandler(handler)
            logger.addHandler(collect)
        message: tuple[str, object]
        try:
            try:
                message = ("ok", [self.func(item) for item in self.items[k :: self.workers]])
            except BaseException:
                code = 1
                message = ("error", traceback.format_exc())
            data = pickle.dumps((*message, collect.records))
            with contextlib.suppress(OSError), os.fdopen(write, "wb") as out:
                out.write(data)
        finally:
            os._exit(code)

    def cancel(self) -> None:
        """Stop the processes (the build failed); the files they finished stay valid."""
        for pid, read in self._children:
            with contextlib.suppress(ProcessLookupError):  # it had just finished
                os.kill(pid, signal.SIGTERM)
            os.close(read)
            os.waitpid(pid, 0)
        self._children = []

    def wait(self) -> list[Any]:
        """The results of ``func``, in the order of the items; raises CredstackError with the
        first failure."""
        if self._results is not None or not self.items:
            return self._results or []
        results: list[Any] = [None] * len(self.items)
        errors = []
        for k, (pid, read) in enumerate(self._children):
            chunks = []
            while chunk := os.read(read, 1 << 20):
                chunks.append(chunk)
            os.close(read)
            _, status = os.waitpid(pid, 0)
            try:
                kind, value, records = pickle.loads(b"".join(chunks))
            except Exception:
                errors.append(f"worker {pid} ended with status {status} and no result")
                continue
            for name, level, message in records:
                logging.getLogger(name).log(level, message)
            if kind == "ok":
                results[k :: self.workers] = value
            else:
                errors.append(value)
        self._children = []
        if errors:
            raise CredstackError(
                f"a worker process failed:\n{errors[0]}",
                hint="this is a bug in credstack; run the build again with CREDSTACK_WORKERS=1 "
                "to see it in this process",
            )
        self._results = results
        return results

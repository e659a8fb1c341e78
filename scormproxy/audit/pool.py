"""Audits in worker processes, so a mirror's content scan runs on another core.

The scan is regular-expression work that holds the GIL for its whole length: in a thread
it would stall the mirror's own inflating and storing. A process of its own lets both run
at once. The pool is shared by the whole process (the audit is a pure function of the
zip) and started on first use; `processes = 0` audits in the caller's thread instead.
"""
from __future__ import annotations

import multiprocessing
import threading
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from ..errors import ScormProxyError
from .report import build_report

_lock = threading.Lock()
_executors: dict[int, ProcessPoolExecutor] = {}


class AuditFailed(ScormProxyError):
    code = "audit_failed"


def submit_audit(processes: int, path: str, **options) -> Future:
    """Start `build_report(path, **options)`; the future's result is the report."""
    if processes <= 0:
        future: Future = Future()
        try:
            future.set_result(build_report(path, **options))
        except BaseException as exc:  # delivered where the caller asks for the result
            future.set_exception(exc)
        return future
    for attempt in range(2):
        executor = _executor(processes)
        try:
            return executor.submit(build_report, path, **options)
        except BrokenProcessPool:  # a worker died (killed, out of memory): start afresh once
            _discard(processes, executor)
    raise AuditFailed("the audit worker processes keep dying")


def audit_result(future: Future, timeout: float | None = None) -> dict:
    """The report, or AuditFailed when the worker process died under it."""
    try:
        return future.result(timeout=timeout)
    except BrokenProcessPool:
        raise AuditFailed("the audit worker process died while auditing the package") from None


def _executor(processes: int) -> ProcessPoolExecutor:
    with _lock:
        executor = _executors.get(processes)
        if executor is None:
            # spawn, not fork: the mirror runs in threads, and a forked child would inherit
            # whatever locks they held.
            executor = ProcessPoolExecutor(processes, mp_context=multiprocessing.get_context("spawn"))
            _executors[processes] = executor
        return executor


def _discard(processes: int, executor: ProcessPoolExecutor) -> None:
    with _lock:
        if _executors.get(processes) is executor:
            del _executors[processes]
    executor.shutdown(wait=False, cancel_futures=True)


def prestart(processes: int) -> None:
    """Start the worker processes now, so their start-up overlaps the download."""
    if processes > 0:
        _executor(processes).submit(int)

"""A closed-loop HTTP/1.1 load generator for request sequences wrk cannot keep in order (one per client).

Each client owns one keep-alive connection and sends its next request only after the previous
answer, so a learner's commits arrive in sequence. asyncio with raw sockets keeps the
generator's own CPU cost low: it shares the machine's cores with the server.
"""
from __future__ import annotations

import asyncio
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable

from .common import BenchError

# Builds a client's n-th request (n from 1), as raw bytes.
RequestMaker = Callable[[int], bytes]
HEADER_LIMIT = 64 * 1024
IO_TIMEOUT = 30.0
# A run with more failed requests than this fraction is not a measurement.
MAX_ERROR_SHARE = 0.001


@dataclass
class LoadResult:
    seconds: float
    latencies: list[float] = field(default_factory=list)  # seconds, one per answered request
    statuses: Counter = field(default_factory=Counter)
    failures: Counter = field(default_factory=Counter)  # transport problems by kind
    samples: dict[int, bytes] = field(default_factory=dict)  # a body per unexpected status, for the report

    @property
    def ok(self) -> int:
        return sum(count for status, count in self.statuses.items() if 200 <= status < 300)

    @property
    def per_second(self) -> float:
        return self.ok / self.seconds

    def percentile_ms(self, fraction: float) -> float:
        ordered = sorted(self.latencies)
        if not ordered:
            return float("nan")
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] * 1000

    def check(self, what: str) -> "LoadResult":
        total = sum(self.statuses.values()) + sum(self.failures.values())
        bad = total - self.ok
        if total == 0 or bad > MAX_ERROR_SHARE * total:
            sample = next(iter(self.samples.items()), None)
            detail = f"; e.g. {sample[0]}: {sample[1][:300]!r}" if sample else ""
            raise BenchError(f"{what}: {bad} of {total} requests failed (statuses {dict(self.statuses)}, "
                             f"transport {dict(self.failures)}){detail}")
        return self


def http_request(method: str, host: str, path: str, headers: dict[str, str], body: bytes = b"") -> bytes:
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    if body or method in ("POST", "PUT"):
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bytes, bool]:
    head = await reader.readuntil(b"\r\n\r\n")
    if len(head) > HEADER_LIMIT:
        raise BenchError("response headers too large")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    length, close = None, False
    for line in lines[1:]:
        name, _, value = line.partition(":")
        name = name.strip().lower()
        if name == "content-length":
            length = int(value.strip())
        elif name == "connection" and value.strip().lower() == "close":
            close = True
        elif name == "transfer-encoding":
            raise BenchError("chunked responses are not expected from these endpoints")
    body = await reader.readexactly(length) if length else b""
    return status, body, close


async def _client(host: str, port: int, make: RequestMaker, deadline: float, result: LoadResult) -> None:
    reader = writer = None
    number = 0
    while time.perf_counter() < deadline:
        number += 1
        try:
            if writer is None:
                reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), IO_TIMEOUT)
            request = make(number)
            started = time.perf_counter()
            writer.write(request)
            status, body, close = await asyncio.wait_for(_read_response(reader), IO_TIMEOUT)
            result.latencies.append(time.perf_counter() - started)
            result.statuses[status] += 1
            if not 200 <= status < 300:
                result.samples.setdefault(status, body)
            if close:
                writer.close()
                writer = None
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, asyncio.TimeoutError,
                ValueError) as exc:
            result.failures[type(exc).__name__] += 1
            if writer is not None:
                writer.close()
            writer = None
    if writer is not None:
        writer.close()


async def _run(host: str, port: int, makers: list[RequestMaker], duration: float) -> LoadResult:
    result = LoadResult(seconds=duration)
    started = time.perf_counter()
    await asyncio.gather(*(_client(host, port, make, started + duration, result) for make in makers))
    result.seconds = time.perf_counter() - started
    return result


def run_clients(host: str, port: int, makers: list[RequestMaker], duration: float) -> LoadResult:
    """Run one client per maker against host:port for `duration` seconds (each finishes its last request)."""
    return asyncio.run(_run(host, port, makers, duration))

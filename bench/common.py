"""Benchmark plumbing: tools from Debian, free ports, child processes, measured commands, figures and ratios."""
from __future__ import annotations

import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping, Sequence

REPO_ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable

# Debian package that provides each command the benchmarks run.
DEBIAN_TOOLS = {"nginx": "nginx-light", "wrk": "wrk", "unzip": "unzip", "curl": "curl", "time": "time"}
APT_TIMEOUT = 600.0
STOP_TIMEOUT = 10.0
READY_POLL = 0.1

LOAD_NOTE = "load generator and server share the machine's cores"


class BenchError(RuntimeError):
    """A benchmark could not run (a tool, a process or the service failed); the message says which."""


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def find_tool(name: str) -> str | None:
    return shutil.which(name) or next((p for p in (f"/usr/sbin/{name}", f"/sbin/{name}") if os.path.exists(p)), None)


def ensure_tools(names: Sequence[str] = tuple(DEBIAN_TOOLS)) -> dict[str, str]:
    """Paths of the named commands, installing the missing ones with apt-get (update first)."""
    missing = [name for name in names if find_tool(name) is None]
    if missing:
        packages = sorted({DEBIAN_TOOLS[name] for name in missing})
        log(f"installing {' '.join(packages)} with apt-get")
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        sudo = [] if os.geteuid() == 0 else ["sudo", "-n"]
        for argv in (sudo + ["apt-get", "update", "-q"],
                     sudo + ["apt-get", "install", "-y", "-q", "--no-install-recommends", *packages]):
            done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=APT_TIMEOUT)
            if done.returncode != 0:
                raise BenchError(f"{' '.join(argv)} failed:\n{done.stderr[-2000:]}")
    paths = {name: find_tool(name) for name in names}
    absent = [name for name, path in paths.items() if path is None]
    if absent:
        raise BenchError(f"still missing after apt-get: {', '.join(absent)}")
    return paths  # type: ignore[return-value]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def open_up(path: Path) -> None:
    """Let nginx's unprivileged workers read a tree we made (mkdtemp folders are 0700)."""
    for folder, dirs, files in os.walk(path):
        os.chmod(folder, 0o755)
        for name in files:
            os.chmod(os.path.join(folder, name), 0o644)


class Process:
    """A child process in its own process group, its output in a log file, stopped by its own id."""

    def __init__(self, name: str, argv: Sequence[str], *, env: Mapping[str, str] | None = None,
                 cwd: Path = REPO_ROOT, log_dir: Path):
        self.name = name
        self.log_path = log_dir / f"{name}.log"
        self._log = open(self.log_path, "ab")
        self.popen = subprocess.Popen(list(argv), env=dict(env) if env is not None else None, cwd=cwd,
                                      stdout=self._log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                      start_new_session=True)

    def tail(self, chars: int = 3000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return ""

    def wait_for_port(self, port: int, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.popen.poll() is not None:
                raise BenchError(f"{self.name} exited with {self.popen.returncode}:\n{self.tail()}")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1.0):
                    return
            except OSError:
                time.sleep(READY_POLL)
        raise BenchError(f"{self.name} did not listen on port {port} within {timeout:.0f} s:\n{self.tail()}")

    def stop(self) -> None:
        if self.popen.poll() is None:
            try:
                os.killpg(self.popen.pid, signal.SIGTERM)  # the group we created for this child only
                self.popen.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                os.killpg(self.popen.pid, signal.SIGKILL)
                self.popen.wait(STOP_TIMEOUT)
            except ProcessLookupError:
                pass
        self._log.close()


@dataclass
class Measured:
    seconds: float
    max_rss_bytes: int  # the largest single process of the command's tree (GNU time's %M)
    returncode: int
    tree_pss_bytes: int = 0  # the whole tree at its sampled peak (proportional set size: shared pages split)


def measure_command(argv: Sequence[str], *, env: Mapping[str, str] | None = None, cwd: Path = REPO_ROOT,
                    log_path: Path, timeout: float = 900.0) -> Measured:
    """Wall time and peak memory of one command: its largest process, and its whole process tree.

    GNU time forks the command from its own small process: a child forked straight from this
    Python process would report this process's memory as its own peak. GNU time reports
    only the largest process, so a sampler adds up the tree (the command may start workers).
    """
    report_path = log_path.with_suffix(".rusage")
    with open(log_path, "ab") as sink:
        started = time.monotonic()
        proc = subprocess.Popen([find_tool("time") or "/usr/bin/time", "-f", "%M", "-o", str(report_path), *argv],
                                env=dict(env) if env is not None else None, cwd=cwd, stdout=sink,
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        tree_peak = 0
        try:
            while proc.poll() is None:
                if time.monotonic() - started > timeout:
                    proc.kill()
                    proc.wait()
                    raise BenchError(f"{argv[0]} did not finish within {timeout:.0f} s")
                tree_peak = max(tree_peak, tree_pss_bytes(proc.pid))
                time.sleep(0.02)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        seconds = time.monotonic() - started
    lines = report_path.read_text().split()
    # GNU time prints "Command exited with non-zero status N" before the figure; %M is in kilobytes.
    max_rss_kb = int(lines[-1]) if lines and lines[-1].isdigit() else 0
    return Measured(seconds, max_rss_kb * 1024, proc.returncode, tree_peak)


def settle_disk(pause: float = 1.0) -> None:
    """Flush dirty data and commit the journal, then pause: a timed command that writes a lot
    otherwise pays for the writes (and the freed blocks) of the one before it."""
    os.sync()
    time.sleep(pause)


def tree_pss_bytes(root_pid: int) -> int:
    """Proportional set size of every descendant of root_pid (not root_pid itself: GNU time)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                parent = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(parent, []).append(int(entry))
    total, todo = 0, list(children.get(root_pid, []))
    while todo:
        pid = todo.pop()
        todo += children.get(pid, [])
        try:
            with open(f"/proc/{pid}/smaps_rollup") as f:
                for line in f:
                    if line.startswith("Pss:"):
                        total += int(line.split()[1]) * 1024
                        break
        except OSError:
            continue
    return total


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


@dataclass
class Figure:
    """One measured quantity beside its same-run reference; `goal` is the ratio it should reach."""
    section: str
    name: str
    unit: str
    subject: list[float] = field(default_factory=list)
    reference: list[float] = field(default_factory=list)
    reference_name: str = ""
    higher_is_better: bool = True
    goal: float | None = None  # ratio subject/reference: at least (higher better) or at most (lower better)
    goal_is_value: bool = False  # the goal bounds the median itself, in `unit`, not the ratio
    note: str = ""
    error: str | None = None

    @property
    def subject_median(self) -> float:
        return median(self.subject)

    @property
    def reference_median(self) -> float:
        return median(self.reference)

    @property
    def ratio(self) -> float | None:
        if not self.subject or not self.reference or not self.reference_median:
            return None
        return self.subject_median / self.reference_median

    @property
    def met(self) -> bool | None:
        measured = self.subject_median if self.goal_is_value else self.ratio
        if self.goal is None or measured is None or measured != measured:
            return None
        return measured >= self.goal if self.higher_is_better else measured <= self.goal

    def goal_text(self) -> str:
        if self.goal is None:
            return ""
        sign = ">=" if self.higher_is_better else "<="
        if self.goal_is_value:
            return f"{sign} {fmt(self.goal)} {self.unit}"
        return f"{sign} {self.goal:.0%}" if self.higher_is_better else f"{sign} {self.goal:.2f}x"

    def ratio_text(self) -> str:
        if self.ratio is None:
            return ""
        return f"{self.ratio:.1%}" if self.higher_is_better else f"{self.ratio:.2f}x"

    def to_json(self) -> dict:
        return {"section": self.section, "name": self.name, "unit": self.unit, "runs": self.subject,
                "median": _finite(self.subject_median), "reference_name": self.reference_name,
                "reference_runs": self.reference, "reference_median": _finite(self.reference_median),
                "ratio": self.ratio, "goal": self.goal, "goal_kind": "min" if self.higher_is_better else "max",
                "goal_on": "value" if self.goal_is_value else "ratio",
                "met": self.met, "note": self.note, "error": self.error}

    def line(self) -> str:
        if self.error:
            return f"{self.section} / {self.name}: FAILED: {self.error}"
        text = f"{self.section} / {self.name}: {fmt(self.subject_median)} {self.unit}"
        if self.reference:
            text += f"  vs {self.reference_name} {fmt(self.reference_median)} {self.unit}"
            if self.ratio is not None:
                text += f"  = {self.ratio_text()}"
        if self.goal is not None:
            text += f"  (goal {self.goal_text()}: {'met' if self.met else 'NOT met'})"
        text += f"  [runs: {', '.join(fmt(v) for v in self.subject)}"
        if self.reference:
            text += f"; reference runs: {', '.join(fmt(v) for v in self.reference)}"
        text += "]"
        return text + (f"  ({self.note})" if self.note else "")


def _finite(value: float) -> float | None:
    return None if value != value else value  # NaN -> null in JSON


def fmt(value: float) -> str:
    if value != value:
        return "-"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.3g}"


def report(figure: Figure) -> Figure:
    print(figure.line(), flush=True)
    return figure


@dataclass
class BenchContext:
    """What every benchmark gets: its scratch folder, where logs go, tool paths and the run settings."""
    work: Path
    logs: Path
    tools: Mapping[str, str]
    runs: int = 3
    duration: float = 5.0
    quick: bool = False  # smaller packages and shorter runs: checks the harness, measures nothing
    postgres_url: str = "postgresql+psycopg://postgres@127.0.0.1:5432/test"

    def folder(self, name: str) -> Path:
        path = self.work / name
        path.mkdir(parents=True, exist_ok=True)
        return path

"""`yuqing serve` runs the pipeline (collector, events stage, notifier) in a child `yuqing worker`.

In threads of the web process the pipeline shared one interpreter lock with intake: at 1,000
items/s on SQLite that process could not keep up (934 items/s accepted) and a warning took up to
1.5 s to reach its channel (p99). As two processes, one core each, the same machine meets the
1 s target (docs/performance.md, "Alert latency").

The child is killed with its parent (Linux `PR_SET_PDEATHSIG`), so a killed service leaves no
worker behind to race the next one; it sits in its own session, so the terminal's Ctrl-C reaches
only the parent, which stops it. A child that dies on its own is started again, at most every
30 s while it keeps dying.
"""

from __future__ import annotations

import ctypes
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Sequence

log = logging.getLogger("yuqing.child")
PARENT = "YUQING_PARENT_PID"  # set for the child: the process it dies with
PR_SET_PDEATHSIG = 1
FIRST_DELAY, LAST_DELAY = 1.0, 30.0
STEADY = 60.0  # a child that ran this long had settled: its next restart is quick again


def worker_command() -> list[str]:
    return [sys.executable, "-m", "yuqing.cli", "worker"]


def die_with_parent() -> None:
    """Called first thing in `yuqing worker`: when started by `yuqing serve`, ask the kernel to
    kill this process when the parent dies, and leave at once if it already has."""
    parent = os.environ.get(PARENT)
    if not parent:
        return
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
            log.warning("cannot tie the worker to its parent: errno %s", ctypes.get_errno())
    if os.getppid() != int(parent):
        raise SystemExit("yuqing serve, which started this worker, is gone")


class WorkerChild:
    """The child process and the thread that keeps it running; the kernel ties a child to the
    thread that started it, so that thread lives as long as the child is wanted."""

    def __init__(self, command: Sequence[str] | None = None, stop_timeout: float = 30.0) -> None:
        self.command = list(command or worker_command())
        # the environment as it is now, before `serve` changes its own for the web processes
        self.env = os.environ | {PARENT: str(os.getpid())}
        self.stop_timeout = stop_timeout
        self.proc: subprocess.Popen[bytes] | None = None
        self.starts = 0
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._keep, name="yuqing-worker-child", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _spawn(self) -> subprocess.Popen[bytes] | None:
        with self._lock:
            if self._stop.is_set():
                return None
            self.proc = subprocess.Popen(self.command, env=self.env, start_new_session=True)
            self.starts += 1
            return self.proc

    def _keep(self) -> None:
        delay = FIRST_DELAY
        while (proc := self._spawn()) is not None:
            started = time.monotonic()
            code = proc.wait()
            if self._stop.is_set():
                return
            if time.monotonic() - started >= STEADY:
                delay = FIRST_DELAY
            log.error("yuqing worker exited with code %s; starting it again in %.0f s", code, delay)
            if self._stop.wait(delay):
                return
            delay = min(delay * 2, LAST_DELAY)

    def stop(self) -> None:
        """Ask the child to finish its round (SIGTERM), and kill it if it has not in time."""
        with self._lock:
            self._stop.set()
            proc = self.proc
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(self.stop_timeout)
            except subprocess.TimeoutExpired:
                log.error("yuqing worker did not stop in %.0f s; killing it", self.stop_timeout)
                proc.kill()
                proc.wait()
        self._thread.join(self.stop_timeout)

"""Work done in a second process, beside the main one, on a machine with a second core.

An audit has steps that read nothing the next steps write (continuity of care reads only the client
episodes; the pack's graph files and tables read only what the analyses left). :func:`start` runs such a
step in a child process made by :func:`os.fork`: the child sees the parent's memory as it was (nothing is
copied or pickled on the way in: the loaded org is shared page by page until one side writes to it) and
sends back only the step's return value, pickled, through a pipe. The parent goes on meanwhile and asks
for the value with :meth:`Beside.result`.

Nothing changes the answer: the step is the same function on the same data. Where a second process is not
to be had (not Linux, one core, ``ORGRAPH_PROCESSES=1`` in the environment) or the child fails to report
(killed, or its value cannot be pickled), :meth:`Beside.result` runs the function in the parent instead
(see ``again``). An exception the function raises in the child is raised again by :meth:`Beside.result`,
as it would have been in the parent.
"""
from __future__ import annotations

import os
import pickle
import signal
import sys
import threading
import warnings
from typing import Callable

__all__ = ["available", "start", "Beside"]

#: Set to ``1`` to run everything in one process.
ENV = "ORGRAPH_PROCESSES"


def available() -> bool:
    """Whether a step can run in a second process here: Linux (fork is safe with the libraries orgraph
    uses), more than one core this process may use, and ``ORGRAPH_PROCESSES`` not set to ``1``.

    Examples
    --------
    >>> import os
    >>> os.environ["ORGRAPH_PROCESSES"] = "1"
    >>> available()
    False
    >>> del os.environ["ORGRAPH_PROCESSES"]
    """
    if os.environ.get(ENV, "").strip() == "1" or not sys.platform.startswith("linux") or not hasattr(os, "fork"):
        return False
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    return cores > 1


class Beside:
    """A step running beside the caller: :meth:`result` gives its return value (waiting for it)."""

    def __init__(self, function: Callable[[], object], again: Callable[[], object] | None = None):
        self._function = function
        self._again = function if again is None else again
        self._pid: int | None = None
        self._data = bytearray()
        self._reader: threading.Thread | None = None
        self._done = False
        self._value: object = None

    def _fork(self) -> None:
        read_fd, write_fd = os.pipe()
        sys.stdout.flush()
        sys.stderr.flush()
        with warnings.catch_warnings():  # Python 3.12+ warns of fork in a process with threads (pyarrow's pools)
            warnings.simplefilter("ignore", DeprecationWarning)
            pid = os.fork()
        if pid == 0:                     # the child: run, report, and leave without running anything else
            code = 1
            try:
                os.close(read_fd)
                try:
                    reply = (True, self._function())
                except Exception as exc:  # noqa: BLE001 -- the parent raises it again, as its own
                    reply = (False, exc)
                payload = pickle.dumps(reply, protocol=pickle.HIGHEST_PROTOCOL)  # if it cannot: no report
                with os.fdopen(write_fd, "wb") as out:
                    out.write(payload)
                code = 0
            finally:
                os._exit(code)
        os.close(write_fd)
        self._pid = pid
        # the pipe is read as the child writes, so that a large value never blocks the child
        self._reader = threading.Thread(target=self._read, args=(read_fd,), daemon=True)
        self._reader.start()

    def _read(self, fd: int) -> None:
        with os.fdopen(fd, "rb") as f:
            while chunk := f.read(1 << 20):
                self._data += chunk

    def cancel(self) -> None:
        """Stop the child, if it still runs, without its answer (for a caller leaving early), and reap it."""
        if self._pid is not None and not self._done:
            self._done = True
            try:
                os.kill(self._pid, signal.SIGKILL)
                os.waitpid(self._pid, 0)
            except (ProcessLookupError, ChildProcessError):
                pass

    def result(self):
        """The step's return value: the child's, or the function run here when the child did not report."""
        if self._done:
            return self._value
        self._done = True
        if self._pid is None:
            self._value = self._again()
            return self._value
        self._reader.join()
        _, status = os.waitpid(self._pid, 0)
        data, self._data = bytes(self._data), bytearray()
        reported = None
        if os.waitstatus_to_exitcode(status) == 0 and data:
            try:
                reported = pickle.loads(data)
            except Exception:  # noqa: BLE001 -- a value that cannot come back is computed here instead
                reported = None
        if reported is None:
            self._value = self._again()
            return self._value
        ok, value = reported
        if not ok:
            raise value
        self._value = value
        return value


def start(function: Callable[[], object], *, again: Callable[[], object] | None = None) -> Beside:
    """Start ``function()`` in a second process when :func:`available`, else leave it for
    :meth:`Beside.result` to run here.

    ``again`` is what :meth:`Beside.result` runs in this process when the child does not report (default:
    ``function`` itself); a caller that lets go of what ``function`` reads once the child has started
    gives one that says so instead.

    Examples
    --------
    >>> step = start(lambda: sum(range(10)))
    >>> step.result()
    45
    >>> step = start(lambda: 1 / 0)
    >>> step.result()
    Traceback (most recent call last):
    ...
    ZeroDivisionError: division by zero
    """
    step = Beside(function, again)
    if available():
        step._fork()
    return step

"""Leaving the process without freeing a large org one object at a time.

An audit of a large org holds frames of tens of millions of values and
results of millions of Python objects. Freeing them when the command returns
and again at interpreter shutdown takes seconds and changes nothing: the
files are written and closed and the output printed. A command hands what it
holds to :func:`hold_until_exit`; when the command line runs as the program
(``orgraph ...`` or ``python -m orgraph ...``: arguments from ``sys.argv``),
:func:`leave` ends the process with :func:`os._exit` once click is done: the
exit handlers run, the output is flushed and the exit code is the one click
chose. Run any other way (``CliRunner`` in tests, a notebook calling
``main(args=[...])``), nothing is held and nothing changes.
"""
from __future__ import annotations

import atexit
import os
import sys
import threading

__all__ = ["hold_until_exit", "as_program", "leave"]

_state = {"armed": False}
_held: list = []


def hold_until_exit(*objects) -> None:
    """Keep ``objects`` alive until the process leaves, so that they are never freed one by one.

    Does nothing unless the command line runs as the program (see :func:`as_program`).

    Examples
    --------
    >>> hold_until_exit([1, 2, 3])     # not running as the program: nothing is held
    >>> _held
    []
    """
    if _state["armed"]:
        _held.extend(objects)


class as_program:
    """Context in which the command line runs as the program: :func:`hold_until_exit` keeps what it is given.

    On leaving the context the held objects are let go (the normal way, if :func:`leave` did not end the
    process first)."""

    def __enter__(self):
        _state["armed"] = True
        return self

    def __exit__(self, *exc) -> None:
        _state["armed"] = False
        _held.clear()


def leave(code) -> None:
    """End the process now with exit ``code`` (a ``SystemExit`` code) when a command held something.

    The exit handlers run (:func:`atexit` functions: logging, temporary folders) and standard output and
    error are flushed first; the process then ends without freeing what the command held. Returns, leaving
    the normal exit to happen, when nothing was held, when the code is not a number (Python prints such a
    code), while a thread that Python's exit would wait for still runs, or when flushing fails (a closed pipe:
    Python's own exit says so).
    """
    if not _held or not (code is None or (type(code) is int and -2**31 <= code < 2**31)):
        return
    if any(t is not threading.main_thread() and not t.daemon and t.is_alive() for t in threading.enumerate()):
        return                           # Python's exit waits for such a thread; os._exit would cut it short
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        return
    atexit._run_exitfuncs()          # they run once: Python's own exit would find none left
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        return
    os._exit(0 if code is None else code)

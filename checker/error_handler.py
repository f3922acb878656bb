"""The one boundary between the program and the person running it.

Expected errors are the commands' business (one line, exit 2). Here: Ctrl-C ends with one
line and 130, and anything else is a bug: one line that says so and where the details are,
the traceback in a log file, exit 3. A reader of standard output that went away (``| head``)
is met where the commands write (checker.output_files), so that they keep their own exit
code; should it surface anywhere else, it ends quietly with 141, as a shell reports SIGPIPE.
"""
from __future__ import annotations

import os
import sys
import tempfile
import traceback
from collections.abc import Callable

from checker.output_files import silence_standard_output

EXIT_INTERRUPTED = 130
EXIT_BROKEN_PIPE = 141
EXIT_UNEXPECTED = 3


def guarded(program: str, command: Callable[[], int]) -> int:
    try:
        return command()
    except KeyboardInterrupt:
        print(f"{_fresh_line()}{program}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        silence_standard_output()
        return EXIT_BROKEN_PIPE
    except Exception as error:  # the boundary: a bug must reach the user as one line, not a traceback
        log = _write_log(program, error)
        print(f"{program}: unexpected error ({type(error).__name__}: {error}); this is a bug, please report it "
              f"with the details in {log}", file=sys.stderr)
        return EXIT_UNEXPECTED


def _fresh_line() -> str:
    """On a terminal, erase the progress line that Ctrl-C may have cut short, so one clean line remains."""
    try:
        return "\r\x1b[K" if sys.stderr.isatty() else ""
    except (AttributeError, ValueError):
        return ""


def _write_log(program: str, error: Exception) -> str:
    handle, path = tempfile.mkstemp(prefix=f"{program}-", suffix=".log")
    with os.fdopen(handle, "w", encoding="utf-8") as log:
        log.write("".join(traceback.format_exception(type(error), error, error.__traceback__)))
    return path

"""Progress on a terminal while a large export is scanned: one line of stderr, rewritten.

A scan of a large tenant reads the export, evaluates the rules and writes its reports, each
of which can take seconds; the line says which of them is under way and how far it has got
(files and bytes read, rule n of N, megabytes written). A new step (a rule, a report) shows
as it starts, since one step may take seconds; a count is rewritten at most every
``INTERVAL`` seconds; nothing shows in a scan's first ``INTERVAL``, so a small scan prints
none. The line is cleared when a phase ends, so that warnings and the table start on a
clean line.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from typing import TextIO

from checker.safe_text import terminal_text

INTERVAL = 0.25


class Progress:
    """Rewrites one line at most every ``interval`` seconds, and clears it at the end of a phase."""

    def __init__(self, stream: TextIO, interval: float | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._stream = stream
        self._interval = INTERVAL if interval is None else interval
        self._clock = clock
        self._start = self._last = clock()
        self._width = 0

    def update(self, files: int, size: int) -> None:
        """Reading: how many files and how many bytes so far."""
        self._show(f"reading the export: {files} files, {size / (1 << 20):.1f} MB")

    def evaluating(self, number: int, total: int, rule_id: str) -> None:
        """Evaluating: rule ``number`` of ``total`` is about to run (shown at once: one rule may take seconds)."""
        self._show(f"evaluating the rules: {number} of {total} ({rule_id})", at_once=True)

    def summarising(self) -> None:
        """Evaluating: the coverage of every user and the gaps of every user class."""
        self._show("evaluating the rules: user coverage and gaps", at_once=True)

    def locating(self) -> None:
        """Writing: the lines and columns of the evidence are looked up in the input files."""
        self._show("writing the reports: finding the evidence in the input files", at_once=True)

    def writing(self, name: str, path: str, size: int) -> None:
        """Writing: the report ``name`` goes to ``path``, ``size`` characters of it so far (0 as it starts)."""
        self._show(f"writing the {name} report to {terminal_text(path, 120)}: {size / (1 << 20):.1f} MB",
                   at_once=not size)

    def done(self) -> None:
        """Clear the line, so that whatever is written next starts on a clean one."""
        if self._width:
            self._stream.write("\r" + " " * self._width + "\r")
            self._stream.flush()
            self._width = 0

    def _show(self, text: str, at_once: bool = False) -> None:
        """A new step is shown at once, a count at most every interval; neither in the scan's first interval."""
        now = self._clock()
        if now - (self._start if at_once else self._last) < self._interval:
            return
        self._last = now
        self._stream.write("\r" + text.ljust(self._width))
        self._stream.flush()
        self._width = len(text)


def progress_for(stream: TextIO, quiet: bool) -> Progress | None:
    """Progress only for a person watching a terminal: never in CI logs or pipes."""
    return None if quiet or not stream.isatty() else Progress(stream)

"""Progress on a terminal while a large export is read: files and bytes, on one line of stderr."""
from __future__ import annotations

import time
from collections.abc import Callable
from typing import TextIO


class Progress:
    """Rewrites one line at most every ``interval`` seconds, and clears it at the end."""

    def __init__(self, stream: TextIO, interval: float = 0.25,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._stream = stream
        self._interval = interval
        self._clock = clock
        self._last = clock()
        self._width = 0

    def update(self, files: int, size: int) -> None:
        now = self._clock()
        if now - self._last < self._interval:
            return
        self._last = now
        line = f"reading the export: {files} files, {size / (1 << 20):.1f} MB"
        self._stream.write("\r" + line.ljust(self._width))
        self._stream.flush()
        self._width = len(line)

    def done(self) -> None:
        if self._width:
            self._stream.write("\r" + " " * self._width + "\r")
            self._stream.flush()


def progress_for(stream: TextIO, quiet: bool) -> Progress | None:
    """Progress only for a person watching a terminal: never in CI logs or pipes."""
    return None if quiet or not stream.isatty() else Progress(stream)

"""Where a scan may write its reports, and writing them whole or not at all.

An auditor points the tool at files they must not change, so every output path is checked
before the scan reads anything: it is not a folder, its folder exists and can be written,
and it is none of the inputs, whichever way it names one (a path, a symbolic link, a hard
link). A report is written to a temporary file beside its target and renamed over it only
when it is complete, so Ctrl-C or a full disk never leaves a half-written report. A reader
of standard output that goes away (``| head``) ends the writing quietly; the exit code stays
the scan's own.
"""
from __future__ import annotations

import contextlib
import os
import stat
import sys
import tempfile
from collections.abc import Callable, Iterable, Sequence
from typing import BinaryIO

from checker.safe_text import encodable

# Told of a report's writing: (its path, characters written so far); (None, 0) before standard output.
Written = Callable[[str | None, int], None]


class OutputPathError(ValueError):
    """An output that cannot or must not be written: a usage error (exit 2)."""


def check_output_paths(outputs: Sequence[tuple[str, str | None]], inputs: Iterable[str]) -> None:
    """Refuse, before any work, outputs that would fail to write or would touch an input.

    ``outputs`` are (format, path or None for standard output); ``inputs`` are the files on
    disk that the scan reads (zip members count as their archive).
    """
    to_standard_output = [name for name, path in outputs if path is None]
    if len(to_standard_output) > 1:
        raise OutputPathError(f"{' and '.join(to_standard_output)} cannot both go to standard output: "
                              "give all formats but one a file (NAME:PATH)")
    seen: set[str] = set()
    for _, path in outputs:
        if path is None:
            continue
        where = os.path.realpath(path)
        if where in seen:
            raise OutputPathError(f"{path}: two reports would be written to the same file")
        seen.add(where)
        _check_writable(path)
    refuse_to_overwrite_inputs(outputs, inputs)


def _check_writable(path: str) -> None:
    if os.path.isdir(path):
        raise OutputPathError(f"{path}: is a folder, not a file to write a report to")
    if _is_stream(path):
        if not os.access(path, os.W_OK):
            raise OutputPathError(f"{path}: cannot be written")
        return
    folder = os.path.dirname(os.path.realpath(path))
    if not os.path.isdir(folder):
        raise OutputPathError(f"{path}: no such folder {folder}")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise OutputPathError(f"{path}: cannot write in the folder {folder}")
    if os.path.exists(path) and not os.access(path, os.W_OK):
        raise OutputPathError(f"{path}: the file exists and cannot be written")


def refuse_to_overwrite_inputs(outputs: Sequence[tuple[str, str | None]], inputs: Iterable[str]) -> None:
    """An output that is an input by its path, through a symbolic link, or as a hard link is refused."""
    real_paths: set[str] = set()
    identities: set[tuple[int, int]] = set()
    for name in inputs:
        real_paths.add(os.path.realpath(name))
        identity = _identity(name)
        if identity is not None:
            identities.add(identity)
    for _, path in outputs:
        if path is None:
            continue
        identity = _identity(path)
        if os.path.realpath(path) in real_paths or (identity is not None and identity in identities):
            raise OutputPathError(f"{path}: refusing to write a report over an input file")


def _identity(path: str) -> tuple[int, int] | None:
    """The file a path leads to (device, inode), following links; None when there is none yet."""
    try:
        status = os.stat(path)
    except OSError:
        return None
    return status.st_dev, status.st_ino


def write_reports(reports: Sequence[tuple[str | Iterable[str], str | None]],
                  written: Written | None = None) -> None:
    """Write each (text, path) report; None is standard output, written last.

    A report's text may come in chunks (any iterable of strings), made as they are written, so
    that a large report is never held whole. Every file is first written in full to a temporary
    file in its own folder; only when all of them are written, and the text for standard output
    is made, are they renamed into place, so an interruption or an error while a report is made
    leaves the old files (or none), never a part of one. ``written(path, characters)`` is told
    as a file's writing starts and after each chunk, and ``written(None, 0)`` before standard
    output is written.
    """
    staged: list[tuple[str, str]] = []
    streams = [(text, path) for text, path in reports if path is not None and _is_stream(path)]
    in_place = {path for _, path in streams}
    try:
        for text, path in reports:
            if path is not None and path not in in_place:
                # through a symbolic link to the file it names, which is replaced, not the link
                target = os.path.realpath(path)
                staged.append((_staged_copy(text, target, path, written), target))
        to_standard_output = [text if isinstance(text, str) else "".join(text) for text, path in reports
                              if path is None]
        for temporary, target in staged:
            os.replace(temporary, target)
        staged.clear()
    finally:
        for temporary, _ in staged:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
    for text, path in streams:
        _write_in_place(text, path, written)
    for text in to_standard_output:
        if written is not None:
            written(None, 0)
        write_standard_output(text)


def _is_stream(path: str) -> bool:
    """A device, a pipe or a socket (``/dev/null``, ``/dev/stdout``): written in place, never renamed over."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return not stat.S_ISREG(mode) and not stat.S_ISDIR(mode)


def _write_in_place(text: str | Iterable[str], path: str, written: Written | None) -> None:
    try:
        with open(path, "wb") as stream:
            _write_chunks(stream, text, path, written)
    except OSError as error:
        raise OutputPathError(f"{path}: cannot write ({error.strerror or error})") from None


def _write_chunks(stream: BinaryIO, text: str | Iterable[str], shown: str,
                  written: Written | None) -> None:
    size = 0
    if written is not None:
        written(shown, size)
    for chunk in (text,) if isinstance(text, str) else text:
        # as UTF-8 can write it: a lone surrogate left anywhere becomes its escape (encodable)
        stream.write(chunk.encode("utf-8", "backslashreplace"))
        size += len(chunk)
        if written is not None:
            written(shown, size)


def _staged_copy(text: str | Iterable[str], target: str, path: str,
                 written: Written | None) -> str:
    """``text`` in a temporary file beside ``target`` (the file ``path`` names), to be renamed over it."""
    folder = os.path.dirname(target)
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{os.path.basename(target)}.", suffix=".tmp", dir=folder)
    except OSError as error:
        raise OutputPathError(f"{path}: cannot write ({error.strerror or error})") from None
    try:
        with os.fdopen(handle, "wb") as stream:
            os.chmod(temporary, 0o666 & ~_umask())  # as open() would have made it, not mkstemp's 0600
            _write_chunks(stream, text, path, written)
    except BaseException as error:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        if isinstance(error, OSError):
            raise OutputPathError(f"{path}: cannot write ({error.strerror or error})") from None
        raise
    return temporary


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_standard_output(text: str) -> None:
    """Write to standard output; a reader that has gone away ends the writing, not the program."""
    try:
        sys.stdout.write(encodable(text))
        sys.stdout.flush()
    except BrokenPipeError:
        silence_standard_output()


def silence_standard_output() -> None:
    """Python would complain again when it flushes standard output at exit; point it at nothing."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass

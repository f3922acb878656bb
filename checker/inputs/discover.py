"""Which files does a scan read? Folders are walked, files taken as given; nothing is written."""
from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path


class InputPathError(ValueError):
    """A path named on the command line does not exist or cannot be read."""


@dataclass(frozen=True, order=True)
class SourceFile:
    display_path: str
    filesystem_path: str


@dataclass(frozen=True)
class Discovery:
    scan_root: str
    files: tuple[SourceFile, ...]
    skipped: tuple[tuple[str, str], ...]
    # Folders that could not be listed, and why: what they hold is not known, so they are not a skip.
    unreadable: tuple[tuple[str, str], ...] = ()


def discover(paths: Sequence[str]) -> Discovery:
    if not paths:
        raise InputPathError("no input path given")
    for path in paths:
        if not os.path.exists(path):
            raise InputPathError(f"{path}: no such file or folder")
    base = _common_base(paths)
    files: dict[str, SourceFile] = {}
    skipped: list[tuple[str, str]] = []
    unreadable: list[tuple[str, str]] = []
    for path in paths:
        if os.path.isdir(path):
            _walk(Path(path), base, files, skipped, unreadable)
        else:
            _add(Path(path), base, files)
    return Discovery(_display(base), tuple(sorted(files.values())), tuple(sorted(skipped)), tuple(sorted(unreadable)))


def _common_base(paths: Sequence[str]) -> Path:
    folders = [os.path.abspath(p if os.path.isdir(p) else os.path.dirname(p) or ".") for p in paths]
    return Path(os.path.commonpath(folders))


def _display(base: Path) -> str:
    """The scanned root as the user would write it: relative to the working folder if inside it."""
    try:
        relative = os.path.relpath(base)
    except ValueError:
        return base.as_posix()
    return base.as_posix() if relative.startswith("..") else Path(relative).as_posix()


def _walk(root: Path, base: Path, files: dict[str, SourceFile], skipped: list[tuple[str, str]],
          unreadable: list[tuple[str, str]]) -> None:
    """Every file below ``root``; folders named ``.*`` are left out silently.

    ``os.scandir`` tells folders, files and links apart from the directory entries themselves, so
    an export with a folder per object (EntraExporter) costs no system call per entry beyond that.
    """
    real_root = os.path.realpath(root)
    top = _relative(root, base)
    pending = [(str(root), "" if top == "." else top + "/")]
    while pending:
        folder, shown = pending.pop()
        try:
            with os.scandir(folder) as listing:
                entries = sorted(listing, key=lambda entry: entry.name)
        except OSError as error:
            unreadable.append((shown.rstrip("/") or top, f"a folder that cannot be read: {error.strerror or error}"))
            continue
        subfolders = []
        for entry in entries:
            if _answers(entry.is_dir):
                if entry.name.startswith("."):
                    continue
                if entry.is_symlink():
                    skipped.append((shown + entry.name, "a link to a folder: links to folders are not followed"))
                else:
                    subfolders.append((entry.path, shown + entry.name + "/"))
            elif entry.is_symlink() and not inside(os.path.realpath(entry.path), real_root):
                skipped.append((shown + entry.name, "a link pointing outside the scanned folder"))
            elif _answers(entry.is_file):
                files.setdefault(shown + entry.name, SourceFile(shown + entry.name, entry.path))
            else:
                skipped.append((shown + entry.name, _not_a_file(Path(entry.path))))
        pending.extend(subfolders)


def _answers(test: Callable[[], bool]) -> bool:
    """A directory entry's test (is it a folder? a file?); an entry that vanished or cannot be read is neither."""
    try:
        return test()
    except OSError:
        return False


def _not_a_file(path: Path) -> str:
    """Why something that is not a regular file is not read (reading a named pipe would wait for ever)."""
    if path.is_symlink() and not path.exists():
        return "a link to nothing"
    if path.is_fifo():
        return "a named pipe (FIFO), not a file: not read"
    if path.is_socket():
        return "a socket, not a file: not read"
    if path.is_block_device() or path.is_char_device():
        return "a device, not a file: not read"
    return "not a regular file: not read"


def inside(path: str, root: str) -> bool:
    """Whether ``path`` is ``root`` or lies below it (both already resolved)."""
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def _relative(path: Path, base: Path) -> str:
    return Path(os.path.relpath(os.path.abspath(path), base)).as_posix()


def _add(path: Path, base: Path, files: dict[str, SourceFile]) -> None:
    display = _relative(path, base)
    files.setdefault(display, SourceFile(display, str(path)))

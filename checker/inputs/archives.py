"""Zip archives, read in memory and never extracted, and the size limits every input obeys.

A member's name is only ever a name: it labels what is read and is never joined to a path
on disk. Limits are checked before and while reading, so a zip bomb costs a refusal, not the
machine's memory: the members of an archive, and of the archives inside it, count against one
running total, and each is unpacked only when its turn comes. An archive inside an archive is
read one level deep.
"""
from __future__ import annotations

import io
import os
import zipfile
import zlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache, partial

from checker.inputs.limits import LimitExceeded, over
from checker.inputs.limits import Limits as Limits  # where callers have always found it

ZIP_REFERENCE = "zip:"
_SEPARATOR = "\0"  # no file name can hold it, so a reference is never ambiguous
_CHUNK = 1 << 20
_READ_ERRORS = (LimitExceeded, zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError, ValueError,
                NotImplementedError)

class InputTooLarge(LimitExceeded):
    """A file or member is over a limit, or not readable as an archive; the message says which."""


class ArchiveBudget:
    """What the archives of one outermost archive have unpacked so far: one running total, nested ones included."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.unpacked = 0


@dataclass(frozen=True)
class Member:
    """A file in an archive; ``read`` unpacks it when its turn comes, so members are held one at a time."""

    display_path: str
    reference: str
    read: Callable[[], bytes] | None
    problem: str = ""
    budget: ArchiveBudget | None = None
    nesting: int = 1


def is_zip(data: bytes) -> bool:
    return data[:4] in (b"PK\x03\x04", b"PK\x05\x06")


def archive_members(data: bytes, display_path: str, reference: str, limits: Limits,
                    budget: ArchiveBudget | None = None, nesting: int = 1) -> list[Member]:
    """Every file of an archive, each to be read in turn or with the reason it is refused.

    ``budget`` is the running total of the outermost archive, for an archive inside one.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        # not ZipInfo.is_dir(): it fails on a name that a NUL byte cut to nothing
        infos = [info for info in archive.infolist() if not info.filename.endswith("/")]
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError) as error:
        raise InputTooLarge(f"not a readable zip archive ({error})") from None
    budget = budget or ArchiveBudget(limits)
    copies = Counter(info.filename for info in infos)
    members = []
    if copies[""]:
        members.append(Member(f"{display_path}/(a member without a name)", reference + _SEPARATOR, None,
                              f"the archive holds {copies['']} member(s) whose name is empty or starts with a "
                              "NUL byte: what they hold cannot be placed, so none is read", budget, nesting))
    named = [info for info in infos if info.filename]
    for info in sorted({info.filename: info for info in named}.values(), key=lambda item: item.filename):
        display = f"{display_path}/{info.filename}"
        member_reference = reference + _SEPARATOR + info.filename
        problem = (f"the archive holds {copies[info.filename]} members named {info.filename!r}: which one is "
                   "meant cannot be told, so none is read" if copies[info.filename] > 1 else "")
        reader = None if problem else partial(_read_member, archive, info, budget)
        members.append(Member(display, member_reference, reader, problem, budget, nesting))
    return members


def _refusal(info: zipfile.ZipInfo, budget: ArchiveBudget) -> LimitExceeded | None:
    limits = budget.limits
    if info.flag_bits & 0x1:
        return InputTooLarge("the member is encrypted")
    if info.file_size > limits.max_file_bytes:
        return over(limits, "max_file_bytes", f"the member is {_mb(info.file_size)} unpacked")
    if info.compress_size and info.file_size / info.compress_size > limits.max_ratio:
        return over(limits, "max_ratio", f"the member unpacks {info.file_size // info.compress_size} times its "
                    "packed size (a zip bomb?)")
    if budget.unpacked + info.file_size > limits.max_archive_bytes:
        return over(limits, "max_archive_bytes", "the archive (archives inside it included) unpacks to more")
    return None


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: ArchiveBudget) -> bytes:
    """The member's bytes, counted into the archive's running total; raises LimitExceeded with the reason."""
    refusal = _refusal(info, budget)
    if refusal is not None:
        raise refusal
    limits = budget.limits
    # The sizes in the archive's directory are claims: stop reading once a limit is passed.
    chunks: list[bytes] = []
    size = 0
    try:
        with archive.open(info) as handle:
            while chunk := handle.read(_CHUNK):
                size += len(chunk)
                budget.unpacked += len(chunk)
                if size > limits.max_file_bytes:
                    raise over(limits, "max_file_bytes", "the member unpacks to more")
                if budget.unpacked > limits.max_archive_bytes:
                    raise over(limits, "max_archive_bytes", "the archive (archives inside it included) unpacks "
                               "to more")
                chunks.append(chunk)
    except LimitExceeded:
        raise
    except _READ_ERRORS as error:
        raise InputTooLarge(f"the member cannot be unpacked ({error or type(error).__name__})") from None
    return b"".join(chunks)


def read_reference(reference: str, limits: Limits = Limits(), bounded: bool = False) -> bytes:
    """The bytes behind a source reference: a file path, or an archive member's reference.

    ``bounded``: a file is read up to ``max_file_bytes`` and refused past it, whatever its size
    said before (a pipe or a device named on the command line has none; a file may grow).
    """
    if not reference.startswith(ZIP_REFERENCE):
        with open(reference, "rb") as handle:
            data = handle.read(limits.max_file_bytes + 1) if bounded else handle.read()
        if bounded and len(data) > limits.max_file_bytes:
            raise over(limits, "max_file_bytes", "the file holds more")
        return data
    path, *names = reference[len(ZIP_REFERENCE):].split(_SEPARATOR)
    status = os.stat(path)
    archive = _container(path, status.st_mtime_ns, status.st_size, tuple(names[:-1]), limits)
    return _read_member(archive, archive.getinfo(names[-1]), ArchiveBudget(limits))


@lru_cache(maxsize=1)
def _container(path: str, modified: int, size: int, names: tuple[str, ...], limits: Limits) -> zipfile.ZipFile:
    """The archive that holds a member, kept open: the members of one archive are asked for one after another
    (every finding in a thousand members), and opening it each time would read its directory each time."""
    with open(path, "rb") as handle:
        data = handle.read()
    for name in names:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            data = _read_member(archive, archive.getinfo(name), ArchiveBudget(limits))
    return zipfile.ZipFile(io.BytesIO(data))


def archive_reference(path: str) -> str:
    return ZIP_REFERENCE + path


def root_member_reference(path: str, name: str) -> str | None:
    """The reference of the file ``name`` at the root of the zip archive at ``path``, if it holds one."""
    try:
        with zipfile.ZipFile(path) as archive:
            return archive_reference(path) + _SEPARATOR + name if name in archive.namelist() else None
    except (zipfile.BadZipFile, OSError):
        return None


def file_on_disk(reference: str) -> str:
    """The file a reference lives in: the path itself, or the outermost archive of a member."""
    return reference[len(ZIP_REFERENCE):].split(_SEPARATOR)[0] if reference.startswith(ZIP_REFERENCE) else reference


def display_reference(reference: str) -> str:
    """A reference as a path a person reads: an archive member as ``archive.zip/member``."""
    if not reference.startswith(ZIP_REFERENCE):
        return reference
    return "/".join(reference[len(ZIP_REFERENCE):].split(_SEPARATOR))


def _mb(size: int) -> str:
    return f"{size / (1 << 20):.0f} MB"

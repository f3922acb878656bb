"""Zip archives, read in memory and never extracted, and the size limits every input obeys.

A member's name is only ever a name: it labels what is read and is never joined to a path
on disk. Limits are checked before and while reading, so a zip bomb costs a refusal, not the
machine's memory. An archive inside an archive is read one level deep.
"""
from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass

ZIP_REFERENCE = "zip:"
_SEPARATOR = "\0"  # no file name can hold it, so a reference is never ambiguous
_CHUNK = 1 << 20


@dataclass(frozen=True)
class Limits:
    max_file_bytes: int = 256 << 20
    max_archive_bytes: int = 1 << 30
    max_ratio: int = 200


class InputTooLarge(ValueError):
    """A file or member is over a limit, or not readable as an archive; the message says which."""


@dataclass(frozen=True)
class Member:
    display_path: str
    reference: str
    data: bytes | None
    problem: str = ""


def is_zip(data: bytes) -> bool:
    return data[:4] in (b"PK\x03\x04", b"PK\x05\x06")


def archive_members(data: bytes, display_path: str, reference: str, limits: Limits,
                    nested: bool = False) -> Iterator[Member]:
    """Every file of an archive, each with its bytes or the reason it was refused."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError) as error:
        raise InputTooLarge(f"not a readable zip archive ({error})") from None
    total = 0
    with archive:
        for info in sorted(archive.infolist(), key=lambda item: item.filename):
            if info.is_dir():
                continue
            display = f"{display_path}/{info.filename}"
            member_reference = reference + _SEPARATOR + info.filename
            problem = _refusal(info, total, limits)
            if problem:
                yield Member(display, member_reference, None, problem)
                continue
            try:
                content = _read_member(archive, info, limits)
            except (InputTooLarge, zipfile.BadZipFile, OSError, RuntimeError, ValueError) as error:
                yield Member(display, member_reference, None, str(error))
                continue
            total += len(content)
            if is_zip(content):
                if nested:
                    yield Member(display, member_reference, None, "an archive inside an archive inside an "
                                 "archive: only one level of nesting is read")
                    continue
                try:
                    yield from archive_members(content, display, member_reference, limits, nested=True)
                except InputTooLarge as error:
                    yield Member(display, member_reference, None, str(error))
                continue
            yield Member(display, member_reference, content)


def _refusal(info: zipfile.ZipInfo, total: int, limits: Limits) -> str:
    if info.flag_bits & 0x1:
        return "the member is encrypted"
    if info.file_size > limits.max_file_bytes:
        return f"the member is {_mb(info.file_size)} unpacked, over the limit of {_mb(limits.max_file_bytes)}"
    if info.compress_size and info.file_size / info.compress_size > limits.max_ratio:
        return (f"the member unpacks {info.file_size // info.compress_size} times its packed size, over the "
                f"limit of {limits.max_ratio} (a zip bomb?)")
    if total + info.file_size > limits.max_archive_bytes:
        return f"the archive unpacks to more than the limit of {_mb(limits.max_archive_bytes)}"
    return ""


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limits: Limits) -> bytes:
    # The sizes in the archive's directory are claims: stop reading once the limit is passed.
    chunks: list[bytes] = []
    size = 0
    with archive.open(info) as handle:
        while chunk := handle.read(_CHUNK):
            size += len(chunk)
            if size > limits.max_file_bytes:
                raise InputTooLarge(f"the member unpacks to more than the limit of {_mb(limits.max_file_bytes)}")
            chunks.append(chunk)
    return b"".join(chunks)


def read_reference(reference: str, limits: Limits = Limits()) -> bytes:
    """The bytes behind a source reference: a file path, or an archive member's reference."""
    if not reference.startswith(ZIP_REFERENCE):
        with open(reference, "rb") as handle:
            return handle.read()
    path, *names = reference[len(ZIP_REFERENCE):].split(_SEPARATOR)
    with open(path, "rb") as handle:
        data = handle.read()
    for name in names:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            data = _read_member(archive, archive.getinfo(name), limits)
    return data


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

"""The output folder: refused when it holds anything (unless forced), and written only inside.

Every file is written under a fixed name, to a temporary file in the folder that then
replaces the target, so a symbolic link planted under one of those names is replaced,
never followed out of the folder.
"""
from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any


class FolderRefused(Exception):
    """The folder cannot be used; reported as one line."""


def prepare(out: Path, force: bool, own_files: frozenset[str]) -> Path:
    """Create the folder, or check that it may be used; with force, remove what a previous run wrote.

    Removing our own earlier files matters: a collection refused this time must not leave
    last time's copy behind to be scanned as if it were fresh.
    """
    if out.exists() and not out.is_dir():
        raise FolderRefused(f"--out {out} is a file, not a folder")
    if out.is_dir() and any(out.iterdir()):
        if not force:
            raise FolderRefused(f"--out {out} is not empty; name an empty or new folder, or add --force to "
                                "write into it anyway")
        for name in sorted(own_files):
            stale = out / name
            if stale.is_symlink() or stale.is_file():
                stale.unlink()
    out.mkdir(parents=True, exist_ok=True)
    return out


def write_json(out: Path, name: str, document: Any) -> Path:
    """Write ``document`` as indented JSON to ``out/name``; ``name`` is a bare file name."""
    if Path(name).name != name or name in ("", ".", ".."):
        raise ValueError(f"not a bare file name: {name!r}")
    text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    handle, temporary = tempfile.mkstemp(dir=out, prefix=".tenant-checker-", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
        os.replace(temporary, out / name)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return out / name

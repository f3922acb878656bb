"""The limits every input obeys, so that a hostile export costs a refusal, never the machine.

Each limit has the name of the configuration setting that raises it (``limits:`` in
``.tenant-checker.yaml``), and every refusal names that setting, so that a user who meets one
on a genuine export knows what to change.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    """Sizes are in bytes here; the configuration gives them in MB."""

    max_file_bytes: int = 256 << 20
    max_archive_bytes: int = 1 << 30
    max_total_bytes: int = 4 << 30
    max_ratio: int = 200
    max_objects: int = 2_000_000
    max_depth: int = 64
    max_number_digits: int = 100
    max_clixml_references: int = 1_000_000


# Limits field -> (configuration setting, how many bytes one unit of the setting is)
SETTINGS: dict[str, tuple[str, int]] = {
    "max_file_bytes": ("max_file_mb", 1 << 20),
    "max_archive_bytes": ("max_archive_mb", 1 << 20),
    "max_total_bytes": ("max_total_mb", 1 << 20),
    "max_ratio": ("max_ratio", 1),
    "max_objects": ("max_objects", 1),
    "max_depth": ("max_depth", 1),
    "max_number_digits": ("max_number_digits", 1),
    "max_clixml_references": ("max_clixml_references", 1),
}


class LimitExceeded(ValueError):
    """An input is over one of the limits; the message names the limit and the setting that raises it."""


def over(limits: Limits, field: str, what: str) -> LimitExceeded:
    """``what`` says what was found ("the file is 300 MB"); the rest says which limit and how to raise it."""
    setting, unit = SETTINGS[field]
    value = getattr(limits, field)
    shown = f"{value // unit} MB" if unit > 1 else f"{value:,}"
    return LimitExceeded(f"{what}, over the limit of {shown} (raise limits: {setting} in the configuration "
                         "given with --config if the export is genuine)")

"""Output formats, by name.

The registry names modules rather than importing them, so that choosing a format costs
only that format's imports (tabulate is the slowest thing the table would pull in at
start-up).
"""
from __future__ import annotations

import importlib
from collections.abc import Iterable
from types import ModuleType
from typing import TYPE_CHECKING, Protocol, cast

if TYPE_CHECKING:
    from checker.formatters.options import FormatOptions
    from checker.report import Report


class Formatter(Protocol):
    def __call__(self, report: Report, options: FormatOptions) -> str: ...


class ChunkedFormatter(Protocol):
    def __call__(self, report: Report, options: FormatOptions) -> Iterable[str]: ...


FORMATTERS: dict[str, str] = {
    "table": "checker.formatters.table",
    "json": "checker.formatters.json_report",
    "sarif": "checker.formatters.sarif",
    "markdown": "checker.formatters.markdown",
    "html": "checker.formatters.html",
    "junit": "checker.formatters.junit",
}

# Every format but the table points at the evidence in the input files.
LOCATES_EVIDENCE = frozenset(FORMATTERS) - {"table"}


def get_formatter(name: str) -> Formatter:
    """The ``format_report`` function of the named format; KeyError for an unknown name."""
    return cast(Formatter, _module(name).format_report)


def get_chunked_formatter(name: str) -> ChunkedFormatter:
    """The named format's report as chunks of text, for writing it; KeyError for an unknown name.

    A format whose report grows with the tenant (json, sarif) makes it in chunks as they are
    written (``report_chunks``), so that it is never held whole; the others give their whole
    text as one chunk.
    """
    module = _module(name)
    return cast(ChunkedFormatter, getattr(module, "report_chunks", None) or module.format_report)


def _module(name: str) -> ModuleType:
    try:
        module_name = FORMATTERS[name]
    except KeyError:
        known = ", ".join(sorted(FORMATTERS))
        raise KeyError(f"unknown format {name!r} (expected one of: {known})") from None
    return importlib.import_module(module_name)

"""Output formats, by name.

The registry names modules rather than importing them, so that choosing a format costs
only that format's imports (tabulate is the slowest thing the table would pull in at
start-up).
"""
from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Protocol, cast

if TYPE_CHECKING:
    from checker.formatters.options import FormatOptions
    from checker.report import Report


class Formatter(Protocol):
    def __call__(self, report: Report, options: FormatOptions) -> str: ...


FORMATTERS: dict[str, str] = {
    "table": "checker.formatters.table",
    "json": "checker.formatters.json_report",
    "sarif": "checker.formatters.sarif",
    "markdown": "checker.formatters.markdown",
    "html": "checker.formatters.html",
    "junit": "checker.formatters.junit",
}


def get_formatter(name: str) -> Formatter:
    """The ``format_report`` function of the named format; KeyError for an unknown name."""
    try:
        module_name = FORMATTERS[name]
    except KeyError:
        known = ", ".join(sorted(FORMATTERS))
        raise KeyError(f"unknown format {name!r} (expected one of: {known})") from None
    return cast(Formatter, importlib.import_module(module_name).format_report)

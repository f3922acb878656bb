"""The `scan` command's work: configure, load, check, format, write, and pick the exit code."""
from __future__ import annotations

import contextlib
import gc
import os
import re
import sys
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from checker.checks.base import CheckContext, Settings
from checker.config import Config, ConfigError, find_config, load_config
from checker.inputs.archives import file_on_disk
from checker.output_files import check_output_paths, refuse_to_overwrite_inputs, write_reports, write_standard_output
from checker.progress import progress_for
from checker.verdicts import EXIT_OK, EXIT_USAGE, Severity

if TYPE_CHECKING:
    from checker.formatters import Formatter
    from checker.inputs.load import LoadResult
    from checker.rule import Rule


@dataclass(frozen=True)
class ScanOptions:
    paths: tuple[str, ...]
    config_path: str | None = None
    fail_on: Severity | None = None
    strict: bool = False
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    verbose: bool = False
    quiet: bool = False
    every_verdict: bool = False
    exit_zero: bool = False
    each: bool = False


class ScanUsageError(ValueError):
    """Bad paths, configuration or output requests: exit code 2."""


def settings_from(config: Config) -> Settings:
    return Settings(break_glass=frozenset(item.lower() for item in config.break_glass),
                    admin_roles=dict(config.admin_roles))


def warn_unmatched_break_glass(settings: Settings) -> None:
    for entry in settings.unmatched_break_glass:
        print(f"tenant-checker: warning: break_glass entry {entry!r} matches no account in the export "
              "(a typo?)", file=sys.stderr)


@contextlib.contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """Pause the cycle collector while a scan builds its large, acyclic data.

    Its full passes walk every live object again and again without freeing any: about a
    third of a 100k-user scan (bench/). Reference counting still frees everything.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def scan_and_report(options: ScanOptions, outputs: Sequence[tuple[str, str | None]]) -> int:
    with cyclic_gc_paused():
        return _scan_and_report(options, outputs)


def _scan_and_report(options: ScanOptions, outputs: Sequence[tuple[str, str | None]]) -> int:
    from checker.formatters import get_formatter
    from checker.inputs.discover import InputPathError
    from checker.inputs.load import load

    formatters = []
    for name, path in outputs:
        try:
            formatters.append((name, get_formatter(name), path))
        except KeyError:
            raise ScanUsageError(f"unknown format {name!r} (table, json, sarif, markdown)") from None
    config_file = options.config_path or find_config(options.paths)
    _check_outputs_before_the_scan(outputs, options.paths, config_file)
    config, rules = _configured(config_file, options)
    try:
        loaded = load(options.paths, config.limits, progress_for(sys.stderr, options.quiet), config_file)
    except InputPathError as error:
        raise ScanUsageError(str(error)) from None
    separation = loaded.separation
    if separation is None:
        return _report(loaded, rules, config, options, formatters)
    if not options.each:
        raise ScanUsageError("\n".join([separation.summary(", ".join(options.paths)), *separation.details()]))
    for name, _, path in formatters:
        if path is None and name not in EACH_TO_STDOUT:
            raise ScanUsageError(f"with --each, write {name} to a file ({name}:PATH): one file per export")
    codes = []
    for export in separation.exports:
        if any(path is None for _, _, path in formatters):
            write_standard_output(f"\n=== {export.name} ({len(export.files)} files) ===\n\n")
        # each export is configured as if it had been scanned alone: the nearest file from its folder
        own_file = options.config_path or find_config([_folder_of(export.members, loaded.sources)]) or config_file
        own_config, own_rules = (config, rules) if own_file == config_file else _configured(own_file, options)
        one = load(options.paths, own_config.limits, progress_for(sys.stderr, options.quiet), own_file,
                   only=frozenset(export.members))
        named = [(name, formatter, path and path_for_export(path, export.name)) for name, formatter, path in formatters]
        codes.append(_report(one, own_rules, own_config, options, named))
    if separation.unplaced:
        print(f"tenant-checker: in no export, so not scanned: {', '.join(separation.unplaced)}", file=sys.stderr)
    return max(codes)


def _check_outputs_before_the_scan(outputs: Sequence[tuple[str, str | None]], paths: Sequence[str],
                                   config_file: str | None) -> None:
    from checker.inputs.discover import InputPathError, discover

    try:
        inputs = [source.filesystem_path for source in discover(paths).files]
    except InputPathError as error:
        raise ScanUsageError(str(error)) from None
    check_output_paths(outputs, [*inputs, *([file_on_disk(config_file)] if config_file else [])])


def _configured(config_file: str | None, options: ScanOptions) -> tuple[Config, list[Rule]]:
    from checker.catalogue import load_catalogue
    from checker.selection import SelectionError, select_rules

    try:
        config = load_config(config_file)
        return config, select_rules(load_catalogue(), options.select or config.select, options.ignore or config.ignore)
    except (ConfigError, SelectionError) as error:
        raise ScanUsageError(str(error)) from None


def _folder_of(members: Sequence[str], sources: Mapping[str, str]) -> str:
    """The folder on disk that holds an export's files (for a zip's members, the zip's folder)."""
    paths = [file_on_disk(sources[m]) for m in members if m in sources]
    return os.path.commonpath([os.path.dirname(os.path.abspath(p)) for p in paths]) if paths else "."


# Formats a person reads, which may follow one another on standard output with --each.
EACH_TO_STDOUT = ("table", "markdown")


def path_for_export(path: str, name: str) -> str:
    """``out.json`` -> ``out.<name>.json``: one report file per export with ``scan --each``."""
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._") or "export"
    root, extension = os.path.splitext(path)
    return f"{root}.{safe}{extension}"


def _report(loaded: LoadResult, rules: Sequence[Rule], config: Config, options: ScanOptions,
            formatters: Sequence[tuple[str, Formatter, str | None]]) -> int:
    from checker.engine import run
    from checker.exit_status import exit_code
    from checker.formatters.options import FormatOptions
    from checker.locate import Locator

    refuse_to_overwrite_inputs([(name, path) for name, _, path in formatters],
                               [file_on_disk(source) for source in loaded.sources.values()])
    context = CheckContext(loaded.tenant, settings_from(config), loaded.inputs)
    warn_unmatched_break_glass(context.settings)
    report = run(loaded, rules, context)
    format_options = FormatOptions(verbose=options.verbose,
                                   locator=Locator(report.sources, report.spans, report.positions),
                                   fail_on=options.fail_on or config.fail_on, strict=options.strict,
                                   every_verdict=options.every_verdict)
    write_reports([(formatter(report, format_options), path) for _, formatter, path in formatters])
    if not loaded.recognised_any:
        print("tenant-checker: error: no input was recognised as a tenant export", file=sys.stderr)
        return EXIT_USAGE
    code = exit_code(report, options.fail_on or config.fail_on, options.strict)
    return EXIT_OK if options.exit_zero else code

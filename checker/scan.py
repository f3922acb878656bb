"""The `scan` command's work: configure, load, check, format, write, and pick the exit code."""
from __future__ import annotations

import contextlib
import datetime
import gc
import os
import re
import shutil
import sys
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import TYPE_CHECKING

from checker.checks.base import CheckContext, Settings
from checker.config import AmbiguousConfig, Config, ConfigError, find_config, load_config, what_it_changes
from checker.inputs.archives import file_on_disk
from checker.output_files import check_output_paths, refuse_to_overwrite_inputs, write_reports, write_standard_output
from checker.progress import Progress, progress_for
from checker.safe_text import terminal_text
from checker.verdicts import EXIT_USAGE, Severity

if TYPE_CHECKING:
    from checker.formatters import ChunkedFormatter
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
    report_only: bool = False
    baseline: str | None = None
    write_baseline: str | None = None
    # the day waivers expire against: the local date unless a test fixes it
    today: date | None = None
    timestamp: bool = False
    no_color: bool = False


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
    from checker.formatters import get_chunked_formatter
    from checker.inputs.discover import InputPathError
    from checker.inputs.load import load

    formatters = []
    for name, path in outputs:
        try:
            formatters.append((name, get_chunked_formatter(name), path))
        except KeyError as error:
            raise ScanUsageError(str(error.args[0])) from None
    ambiguous: AmbiguousConfig | None = None
    try:
        config_file = options.config_path or find_config(options.paths, look_inside=not options.each)
    except AmbiguousConfig as error:
        config_file, ambiguous = None, error
    baseline_output = [("baseline", options.write_baseline)] if options.write_baseline else []
    _check_outputs_before_the_scan([*outputs, *baseline_output], options.paths, config_file)
    config, rules = _configured(config_file, options)
    progress = progress_for(sys.stderr, options.quiet)
    try:
        loaded = load(options.paths, config.limits, progress, config_file,
                      keep_raw=_collections_read(config))
    except InputPathError as error:
        raise ScanUsageError(str(error)) from None
    separation = loaded.separation
    if separation is None and ambiguous is not None:
        raise ScanUsageError(str(ambiguous))
    if separation is None:
        return _report(loaded, rules, config, options, formatters, progress=progress)
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
        one = load(options.paths, own_config.limits, progress, own_file,
                   only=frozenset(export.members), keep_raw=_collections_read(own_config))
        named = [(name, formatter, path and path_for_export(path, export.name)) for name, formatter, path in formatters]
        codes.append(_report(one, own_rules, own_config, options, named, export.name, progress))
    if separation.unplaced:
        unplaced = terminal_text(", ".join(separation.unplaced))
        print(f"tenant-checker: in no export, so not scanned: {unplaced}", file=sys.stderr)
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
    from checker.catalogue import CatalogueError, load_checks, with_custom_rules
    from checker.selection import SelectionError, select_rules

    try:
        config = load_config(config_file, given=options.config_path is not None)
        load_checks()  # every pack's rules bound to their checks before anything is read
        rules = select_rules(with_custom_rules(config.rules), options.select or config.select,
                             options.ignore or config.ignore)
    except (ConfigError, SelectionError, CatalogueError) as error:
        raise ScanUsageError(str(error)) from None
    _check_found_config(config, options)
    return config, rules


def _check_found_config(config: Config, options: ScanOptions) -> None:
    """A configuration found next to the export may come from the audited party: under --strict refuse
    one that leaves rules out, waives results or raises the failure threshold; else warn of those."""
    if config.given or not config.source:
        return
    words = _found_config_changes(config, options)
    changes = what_it_changes(config, options.select, options.ignore, fail_on_given=_fail_on_given(options))
    loosens = changes.leaves_rules_out or bool(changes.waivers) or bool(changes.fail_on)
    if not (loosens or changes.limits_refused):
        return
    if options.strict and loosens:
        raise ScanUsageError(f"{config.source}: found next to the export, it {'; '.join(words)}; --strict "
                             "does not accept that from a file it was not given: pass it with --config "
                             "if you trust it")
    print(f"tenant-checker: warning: {config.source} was found next to the export, not given with "
          f"--config; it {'; '.join(words)}", file=sys.stderr)


def _fail_on_given(options: ScanOptions) -> bool:
    return options.fail_on is not None or options.report_only


def _found_config_changes(config: Config, options: ScanOptions) -> tuple[str, ...]:
    """What a configuration that was found, not given, changes (every report's header names it)."""
    if config.given or not config.source:
        return ()
    return tuple(what_it_changes(config, options.select, options.ignore,
                                 fail_on_given=_fail_on_given(options)).words())


def _collections_read(config: Config) -> frozenset[str]:
    """The collections whose objects the configuration's own rules read as exported."""
    return frozenset(custom.collection for custom in config.rules)


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
            formatters: Sequence[tuple[str, ChunkedFormatter, str | None]], export_name: str = "",
            progress: Progress | None = None) -> int:
    """Check one export, mark waived and baseline results, write every output; the exit code.

    ``export_name`` is set with ``--each``: the baseline files are then one per export, named
    like the outputs. ``progress`` is shown on a terminal while the rules run and the reports
    are written.
    """
    from checker.baseline import BaselineError, baseline_text, compare_with_baseline, read_baseline
    from checker.catalogue import with_custom_rules
    from checker.custom_checks import custom_checks
    from checker.engine import run
    from checker.exit_status import exit_status
    from checker.formatters import LOCATES_EVIDENCE
    from checker.formatters.common import prefetch_positions
    from checker.formatters.options import FormatOptions
    from checker.locate import Locator
    from checker.report_identity import describe
    from checker.waivers import apply_waivers

    def own(path: str | None) -> str | None:
        return path_for_export(path, export_name) if path and export_name else path

    write_baseline = own(options.write_baseline)
    refuse_to_overwrite_inputs([*((name, path) for name, _, path in formatters), ("baseline", write_baseline)],
                               [file_on_disk(source) for source in loaded.sources.values()])
    read_from = own(options.baseline)
    try:
        baseline = read_baseline(read_from) if read_from else None
    except BaselineError as error:
        raise ScanUsageError(str(error)) from None
    context = CheckContext(loaded.tenant, settings_from(config), loaded.inputs, loaded.raw)
    warn_unmatched_break_glass(context.settings)
    scanned_at = datetime.datetime.now(datetime.timezone.utc) if options.timestamp else None
    identity = replace(describe(loaded, rules, with_custom_rules(config.rules), scanned_at),
                       configuration_found=bool(config.source) and not config.given,
                       configuration_changes=_found_config_changes(config, options))
    checked = run(loaded, rules, context, custom_checks(config.rules), identity, progress)
    if progress is not None:
        progress.done()
    report = apply_waivers(checked, config.waivers, options.today or date.today())
    for note in report.notes:
        print(f"tenant-checker: warning: {note.kind}: {note.message}", file=sys.stderr)
    if write_baseline and loaded.recognised_any:
        write_reports([(baseline_text(report), write_baseline)])
    if baseline:
        report = compare_with_baseline(report, baseline)
    format_options = FormatOptions(verbose=options.verbose,
                                   locator=Locator(report.sources, report.spans, report.positions),
                                   fail_on=None if options.report_only else options.fail_on or config.fail_on,
                                   strict=options.strict, every_verdict=options.every_verdict,
                                   exit_zero=options.exit_zero)
    if sum(name in LOCATES_EVIDENCE for name, _, _ in formatters) > 1:
        # found once for all the reports rather than once a report
        if progress is not None:
            progress.locating()
        prefetch_positions(report, format_options)
        format_options = replace(format_options, positions_found=True)
    names = {path: name for name, _, path in formatters}

    def written(path: str | None, size: int) -> None:
        if progress is None:
            return
        if path is None:
            progress.done()  # the report on standard output starts on a clean line
        else:
            progress.writing(names[path], path, size)

    write_reports([(formatter(report, replace(format_options, width=_width(path is None and _is_terminal()),
                                              color=path is None and _is_terminal() and _colour_wanted(options))),
                    path) for _, formatter, path in formatters], written)
    if progress is not None:
        progress.done()
    if not loaded.recognised_any:
        print("tenant-checker: error: no input was recognised as a tenant export", file=sys.stderr)
        return EXIT_USAGE
    return exit_status(report, format_options.policy).code


def _is_terminal() -> bool:
    return hasattr(sys.stdout, "isatty") and sys.stdout.isatty()


def _width(on_terminal: bool) -> int:
    """The terminal's width (at least 60 columns); files and pipes get a fixed 100, so output is stable."""
    return max(shutil.get_terminal_size((100, 24)).columns, 60) if on_terminal else 100


def _colour_wanted(options: ScanOptions) -> bool:
    # https://no-color.org: any non-empty NO_COLOR turns colour off
    return not options.no_color and not os.environ.get("NO_COLOR")

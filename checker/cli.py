"""The command line: `scan`, `rules` and `explain`. Every command returns its exit code."""
from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, NoReturn

from checker import __version__
from checker.output_files import write_standard_output
from checker.verdicts import EXIT_FAILURES, EXIT_OK, EXIT_USAGE, Severity

if TYPE_CHECKING:
    from checker.checks.base import CheckContext
    from checker.config import Config
    from checker.inputs.load import LoadResult

PROGRAM = "tenant-checker"


class UsageError(Exception):
    """Reported as one line on stderr with exit code 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(message)


@dataclass(frozen=True)
class OutputRequest:
    format: str
    path: str | None


def parse_format(text: str) -> OutputRequest:
    name, _, path = text.partition(":")
    return OutputRequest(name.strip().lower(), path or None)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog=PROGRAM, description="Offline MFA compliance checks for Microsoft Entra ID exports.")
    parser.add_argument("--version", action="version", version=f"{PROGRAM} {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    scan = commands.add_parser("scan", help="check an export folder, file or set of files")
    scan.add_argument("paths", nargs="+", metavar="PATH", help="export folder(s) or file(s)")
    scan.add_argument("--format", dest="formats", action="append", type=parse_format, metavar="NAME[:PATH]",
                      help="table (default), json, sarif or markdown; to PATH or stdout; repeatable")
    scan.add_argument("--config", metavar="FILE", help="configuration file (default: .tenant-checker.yaml "
                      "in the scanned folder or the nearest folder above it, up to the repository root; else at a scanned "
                      "zip's root)")
    scan.add_argument("--fail-on", metavar="SEVERITY", help="lowest severity whose failure sets exit code 1 "
                      "(critical, high, medium, low, info; default low)")
    scan.add_argument("--strict", action="store_true", help="count not_assessed results as failures")
    scan.add_argument("--select", action="append", default=[], metavar="IDS",
                      help="run only rules whose id or name starts with one of these (comma-separated)")
    scan.add_argument("--ignore", action="append", default=[], metavar="IDS",
                      help="skip rules whose id or name starts with one of these (comma-separated)")
    scan.add_argument("--verbose", "-v", action="store_true", help="show passing results in the table")
    scan.add_argument("--exit-zero", action="store_true",
                      help="report findings without failing the build (usage errors still exit 2)")
    scan.add_argument("--sarif-every-verdict", action="store_true",
                      help="write every result to SARIF, not only those that set the exit code")
    scan.add_argument("--quiet", "-q", action="store_true", help="no progress line on the terminal")
    scan.add_argument("--each", action="store_true", help="when the paths hold several exports or dated "
                      "snapshots, one report per export (FILE.json becomes FILE.<export>.json) instead of "
                      "stopping; the exit code is the worst of them")
    who = commands.add_parser("explain-user", help="show, for one user, which policies apply and whether MFA "
                              "is required (an offline What If)")
    who.add_argument("user", metavar="USER", help="user principal name or object id")
    who.add_argument("paths", nargs="+", metavar="PATH", help="export folder(s) or file(s)")
    who.add_argument("--config", metavar="FILE", help="configuration file (break-glass accounts)")
    gaps = commands.add_parser("gaps", help="show who can sign in without MFA, and how: regions per user class")
    gaps.add_argument("paths", nargs="+", metavar="PATH", help="export folder(s) or file(s)")
    gaps.add_argument("--format", dest="gaps_format", default="table", choices=("table", "json"),
                      help="table (default) or json")
    gaps.add_argument("--config", metavar="FILE", help="configuration file (break-glass accounts, admin roles)")
    gaps.add_argument("--verbose", "-v", action="store_true", help="list every user of every class")
    listing = commands.add_parser("inputs", help="show what the tool understood of an export, file by file")
    listing.add_argument("paths", nargs="+", metavar="PATH", help="export folder(s) or file(s)")
    listing.add_argument("--config", metavar="FILE", help="configuration file (limits)")
    commands.add_parser("rules", help="list the rule catalogue")
    explain = commands.add_parser("explain", help="show one rule's documentation")
    explain.add_argument("rule", metavar="RULE", help="rule id or name, e.g. MFA010")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from checker.error_handler import guarded

    return guarded(PROGRAM, lambda: _run(argv))


def _run(argv: Sequence[str] | None) -> int:
    try:
        args = build_parser().parse_args(argv)
        if args.command == "scan":
            return run_scan(args)
        if args.command == "rules":
            return list_rules()
        if args.command == "explain":
            return explain_rule(args.rule)
        if args.command == "inputs":
            return list_inputs(args.paths, args.config)
        if args.command == "explain-user":
            return explain_user(args.user, args.paths, args.config)
        if args.command == "gaps":
            return list_gaps(args.paths, args.config, args.gaps_format, args.verbose)
        raise UsageError("a command is required: scan, gaps, inputs, explain-user, rules or explain (see --help)")
    except UsageError as error:
        print(f"{PROGRAM}: error: {error}", file=sys.stderr)
        return EXIT_USAGE


def _split(values: Sequence[str]) -> tuple[str, ...]:
    return tuple(part.strip() for value in values for part in value.split(",") if part.strip())


def run_scan(args: argparse.Namespace) -> int:
    from checker.scan import ScanOptions, scan_and_report

    requests = args.formats or [OutputRequest("table", None)]
    fail_on = None
    if args.fail_on is not None:
        try:
            fail_on = Severity.parse(args.fail_on)
        except ValueError as error:
            raise UsageError(f"--fail-on: {error}") from None
    options = ScanOptions(
        paths=tuple(args.paths),
        config_path=args.config,
        fail_on=fail_on,
        strict=args.strict,
        select=_split(args.select),
        ignore=_split(args.ignore),
        verbose=args.verbose,
        every_verdict=args.sarif_every_verdict,
        exit_zero=args.exit_zero,
        quiet=args.quiet,
        each=args.each,
    )
    try:
        return scan_and_report(options, [(r.format, r.path) for r in requests])
    except ValueError as error:
        raise UsageError(str(error)) from None


def list_rules() -> int:
    from tabulate import tabulate

    from checker.catalogue import load_catalogue

    rows = [(r.id, r.name, r.severity.value, r.title) for r in load_catalogue()]
    write_standard_output(tabulate(rows, headers=("ID", "Name", "Severity", "Title"), tablefmt="simple") + "\n")
    return EXIT_OK


def explain_rule(wanted: str) -> int:
    from checker.catalogue import find_rule, load_catalogue
    from checker.rule_docs import as_text

    rule = find_rule(load_catalogue(), wanted)
    if rule is None:
        raise UsageError(f"unknown rule {wanted!r} (see '{PROGRAM} rules')")
    write_standard_output(as_text(rule))
    return EXIT_OK


def _configured_load(paths: Sequence[str], config_path: str | None) -> tuple[Config, LoadResult]:
    """The configuration (given, or found near the paths) and what it lets the loader read."""
    from checker.config import ConfigError, find_config, load_config
    from checker.inputs.discover import InputPathError
    from checker.inputs.load import load

    try:
        config_file = config_path or find_config(paths)
        config = load_config(config_file)
        return config, load(paths, config.limits, config_file=config_file)
    except (ConfigError, InputPathError) as error:
        raise UsageError(str(error)) from None


def _one_export(paths: Sequence[str], config_path: str | None) -> CheckContext:
    """Configure and load one export for a command that reads it whole; several exports are a usage error."""
    from checker.checks.base import CheckContext
    from checker.scan import settings_from, warn_unmatched_break_glass

    config, loaded = _configured_load(paths, config_path)
    if loaded.separation is not None:
        separation = loaded.separation
        raise UsageError("\n".join([separation.summary(", ".join(paths), "name one of them"),
                                     *separation.details()]))
    if not loaded.recognised_any:
        raise UsageError("no input was recognised as part of an export (see 'tenant-checker inputs')")
    context = CheckContext(loaded.tenant, settings_from(config), loaded.inputs)
    warn_unmatched_break_glass(context.settings)
    return context


def explain_user(wanted: str, paths: Sequence[str], config_path: str | None) -> int:
    """Exit 0 when the user is covered (or disabled), 1 when not or when it cannot be told."""
    from checker.explain_user import UnknownUser, explain

    context = _one_export(paths, config_path)
    try:
        explanation = explain(context, wanted)
    except UnknownUser as error:
        raise UsageError(str(error)) from None
    write_standard_output(explanation.text)
    return EXIT_OK if explanation.status in ("covered", "disabled") else EXIT_FAILURES


def list_gaps(paths: Sequence[str], config_path: str | None, format_name: str, verbose: bool) -> int:
    """Exit 0 when no sign-in gets through without MFA, 1 when one does or it cannot be told."""
    from checker.gaps_report import gaps_json, gaps_table
    from checker.gaps_summary import summarise_gaps

    gaps = summarise_gaps(_one_export(paths, config_path))
    write_standard_output(gaps_json(gaps) if format_name == "json" else gaps_table(gaps, verbose))
    return EXIT_OK if gaps.state == "via security defaults" or (gaps.state == "per class" and not gaps.has_gaps) \
        else EXIT_FAILURES


def list_inputs(paths: Sequence[str], config_path: str | None) -> int:
    """Exit 0 when something was recognised as part of an export, 2 otherwise."""
    from checker.inputs_report import inputs_text

    _, loaded = _configured_load(paths, config_path)
    write_standard_output(inputs_text(loaded))
    return EXIT_OK if loaded.recognised_any else EXIT_USAGE

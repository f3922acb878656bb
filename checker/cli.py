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
    from checker.rule import Rule

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


_OWN_RULES_HELP = ("configuration file whose own rules to include (default: .tenant-checker.yaml in this folder "
                   "or the nearest folder above it, up to the repository root)")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog=PROGRAM, description="Offline MFA compliance checks for Microsoft Entra ID exports.")
    parser.add_argument("--version", action="version", version=f"{PROGRAM} {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    scan = commands.add_parser("scan", help="check an export folder, file or set of files")
    scan.add_argument("paths", nargs="+", metavar="PATH", help="export folder(s) or file(s)")
    scan.add_argument("--format", dest="formats", action="append", type=parse_format, metavar="NAME[:PATH]",
                      help="table (default), json, sarif, markdown, junit or html; to PATH or stdout; repeatable")
    scan.add_argument("--config", metavar="FILE", help="configuration file (default: .tenant-checker.yaml "
                      "in the scanned folder or the nearest folder above it, up to the repository root; else at a scanned "
                      "zip's root; else the shallowest one inside the scanned folder)")
    scan.add_argument("--fail-on", metavar="SEVERITY", help="lowest severity whose failure sets exit code 1 "
                      "(critical, high, medium, low, info; default low); none: report only, exit 0")
    scan.add_argument("--strict", action="store_true", help="count not_assessed results as failures")
    scan.add_argument("--select", action="append", default=[], metavar="IDS",
                      help="run only rules whose id or name starts with one of these (comma-separated)")
    scan.add_argument("--ignore", action="append", default=[], metavar="IDS",
                      help="skip rules whose id or name starts with one of these (comma-separated)")
    scan.add_argument("--verbose", "-v", action="store_true", help="show passing results in the table")
    scan.add_argument("--exit-zero", action="store_true",
                      help="report findings without failing the build (usage errors still exit 2)")
    scan.add_argument("--baseline", metavar="FILE", help="failures recorded in this baseline are 'unchanged' "
                      "and do not set the exit code; only new ones do, and the fixed ones are listed")
    scan.add_argument("--write-baseline", metavar="FILE", help="write today's failing results to FILE as a "
                      "baseline (rule and subject of each)")
    scan.add_argument("--sarif-every-verdict", action="store_true",
                      help="write every result to SARIF, not only those that set the exit code")
    scan.add_argument("--quiet", "-q", action="store_true", help="no progress line on the terminal")
    scan.add_argument("--no-color", action="store_true", help="no colour in the table, even on a terminal "
                      "(NO_COLOR does the same; files and pipes never get colour)")
    scan.add_argument("--timestamp", action="store_true", help="write the scan date into every report "
                      "(off by default, so that the same export gives the same bytes)")
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
    gather = commands.add_parser("collect", help="read an export from Microsoft Graph (GET requests only) into a "
                                 "folder for scan; needs the 'collect' extra or a token in TENANT_CHECKER_GRAPH_TOKEN")
    gather.add_argument("--out", required=True, metavar="FOLDER", help="folder to write (new or empty)")
    gather.add_argument("--force", action="store_true", help="write into a folder that is not empty")
    where = gather.add_mutually_exclusive_group()
    where.add_argument("--cloud", metavar="CLOUD", help="global (default), usgov, usgovdod or china")
    where.add_argument("--graph-url", metavar="URL", help="any other Graph root, e.g. a test server")
    gather.add_argument("--sign-in", default="device-code", metavar="HOW",
                        help="device-code (default), azure-cli, environment or managed-identity; unused when "
                        "TENANT_CHECKER_GRAPH_TOKEN holds a token")
    gather.add_argument("--tenant", metavar="TENANT", help="tenant id or domain to sign in to")
    gather.add_argument("--client-id", metavar="ID", help="app (client) id for device code or a user-assigned "
                        "managed identity")
    gather.add_argument("--quiet", "-q", action="store_true", help="no progress on stderr")
    catalogue = commands.add_parser("rules", help="list the rule catalogue: every rule pack's rules and the "
                                    "configuration's own")
    catalogue.add_argument("--format", dest="rules_format", default="table", choices=("table", "json"),
                           help="table (default) or json")
    catalogue.add_argument("--config", metavar="FILE", help=_OWN_RULES_HELP)
    explain = commands.add_parser("explain", help="show one rule's documentation")
    explain.add_argument("rule", metavar="RULE", help="rule id or name, e.g. MFA010")
    explain.add_argument("--config", metavar="FILE", help=_OWN_RULES_HELP)
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
            return list_rules(args.rules_format, args.config)
        if args.command == "explain":
            return explain_rule(args.rule, args.config)
        if args.command == "inputs":
            return list_inputs(args.paths, args.config)
        if args.command == "explain-user":
            return explain_user(args.user, args.paths, args.config)
        if args.command == "gaps":
            return list_gaps(args.paths, args.config, args.gaps_format, args.verbose)
        if args.command == "collect":
            return run_collect(args)
        raise UsageError("a command is required: scan, gaps, inputs, explain-user, collect, rules or explain "
                         "(see --help)")
    except UsageError as error:
        from checker.safe_text import terminal_text

        # the message may name files of the export: each line is shown as text
        lines = [terminal_text(line) for line in str(error).split("\n")]
        print(f"{PROGRAM}: error: " + "\n".join(lines), file=sys.stderr)
        return EXIT_USAGE


def _split(values: Sequence[str]) -> tuple[str, ...]:
    return tuple(part.strip() for value in values for part in value.split(",") if part.strip())


def run_scan(args: argparse.Namespace) -> int:
    from checker.exit_status import parse_fail_on
    from checker.output_files import OutputPathError
    from checker.scan import ScanOptions, ScanUsageError, scan_and_report

    requests = args.formats or [OutputRequest("table", None)]
    fail_on: Severity | None = None
    if args.fail_on is not None:
        try:
            fail_on = parse_fail_on(args.fail_on)
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
        report_only=args.fail_on is not None and fail_on is None,
        baseline=args.baseline,
        write_baseline=args.write_baseline,
        timestamp=args.timestamp,
        no_color=args.no_color,
    )
    usage_errors: tuple[type[Exception], ...] = (ScanUsageError, OutputPathError, *_setup_errors())  # others: bugs
    try:
        return scan_and_report(options, [(r.format, r.path) for r in requests])
    except usage_errors as error:
        raise UsageError(str(error)) from None


def run_collect(args: argparse.Namespace) -> int:
    """The only command that opens a connection; imported here so that no other command loads it."""
    from checker.collect.command import CollectOptions, CollectRefused
    from checker.collect.command import run_collect as collect

    options = CollectOptions(out=args.out, force=args.force, cloud=args.cloud, graph_url=args.graph_url,
                             sign_in=args.sign_in, tenant=args.tenant, client_id=args.client_id, quiet=args.quiet)
    try:
        return collect(options)
    except CollectRefused as error:
        raise UsageError(str(error)) from None


def list_rules(format_name: str = "table", config_path: str | None = None) -> int:
    rules = _catalogue(config_path)
    if format_name == "json":
        import json

        entries = [{"id": r.id, "name": r.name, "title": r.title, "severity": r.severity.value, "pack": r.pack,
                    "section": r.section, "tags": list(r.tags)} for r in rules]
        sys.stdout.write(json.dumps({"rules": entries}, indent=2, ensure_ascii=False) + "\n")
        return EXIT_OK
    from tabulate import tabulate

    rows = [(r.id, r.name, r.severity.value, r.pack, r.title) for r in rules]
    write_standard_output(tabulate(rows, headers=("ID", "Name", "Severity", "Pack", "Title"), tablefmt="simple") + "\n")
    return EXIT_OK


def explain_rule(wanted: str, config_path: str | None = None) -> int:
    from checker.catalogue import find_rule
    from checker.rule_docs import as_text

    rule = find_rule(_catalogue(config_path), wanted)
    if rule is None:
        raise UsageError(f"unknown rule {wanted!r} (see '{PROGRAM} rules')")
    write_standard_output(as_text(rule))
    return EXIT_OK


def _catalogue(config_path: str | None) -> tuple[Rule, ...]:
    """Every installed pack's rules and those of the configuration (given, or found from here upwards)."""
    from checker.catalogue import with_custom_rules
    from checker.config import find_config, load_config

    try:
        return with_custom_rules(load_config(config_path or find_config(["."], look_inside=False)).rules)
    except ValueError as error:  # the configuration's or a rule pack's defect: named, exit 2
        raise UsageError(str(error)) from None


def _configured_load(paths: Sequence[str], config_path: str | None) -> tuple[Config, LoadResult]:
    """The configuration (given, or found near the paths) and what it lets the loader read."""
    from checker.config import AmbiguousConfig, Config, find_config, load_config
    from checker.inputs.load import load

    try:
        try:
            config_file = config_path or find_config(paths)
        except AmbiguousConfig as ambiguous:
            # several exports with a file each are reported as several exports by the caller
            loaded = load(paths, Config().limits)
            if loaded.separation is None:
                raise UsageError(str(ambiguous)) from None
            return Config(), loaded
        config = load_config(config_file, given=config_path is not None)
        return config, load(paths, config.limits, config_file=config_file)
    except _setup_errors() as error:
        raise UsageError(str(error)) from None


def _setup_errors() -> tuple[type[Exception], ...]:
    """What stops a command before it reads anything: a configuration, a path or a rule pack at fault."""
    from checker.catalogue import CatalogueError
    from checker.config import ConfigError
    from checker.inputs.discover import InputPathError
    from checker.packs import PackError

    return ConfigError, InputPathError, PackError, CatalogueError


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
    try:
        text = inputs_text(loaded)  # names the rules each absent collection leaves unassessed
    except _setup_errors() as error:
        raise UsageError(str(error)) from None
    write_standard_output(text)
    return EXIT_OK if loaded.recognised_any else EXIT_USAGE

"""The long run: the readers' properties one at a time, each with a large example budget.

The suite runs the same properties (tests/test_fuzz_readers.py) with a CI-sized budget, the
same examples every run. This script runs each property in its own pytest with many new
examples (TENANT_CHECKER_FUZZ_EXAMPLES), readers first, and prints after each one a line with
the examples run, how many failed and the time taken, so that a run stopped half-way still
leaves the numbers of the properties it finished:

    python fuzz/long_run.py                               # every property, 100,000 examples each
    python fuzz/long_run.py --examples 5000 --only zip --only csv
    python fuzz/long_run.py --metamorphic 500             # then the metamorphic properties, 500 tenants each
    python fuzz/long_run.py --examples 2000 -- -x         # after --: passed to pytest

A failing example is kept in Hypothesis's example database (``.hypothesis/``), so the next run,
the long one or the suite, replays it first. Exit code: 0 when every property held, else 1.
"""
from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FUZZ_EXAMPLES = "TENANT_CHECKER_FUZZ_EXAMPLES"
METAMORPHIC_EXAMPLES = "TENANT_CHECKER_METAMORPHIC_EXAMPLES"
READERS = "tests/test_fuzz_readers.py"
DAMAGED_FILE = f"{READERS}::test_a_damaged_file_is_reported_and_never_passes_a_rule"

# Name -> pytest node id, in the order they run: the readers, then inputs made from nothing.
PROPERTIES: dict[str, str] = {
    "graph": f"{DAMAGED_FILE}[graph]",
    "zip": f"{READERS}::test_a_damaged_zip_or_member_is_reported_and_never_passes_a_rule",
    "entraexporter": f"{DAMAGED_FILE}[entraexporter]",
    "scubagear": f"{DAMAGED_FILE}[scubagear]",
    "clixml": f"{DAMAGED_FILE}[clixml]",
    "csv": f"{DAMAGED_FILE}[csv]",
    "m365dsc": f"{DAMAGED_FILE}[m365dsc]",
    "random-bytes": f"{READERS}::test_random_bytes_under_any_name_never_raise",
    "generated-graph": f"{READERS}::test_generated_graph_objects_of_any_shape_never_pass_what_their_absence_would_not",
}
METAMORPHIC = "tests/test_metamorphic.py"

# Hypothesis's statistics, one line per phase: "- 150 passing, 0 failing, and 1 invalid test cases"
_PHASE = re.compile(r"- during (\w+) phase")
_CASES = re.compile(r"- (\d+) passing, (\d+) failing, and (\d+) invalid test cases")


@dataclass(frozen=True)
class Outcome:
    """What one property's run did: test cases by Hypothesis's count (shrinking not counted)."""

    name: str
    passing: int
    failing: int
    invalid: int
    seconds: float
    exit_code: int

    @property
    def line(self) -> str:
        examples = self.passing + self.failing
        rate = examples / self.seconds if self.seconds else 0.0
        held = "held" if self.exit_code == 0 else f"FAILED (pytest exited {self.exit_code})"
        return (f"long_run: {self.name}: {examples} examples, {self.failing} failing, {self.invalid} invalid, "
                f"{self.seconds:.0f} s ({rate:.1f} examples/s): {held}")


def counted_cases(output: str) -> tuple[int, int, int]:
    """(passing, failing, invalid) test cases in pytest's output, over every phase but shrinking."""
    passing = failing = invalid = 0
    phase = ""
    for line in output.splitlines():
        if found := _PHASE.search(line):
            phase = found.group(1)
        elif (cases := _CASES.search(line)) and phase != "shrink":
            passing += int(cases.group(1))
            failing += int(cases.group(2))
            invalid += int(cases.group(3))
    return passing, failing, invalid


def run_property(name: str, node: str, environment: dict[str, str], extra: Sequence[str]) -> Outcome:
    """One property in its own pytest, its output passed through as it comes."""
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--hypothesis-show-statistics",
               node, *extra]
    print(f"long_run: {name}: {' '.join(command[1:])}", flush=True)
    started = time.monotonic()
    lines = []
    with subprocess.Popen(command, cwd=ROOT, env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, errors="replace") as process:
        assert process.stdout is not None
        for line in process.stdout:
            print(line, end="", flush=True)
            lines.append(line)
    seconds = time.monotonic() - started
    return Outcome(name, *counted_cases("".join(lines)), seconds, process.returncode)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--examples", type=int, default=100_000, help="examples per property (default 100,000)")
    parser.add_argument("--only", action="append", choices=sorted(PROPERTIES), metavar="NAME",
                        help=f"run only this property (repeatable): {', '.join(PROPERTIES)}")
    parser.add_argument("--metamorphic", type=int, default=0, metavar="N",
                        help="then run the metamorphic properties with N tenants each")
    parser.add_argument("pytest_args", nargs=argparse.REMAINDER, help="after --: passed to pytest")
    args = parser.parse_args(argv)
    environment = {**os.environ, FUZZ_EXAMPLES: str(args.examples)}
    extra = [arg for arg in args.pytest_args if arg != "--"]
    print(f"long_run: {FUZZ_EXAMPLES}={args.examples}, pid {os.getpid()}, started {time.strftime('%Y-%m-%d %H:%M:%S')}",
          flush=True)
    outcomes: list[Outcome] = []
    for name, node in PROPERTIES.items():
        if args.only and name not in args.only:
            continue
        outcome = run_property(name, node, environment, extra)
        outcomes.append(outcome)
        print(outcome.line, flush=True)
    if args.metamorphic:
        outcome = run_property("metamorphic", METAMORPHIC, {**environment, METAMORPHIC_EXAMPLES: str(args.metamorphic)},
                               extra)
        outcomes.append(outcome)
        print(outcome.line, flush=True)
    print("long_run: summary", flush=True)
    for outcome in outcomes:
        print(outcome.line, flush=True)
    return 0 if all(outcome.exit_code == 0 for outcome in outcomes) else 1


if __name__ == "__main__":
    raise SystemExit(main())

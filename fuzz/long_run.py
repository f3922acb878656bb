"""The long run: the readers' property tests (and, on request, the metamorphic ones) with a large budget.

The suite runs the same properties with a CI-sized budget. This script raises it through the
environment variables those tests read and runs them with pytest, printing Hypothesis's
statistics (examples run, time per test) so the numbers can go in a note:

    python fuzz/long_run.py                          # 100,000 examples per reader property
    python fuzz/long_run.py --examples 5000 --metamorphic 500
    python fuzz/long_run.py tests/test_fuzz_readers.py -- -x -k zip

By default it runs every ``tests/test_fuzz*.py``. A failing example is kept in Hypothesis's
example database (``.hypothesis/``), so the next run, the long one or the suite, replays it
first. Exit code: pytest's.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FUZZ_EXAMPLES = "TENANT_CHECKER_FUZZ_EXAMPLES"
METAMORPHIC_EXAMPLES = "TENANT_CHECKER_METAMORPHIC_EXAMPLES"


def property_tests(named: Sequence[str], metamorphic: bool) -> list[str]:
    """The test files to run: those named, else every tests/test_fuzz*.py (and the metamorphic ones)."""
    if named:
        return list(named)
    found = sorted(str(path.relative_to(ROOT)) for path in (ROOT / "tests").glob("test_fuzz*.py"))
    if metamorphic:
        found += sorted(str(path.relative_to(ROOT)) for path in (ROOT / "tests").glob("test_metamorphic*.py"))
    return found


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("tests", nargs="*", help="test files (default: tests/test_fuzz*.py)")
    parser.add_argument("--examples", type=int, default=100_000, help="examples per reader property")
    parser.add_argument("--metamorphic", type=int, default=0, metavar="N",
                        help="also run the metamorphic properties with N tenants each")
    parser.add_argument("pytest_args", nargs=argparse.REMAINDER, help="after --: passed to pytest")
    args = parser.parse_args(argv)
    tests = property_tests(args.tests, args.metamorphic > 0)
    if not tests:
        print("long_run: no tests/test_fuzz*.py found: the readers' property tests are not in this checkout",
              file=sys.stderr)
        return 2
    environment = {**os.environ, FUZZ_EXAMPLES: str(args.examples)}
    if args.metamorphic:
        environment[METAMORPHIC_EXAMPLES] = str(args.metamorphic)
    extra = [arg for arg in args.pytest_args if arg != "--"]
    command = [sys.executable, "-m", "pytest", "-q", "--hypothesis-show-statistics", "-p", "no:randomly",
               *tests, *extra]
    print(f"long_run: {FUZZ_EXAMPLES}={args.examples}"
          + (f" {METAMORPHIC_EXAMPLES}={args.metamorphic}" if args.metamorphic else "")
          + f": {' '.join(command[1:])}", flush=True)
    started = time.monotonic()
    code = subprocess.call(command, cwd=ROOT, env=environment)
    print(f"long_run: pytest exited {code} after {time.monotonic() - started:.0f} s", flush=True)
    return code


if __name__ == "__main__":
    raise SystemExit(main())

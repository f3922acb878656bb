"""The benchmark behind DESIGN section 8: a whole scan against a plain ``json.load`` of the same files.

    python bench/run.py [--sizes 10000,100000] [--shapes indented,minified] [--situations covered,uncovered]
                        [--keep] [--profile] [--check]

Every combination of export shape and coverage situation is measured at every size. Every
measurement is a fresh child process, so imports, caches and memory never carry over from one to
the next; the children run the checker of the checkout this script lives in (``PYTHONPATH`` is
set to its root), installed or not. Time is the child's wall-clock time from spawn to exit, best
of ``--repeat`` runs. Memory is the child's peak resident set size (``ru_maxrss`` from
``os.wait4``) minus the peak of a child that only starts the interpreter (``python -c pass``).
The "reports floor" is ``json.load`` plus the time the standard library's C encoder takes to
serialize the two reports the scan wrote, over ``json.load``: a time ratio no scan that writes
those reports can go below, whatever it does in between.
Only the standard library is used; POSIX only (``os.wait4``, ``os.posix_spawn``).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
OUT = BENCH / "out"
GENERATOR = BENCH / "generate.py"
SMALL_SAMPLE = "samples/e3-gaps"
SHAPES = ("indented", "minified")  # as bench/generate.py names them
SITUATIONS = ("covered", "uncovered")

# The baseline child: what any tool must do at the least, read and parse every file.
JSON_LOAD = """
import json, os, sys
folder = sys.argv[1]
documents = []
for name in sorted(os.listdir(folder)):
    if name.endswith(".json"):
        with open(os.path.join(folder, name), "rb") as handle:
            documents.append(json.loads(handle.read().decode("utf-8")))
"""

# What writing the scan's two reports costs at the least: the standard library's C encoder
# serializing each report's content, already in memory (compact, so the cheapest form of it).
# Parsing the input (json.load) plus this is a floor under any scan that writes these reports.
REPORTS_FLOOR = """
import json, sys, time
spent = 0.0
for path in sys.argv[1:]:
    with open(path, "rb") as handle:
        report = json.loads(handle.read().decode("utf-8"))
    start = time.perf_counter()
    json.dumps(report, ensure_ascii=False, separators=(",", ":"))
    spent += time.perf_counter() - start
print(spent)
"""

# Spawns the measured command and reports its wall time, peak RSS and exit code. A child's
# ru_maxrss never falls below the RSS of the process that spawned it (Linux carries the old
# address space's high-water mark across exec), so the spawner must be smaller than any child
# measured: a bare interpreter without site (about 8 MB, against 13 MB for `python -c pass`).
LAUNCHER = """
import os, sys, time
argv = sys.argv[1:]
start = time.perf_counter()
pid = os.posix_spawn(argv[0], argv, os.environ, file_actions=[(os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0)])
_, status, usage = os.wait4(pid, 0)
print(time.perf_counter() - start, usage.ru_maxrss, os.waitstatus_to_exitcode(status))
"""

OK = frozenset({0})
SCAN_OK = frozenset({0, 1})  # 1 only says that some rule failed
TIME_RATIO_TARGET = 2.0
MEMORY_RATIO_TARGET = 2.0
SMALL_EXPORT_TARGET = 0.5
GROWTH_ALLOWANCE = 1.1  # 10x the users may cost at most 11x the time


def child_env() -> dict[str, str]:
    """The environment of every child: this checkout's root first on the module path, so that
    ``python -m checker`` runs the code next to this script, whatever is installed."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), *filter(None, env.get("PYTHONPATH", "").split(os.pathsep))])
    return env


CHILD_ENV = child_env()


@dataclass(frozen=True)
class Combination:
    """One export shape in one coverage situation."""

    shape: str
    situation: str

    @property
    def name(self) -> str:
        return f"{self.shape}-{self.situation}"


@dataclass(frozen=True)
class Run:
    seconds: float
    peak_kb: int
    returncode: int
    timed_out: bool = False
    stderr: str = ""


@dataclass(frozen=True)
class Measured:
    """Best time and highest peak of repeated runs of one command."""

    seconds: float
    peak_kb: int
    failure: str = ""


@dataclass(frozen=True)
class SizeResult:
    users: int
    files: int
    megabytes: float
    json_load: Measured
    scan: Measured
    # seconds the C encoder takes to serialize the reports the scan wrote (None: not measured)
    reports_floor: float | None = None

    @property
    def floor_ratio(self) -> float | None:
        """(json.load + serializing the reports) / json.load: what no scan that writes these reports can beat."""
        if self.reports_floor is None or self.json_load.failure:
            return None
        return _ratio(self.json_load.seconds + self.reports_floor, self.json_load.seconds)

    @property
    def failure(self) -> str:
        return "; ".join(f"{what} {m.failure}" for what, m in (("json.load", self.json_load), ("scan", self.scan))
                         if m.failure)


def measure_once(argv: Sequence[str], timeout: float) -> Run:
    """Run one child through the launcher; its wall time and its own peak RSS."""
    launcher = subprocess.Popen([sys.executable, "-S", "-c", LAUNCHER, *argv], cwd=ROOT, env=CHILD_ENV,
                                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                start_new_session=True)
    try:
        out, err = launcher.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(launcher.pid, signal.SIGKILL)
        launcher.communicate()
        return Run(timeout, 0, -signal.SIGKILL, timed_out=True)
    stderr = err.decode("utf-8", "replace")
    try:
        seconds, peak, returncode = out.decode().split()
    except ValueError:
        return Run(0.0, 0, launcher.returncode or -1, stderr=stderr)
    peak_kb = int(peak) // 1024 if sys.platform == "darwin" else int(peak)
    return Run(float(seconds), peak_kb, int(returncode), stderr=stderr)


def _failure(run: Run, ok_codes: frozenset[int], timeout: float) -> str:
    if run.timed_out:
        return f"timed out after {timeout:.0f} s"
    if run.returncode not in ok_codes:
        return f"exit code {run.returncode}: " + " | ".join(run.stderr.strip().splitlines()[-5:])
    return ""


def _best(runs: Sequence[Run], failure: str = "") -> Measured:
    return Measured(min(r.seconds for r in runs), max(r.peak_kb for r in runs), failure)


def measure(argv: Sequence[str], repeat: int, timeout: float, ok_codes: frozenset[int] = OK) -> Measured:
    runs: list[Run] = []
    for _ in range(repeat):
        runs.append(measure_once(argv, timeout))
        failure = _failure(runs[-1], ok_codes, timeout)
        if failure:
            return _best(runs, failure)
    return _best(runs)


def label(users: int) -> str:
    if users % 1_000_000 == 0:
        return f"{users // 1_000_000}m"
    if users % 1000 == 0:
        return f"{users // 1000}k"
    return str(users)


def _generator_digest() -> str:
    return hashlib.sha256(GENERATOR.read_bytes()).hexdigest()


def _listing(folder: Path) -> dict[str, int]:
    return {entry.name: entry.stat().st_size for entry in sorted(folder.iterdir()) if entry.is_file()}


def export_name(users: int, combination: Combination) -> str:
    return f"{label(users)}-{combination.name}"


def ensure_export(users: int, seed: int, combination: Combination) -> Path:
    """Generate the export unless the manifest shows the same one is already there."""
    name = export_name(users, combination)
    folder = OUT / name
    manifest_path = OUT / f"{name}.manifest.json"
    wanted = {"users": users, "seed": seed, "shape": combination.shape, "situation": combination.situation,
              "generator_sha256": _generator_digest()}
    if manifest_path.is_file() and folder.is_dir():
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        if {key: manifest.get(key) for key in wanted} == wanted and manifest.get("files") == _listing(folder):
            print(f"[{name}] reusing {folder.relative_to(ROOT)}", file=sys.stderr)
            return folder
    manifest_path.unlink(missing_ok=True)
    if folder.exists():
        shutil.rmtree(folder)
    start = time.perf_counter()
    subprocess.run([sys.executable, str(GENERATOR), "--users", str(users), "--out", str(folder), "--seed", str(seed),
                    "--shape", combination.shape, "--situation", combination.situation],
                   check=True, cwd=ROOT, env=CHILD_ENV, stdout=subprocess.DEVNULL)
    print(f"[{name}] generated in {time.perf_counter() - start:.1f} s", file=sys.stderr)
    manifest_path.write_text(json.dumps({**wanted, "files": _listing(folder)}, indent=2) + "\n", encoding="utf-8")
    return folder


def scan_argv(folder: Path, reports: Path) -> list[str]:
    return [sys.executable, "-m", "checker", "scan", str(folder),
            "--format", f"sarif:{reports / 'out.sarif'}", "--format", f"json:{reports / 'out.json'}"]


def bench_size(users: int, seed: int, combination: Combination, repeat: int, timeout: float,
               reports: Path) -> SizeResult:
    folder = ensure_export(users, seed, combination)
    files = [p for p in folder.iterdir() if p.name.endswith(".json")]
    megabytes = sum(p.stat().st_size for p in files) / 1e6
    reports.mkdir(parents=True, exist_ok=True)
    load_argv = [sys.executable, "-c", JSON_LOAD, str(folder)]
    scan = scan_argv(folder, reports)
    load_runs: list[Run] = []
    scan_runs: list[Run] = []
    load_failure = scan_failure = ""
    # interleaved, so that a slow moment of the machine does not fall on one side only
    for attempt in range(repeat):
        print(f"[{export_name(users, combination)}] run {attempt + 1}/{repeat}", file=sys.stderr)
        load_runs.append(measure_once(load_argv, timeout))
        scan_runs.append(measure_once(scan, timeout))
        load_failure = _failure(load_runs[-1], OK, timeout)
        scan_failure = _failure(scan_runs[-1], SCAN_OK, timeout)
        if load_failure or scan_failure:
            break
    floor = None if load_failure or scan_failure else _reports_floor(reports, timeout)
    return SizeResult(users, len(files), megabytes, _best(load_runs, load_failure), _best(scan_runs, scan_failure),
                      floor)


def _reports_floor(reports: Path, timeout: float) -> float | None:
    try:
        done = subprocess.run([sys.executable, "-c", REPORTS_FLOOR, str(reports / "out.sarif"), str(reports / "out.json")],
                              cwd=ROOT, capture_output=True, text=True, timeout=timeout, check=True)
        return float(done.stdout)
    except (subprocess.SubprocessError, ValueError):
        return None


def _mb(kb: int, interpreter_kb: int) -> float:
    return max(kb - interpreter_kb, 0) / 1024


def _ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator else float("inf")


def print_header(interpreter_kb: int, repeat: int) -> None:
    print(f"Machine: nproc {os.cpu_count()}, Python {platform.python_version()} "
          f"({platform.python_implementation()}), {platform.system()} {platform.machine()}")
    print(f"Time: wall clock of each child process, spawn to exit, best of {repeat} run(s). Peak memory: the "
          f"child's ru_maxrss minus that of `python -c pass` ({interpreter_kb / 1024:.1f} MB).")


def print_table(combination: Combination, results: Sequence[SizeResult], interpreter_kb: int) -> None:
    print(f"### {combination.shape}, {combination.situation}")
    print()
    print("| size | time ratio | memory ratio | json.load s | scan s | json.load peak MB | scan peak MB | files "
          "| JSON MB | reports floor |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in results:
        load_mb, scan_mb = _mb(r.json_load.peak_kb, interpreter_kb), _mb(r.scan.peak_kb, interpreter_kb)
        time_ratio = f"{_ratio(r.scan.seconds, r.json_load.seconds):.2f}x"
        memory_ratio, scan_s, scan_peak = f"{_ratio(scan_mb, load_mb):.2f}x", f"{r.scan.seconds:.2f}", f"{scan_mb:.0f}"
        if r.json_load.failure:
            time_ratio = memory_ratio = "-"
        elif r.scan.failure:
            # a stopped child's peak is unknown; its time is only a lower bound
            timed_out = r.scan.failure.startswith("timed out")
            time_ratio = f"> {time_ratio}" if timed_out else "-"
            memory_ratio = scan_peak = "-"
            scan_s = f"> {scan_s} (timed out)" if timed_out else "(failed)"
        floor = "-" if r.floor_ratio is None else f"{r.floor_ratio:.2f}x"
        print(f"| {label(r.users)} | {time_ratio} | {memory_ratio} | {r.json_load.seconds:.2f} | {scan_s} "
              f"| {load_mb:.0f} | {scan_peak} | {r.files} | {r.megabytes:.1f} | {floor} |")
    for r in results:
        if r.failure:
            print(f"at {label(r.users)}: {r.failure}")
    print()
    done = [r for r in results if not r.failure]
    if len(done) >= 2:
        first, last = done[0], done[-1]
        print(f"Growth {label(first.users)} -> {label(last.users)} (users x{last.users / first.users:.3g}): scan time "
              f"{_ratio(last.scan.seconds, first.scan.seconds):.2f}x, json.load time "
              f"{_ratio(last.json_load.seconds, first.json_load.seconds):.2f}x; scan peak "
              f"{_ratio(_mb(last.scan.peak_kb, interpreter_kb), _mb(first.scan.peak_kb, interpreter_kb)):.2f}x")


def verdicts(results: Sequence[SizeResult], interpreter_kb: int) -> list[tuple[str, bool]]:
    """Each DESIGN section 8 target that one combination's sizes measure, as (what was measured, met)."""
    found: list[tuple[str, bool]] = []
    done = [r for r in results if not r.failure]
    if results and results[-1].failure:
        found.append((f"{label(results[-1].users)}: {results[-1].failure}", False))
    elif done:
        last = done[-1]
        time_ratio = _ratio(last.scan.seconds, last.json_load.seconds)
        memory_ratio = _ratio(_mb(last.scan.peak_kb, interpreter_kb), _mb(last.json_load.peak_kb, interpreter_kb))
        floor = "" if last.floor_ratio is None else f"; json.load and writing the reports alone: {last.floor_ratio:.2f}x"
        found.append((f"time {time_ratio:.2f}x json.load at {label(last.users)} (<= {TIME_RATIO_TARGET}x{floor})",
                      time_ratio <= TIME_RATIO_TARGET))
        found.append((f"memory {memory_ratio:.2f}x (<= {MEMORY_RATIO_TARGET}x)", memory_ratio <= MEMORY_RATIO_TARGET))
    if len(done) >= 2:
        first, last = done[0], done[-1]
        growth = _ratio(last.scan.seconds, first.scan.seconds)
        allowed = GROWTH_ALLOWANCE * last.users / first.users
        found.append((f"scan time growth {label(first.users)}->{label(last.users)} {growth:.2f}x (<= {allowed:.3g}x)",
                      growth <= allowed))
    return found


def small_verdict(small: Measured) -> tuple[str, bool]:
    if small.failure:
        return f"small export: {small.failure}", False
    return f"small export {small.seconds:.3f} s (< {SMALL_EXPORT_TARGET} s)", small.seconds < SMALL_EXPORT_TARGET


def _verdict_line(found: Sequence[tuple[str, bool]]) -> str:
    return "; ".join(f"{text} {'PASS' if met else 'FAIL'}" for text, met in found)


def print_summary(measured: dict[Combination, list[SizeResult]], interpreter: Measured, small: Measured) -> bool:
    """The verdict of each combination, the small-export check; whether every target was met."""
    met = True
    if not small.failure:
        print(f"Small export ({SMALL_SAMPLE}), start-up included: scan {small.seconds:.3f} s, `python -c pass` "
              f"{interpreter.seconds:.3f} s, ratio {_ratio(small.seconds, interpreter.seconds):.1f}x")
    print("Verdict against DESIGN section 8:")
    for combination, results in measured.items():
        found = verdicts(results, interpreter.peak_kb)
        met = met and all(ok for _, ok in found)
        print(f"- {combination.shape}, {combination.situation}: {_verdict_line(found)}")
    small_found = small_verdict(small)
    print(f"- {_verdict_line([small_found])}")
    return met and small_found[1]


def profile_scan(folder: Path, reports: Path, timeout: float, top: int = 25) -> None:
    import pstats

    reports.mkdir(parents=True, exist_ok=True)
    stats_file = reports / "scan.prof"
    argv = [sys.executable, "-m", "cProfile", "-o", str(stats_file), *scan_argv(folder, reports)[1:]]
    run = measure_once(argv, timeout)
    if run.timed_out or not stats_file.is_file():
        print(f"profile of the scan at {folder.name} failed: "
              f"{'timed out' if run.timed_out else run.stderr.strip()[-500:]}")
        return
    print()
    print(f"cProfile of the scan at {folder.name} ({run.seconds:.2f} s under the profiler), top {top} by "
          "cumulative time:")
    stats = pstats.Stats(str(stats_file), stream=sys.stdout)
    stats.strip_dirs().sort_stats("cumulative").print_stats(top)
    print(f"... and the top {top // 2} by own time:")
    stats.sort_stats("tottime").print_stats(top // 2)


def _sizes(text: str) -> list[int]:
    try:
        sizes = sorted({int(part) for part in text.split(",") if part.strip()})
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a comma-separated list of user counts: {text}") from None
    if not sizes or sizes[0] < 10:
        raise argparse.ArgumentTypeError("sizes must be at least 10 users")
    return sizes


def _choices(allowed: Sequence[str]) -> Callable[[str], list[str]]:
    def parse(text: str) -> list[str]:
        chosen = [part.strip() for part in text.split(",") if part.strip()]
        unknown = [part for part in chosen if part not in allowed]
        if not chosen or unknown:
            raise argparse.ArgumentTypeError(f"expected a comma-separated list of {', '.join(allowed)}: {text}")
        return [item for item in allowed if item in chosen]
    return parse


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmark a whole scan against a plain json.load.")
    parser.add_argument("--sizes", type=_sizes, default=[10_000, 100_000], help="user counts (default 10000,100000)")
    parser.add_argument("--shapes", type=_choices(SHAPES), default=list(SHAPES),
                        help="export shapes, comma-separated (default indented,minified)")
    parser.add_argument("--situations", type=_choices(SITUATIONS), default=list(SITUATIONS),
                        help="coverage situations, comma-separated (default covered,uncovered)")
    parser.add_argument("--seed", type=int, default=1, help="generator seed (default 1)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement; the best time counts (default 3)")
    parser.add_argument("--timeout", type=float, default=600, help="seconds before a child is stopped (default 600)")
    parser.add_argument("--keep", action="store_true",
                        help="keep the scan's SARIF and JSON reports under bench/out/reports/")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument("--profile", action="store_true",
                        help="also run the scan at the largest size of each combination under cProfile and "
                             "print the top 25 entries")
    args = parser.parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="tenant-checker-bench-"))
    combinations = [Combination(shape, situation) for shape in args.shapes for situation in args.situations]
    measured: dict[Combination, list[SizeResult]] = {}
    try:
        interpreter = measure([sys.executable, "-c", "pass"], max(args.repeat, 5), args.timeout)
        for combination in combinations:
            results = measured.setdefault(combination, [])
            for users in args.sizes:
                where = Path(combination.name) / label(users)
                reports = (OUT / "reports" / where) if args.keep else work / where
                result = bench_size(users, args.seed, combination, args.repeat, args.timeout, reports)
                results.append(result)
                if result.failure:
                    break
        small = measure([sys.executable, "-m", "checker", "scan", SMALL_SAMPLE], max(args.repeat, 5), args.timeout,
                        SCAN_OK)
        print()
        print_header(interpreter.peak_kb, args.repeat)
        for combination, results in measured.items():
            print()
            print_table(combination, results, interpreter.peak_kb)
        print()
        met = print_summary(measured, interpreter, small)
        if args.profile:
            for combination, results in measured.items():
                if results and not results[-1].failure:
                    name = export_name(results[-1].users, combination)
                    profile_scan(OUT / name, work / "profile" / name, args.timeout)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if any(r.failure for results in measured.values() for r in results) or small.failure:
        return 2
    return 1 if args.check and not met else 0


if __name__ == "__main__":
    raise SystemExit(main())

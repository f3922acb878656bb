"""Ctrl-C and a reader that goes away end a scan cleanly (issue 11, item 8).

Ctrl-C: one line on stderr, exit 130, and no report or temporary file left behind. A closed
pipe (`| head -c 1`): nothing on stderr and the exit code the scan would have had.
"""
from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from checker import output_files
from checker.error_handler import EXIT_INTERRUPTED
from tests.test_bench_generator import generator

ROOT = Path(__file__).resolve().parents[1]
PROGRAM = [sys.executable, "-m", "checker"]


@pytest.fixture(scope="module")
def big_export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An export large enough that a scan takes a few seconds: time to press Ctrl-C in it."""
    folder = tmp_path_factory.mktemp("big") / "export"
    generator.generate(30_000, str(folder))
    return folder


@pytest.fixture(scope="module")
def medium_export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An export whose JSON report is far larger than a pipe's buffer."""
    folder = tmp_path_factory.mktemp("medium") / "export"
    generator.generate(1_000, str(folder))
    return folder


def _ctrl_c_not_ignored() -> None:
    """A shell starts background jobs with Ctrl-C ignored, and a child inherits that: the suite may run as one."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _wait_until_reading(pid: int, folder: Path) -> None:
    """Return once the process has a file of ``folder`` open (where /proc tells), else after a second."""
    descriptors = Path(f"/proc/{pid}/fd")
    if not descriptors.is_dir():
        time.sleep(1.0)
        return
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        for descriptor in descriptors.iterdir():
            try:
                if os.readlink(descriptor).startswith(str(folder)):
                    return
            except OSError:
                continue
        time.sleep(0.002)
    raise AssertionError("the scan never opened a file of the export")


def test_ctrl_c_mid_scan_prints_one_line_exits_130_and_leaves_no_file(big_export: Path, tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    reports.mkdir()
    scan = subprocess.Popen(
        [*PROGRAM, "scan", str(big_export), "--format", f"json:{reports / 'report.json'}",
         "--format", f"sarif:{reports / 'report.sarif'}", "--format", f"markdown:{reports / 'report.md'}"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, preexec_fn=_ctrl_c_not_ignored)
    _wait_until_reading(scan.pid, big_export)
    scan.send_signal(signal.SIGINT)
    out, err = scan.communicate(timeout=120)
    assert scan.returncode == EXIT_INTERRUPTED, "the scan had ended before Ctrl-C; give it a larger export"
    assert err.decode() == "tenant-checker: interrupted\n"
    assert out == b""
    assert list(reports.iterdir()) == []


def test_ctrl_c_while_reports_are_renamed_leaves_no_temporary_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    old = tmp_path / "report.json"
    old.write_text("the previous report\n", encoding="utf-8")

    def interrupted(*_: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        output_files.write_reports([("{}\n", str(old)), ("# report\n", str(tmp_path / "report.md"))])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json"]
    assert old.read_text(encoding="utf-8") == "the previous report\n"


def test_ctrl_c_on_a_terminal_first_erases_the_progress_line(monkeypatch: pytest.MonkeyPatch) -> None:
    from checker.error_handler import guarded

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    def interrupted() -> int:
        sys.stderr.write("\rreading the export: 3 files, 1.0 MB")
        raise KeyboardInterrupt

    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    assert guarded("tenant-checker", interrupted) == EXIT_INTERRUPTED
    assert terminal.getvalue().rsplit("\r", 1)[1] == "\x1b[Ktenant-checker: interrupted\n"


def test_a_report_whose_making_fails_midway_leaves_no_file(tmp_path: Path) -> None:
    def chunks() -> Iterator[str]:
        yield "the first half of a report\n"
        raise MemoryError

    old = tmp_path / "report.json"
    old.write_text("the previous report\n", encoding="utf-8")
    with pytest.raises(MemoryError):
        output_files.write_reports([("# report\n", str(tmp_path / "report.md")), (chunks(), str(old))])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json"]
    assert old.read_text(encoding="utf-8") == "the previous report\n"


def test_a_report_made_in_chunks_is_written_whole(tmp_path: Path) -> None:
    told: list[tuple[str, int]] = []
    target = str(tmp_path / "report.json")
    output_files.write_reports([(iter(["{", "\"a\": \"\u00e9\ud800\"", "}\n"]), target)],
                               written=lambda path, size: told.append((path, size)))
    assert (tmp_path / "report.json").read_text(encoding="utf-8") == '{"a": "\u00e9\\ud800"}\n'
    assert told == [(target, 0), (target, 1), (target, 10), (target, 12)]


def test_a_lone_surrogate_is_written_out_not_lost(tmp_path: Path) -> None:
    output_files.write_reports([("a lone surrogate \udc80\n", str(tmp_path / "report.md"))])
    assert (tmp_path / "report.md").read_text(encoding="utf-8") == "a lone surrogate \\udc80\n"


def _scan_code_with_a_file(export: Path, tmp_path: Path) -> int:
    return subprocess.run([*PROGRAM, "scan", str(export), "--format", f"json:{tmp_path / 'report.json'}"],
                          cwd=ROOT, capture_output=True, timeout=120).returncode


def test_piped_into_head_the_scan_ends_quietly_with_its_own_exit_code(medium_export: Path, tmp_path: Path) -> None:
    expected = _scan_code_with_a_file(medium_export, tmp_path)
    assert expected == 1
    command = " ".join([*PROGRAM, "scan", str(medium_export), "--format", "json"])
    shell = subprocess.run(["bash", "-c", f"{command} 2>{tmp_path / 'err'} | head -c 1 >/dev/null; "
                            "echo ${PIPESTATUS[0]}"], cwd=ROOT, capture_output=True, timeout=120, text=True)
    assert shell.stdout.strip() == str(expected)
    assert (tmp_path / "err").read_text(encoding="utf-8") == ""


@pytest.mark.parametrize("argv, expected", [
    (["scan", "samples/e3-gaps", "--format", "json"], 1),
    (["scan", "samples/e3-done-right", "--verbose"], 0),
    (["rules"], 0),
    (["gaps", "samples/e3-gaps"], 1),
    (["inputs", "samples/e3-gaps"], 0),
])
def test_a_reader_gone_before_the_output_keeps_the_exit_code(argv: list[str], expected: int) -> None:
    command = subprocess.Popen([*PROGRAM, *argv], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert command.stdout is not None
    command.stdout.close()
    _, err = command.communicate(timeout=120)
    assert command.returncode == expected
    assert err.decode() == ""


def test_two_formats_to_standard_output_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    from checker.cli import main

    assert main(["scan", "samples/e3-gaps", "--format", "json", "--format", "sarif"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == ("tenant-checker: error: json and sarif cannot both go to standard output: "
                            "give all formats but one a file (NAME:PATH)\n")


@pytest.fixture(autouse=True)
def in_project_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))

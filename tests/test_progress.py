from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

from checker import progress as progress_module
from checker.cli import main
from checker.inputs.load import load
from checker.progress import Progress, progress_for

ROOT = Path(__file__).resolve().parents[1]


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_only_on_a_terminal_and_not_when_quiet() -> None:
    assert progress_for(io.StringIO(), quiet=False) is None
    assert progress_for(Terminal(), quiet=True) is None
    assert isinstance(progress_for(Terminal(), quiet=False), Progress)


def test_progress_rewrites_one_line_and_clears_it() -> None:
    ticks = iter(float(n) for n in range(100))
    stream = Terminal()
    progress = Progress(stream, interval=0.5, clock=lambda: next(ticks))
    progress.update(1, 1 << 20)
    progress.update(2, 3 << 20)
    progress.done()
    assert stream.getvalue() == (
        "\rreading the export: 1 files, 1.0 MB"
        "\rreading the export: 2 files, 3.0 MB"
        "\r" + " " * 35 + "\r"
    )


def test_loading_reports_progress_while_reading(tmp_path: Path) -> None:
    stream = Terminal()
    load([str(ROOT / "samples" / "e3-gaps")], progress=Progress(stream, interval=0.0))
    lines = stream.getvalue().split("\r")
    assert "reading the export: 13 files" in lines[-3]
    assert stream.getvalue().endswith("\r")


def test_a_new_step_shows_at_once_a_count_at_most_every_interval() -> None:
    now = [0.0]
    stream = Terminal()
    progress = Progress(stream, interval=1.0, clock=lambda: now[0])
    progress.evaluating(1, 3, "MFA001")  # the scan's first interval: nothing yet
    now[0] = 1.0
    progress.evaluating(2, 3, "MFA010")
    now[0] = 1.1
    progress.evaluating(3, 3, "MFA070")  # a new step, shown although the last line is 0.1 s old
    progress.writing("json", "out/report.json", 0)
    progress.writing("json", "out/report.json", 5 << 20)  # a count, within the interval: not shown
    now[0] = 2.2
    progress.writing("json", "out/report.json", 7 << 20)
    progress.done()
    assert stream.getvalue().split("\r") == [
        "",
        "evaluating the rules: 2 of 3 (MFA010)",
        "evaluating the rules: 3 of 3 (MFA070)",
        "writing the json report to out/report.json: 0.0 MB",
        "writing the json report to out/report.json: 7.0 MB",
        " " * 50,
        "",
    ]


def test_a_path_on_the_progress_line_cannot_move_the_cursor() -> None:
    stream = Terminal()
    Progress(stream, interval=0.0).writing("json", "a\x1b[2Jb\n.json", 0)
    assert stream.getvalue() == "\rwriting the json report to a\\e[2Jb\\n.json: 0.0 MB"


def _scan_with_stderr(monkeypatch: pytest.MonkeyPatch, stream: io.StringIO, tmp_path: Path, *extra: str) -> int:
    monkeypatch.setattr(progress_module, "INTERVAL", 0.0)
    monkeypatch.setattr(sys, "stderr", stream)
    return main(["scan", str(ROOT / "samples" / "e3-gaps"), "--format", f"json:{tmp_path / 'report.json'}",
                 "--format", f"sarif:{tmp_path / 'report.sarif'}", *extra])


def test_a_scan_on_a_terminal_shows_reading_evaluating_and_writing(monkeypatch: pytest.MonkeyPatch,
                                                                   tmp_path: Path) -> None:
    stream = Terminal()
    assert _scan_with_stderr(monkeypatch, stream, tmp_path) == 1
    lines = [line.rstrip() for line in stream.getvalue().split("\r")]
    assert any(line.startswith("reading the export: ") for line in lines)
    rules = [line for line in lines if line.startswith("evaluating the rules: ")]
    total = len(json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))["rules"])
    assert rules[0] == f"evaluating the rules: 1 of {total} (INPUT001)"
    assert rules[-2] == f"evaluating the rules: {total} of {total} (MFA071)"
    assert rules[-1] == "evaluating the rules: user coverage and gaps"
    assert len(rules) == total + 1
    for name, path in (("json", tmp_path / "report.json"), ("sarif", tmp_path / "report.sarif")):
        assert f"writing the {name} report to {path}: 0.0 MB" in lines
    finding = lines.index("writing the reports: finding the evidence in the input files")
    assert lines.index(f"writing the json report to {tmp_path / 'report.json'}: 0.0 MB") > finding > lines.index(rules[-1])
    assert lines[-1] == "", "the line is cleared once the reports are written"


def test_no_progress_in_a_pipe_or_when_quiet(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    pipe = io.StringIO()
    assert _scan_with_stderr(monkeypatch, pipe, tmp_path) == 1
    assert pipe.getvalue() == ""
    quiet = Terminal()
    assert _scan_with_stderr(monkeypatch, quiet, tmp_path, "--quiet") == 1
    assert quiet.getvalue() == ""


def test_the_report_on_standard_output_starts_on_a_clean_line(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    stream = Terminal()
    shown: list[str] = []
    monkeypatch.setattr(sys.stdout, "write", lambda text: shown.append(stream.getvalue()) or len(text))
    assert _scan_with_stderr(monkeypatch, stream, tmp_path, "--format", "markdown") == 1
    before_markdown = shown[0].rsplit("\r", 2)
    assert before_markdown[-1] == "" and before_markdown[-2].strip() == "", "the progress line was cleared"
    assert "writing the sarif report" in stream.getvalue()

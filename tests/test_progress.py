from __future__ import annotations

import io
from pathlib import Path

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

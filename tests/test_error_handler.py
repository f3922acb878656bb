"""No traceback reaches a user: bugs, Ctrl-C and a closed pipe each end in one line and an exit code."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from checker import cli
from checker.error_handler import EXIT_INTERRUPTED, EXIT_UNEXPECTED

ROOT = Path(__file__).resolve().parents[1]


def test_a_bug_is_one_line_and_a_log(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    def broken(*_: object) -> int:
        raise RuntimeError("boom")

    monkeypatch.setattr(cli, "list_rules", broken)
    assert cli.main(["rules"]) == EXIT_UNEXPECTED
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "unexpected error (RuntimeError: boom)" in err
    log = Path(err.rsplit(" ", 1)[1].strip())
    assert "Traceback" in log.read_text(encoding="utf-8")
    log.unlink()


def test_a_value_error_inside_a_scan_is_a_bug_not_a_usage_error(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    def broken(*_: object) -> str:
        raise ValueError("a bug that happens to be a ValueError")

    monkeypatch.setattr("checker.formatters.sarif.fingerprint", broken)
    assert cli.main(["scan", str(ROOT / "samples" / "e3-gaps"), "--format", "sarif", "-q"]) == EXIT_UNEXPECTED
    err = capsys.readouterr().err
    assert "unexpected error (ValueError: a bug that happens to be a ValueError)" in err
    Path(err.rsplit(" ", 1)[1].strip()).unlink()


def test_ctrl_c_ends_quietly(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    def interrupted(*_: object) -> int:
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "list_rules", interrupted)
    assert cli.main(["rules"]) == EXIT_INTERRUPTED
    assert capsys.readouterr().err == "tenant-checker: interrupted\n"


def test_a_closed_pipe_ends_quietly() -> None:
    reader = subprocess.Popen([sys.executable, "-m", "checker", "scan", str(ROOT / "samples" / "e3-gaps"),
                               "--verbose"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert reader.stdout is not None and reader.stderr is not None
    reader.stdout.read(10)
    reader.stdout.close()
    err = reader.stderr.read().decode()
    reader.stderr.close()
    reader.wait(timeout=60)
    assert "Traceback" not in err and "BrokenPipe" not in err

"""No command opens a socket (issue 11, item 6).

In process, pytest-socket's ban (``--disable-socket``, set for the whole suite) makes any
socket an error: every sample is scanned in every registered format under it. In a
subprocess, an audit hook installed through ``sitecustomize`` records every socket event of
the real command line; a control run shows that the hook does see a socket.
"""
from __future__ import annotations

import json
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from checker.cli import main
from checker.formatters import FORMATTERS

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = sorted(p.name for p in (ROOT / "samples").iterdir() if p.is_dir())

# Writes every socket audit event (https://docs.python.org/3/library/audit_events.html) to a log.
SITECUSTOMIZE = '''
import os
import sys

_LOG = os.environ["SOCKET_EVENT_LOG"]


def _record(event, args):
    if event.startswith("socket."):
        with open(_LOG, "a", encoding="utf-8") as log:
            log.write(event + "\\n")


sys.addaudithook(_record)
'''


def test_the_ban_is_on() -> None:
    with pytest.raises(Exception, match="socket"):
        socket.socket(socket.AF_INET, socket.SOCK_STREAM)


@pytest.mark.parametrize("sample", SAMPLES)
@pytest.mark.parametrize("format_name", sorted(FORMATTERS))
def test_every_sample_in_every_format_scans_with_sockets_banned(sample: str, format_name: str,
                                                               tmp_path: Path) -> None:
    output = tmp_path / f"report.{format_name}"
    assert main(["scan", str(ROOT / "samples" / sample), "--quiet", "--format", f"{format_name}:{output}"]) in (0, 1)
    assert output.stat().st_size > 0


def _run_watched(tmp_path: Path, *argv: str) -> tuple[int, list[str]]:
    """Run ``argv`` under the audit hook; return its exit code and the socket events it recorded."""
    hook = tmp_path / "hook"
    hook.mkdir(exist_ok=True)
    (hook / "sitecustomize.py").write_text(SITECUSTOMIZE, encoding="utf-8")
    log = tmp_path / "socket-events.log"
    log.write_text("", encoding="utf-8")
    environment = {"PYTHONPATH": f"{hook}:{ROOT}", "SOCKET_EVENT_LOG": str(log), "PATH": "/usr/bin:/bin",
                   "HOME": str(tmp_path)}
    run = subprocess.run([sys.executable, *argv], cwd=ROOT, env=environment, capture_output=True, timeout=120)
    return run.returncode, log.read_text(encoding="utf-8").split()


def test_the_audit_hook_sees_a_socket(tmp_path: Path) -> None:
    code, events = _run_watched(tmp_path, "-c", "import socket; socket.socket().close()")
    assert code == 0 and "socket.__new__" in events


@pytest.mark.parametrize("sample", SAMPLES)
def test_the_command_line_opens_no_socket_for_any_sample_and_format(sample: str, tmp_path: Path) -> None:
    argv = ["-m", "checker", "scan", f"samples/{sample}", "--quiet"]
    for name in sorted(FORMATTERS):
        argv += ["--format", name if name == "table" else f"{name}:{tmp_path / name}"]
    code, events = _run_watched(tmp_path, *argv)
    assert code in (0, 1) and events == []
    assert all((tmp_path / name).stat().st_size > 0 for name in FORMATTERS if name != "table")


@pytest.mark.parametrize("command", [["gaps"], ["inputs"], ["explain-user", "USER"]])
def test_the_other_commands_open_no_socket(command: list[str], tmp_path: Path) -> None:
    user = json.loads((ROOT / "samples" / "e3-gaps" / "users.json").read_text(encoding="utf-8"))["value"][0]
    argv = ["-m", "checker", *(user["userPrincipalName"] if word == "USER" else word for word in command),
            "samples/e3-gaps"]
    code, events = _run_watched(tmp_path, *argv)
    assert code in (0, 1) and events == []

"""Only `collect` may reach the network: the other commands never load its code or an HTTP client."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

SAMPLE = Path(__file__).resolve().parents[1] / "samples" / "e3-gaps"
NETWORK_MODULES = ("checker.collect", "urllib.request", "http.client", "azure")

# Run each command in a fresh interpreter, then list the modules it loaded that could open a connection.
PROBE = """
import contextlib, io, json, sys
from checker.cli import main
with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
    code = main(sys.argv[1:])
print(json.dumps([code, sorted(m for m in sys.modules if m.startswith({modules!r}))]))
"""


@pytest.mark.parametrize("argv", [
    ["scan", str(SAMPLE), "--format", "json"],
    ["inputs", str(SAMPLE)],
    ["gaps", str(SAMPLE)],
    ["explain-user", "noor.haddad@fabrikam-gaps.example", str(SAMPLE)],
], ids=lambda argv: argv[0])
def test_the_offline_commands_never_import_the_collecting_code(argv: list[str]) -> None:
    done = subprocess.run([sys.executable, "-c", PROBE.format(modules=NETWORK_MODULES), *argv],
                          capture_output=True, text=True, timeout=120, check=True)
    code, loaded = json.loads(done.stdout.splitlines()[-1])
    assert code in (0, 1)  # the command ran (2 would be a usage error and prove nothing)
    assert loaded == []


def test_the_probe_would_see_the_collecting_code_when_it_is_loaded() -> None:
    done = subprocess.run([sys.executable, "-c", PROBE.format(modules=NETWORK_MODULES), "collect", "--out",
                           "/nonexistent/unused", "--cloud", "mars"], capture_output=True, text=True, timeout=120,
                          check=True)
    code, loaded = json.loads(done.stdout.splitlines()[-1])
    assert code == 2  # --cloud mars is refused before anything is written
    assert "checker.collect" in loaded and "urllib.request" in loaded

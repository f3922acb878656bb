"""The HTML report in a real browser: headless Chromium builds its DOM and takes a screenshot.

CI installs Debian's chromium (.ci/run); elsewhere the tests skip, saying why.
"""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from checker.cli import main

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run", "--disable-quic", "--disable-sync")

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (.ci/run installs Debian's "
                                "chromium package; apt-get install -y chromium)")


def _chromium(tmp_path: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM is not None
    profile = tmp_path / "profile"  # a fresh profile: nothing cached, nothing synced
    return subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *arguments],
                          capture_output=True, text=True, timeout=180, check=False)


@pytest.fixture
def e3_gaps_html(tmp_path: Path) -> Path:
    out = tmp_path / "e3-gaps.html"
    main(["scan", str(ROOT / "samples" / "e3-gaps"), "--format", f"html:{out}"])
    return out


def test_chromium_builds_the_report(e3_gaps_html: Path, tmp_path: Path) -> None:
    completed = _chromium(tmp_path, "--dump-dom", e3_gaps_html.as_uri())
    dom = completed.stdout
    assert completed.returncode == 0, completed.stderr[-2000:]
    for rule_id in ("MFA001", "MFA010", "MFA011", "MFA012", "MFA030", "MFA060", "MFA070"):
        assert f'id="rule-{rule_id}"' in dom
    for subject in ("priya.raman@fabrikam-gaps.example", "noor.haddad@fabrikam-gaps.example",
                    "Global Administrator"):
        assert subject in dom
    assert dom.count('<svg role="img"') == 2
    assert "<rect" in dom and "<title" in dom
    # the policy and the stylesheet survived parsing: the page is styled, and loads nothing
    assert 'http-equiv="Content-Security-Policy"' in dom
    assert "default-src 'none'" in dom


def test_chromium_takes_a_screenshot(e3_gaps_html: Path, tmp_path: Path) -> None:
    screenshot = tmp_path / "e3-gaps.png"
    completed = _chromium(tmp_path, f"--screenshot={screenshot}", "--window-size=1280,4000", e3_gaps_html.as_uri())
    assert completed.returncode == 0, completed.stderr[-2000:]
    data = screenshot.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    assert len(data) > 50_000  # a blank page is a few kilobytes


def test_chromium_reports_no_blocked_load(e3_gaps_html: Path, tmp_path: Path) -> None:
    """With the console logged, a load the policy refused (a font, an image, a style) would show."""
    completed = _chromium(tmp_path, "--enable-logging=stderr", "--v=0", "--dump-dom", e3_gaps_html.as_uri())
    assert completed.returncode == 0
    assert "Content Security Policy" not in completed.stderr
    assert "Refused to" not in completed.stderr

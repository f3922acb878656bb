"""Names from the export are untrusted: every output shows them as text (issues 10 and 11).

A display name may carry HTML, quotes, terminal escape sequences (a screen clear, an OSC 8
link, a one-byte C1 CSI), a newline that forges a line, a carriage return, a ``|``, a
bidirectional override, a lone UTF-16 surrogate, or simply be very long.
"""
from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
import tabulate

from checker.cli import main
from checker.formatters import FORMATTERS
from checker.safe_text import CELL_LIMIT, markdown_cell, terminal_text, visible

ROOT = Path(__file__).resolve().parents[1]
HOSTILE = ("Evil<script>alert(1)</script>\"><img src=x onerror=alert(1)>"
           "\x1b[2J\x1b]8;;https://evil.example/\x07click\x1b]8;;\x07\x9b31m\r\n"
           "MFA: covered by 'All'|# Heading\u202eReversed\ud800 " + "A" * 3000)
# What must never reach an output raw.
RAW = ("\x1b", "\x9b", "\x07", "\r", "\u202e", "\ud800")
HOSTILE_USER = "b484634e-8cc4-40a3-892a-361692372191"  # helen.oconnor in samples/e3-gaps


@pytest.fixture
def hostile_export(tmp_path: Path) -> Path:
    """samples/e3-gaps with one user's names and one policy's name made hostile."""
    export = tmp_path / "export"
    shutil.copytree(ROOT / "samples" / "e3-gaps", export)
    users = json.loads((export / "users.json").read_text(encoding="utf-8"))
    for user in users["value"]:
        if user["id"] == HOSTILE_USER:
            user["displayName"] = HOSTILE
            user["userPrincipalName"] = HOSTILE
    (export / "users.json").write_text(json.dumps(users, indent=2), encoding="utf-8")
    policies = json.loads((export / "conditional-access-policies.json").read_text(encoding="utf-8"))
    policies["value"][0]["displayName"] = HOSTILE
    (export / "conditional-access-policies.json").write_text(json.dumps(policies, indent=2), encoding="utf-8")
    return export


def _assert_inert(text: str) -> None:
    for raw in RAW:
        assert raw not in text, repr(raw)
    for line in text.splitlines():
        assert not line.startswith(("MFA: covered by 'All'", "# Heading", "|# Heading"))


@pytest.mark.parametrize("format_name", sorted(FORMATTERS))
def test_every_format_shows_hostile_names_as_text(hostile_export: Path, tmp_path: Path, format_name: str) -> None:
    out = tmp_path / f"report.{format_name}"
    assert main(["scan", str(hostile_export), "--format", f"{format_name}:{out}"]) == 1
    text = out.read_text(encoding="utf-8")
    assert text  # a lone surrogate once left the output file empty
    _assert_inert(text)


def test_json_keeps_the_hostile_name_whole(hostile_export: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    main(["scan", str(hostile_export), "--format", f"json:{out}"])
    users = json.loads(out.read_text(encoding="utf-8"))["coverage"]["uncoveredUsers"]
    # whole, but for the lone surrogate, which the reader already makes U+FFFD
    assert HOSTILE.replace("\ud800", "\ufffd") in [user["name"] for user in users]


def test_html_escapes_markup(hostile_export: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    main(["scan", str(hostile_export), "--format", f"html:{out}"])
    text = out.read_text(encoding="utf-8")
    assert "<script" not in text
    assert "<img" not in text
    assert "Evil&lt;script&gt;alert(1)&lt;/script&gt;&#34;&gt;&lt;img src=x onerror=alert(1)&gt;\\e[2J" in text


def test_markdown_tables_keep_their_columns(hostile_export: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.md"
    main(["scan", str(hostile_export), "--format", f"markdown:{out}", "--verbose"])
    columns = 0
    for line in out.read_text(encoding="utf-8").splitlines():
        if not line.startswith("|"):
            columns = 0
            continue
        cells = len(re.findall(r"(?<!\\)\|", line))
        columns = columns or cells
        assert cells == columns, line[:200]


def test_table_on_a_terminal_shows_escapes(hostile_export: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(["scan", str(hostile_export), "--verbose"])
    out = capsys.readouterr().out
    _assert_inert(out)
    assert "\\e[2J" in out


def test_explain_user_cannot_be_forged_by_a_newline(hostile_export: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    main(["explain-user", HOSTILE_USER, str(hostile_export)])
    out = capsys.readouterr().out
    _assert_inert(out)
    assert [line for line in out.splitlines() if line.startswith("MFA:")] == [
        line for line in out.splitlines() if line.startswith("MFA: NOT covered")]
    assert "\\r\\nMFA: covered by" in out


@pytest.mark.parametrize("command", [["inputs"], ["gaps"], ["gaps", "--verbose"]])
def test_inputs_and_gaps_show_hostile_names_as_text(hostile_export: Path, capsys: pytest.CaptureFixture[str],
                                                    command: list[str]) -> None:
    main([*command, str(hostile_export)])
    _assert_inert(capsys.readouterr().out)


def test_hostile_file_names_in_inputs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    export = tmp_path / "export"
    shutil.copytree(ROOT / "samples" / "e3-gaps", export)
    (export / "notes \x1b[31mred\x1b[0m.txt").write_text("not an export\n", encoding="utf-8")
    main(["inputs", str(export)])
    out = capsys.readouterr().out
    assert "\x1b" not in out
    assert "notes \\e[31mred\\e[0m.txt" in out


def test_a_long_unbroken_name_costs_linear_time(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """tabulate wraps in time quadratic in a cell's length; the table wraps (and cuts) cells itself."""
    export = tmp_path / "export"
    shutil.copytree(ROOT / "samples" / "e3-gaps", export)
    users = json.loads((export / "users.json").read_text(encoding="utf-8"))
    users["value"][0]["displayName"] = users["value"][0]["userPrincipalName"] = "x" * 400_000
    (export / "users.json").write_text(json.dumps(users), encoding="utf-8")
    real_tabulate = tabulate.tabulate
    longest_lines: list[int] = []

    def measured(rows: Iterable[Iterable[Any]], *args: Any, **kwargs: Any) -> str:
        rows = [list(row) for row in rows]
        longest_lines.append(max((len(line) for row in rows for cell in row for line in str(cell).split("\n")),
                                 default=0))
        if longest_lines[-1] > 2 * CELL_LIMIT:
            return ""  # never wrapped: the assertion below fails at once instead of after minutes
        return real_tabulate(rows, *args, **kwargs)

    with mock.patch.object(tabulate, "tabulate", measured):
        for command in (["scan", "--verbose"], ["inputs"], ["gaps", "--verbose"]):
            main([command[0], str(export), *command[1:]])
    # Counted, not timed: no line tabulate may wrap is longer than a cell is cut to.
    assert longest_lines and max(longest_lines) <= 2 * CELL_LIMIT, longest_lines
    table = capsys.readouterr().out.split("\n\n")[1]
    assert max(len(line) for line in table.splitlines()) <= 100  # cut and wrapped in the grid


def test_the_sanitisers() -> None:
    assert visible("a\x1b[2Jb\r\n\t\x9b\x00\u202e\ud800") == "a\\e[2Jb\\r\\n\\t\\x9b\\x00\\u202e\\ud800"
    assert terminal_text("x" * 50, 20) == "x" * 10 + "… (40 more characters)"
    # the backslash of the written-out newline is itself escaped, so that Markdown shows "\n"
    assert markdown_cell("a|b\n# c <d>") == "a\\|b\\\\n\\# c \\<d\\>"

from __future__ import annotations

import re
from pathlib import Path

from checker.catalogue import load_catalogue

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_catalogue_table_matches_the_catalogue() -> None:
    rows = re.findall(r"^\| ([A-Z]+\d{3}) \| ([a-z0-9-]+) \| ([a-z]+) \| (.+) \|$", README.read_text("utf-8"), re.M)
    expected = [(r.id, r.name, r.severity.value, r.title) for r in load_catalogue()]
    assert rows == expected


def test_readme_has_exactly_two_set_up_commands() -> None:
    text = README.read_text("utf-8")
    set_up = text.split("## Set up", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"```\n(.+?)\n```", set_up, re.S)
    assert commands == [
        "python3 -m pip install . && tenant-checker scan samples/e3-done-right --verbose",
        "python3 -m pip install '.[test]' && python3 -m pytest",
    ]
    assert "python3 -m pytest" in (README.parent / ".ci" / "run").read_text("utf-8")

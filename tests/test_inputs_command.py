from __future__ import annotations

import json
from pathlib import Path

import pytest

from checker.cli import main

ROOT = Path(__file__).resolve().parents[1]


def test_inputs_lists_files_areas_and_missing_evidence(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["inputs", str(ROOT / "samples" / "e3-gaps")]) == 0
    out = capsys.readouterr().out
    assert "11 used, 1 ignored, 0 unreadable" in out
    assert "Configuration: " in out and ".tenant-checker.yaml" in out
    assert "README.md" in out and "not a JSON document (.md)" in out
    assert "Conditional Access policies    present  7 policies" in out
    assert "Per-user MFA state             present  13 users" in out
    missing = out.split("Rules that will be not_assessed for lack of evidence", 1)[1]
    # MFA010 and MFA060: an admin policy excludes an app that may belong to the Office 365 bundle
    assert [line.split()[0] for line in missing.splitlines() if line[:3] in ("MFA", "INP")] == ["MFA010", "MFA060"]
    assert "app bundle whose members are not all known" in " ".join(missing.split())


def test_inputs_names_what_a_partial_export_lacks(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["inputs", str(ROOT / "samples" / "partial-ca-only")]) == 0
    missing = capsys.readouterr().out.split("Rules that will be not_assessed for lack of evidence", 1)[1]
    for rule_id in ("MFA002", "MFA030", "MFA070"):
        assert rule_id in missing


def test_inputs_shows_unreadable_files_with_their_position(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "broken.json").write_text('{\n  "value": [\n', encoding="utf-8")
    (tmp_path / "ca.json").write_bytes((ROOT / "samples" / "e3-gaps" / "conditional-access-policies.json").read_bytes())
    assert main(["inputs", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "broken.json" in out and "unreadable" in out and "INPUT001" in out and "(line 3)" in out


def test_nothing_recognised_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "notes.txt").write_text("hello\n", encoding="utf-8")
    assert main(["inputs", str(tmp_path)]) == 2
    assert "0 used, 1 ignored" in capsys.readouterr().out


def test_the_json_report_carries_the_same_areas(tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    main(["scan", str(ROOT / "samples" / "partial-ca-only"), "--format", f"json:{out}"])
    areas = {a["name"]: a for a in json.loads(out.read_text(encoding="utf-8"))["areas"]}
    assert areas["Conditional Access policies"] == {
        "name": "Conditional Access policies", "collection": "identity/conditionalAccess/policies",
        "present": True, "detail": "4 policies"}
    assert areas["Users"]["present"] is False

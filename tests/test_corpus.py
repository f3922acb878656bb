"""Real exports written by other people, when the shared corpus sits beside the project."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from checker.cli import main

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
SOURCES = sorted(p for p in CORPUS.iterdir() if p.is_dir()) if CORPUS.is_dir() else []


@pytest.mark.skipif(not SOURCES, reason="the shared corpus is not beside this checkout")
@pytest.mark.parametrize("source", SOURCES, ids=[p.name for p in SOURCES])
def test_every_corpus_source_scans_without_a_traceback(
    source: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    json_out, sarif_out = tmp_path / "out.json", tmp_path / "out.sarif"
    code = main(["scan", str(source), "--format", f"json:{json_out}", "--format", f"sarif:{sarif_out}",
                 "--format", "table", "--format", "markdown"])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err + captured.out
    assert "unexpected error" not in captured.out
    assert code in (0, 1, 2)
    report = json.loads(json_out.read_text(encoding="utf-8"))
    assert len(report["rules"]) == 24
    assert json.loads(sarif_out.read_text(encoding="utf-8"))["version"] == "2.1.0"


@pytest.mark.skipif(not SOURCES, reason="the shared corpus is not beside this checkout")
def test_well_formed_corpus_files_are_never_input001(tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    for source in SOURCES:
        main(["scan", str(source), "--select", "INPUT001", "--format", f"json:{out}"])
        results = json.loads(out.read_text(encoding="utf-8"))["rules"][0]["results"]
        assert "fail" not in [r["verdict"] for r in results], (source.name, results)

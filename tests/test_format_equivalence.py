"""The same made-up tenant written in each export format gives the same verdicts as Graph.

Each folder of tests/formats holds the e3-gaps sample's data in one format and a
replaces.txt naming the Graph files of samples/e3-gaps it stands in for.
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from checker.cli import main

ROOT = Path(__file__).resolve().parents[1]
E3_GAPS = ROOT / "samples" / "e3-gaps"
FORMATS = sorted(p for p in (ROOT / "tests" / "formats").iterdir() if p.is_dir())


def verdicts(folder: Path, out: Path) -> dict[str, list[tuple[str, str, str]]]:
    main(["scan", str(folder), "--format", f"json:{out}"])
    rules = json.loads(out.read_text(encoding="utf-8"))["rules"]
    return {rule["id"]: sorted((r["verdict"], r["subject"]["kind"], r["subject"]["id"].lower())
                               for r in rule["results"]) for rule in rules}


@pytest.mark.parametrize("written_as", FORMATS, ids=[p.name for p in FORMATS])
def test_the_same_tenant_in_another_format_gives_the_same_verdicts(written_as: Path, tmp_path: Path) -> None:
    tenant = tmp_path / "tenant"
    shutil.copytree(E3_GAPS, tenant)
    replaced = (written_as / "replaces.txt").read_text(encoding="utf-8").split()
    assert replaced, "replaces.txt names no file"
    for name in replaced:
        (tenant / name).unlink()
    shutil.copytree(written_as, tenant / f"as-{written_as.name}", ignore=shutil.ignore_patterns("replaces.txt"))
    expected = verdicts(E3_GAPS, tmp_path / "graph.json")
    actual = verdicts(tenant, tmp_path / "format.json")
    assert {k: v for k, v in actual.items() if v != expected[k]} == {}

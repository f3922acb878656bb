"""No traceback reaches a user: seeded mutations of real-shaped exports never crash a scan.

Deterministic (fixed seeds), so a failure here is reproducible: the test id names the seed.
"""
from __future__ import annotations

import contextlib
import copy
import io
import json
import random
import shutil
from pathlib import Path
from typing import Any

import pytest

from checker.cli import main

ROOT = Path(__file__).resolve().parents[1]
EXPORTS = sorted([p for p in (ROOT / "samples").iterdir() if p.is_dir()]
                 + [p for p in (ROOT / "tests" / "formats").iterdir() if p.is_dir()])
ODD_VALUES: list[Any] = [None, 0, 1.5, True, "", "x", [], {}, [None], [1], {"a": 1}, "All", ["All"], -1]


def _mutate_json(data: Any, rng: random.Random) -> None:
    node = data
    for _ in range(rng.randint(1, 6)):
        if isinstance(node, dict) and node:
            key = rng.choice(sorted(node))
            if rng.random() < 0.4:
                node[key] = copy.deepcopy(rng.choice(ODD_VALUES))
                return
            node = node[key]
        elif isinstance(node, list) and node:
            index = rng.randrange(len(node))
            if rng.random() < 0.4:
                node[index] = copy.deepcopy(rng.choice(ODD_VALUES))
                return
            node = node[index]
        else:
            return


def _damage(path: Path, rng: random.Random) -> None:
    raw = path.read_bytes()
    if not raw:
        return
    choice = rng.random()
    if choice < 0.5 and path.suffix == ".json":
        try:
            data = json.loads(raw.decode("utf-16" if raw[:2] in (b"\xff\xfe", b"\xfe\xff") else "utf-8-sig"))
        except ValueError:
            return
        _mutate_json(data, rng)
        path.write_text(json.dumps(data), encoding="utf-8")
    elif choice < 0.75:
        path.write_bytes(raw[: rng.randrange(len(raw))])
    else:
        damaged = bytearray(raw)
        for _ in range(rng.randint(1, 20)):
            damaged[rng.randrange(len(damaged))] = rng.choice(b'<>"{}[],:;\n\x00a0/&')
        path.write_bytes(bytes(damaged))


@pytest.mark.parametrize("seed", range(24))
def test_a_damaged_export_is_reported_never_crashes(seed: int, tmp_path: Path) -> None:
    rng = random.Random(seed)
    export = tmp_path / "export"
    shutil.copytree(EXPORTS[seed % len(EXPORTS)], export)
    files = sorted(f for f in export.rglob("*") if f.is_file() and f.name != "replaces.txt")
    for victim in rng.sample(files, k=min(len(files), rng.randint(1, 3))):
        _damage(victim, rng)
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["scan", str(export), "--format", f"json:{tmp_path / 'o.json'}",
                     "--format", f"sarif:{tmp_path / 'o.sarif'}", "--format", f"markdown:{tmp_path / 'o.md'}",
                     "--format", "table"])
    text = out.getvalue() + err.getvalue()
    assert "Traceback" not in text
    assert "unexpected error" not in text
    if code == 2:  # a damaged configuration file, or nothing recognisable left: one line says which
        assert err.getvalue().startswith("tenant-checker: error: ") and err.getvalue().count("\n") == 1
    else:
        assert code in (0, 1)
        json.loads((tmp_path / "o.sarif").read_text(encoding="utf-8"))

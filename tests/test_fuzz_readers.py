"""Property-based tests of every reader against damaged exports (issue 11, DESIGN section 2).

For each format, a real-shaped export (a sample, or tests/formats/<format>) has one file
damaged as tests/fuzzing/strategies draws it. Whatever the damage:
- no reader raises, and every rule still gets a verdict;
- damage no reader may take for data (a JSON or XML document cut short) makes the file an
  INPUT001;
- every other file of the export is still used;
- a file the tool flagged (an INPUT001 or INPUT002 on it) never moves a rule to pass that
  does not pass with the file left out (a file that cannot be read at all may have held anything).
The CI run is a few hundred examples per reader; TENANT_CHECKER_FUZZ_EXAMPLES raises it.
"""
from __future__ import annotations

import atexit
import io
import shutil
import tempfile
import zipfile
from functools import cache
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from checker.catalogue import load_catalogue
from checker.checks.base import CheckContext
from checker.engine import run_rule
from checker.inputs.load import LoadResult, load
from checker.verdicts import Verdict
from tests.fuzzing.strategies import (
    ROOT,
    Damage,
    damaged_exports,
    damaged_file,
    export_files,
    graph_exports,
    write_export,
)

SEEDS = {
    "graph": ROOT / "samples" / "e3-gaps",
    "entraexporter": ROOT / "tests" / "formats" / "entraexporter",
    "scubagear": ROOT / "tests" / "formats" / "scubagear",
    "clixml": ROOT / "tests" / "formats" / "clixml",
    "csv": ROOT / "tests" / "formats" / "csv",
    "m365dsc": ROOT / "tests" / "formats" / "m365dsc",
}
ZIP_NAME = "export.zip"


def _verdicts(loaded: LoadResult) -> dict[str, Verdict]:
    context = CheckContext(loaded.tenant, inputs=loaded.inputs)
    return {rule.id: run_rule(rule, context).verdict for rule in load_catalogue()}


def _scan(files: dict[str, bytes]) -> tuple[LoadResult, dict[str, Verdict]]:
    with tempfile.TemporaryDirectory() as folder:
        write_export(files, Path(folder))
        loaded = load([folder])
        return loaded, _verdicts(loaded)


def _scan_with(reader: str, path: str, data: bytes) -> tuple[LoadResult, dict[str, Verdict]]:
    """The reader's export with one file replaced, written once per reader and mended after each scan."""
    folder, files = _written(reader), _clean(reader)[0]
    target = folder / path
    target.write_bytes(data)
    try:
        loaded = load([str(folder)])
        return loaded, _verdicts(loaded)
    finally:
        target.write_bytes(files[path])


@cache
def _written(reader: str) -> Path:
    folder = Path(tempfile.mkdtemp(prefix=f"fuzz-{reader}-"))
    atexit.register(shutil.rmtree, folder, True)
    write_export(_clean(reader)[0], folder)
    return folder


@cache
def _clean(reader: str) -> tuple[dict[str, bytes], dict[str, str], dict[str, Verdict]]:
    files = export_files(SEEDS[reader]) if reader != "zip" else {ZIP_NAME: _zipped(export_files(SEEDS["graph"]))}
    loaded, verdicts = _scan(files)
    return files, {item.path: item.status for item in loaded.inputs}, verdicts


def _zipped(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in sorted(files.items()):
            archive.writestr(name, data)
    return buffer.getvalue()


def _check(reader: str, damage: Damage, file: str, data: bytes) -> None:
    """``file`` (of the reader's export) replaced by ``data``; ``damage.path`` is where the damage lies."""
    _, statuses, clean_verdicts = _clean(reader)
    loaded, verdicts = _scan_with(reader, file, data)
    assert set(verdicts) == set(clean_verdicts)
    by_path = {item.path: item for item in loaded.inputs}
    damaged = by_path.get(damage.path)
    if damage.noticeable:
        assert damaged is not None and damaged.status == "unreadable", damage.kind
        assert "INPUT001" in {d.code for d in damaged.diagnostics}
    for path, status in statuses.items():
        if status == "used" and path != damage.path and not path.startswith(damage.path + "/"):
            assert by_path[path].status == "used", path
    flagged = damaged is not None and any(d.code in ("INPUT001", "INPUT002") for d in damaged.diagnostics)
    if flagged:
        moved = [rule for rule, verdict in verdicts.items()
                 if verdict is Verdict.PASS and clean_verdicts[rule] is not Verdict.PASS]
        if moved:  # no better than the file left out: what cannot be read at all may be anything
            without = _without(reader, damage.path)
            assert not [rule for rule in moved if without[rule] is not Verdict.PASS], (damage.kind, moved)


@cache
def _without(reader: str, path: str) -> dict[str, Verdict]:
    files = _clean(reader)[0]
    if path.startswith(ZIP_NAME + "/"):
        members = export_files(SEEDS["graph"])
        del members[path[len(ZIP_NAME) + 1:]]
        return _scan({ZIP_NAME: _zipped(members)})[1]
    return _scan({name: data for name, data in files.items() if name != path})[1]


@pytest.mark.parametrize("reader", sorted(SEEDS))
def test_a_damaged_file_is_reported_and_never_passes_a_rule(reader: str) -> None:
    files = _clean(reader)[0]

    @settings(settings.get_profile("fuzz"))
    @given(damaged_exports(files))
    def damaged(damage: Damage) -> None:
        _check(reader, damage, damage.path, damage.data)

    damaged()


@st.composite
def _damaged_zips(draw: st.DrawFn) -> tuple[Damage, bytes]:
    members = export_files(SEEDS["graph"])
    if draw(st.booleans()):
        damage = draw(damaged_exports({ZIP_NAME: _zipped(members)}))
        return damage, damage.data
    damage = draw(damaged_exports(members))
    inner = Damage(f"{ZIP_NAME}/{damage.path}", damage.kind, damage.noticeable, damage.data)
    return inner, _zipped({**members, damage.path: damage.data})


@settings(settings.get_profile("fuzz"))
@given(_damaged_zips())
def test_a_damaged_zip_or_member_is_reported_and_never_passes_a_rule(case: tuple[Damage, bytes]) -> None:
    damage, data = case
    _check("zip", damage, ZIP_NAME, data)


@settings(settings.get_profile("fuzz"))
@given(st.binary(max_size=2000), st.sampled_from(["a.json", "a.xml", "a.csv", "a.zip", "a.clixml", "a"]))
def test_random_bytes_under_any_name_never_raise(data: bytes, name: str) -> None:
    loaded, _ = _scan({name: data})
    assert {item.path for item in loaded.inputs} >= {name}


def test_the_strategies_reach_every_kind_of_damage() -> None:
    kinds: set[str] = set()

    @settings(max_examples=200, deadline=None, derandomize=True)
    @given(damaged_file("a.json", b'{"value": [{"id": "u1", "accountEnabled": true, "n": [1, 2]}]}'))
    def collect(damage: Damage) -> None:
        kinds.add(damage.kind.split(" as ")[0])

    collect()
    assert {"cut short", "bytes overwritten", "random bytes", "wrong type", "null", "removed", "written"} <= kinds


@settings(settings.get_profile("fuzz"))
@given(graph_exports())
def test_generated_graph_objects_of_any_shape_never_pass_what_their_absence_would_not(
        files: dict[str, bytes]) -> None:
    loaded, verdicts = _scan(files)
    for name in files:
        entry = next(item for item in loaded.inputs if item.path == name)
        if not entry.diagnostics:
            continue
        without = _scan({other: data for other, data in files.items() if other != name})[1]
        moved = [rule for rule, verdict in verdicts.items()
                 if verdict is Verdict.PASS and without[rule] is not Verdict.PASS]
        assert not moved, (name, [d.message for d in entry.diagnostics], moved)

"""Property-based tests of every reader against damaged exports (issue 11, DESIGN section 2).

For each format, a real-shaped export (a sample, or tests/formats/<format>) has one file
damaged as tests/fuzzing/strategies draws it. Whatever the damage:
- no reader raises, and every rule still gets a verdict from its check (a check stopped by an
  error is a failure here, not the `not_assessed` a scan would show);
- damage no reader may take for data (a JSON or XML document cut short) makes the file an
  INPUT001;
- every other file of the export is still used;
- a file the tool flagged (an INPUT001 or INPUT002 on it) never moves a rule to pass that
  does not pass with the file left out (a file that cannot be read at all may have held anything).
The suite runs EXAMPLES (tests/fuzzing/strategies.py) per property, the same ones every run;
TENANT_CHECKER_FUZZ_EXAMPLES sets the number and draws new ones, and fuzz/long_run.py runs each
property on its own with 100,000. The verdicts of a tenant already seen are reused
(tests/fuzzing/verdicts.py): most damage leaves the same tenant as some earlier damage did.
"""
from __future__ import annotations

import atexit
import dataclasses
import enum
import importlib.util
import io
import os
import shutil
import sys
import tempfile
import zipfile
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from checker.catalogue import load_catalogue
from checker.checks.base import CheckContext
from checker.engine import run_rule
from checker.inputs.load import LoadResult, load
from checker.origin import Origin
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
from tests.fuzzing.verdicts import tenant_key, verdicts

SEEDS = {
    "graph": ROOT / "samples" / "e3-gaps",
    "entraexporter": ROOT / "tests" / "formats" / "entraexporter",
    "scubagear": ROOT / "tests" / "formats" / "scubagear",
    "clixml": ROOT / "tests" / "formats" / "clixml",
    "csv": ROOT / "tests" / "formats" / "csv",
    "m365dsc": ROOT / "tests" / "formats" / "m365dsc",
}
ZIP_NAME = "export.zip"
# Hypothesis warns when an example's repr is long (a zip of a whole export is); the warning is about
# the cost of printing the example, not about the property, and the suite turns warnings into errors
pytestmark = pytest.mark.filterwarnings("ignore:Generating overly large repr:hypothesis.errors.HypothesisWarning")
# Exports are written, rewritten and removed thousands of times: in memory where the system has a
# place for it (on ext4, rewriting a file waits for the disk, a few milliseconds each time).
SCRATCH = "/dev/shm" if os.access("/dev/shm", os.W_OK) else None


def _scan(files: dict[str, bytes]) -> tuple[LoadResult, dict[str, Verdict]]:
    with tempfile.TemporaryDirectory(dir=SCRATCH) as folder:
        write_export(files, Path(folder))
        loaded = load([folder])
        return loaded, verdicts(loaded)


def _scan_with(reader: str, path: str, data: bytes) -> tuple[LoadResult, dict[str, Verdict]]:
    """The reader's export with one file replaced, written once per reader and mended after each scan."""
    folder, files = _written(reader), _clean(reader)[0]
    target = folder / path
    target.write_bytes(data)
    try:
        loaded = load([str(folder)])
        return loaded, verdicts(loaded)
    finally:
        target.write_bytes(files[path])


@cache
def _written(reader: str) -> Path:
    folder = Path(tempfile.mkdtemp(prefix=f"fuzz-{reader}-", dir=SCRATCH))
    atexit.register(shutil.rmtree, folder, True)
    write_export(_clean(reader)[0], folder)
    return folder


@cache
def _seed(reader: str) -> dict[str, bytes]:
    """The files of a reader's seed export, read once (never to be changed in place)."""
    return export_files(SEEDS[reader])


@cache
def _clean(reader: str) -> tuple[dict[str, bytes], dict[str, str], dict[str, Verdict]]:
    files = _seed(reader) if reader != "zip" else {ZIP_NAME: _zipped(_seed("graph"))}
    loaded, clean_verdicts = _scan(files)
    return files, {item.path: item.status for item in loaded.inputs}, clean_verdicts


def _zipped(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in sorted(files.items()):
            archive.writestr(name, data)
    return buffer.getvalue()


def _check(reader: str, damage: Damage, file: str, data: bytes) -> None:
    """``file`` (of the reader's export) replaced by ``data``; ``damage.path`` is where the damage lies."""
    _, statuses, clean_verdicts = _clean(reader)
    loaded, damaged_verdicts = _scan_with(reader, file, data)
    assert set(damaged_verdicts) == set(clean_verdicts)
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
        moved = [rule for rule, verdict in damaged_verdicts.items()
                 if verdict is Verdict.PASS and clean_verdicts[rule] is not Verdict.PASS]
        if moved:  # no better than the file left out: what cannot be read at all may be anything
            without = _without(reader, damage.path)
            assert not [rule for rule in moved if without[rule] is not Verdict.PASS], (damage.kind, moved)


@cache
def _without(reader: str, path: str) -> dict[str, Verdict]:
    files = _clean(reader)[0]
    if path.startswith(ZIP_NAME + "/"):
        member = path[len(ZIP_NAME) + 1:]
        return _scan({ZIP_NAME: _zipped({name: data for name, data in _seed("graph").items() if name != member})})[1]
    return _scan({name: data for name, data in files.items() if name != path})[1]


@cache
def _damages(reader: str) -> st.SearchStrategy[Damage]:
    return damaged_exports(_clean(reader)[0])


@pytest.mark.parametrize("reader", sorted(SEEDS))
@settings(settings.get_profile("fuzz"))
@given(data=st.data())
def test_a_damaged_file_is_reported_and_never_passes_a_rule(reader: str, data: st.DataObject) -> None:
    damage = data.draw(_damages(reader), label="damage")
    _check(reader, damage, damage.path, damage.data)


@st.composite
def _damaged_zips(draw: st.DrawFn) -> tuple[Damage, bytes]:
    members = _seed("graph")
    if draw(st.booleans()):
        damage = draw(_damages("zip"))
        return damage, damage.data
    damage = draw(_damages("graph"))
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
    loaded, found = _scan(files)
    for name in files:
        entry = next(item for item in loaded.inputs if item.path == name)
        if not entry.diagnostics:
            continue
        without = _scan({other: data for other, data in files.items() if other != name})[1]
        moved = [rule for rule, verdict in found.items()
                 if verdict is Verdict.PASS and without[rule] is not Verdict.PASS]
        assert not moved, (name, [d.message for d in entry.diagnostics], moved)


# The verdicts of a tenant already seen are reused (tests/fuzzing/verdicts.py): the two tests below
# keep that exact.

def _full_repr(value: Any) -> str:
    """``repr(value)`` as it must be for the tenant's key: every field of every object, each with its type."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        shown = ", ".join(f"{item.name}={_full_repr(getattr(value, item.name))}" for item in dataclasses.fields(value))
        return f"{type(value).__qualname__}({shown})"
    if isinstance(value, Origin):
        return f"Origin(file={value.file!r}, pointer={value.pointer!r})"
    if isinstance(value, tuple):
        return repr(value) if not value else "(" + ", ".join(map(_full_repr, value)) + ("," if len(value) == 1 else "") + ")"
    if isinstance(value, frozenset):
        return repr(value) if not value else "frozenset({" + ", ".join(map(_full_repr, value)) + "})"
    assert type(value) in (str, int, bool, float, type(None)) or isinstance(value, enum.Enum), type(value)
    return repr(value)


@pytest.mark.parametrize("reader", sorted(SEEDS))
def test_a_tenants_repr_shows_all_of_it(reader: str) -> None:
    tenant = load([str(_written(reader))]).tenant
    assert repr(tenant) == _full_repr(tenant)
    # not exported and none exported are two tenants
    assert tenant_key(dataclasses.replace(tenant, users=None)) != tenant_key(dataclasses.replace(tenant, users=()))


@pytest.mark.parametrize("reader", sorted(SEEDS))
def test_reused_verdicts_are_those_of_a_full_run(reader: str) -> None:
    files = _seed(reader)
    for left_out in (None, *sorted(files)[:3]):
        with tempfile.TemporaryDirectory(dir=SCRATCH) as folder:
            write_export({name: data for name, data in files.items() if name != left_out}, Path(folder))
            loaded = load([folder])
        context = CheckContext(loaded.tenant, inputs=loaded.inputs)
        full = {rule.id: run_rule(rule, context).verdict for rule in load_catalogue()}
        assert verdicts(loaded) == full
        assert verdicts(loaded) == full  # the second time from what the first one kept


# The long run (fuzz/long_run.py) runs each property of this module on its own.

@cache
def _long_run() -> ModuleType:
    """fuzz/long_run.py, a script rather than a module of a package."""
    spec = importlib.util.spec_from_file_location("fuzz_long_run", ROOT / "fuzz" / "long_run.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclass looks its module up there
    spec.loader.exec_module(module)
    return module


def test_the_long_run_runs_every_property() -> None:
    here = "tests/test_fuzz_readers.py::"
    properties = [name for name, value in globals().items()
                  if name.startswith("test_") and getattr(value, "is_hypothesis_test", False)]
    per_reader = test_a_damaged_file_is_reported_and_never_passes_a_rule.__name__
    expected = {here + name for name in properties if name != per_reader}
    expected |= {f"{here}{per_reader}[{reader}]" for reader in SEEDS}
    assert set(_long_run().PROPERTIES.values()) == expected


def test_the_long_run_counts_each_propertys_examples(capsys: pytest.CaptureFixture[str]) -> None:
    assert _long_run().main(["--examples", "7", "--only", "random-bytes"]) == 0
    lines = [line for line in capsys.readouterr().out.splitlines() if line.startswith("long_run: random-bytes: 7 ")]
    assert len(lines) == 2 and lines[0] == lines[1]  # after the property, then in the summary
    assert lines[0].startswith("long_run: random-bytes: 7 examples, 0 failing, 0 invalid, ") and lines[0].endswith("held")


@pytest.mark.parametrize("generate", [
    "  - 150 passing, 2 failing, and 3 invalid test cases",  # Hypothesis from 6.16x
    "  - 150 passing examples, 2 failing examples, 3 invalid examples",  # earlier releases
])
def test_the_long_run_reads_the_statistics_of_every_hypothesis_release(generate: str) -> None:
    output = "\n".join(["  - during reuse phase (0.1 seconds):", "  - 1 passing, 0 failing, and 0 invalid test cases",
                        "  - during generate phase (9 seconds):", generate,
                        "  - during shrink phase (2 seconds):", "  - 40 passing, 9 failing, and 0 invalid test cases"])
    assert _long_run().counted_cases(output) == (151, 2, 3)

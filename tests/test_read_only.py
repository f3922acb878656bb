"""A scan never changes what it reads, writes nothing beside it, and refuses outputs that are inputs.

Every input kind a scan opens (a folder of JSON files with its configuration, a zip archive,
Export-Clixml files) is hashed, and its folder listed, before and after a scan in every
output format. An output path that names an input in any way (the path itself, a path
through `..`, a symbolic link, a hard link) is refused before the scan reads anything.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import threading
import zipfile
from pathlib import Path

import pytest

from checker import output_files
from checker.cli import main
from checker.formatters import FORMATTERS
from checker.inputs import load as load_module

ROOT = Path(__file__).resolve().parents[1]


def _tree(folder: Path) -> dict[str, str]:
    """Every file and folder under ``folder``: relative path -> sha256 of its bytes (or "folder")."""
    listing: dict[str, str] = {}
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder).as_posix()
        listing[relative] = "folder" if path.is_dir() else hashlib.sha256(path.read_bytes()).hexdigest()
    return listing


def _inputs(tmp_path: Path) -> dict[str, Path]:
    """One input of each kind a scan opens, under ``tmp_path / "inputs"``."""
    inputs = tmp_path / "inputs"
    folder = inputs / "folder"
    shutil.copytree(ROOT / "samples" / "e3-gaps", folder)
    archive = inputs / "export.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as writer:
        for path in sorted((ROOT / "samples" / "e5-complete").iterdir()):
            writer.write(path, path.name)
    clixml = inputs / "clixml"
    shutil.copytree(ROOT / "tests" / "formats" / "clixml", clixml)
    return {"folder": folder, "zip": archive, "clixml": clixml}


@pytest.mark.parametrize("kind", ["folder", "zip", "clixml"])
def test_no_scan_in_any_format_changes_or_adds_a_byte_beside_the_inputs(kind: str, tmp_path: Path) -> None:
    target = _inputs(tmp_path)[kind]
    before = _tree(tmp_path / "inputs")
    assert any(name.endswith((".json", ".zip", ".xml", ".yaml")) for name in before)
    reports = tmp_path / "reports"
    reports.mkdir()
    for name in FORMATTERS:
        code = main(["scan", str(target), "--quiet", "--format", f"{name}:{reports / name}"])
        assert code in (0, 1), name
        assert (reports / name).stat().st_size > 0
    assert _tree(tmp_path / "inputs") == before
    assert sorted(p.name for p in reports.iterdir()) == sorted(FORMATTERS)


@pytest.mark.parametrize("how", ["the path", "a path through ..", "a symbolic link", "a hard link",
                                 "a symbolic link to the zip", "the configuration"])
def test_an_output_that_is_an_input_is_refused(how: str, tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    inputs = _inputs(tmp_path)
    folder = inputs["folder"]
    victim = folder / "users.json"
    scanned = str(folder)
    elsewhere = tmp_path / "reports"
    elsewhere.mkdir()
    if how == "the path":
        output = str(victim)
    elif how == "a path through ..":
        output = str(folder / ".." / "folder" / "users.json")
    elif how == "a symbolic link":
        output = str(elsewhere / "report.json")
        os.symlink(victim, output)
    elif how == "a hard link":
        output = str(elsewhere / "report.json")
        os.link(victim, output)
    elif how == "a symbolic link to the zip":
        scanned = str(inputs["zip"])
        output = str(elsewhere / "report.json")
        os.symlink(inputs["zip"], output)
    else:
        output = str(folder / ".tenant-checker.yaml")
    before = _tree(tmp_path / "inputs")
    assert main(["scan", scanned, "--quiet", "--format", f"json:{output}"]) == 2
    assert "refusing to write a report over an input file" in capsys.readouterr().err
    assert _tree(tmp_path / "inputs") == before


def _no_scan(*_: object, **__: object) -> None:
    raise AssertionError("the scan started although an output path was unusable")


@pytest.mark.parametrize("how, message", [
    ("a folder", "is a folder"),
    ("a missing folder", "no such folder"),
    ("an input", "refusing to write a report over an input file"),
    ("two to standard output", "cannot both go to standard output"),
    ("one file twice", "two reports would be written to the same file"),
])
def test_every_output_path_is_checked_before_the_scan_starts(
        how: str, message: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    folder = _inputs(tmp_path)["folder"]
    monkeypatch.setattr(load_module, "load", _no_scan)
    fine = f"json:{tmp_path / 'fine.json'}"
    bad = {
        "a folder": [f"sarif:{tmp_path}"],
        "a missing folder": [f"sarif:{tmp_path / 'missing' / 'out.sarif'}"],
        "an input": [f"sarif:{folder / 'groups.json'}"],
        "two to standard output": ["table", "markdown"],
        "one file twice": [f"sarif:{tmp_path / 'fine.json'}"],
    }[how]
    argv = ["scan", str(folder), "--quiet", "--format", fine]
    for request in bad:
        argv += ["--format", request]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err
    assert not (tmp_path / "fine.json").exists()


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write anywhere")
def test_an_output_folder_that_cannot_be_written_is_refused_before_the_scan(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    folder = _inputs(tmp_path)["folder"]
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    monkeypatch.setattr(load_module, "load", _no_scan)
    try:
        assert main(["scan", str(folder), "--format", f"json:{locked / 'out.json'}"]) == 2
    finally:
        locked.chmod(0o755)
    assert "cannot write in the folder" in capsys.readouterr().err


def test_a_report_written_over_an_old_one_replaces_it_whole_with_the_usual_permissions(tmp_path: Path) -> None:
    target = tmp_path / "report.md"
    target.write_text("old report\n", encoding="utf-8")
    output_files.write_reports([("new report\n", str(target))])
    assert target.read_text(encoding="utf-8") == "new report\n"
    mask = os.umask(0o022)
    os.umask(mask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~mask
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.md"]


def test_a_named_pipe_is_written_in_place_not_replaced(tmp_path: Path) -> None:
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    received: list[bytes] = []

    def drain() -> None:
        with open(pipe, "rb") as reader:
            received.append(reader.read())

    reader = threading.Thread(target=drain)
    reader.start()
    output_files.check_output_paths([("json", str(pipe))], [])
    output_files.write_reports([(iter(["{", "}\n"]), str(pipe))])
    reader.join(timeout=30)
    assert received == [b"{}\n"]
    assert pipe.is_fifo() and sorted(p.name for p in tmp_path.iterdir()) == ["pipe"]


@pytest.mark.skipif(not os.path.exists(os.devnull), reason="needs a null device")
def test_the_null_device_is_written_to_not_renamed_over(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    renamed: list[str] = []
    monkeypatch.setattr(os, "replace", lambda source, target: renamed.append(target))
    output_files.check_output_paths([("json", os.devnull)], [])
    output_files.write_reports([("{}\n", os.devnull)])
    assert renamed == []
    assert not [name for name in os.listdir(os.path.dirname(os.devnull)) if name.startswith(".null.")]
    assert not os.path.isfile(os.devnull)  # a test once replaced it with a report, running as root


def test_a_report_through_a_symbolic_link_replaces_the_file_it_names(tmp_path: Path) -> None:
    (tmp_path / "reports").mkdir()
    target = tmp_path / "reports" / "report.json"
    target.write_text("old\n", encoding="utf-8")
    link = tmp_path / "latest.json"
    link.symlink_to(target)
    output_files.write_reports([("new\n", str(link))])
    assert link.is_symlink() and target.read_text(encoding="utf-8") == "new\n"

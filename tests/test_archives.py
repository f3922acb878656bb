from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest

from checker.cli import main
from checker.inputs.archives import Limits
from checker.inputs.load import load

ROOT = Path(__file__).resolve().parents[1]
E3_GAPS = ROOT / "samples" / "e3-gaps"


def zip_bytes(files: dict[str, bytes], level: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=level) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def sample_files() -> dict[str, bytes]:
    return {f"export/{p.name}": p.read_bytes() for p in sorted(E3_GAPS.iterdir()) if p.is_file()}


def verdicts(path: Path, tmp_path: Path, name: str) -> dict[str, list[tuple[str, str]]]:
    out = tmp_path / f"{name}.json"
    main(["scan", str(path), "--format", f"json:{out}"])
    rules = json.loads(out.read_text(encoding="utf-8"))["rules"]
    return {r["id"]: sorted((x["verdict"], x["subject"]["id"]) for x in r["results"]) for r in rules}


def test_a_zipped_export_gives_the_same_verdicts_as_the_folder(tmp_path: Path) -> None:
    archive = tmp_path / "tenant.zip"
    archive.write_bytes(zip_bytes(sample_files()))
    (tmp_path / ".tenant-checker.yaml").write_bytes((E3_GAPS / ".tenant-checker.yaml").read_bytes())
    assert verdicts(archive, tmp_path, "zip") == verdicts(E3_GAPS, tmp_path, "folder")


def test_evidence_inside_a_member_has_its_line(tmp_path: Path) -> None:
    archive = tmp_path / "tenant.zip"
    archive.write_bytes(zip_bytes(sample_files()))
    out = tmp_path / "out.json"
    main(["scan", str(archive), "--select", "MFA060", "--format", f"json:{out}"])
    (result,) = json.loads(out.read_text(encoding="utf-8"))["rules"][0]["results"]
    evidence = result["evidence"][0]
    assert evidence["file"] == "tenant.zip/export/conditional-access-policies.json"
    lines = (E3_GAPS / "conditional-access-policies.json").read_text(encoding="utf-8").splitlines()
    assert lines[evidence["line"] - 1][evidence["column"] - 1:].startswith('"excludeApplications"')


def test_member_names_are_only_names(tmp_path: Path) -> None:
    policy = (E3_GAPS / "conditional-access-policies.json").read_bytes()
    archive = tmp_path / "sneaky.zip"
    archive.write_bytes(zip_bytes({"../../outside.json": policy, "/absolute.json": b"{}"}))
    before = sorted(p.name for p in tmp_path.parent.iterdir())
    result = load([str(archive)])
    assert sorted(p.name for p in tmp_path.parent.iterdir()) == before
    paths = {item.path: item.status for item in result.inputs}
    assert paths["sneaky.zip/../../outside.json"] == "used"
    assert result.tenant.conditional_access_policies is not None


def test_a_zip_bomb_is_refused_and_the_rest_is_read(tmp_path: Path) -> None:
    archive = tmp_path / "bomb.zip"
    archive.write_bytes(zip_bytes({"zeros.json": b"0" * (20 << 20), **sample_files()}))
    result = load([str(archive)])
    bomb = {item.path: item for item in result.inputs}["bomb.zip/zeros.json"]
    assert bomb.status == "unreadable"
    assert "times its packed size" in bomb.reason
    assert result.tenant.conditional_access_policies is not None


def test_limits_apply_to_files_and_members(tmp_path: Path) -> None:
    (tmp_path / "big.json").write_bytes(b'{"value": []}' + b" " * 3000)
    small = Limits(max_file_bytes=1000)
    result = load([str(tmp_path)], small)
    (big,) = result.inputs
    assert (big.status, big.diagnostics[0].code) == ("unreadable", "INPUT001")
    assert "over the limit" in big.reason


def test_one_level_of_nesting_is_read_and_deeper_is_refused(tmp_path: Path) -> None:
    policy = (E3_GAPS / "conditional-access-policies.json").read_bytes()
    inner = zip_bytes({"ca.json": policy})
    innermost = zip_bytes({"deep.zip": zip_bytes({"ca.json": policy})})
    archive = tmp_path / "outer.zip"
    archive.write_bytes(zip_bytes({"inner.zip": inner, "nest.zip": innermost}))
    result = load([str(archive)])
    statuses = {item.path: (item.status, item.reason) for item in result.inputs}
    assert statuses["outer.zip/inner.zip/ca.json"][0] == "used"
    assert statuses["outer.zip/nest.zip/deep.zip"][0] == "unreadable"
    assert "one level of nesting" in statuses["outer.zip/nest.zip/deep.zip"][1]


def test_a_broken_archive_is_unreadable_not_fatal(tmp_path: Path) -> None:
    (tmp_path / "broken.zip").write_bytes(b"PK\x03\x04 this is not really a zip")
    (tmp_path / "ca.json").write_bytes((E3_GAPS / "conditional-access-policies.json").read_bytes())
    result = load([str(tmp_path)])
    statuses = {item.path: item.status for item in result.inputs}
    assert statuses == {"broken.zip": "unreadable", "ca.json": "used"}


@pytest.mark.parametrize(
    ("limits", "message"),
    [
        pytest.param("limits: {max_file_mb: 0}\n", "must be a positive whole number", id="zero"),
        pytest.param("limits: {max_files: 3}\n", "unknown limit 'max_files'", id="unknown"),
        pytest.param("limits: 12\n", "expected a mapping", id="not-a-mapping"),
    ],
)
def test_bad_limits_are_a_configuration_error(tmp_path: Path, limits: str, message: str,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "c.yaml"
    config.write_text(limits, encoding="utf-8")
    assert main(["scan", str(E3_GAPS), "--config", str(config)]) == 2
    assert message in capsys.readouterr().err


def test_a_link_pointing_outside_the_scanned_folder_is_not_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.json").write_bytes((E3_GAPS / "conditional-access-policies.json").read_bytes())
    scanned = tmp_path / "scanned"
    scanned.mkdir()
    (scanned / "ca.json").write_bytes((E3_GAPS / "conditional-access-policies.json").read_bytes())
    (scanned / "link.json").symlink_to(outside / "secret.json")
    (scanned / "inside.json").symlink_to(scanned / "ca.json")
    result = load([str(scanned)])
    statuses = {item.path: (item.status, item.reason) for item in result.inputs}
    assert statuses["link.json"] == ("ignored", "a link pointing outside the scanned folder")
    assert statuses["inside.json"][0] == "used"


def test_an_office_document_is_not_an_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "notes.docx").write_bytes(zip_bytes({
        "[Content_Types].xml": b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/x"/>',
        "word/document.xml": b'<?xml version="1.0"?><w:document xmlns:w="urn:w"/>',
        "docProps/app.json": b'{"pages": 1}',
    }))
    result = load([str(tmp_path)])
    (document,) = [item for item in result.inputs if item.path == "notes.docx"]
    assert document.status == "ignored" and "none of them recognised" in document.reason
    assert not result.recognised_any
    assert main(["scan", str(tmp_path)]) == 2
    assert "no input was recognised" in capsys.readouterr().err


def test_an_archive_with_an_export_inside_is_used(tmp_path: Path) -> None:
    (tmp_path / "export.zip").write_bytes(zip_bytes({"readme.txt": b"hello", **sample_files()}))
    (archive,) = [item for item in load([str(tmp_path)]).inputs if item.path == "export.zip"]
    assert archive.status == "used"

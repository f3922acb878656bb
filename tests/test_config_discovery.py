"""Which configuration a scan uses (DESIGN section 7), and how the command line combines with it."""
from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from checker.cli import main
from checker.config import CONFIG_FILE_NAME, find_config
from tests.test_cli import write_tenant


def _rules_run(tmp_path: Path, *argv: str) -> list[str]:
    out = tmp_path / "out.json"
    main(["scan", *argv, "--format", f"json:{out}"])
    return [rule["id"] for rule in json.loads(out.read_text(encoding="utf-8"))["rules"]]


def test_the_nearest_config_above_the_scanned_folder_is_used(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    tenant = write_tenant(repo / "exports" / "2024", defaults_on=True)
    (repo / ".git").mkdir()
    (repo / CONFIG_FILE_NAME).write_text("select: [MFA002]\n", encoding="utf-8")
    assert find_config([str(tenant)]) == str(repo / CONFIG_FILE_NAME)
    assert _rules_run(tmp_path, str(tenant)) == ["MFA002"]


def test_the_search_stops_at_the_repository_root(tmp_path: Path) -> None:
    (tmp_path / CONFIG_FILE_NAME).write_text("select: [MFA002]\n", encoding="utf-8")
    (tmp_path / "repo" / ".git").mkdir(parents=True)
    tenant = write_tenant(tmp_path / "repo" / "export", defaults_on=True)
    assert find_config([str(tenant)]) is None


def test_a_config_at_a_scanned_zip_root_is_used(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    tenant = write_tenant(tmp_path / "tenant", defaults_on=True)
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as handle:
        for path in tenant.iterdir():
            handle.write(path, path.name)
        handle.writestr(CONFIG_FILE_NAME, "select: [MFA001, MFA002]\n")
    assert _rules_run(tmp_path, str(archive)) == ["MFA001", "MFA002"]


def test_a_command_line_selection_replaces_the_files(tmp_path: Path) -> None:
    tenant = write_tenant(tmp_path / "tenant", defaults_on=True)
    (tenant / CONFIG_FILE_NAME).write_text("select: [MFA001]\nignore: [MFA00]\n", encoding="utf-8")
    # the file's ignore still applies and leaves nothing: a usage error, never an empty report
    assert main(["scan", str(tenant), "--select", "MFA002,MFA003", "--format", f"json:{tmp_path / 'o.json'}"]) == 2
    assert _rules_run(tmp_path, str(tenant), "--select", "MFA002,MFA003", "--ignore", "MFA003") == ["MFA002"]


def test_inputs_lists_the_config_as_the_configuration(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tenant = write_tenant(tmp_path / "tenant", defaults_on=True)
    (tenant / CONFIG_FILE_NAME).write_text("select: [MFA001]\n", encoding="utf-8")
    assert main(["inputs", str(tenant)]) == 0
    out = capsys.readouterr().out
    assert "Configuration: .tenant-checker.yaml" in out
    (line,) = [line for line in out.splitlines() if line.startswith(CONFIG_FILE_NAME)]
    assert "configuration" in line and "ignored" not in line


def test_inputs_names_a_config_found_above_the_scanned_folder(tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / CONFIG_FILE_NAME).write_text("select: [MFA001]\n", encoding="utf-8")
    tenant = write_tenant(tmp_path / "exports" / "tenant", defaults_on=True)
    assert main(["inputs", str(tenant)]) == 0
    assert f"Configuration: {tmp_path / CONFIG_FILE_NAME}" in capsys.readouterr().out


def _repository_with_export(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    write_tenant(repo / "tenant", defaults_on=True)
    return repo


def test_scanning_a_repository_finds_the_shallowest_config_inside_it(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    repo = _repository_with_export(tmp_path)
    (repo / "tenant" / CONFIG_FILE_NAME).write_text("select: [MFA002]\n", encoding="utf-8")
    (repo / "tenant" / "old").mkdir()
    (repo / "tenant" / "old" / CONFIG_FILE_NAME).write_text("select: [MFA001]\n", encoding="utf-8")
    # hidden folders (a virtualenv, git's own) are never searched, however shallow
    for hidden in (".venv", ".git"):
        (repo / hidden).mkdir(exist_ok=True)
        (repo / hidden / CONFIG_FILE_NAME).write_text("select: [MFA003]\n", encoding="utf-8")
    assert find_config([str(repo)]) == str(repo / "tenant" / CONFIG_FILE_NAME)
    monkeypatch.chdir(repo)
    assert find_config(["."]) == f"tenant/{CONFIG_FILE_NAME}"
    assert _rules_run(tmp_path, ".") == ["MFA002"]


def test_a_config_in_the_export_that_links_out_of_it_is_not_used(tmp_path: Path) -> None:
    # a file of the audited party's choosing elsewhere on the auditor's machine, reached through a link
    elsewhere = tmp_path / "elsewhere.yaml"
    elsewhere.write_text("select: [MFA002]\n", encoding="utf-8")
    repo = _repository_with_export(tmp_path)
    (repo / "tenant" / CONFIG_FILE_NAME).symlink_to(elsewhere)
    assert find_config([str(repo / "tenant")]) is None
    assert find_config([str(repo)]) is None
    # a link within the export is the export's own file
    (repo / "tenant" / "config.yaml").write_text("select: [MFA002]\n", encoding="utf-8")
    (repo / "tenant" / CONFIG_FILE_NAME).unlink()
    (repo / "tenant" / CONFIG_FILE_NAME).symlink_to(repo / "tenant" / "config.yaml")
    assert find_config([str(repo / "tenant")]) == str(repo / "tenant" / CONFIG_FILE_NAME)


def test_a_config_found_upwards_wins_over_one_inside(tmp_path: Path) -> None:
    repo = _repository_with_export(tmp_path)
    (repo / CONFIG_FILE_NAME).write_text("select: [MFA001]\n", encoding="utf-8")
    (repo / "tenant" / CONFIG_FILE_NAME).write_text("select: [MFA002]\n", encoding="utf-8")
    assert find_config([str(repo)]) == str(repo / CONFIG_FILE_NAME)


def test_two_configs_at_the_shallowest_depth_are_a_usage_error(tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    repo = _repository_with_export(tmp_path)
    write_tenant(repo / "second", defaults_on=True)
    for tenant in ("tenant", "second"):
        (repo / tenant / CONFIG_FILE_NAME).write_text("select: [MFA002]\n", encoding="utf-8")
    assert main(["scan", str(repo)]) == 2
    error = capsys.readouterr().err
    assert "2 configuration files at the same depth inside" in error
    assert str(repo / "second" / CONFIG_FILE_NAME) in error and str(repo / "tenant" / CONFIG_FILE_NAME) in error
    # in name order, whatever order the directory lists them in
    assert error.index(str(repo / "second")) < error.index(str(repo / "tenant"))


def test_no_config_anywhere_is_no_config(tmp_path: Path) -> None:
    repo = _repository_with_export(tmp_path)
    assert find_config([str(repo)]) is None

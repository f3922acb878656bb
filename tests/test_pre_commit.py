"""The shipped pre-commit hook, run the way a configuration repository runs it.

A repository holds an export under ``tenant/`` with its ``.tenant-checker.yaml`` (break-glass
accounts); the hook scans the repository and must find that file, pass a good export and fail a
bad one. ``pre-commit try-repo`` installs this checkout with pip, which needs the package index;
the same hook definition also runs as a ``language: system`` hook, which needs nothing installed.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

PROJECT = Path(__file__).resolve().parent.parent
SAMPLES = PROJECT / "samples"
MANIFEST = PROJECT / ".pre-commit-hooks.yaml"
HOOK_ID = "tenant-checker"


def _environment(cache: Path) -> dict[str, str]:
    environment = dict(os.environ)
    environment["PRE_COMMIT_HOME"] = str(cache)
    # the checker this suite tests, for the system hook
    environment["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), environment.get("PATH", "")])
    for name in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"):
        environment.pop(name, None)
    return environment


def _configuration_repository(folder: Path, sample: str) -> Path:
    """A git repository with the sample export under tenant/, every file staged."""
    folder.mkdir()
    shutil.copytree(SAMPLES / sample, folder / "tenant")
    subprocess.run(["git", "init", "-q"], cwd=folder, check=True)
    return folder


def _stage_all(repository: Path) -> None:
    subprocess.run(["git", "add", "-A"], cwd=repository, check=True)


def _run_pre_commit(repository: Path, cache: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pre_commit", *argv], cwd=repository, env=_environment(cache),
                          capture_output=True, text=True, timeout=600)


def _shipped_hook() -> dict[str, object]:
    (hook,) = [hook for hook in yaml.safe_load(MANIFEST.read_text(encoding="utf-8")) if hook["id"] == HOOK_ID]
    return dict(hook)


def test_the_manifest_is_valid_for_pre_commit(tmp_path: Path) -> None:
    completed = _run_pre_commit(PROJECT, tmp_path / "cache", "validate-manifest", str(MANIFEST))
    assert completed.returncode == 0, completed.stdout + completed.stderr
    hook = _shipped_hook()
    assert hook["pass_filenames"] is False
    # files: in the user's configuration must be able to narrow when it runs
    assert "always_run" not in hook


@pytest.mark.parametrize(("sample", "passes"), [("e3-done-right", True), ("e3-gaps", False)])
def test_the_shipped_hook_as_a_system_hook(tmp_path: Path, sample: str, passes: bool) -> None:
    repository = _configuration_repository(tmp_path / "repo", sample)
    hook = {**_shipped_hook(), "language": "system"}
    (repository / ".pre-commit-config.yaml").write_text(
        yaml.safe_dump({"repos": [{"repo": "local", "hooks": [hook]}]}), encoding="utf-8")
    _stage_all(repository)
    completed = _run_pre_commit(repository, tmp_path / "cache", "run", "--all-files")
    output = completed.stdout + completed.stderr
    assert completed.returncode == (0 if passes else 1), output
    # failed on findings (the scan's exit code 1), not on a broken hook or configuration
    assert "Passed" in output if passes else "Failed" in output and "exit code: 1" in output


def _index_reachable() -> bool:
    """Can pip reach the package index that try-repo's install of this checkout needs?"""
    try:
        completed = subprocess.run([sys.executable, "-m", "pip", "index", "versions", "setuptools", "--retries", "0",
                                    "--timeout", "10"], capture_output=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return completed.returncode == 0


@pytest.fixture(scope="module")
def hook_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not _index_reachable():
        pytest.skip("pre-commit try-repo installs this checkout with pip, and the package index cannot be reached")
    return tmp_path_factory.mktemp("pre-commit-cache")


@pytest.mark.parametrize(("sample", "passes"), [("e3-done-right", True), ("e3-gaps", False)])
def test_try_repo_runs_the_shipped_hook(tmp_path: Path, hook_cache: Path, sample: str, passes: bool) -> None:
    repository = _configuration_repository(tmp_path / "repo", sample)
    _stage_all(repository)
    completed = _run_pre_commit(repository, hook_cache, "try-repo", str(PROJECT), HOOK_ID, "--all-files")
    output = completed.stdout + completed.stderr
    assert completed.returncode == (0 if passes else 1), output
    # failed on findings (the scan's exit code 1), not on a broken hook or configuration
    assert "Passed" in output if passes else "Failed" in output and "exit code: 1" in output

"""The example rule pack of ``examples/rule-pack``, installed and used end to end.

The package is installed as pip leaves an editable install: a ``*.dist-info`` folder whose
``entry_points.txt`` carries what ``pyproject.toml`` declares, beside the package source on
``PYTHONPATH``. A fresh interpreter (``python -m checker``) then finds it through
importlib.metadata, exactly as it would after ``pip install``; nothing touches the test's
own environment, and nothing needs the network or a build backend.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "examples" / "rule-pack"
DISABLED_POLICY = "37498b36-3598-4172-9178-fc86398fa62e"


@pytest.fixture
def environment(tmp_path: Path) -> dict[str, str]:
    tomllib = pytest.importorskip("tomllib")
    project = tomllib.loads((PACKAGE / "pyproject.toml").read_text("utf-8"))["project"]
    site = tmp_path / "site"
    info = site / f"{project['name'].replace('-', '_')}-{project['version']}.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {project['name']}\nVersion: {project['version']}\n",
                                   "utf-8")
    entries = project["entry-points"]["tenant_checker.rules"]
    (info / "entry_points.txt").write_text(
        "[tenant_checker.rules]\n" + "".join(f"{name} = {target}\n" for name, target in entries.items()), "utf-8")
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(site), str(PACKAGE)]), "NO_COLOR": "1"}


def tenant_checker(environment: dict[str, str], *argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "checker", *argv], cwd=ROOT, env=environment,
                          capture_output=True, text=True, timeout=120)


def test_the_example_pack_is_listed_with_its_name(environment: dict[str, str]) -> None:
    listed = tenant_checker(environment, "rules", "--format", "json")
    assert listed.returncode == 0, listed.stderr
    rules = {rule["id"]: rule for rule in json.loads(listed.stdout)["rules"]}
    assert rules["EXA001"]["pack"] == "example"
    assert rules["EXA001"]["name"] == "no-disabled-policies"
    assert rules["MFA001"]["pack"] == "builtin"
    table = tenant_checker(environment, "rules").stdout
    (line,) = [line for line in table.splitlines() if line.startswith("EXA001")]
    assert line.split()[:4] == ["EXA001", "no-disabled-policies", "low", "example"]
    explained = tenant_checker(environment, "explain", "EXA001").stdout
    assert explained.startswith("EXA001 no-disabled-policies (low, rule pack example)\n")


def test_the_example_pack_runs_in_a_scan_in_every_format(environment: dict[str, str], tmp_path: Path) -> None:
    outputs = {name: tmp_path / f"out.{name}" for name in ("json", "sarif", "markdown", "table")}
    argv = ["scan", "samples/e3-gaps", "--select", "EXA,MFA002"]
    for name, path in outputs.items():
        argv += ["--format", f"{name}:{path}"]
    scanned = tenant_checker(environment, *argv)
    assert scanned.returncode == 1, scanned.stderr  # EXA001 (low) fails at the default --fail-on low
    report = json.loads(outputs["json"].read_text("utf-8"))
    (rule,) = [rule for rule in report["rules"] if rule["id"] == "EXA001"]
    assert (rule["pack"], rule["verdict"]) == ("example", "fail")
    (failure,) = [result for result in rule["results"] if result["verdict"] == "fail"]
    assert failure["subject"]["id"] == DISABLED_POLICY
    (evidence,) = failure["evidence"]
    assert (evidence["file"], evidence["actual"], evidence["line"]) == (
        "conditional-access-policies.json", "disabled", 309)
    assert (ROOT / "samples/e3-gaps/conditional-access-policies.json").read_text("utf-8").splitlines()[308].strip() \
        == '"state": "disabled",'

    sarif = json.loads(outputs["sarif"].read_text("utf-8"))
    run = sarif["runs"][0]
    (sarif_rule,) = [entry for entry in run["tool"]["driver"]["rules"] if entry["id"] == "EXA001"]
    assert sarif_rule["properties"]["pack"] == "example"
    (result,) = [entry for entry in run["results"] if entry["ruleId"] == "EXA001"]
    location = result["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "samples/e3-gaps/conditional-access-policies.json"
    assert location["region"]["startLine"] == 309

    markdown = outputs["markdown"].read_text("utf-8")
    assert "### EXA001 no-disabled-policies: Disabled Conditional Access policies are deleted" in markdown
    assert "rule pack example" in markdown
    table = outputs["table"].read_text("utf-8")
    assert "EXA001" in table and "example" in table

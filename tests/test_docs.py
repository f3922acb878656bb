"""The CI recipes under docs/: their YAML parses, their scan commands are valid, the README links them."""
from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
import yaml

from checker.cli import build_parser
from checker.formatters import get_formatter

PROJECT = Path(__file__).resolve().parent.parent
RECIPES = ("pre-commit.md", "github-actions.md", "gitlab.md", "azure-devops.md")


def _yaml_blocks(name: str) -> list[str]:
    return re.findall(r"```yaml\n(.*?)```", (PROJECT / "docs" / name).read_text(encoding="utf-8"), re.S)


@pytest.mark.parametrize("name", RECIPES)
def test_every_yaml_block_parses(name: str) -> None:
    blocks = _yaml_blocks(name)
    assert blocks
    for block in blocks:
        # a fragment of a job's steps is indented as in the whole file
        yaml.safe_load(block if not block.startswith(" ") else "\n".join(line[4:] for line in block.splitlines()))


@pytest.mark.parametrize("name", RECIPES)
def test_every_scan_command_is_valid(name: str) -> None:
    text = (PROJECT / "docs" / name).read_text(encoding="utf-8")
    commands = re.findall(r"tenant-checker (scan [^\n`]*)", text)
    for command in commands:
        # a CI variable (${{ matrix.tenant }}, $(Common.TestResultsDirectory)) stands for one word
        words = re.sub(r"\$\{\{[^}]*\}\}|\$\([^)]*\)", "x", command)
        args = build_parser().parse_args(shlex.split(words))
        for request in args.formats or []:
            get_formatter(request.format)


def test_the_recipes_ask_what_each_service_needs() -> None:
    (workflow, matrix) = [yaml.safe_load(block if not block.startswith(" ") else
                                         "\n".join(line[4:] for line in block.splitlines()))
                          for block in _yaml_blocks("github-actions.md")]
    assert workflow["permissions"]["security-events"] == "write"
    upload = workflow["jobs"]["scan"]["steps"][-1]
    assert upload["uses"].startswith("github/codeql-action/upload-sarif@") and upload["if"] == "always()"
    # each tenant's folder is its own category (automationDetails.id), which the action keeps
    scans = [step["run"] for step in matrix["steps"] if "run" in step]
    assert scans and all("tenants/${{ matrix.tenant }}/" in scan for scan in scans)
    (gitlab,) = [yaml.safe_load(block) for block in _yaml_blocks("gitlab.md")]
    assert gitlab["tenant-checker"]["artifacts"]["reports"]["junit"] == "tenant-checker.xml"
    assert gitlab["tenant-checker"]["artifacts"]["when"] == "always"
    (azure,) = [yaml.safe_load(block) for block in _yaml_blocks("azure-devops.md")]
    (publish,) = [step for step in azure["steps"] if step.get("task") == "PublishTestResults@2"]
    assert publish["inputs"]["testResultsFormat"] == "JUnit" and publish["condition"] == "succeededOrFailed()"


def test_the_readme_links_every_recipe_and_the_rule_reference() -> None:
    readme = (PROJECT / "README.md").read_text(encoding="utf-8")
    for name in (*RECIPES, "rules.md"):
        assert f"(docs/{name})" in readme

"""The exit code comes from one function, which also says in words why it is what it is."""
from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from report_fixture import build_report

from checker.cli import main
from checker.exit_status import ExitPolicy, ExitStatus, exit_status, parse_fail_on
from checker.report import BaselineComparison
from checker.verdicts import Severity

SAMPLES = Path(__file__).resolve().parents[1] / "samples"


def test_the_reason_names_what_set_the_code(tmp_path: Path) -> None:
    report = build_report(tmp_path)  # three failures: MFA001 critical, MFA030 high, INPUT001 high
    assert exit_status(report, ExitPolicy()) == ExitStatus(1, "exit 1: 3 results failing at or above low")
    assert exit_status(report, ExitPolicy(fail_on=Severity.CRITICAL)).reason == \
        "exit 1: 1 result failing at or above critical"
    assert exit_status(report, ExitPolicy(strict=True)).reason == \
        "exit 1: 4 results failing or not assessed at or above low"
    assert exit_status(report, ExitPolicy(exit_zero=True)) == ExitStatus(0, "exit 0: --exit-zero (3 results failing at or "
                                                                  "above low)")
    assert exit_status(report, ExitPolicy(fail_on=None)) == ExitStatus(0, "exit 0: --fail-on none, report only (3 failures)")


def test_unchanged_failures_do_not_set_the_code(tmp_path: Path) -> None:
    report = build_report(tmp_path)
    marked = replace(report, baseline=BaselineComparison("base.json", 3, 0), outcomes=tuple(
        replace(outcome, results=tuple(replace(r, baseline_state="unchanged") for r in outcome.results))
        for outcome in report.outcomes))
    assert exit_status(marked, ExitPolicy()) == ExitStatus(0, "exit 0: 3 unchanged since the baseline")


def test_parse_fail_on() -> None:
    assert parse_fail_on("NONE") is None
    assert parse_fail_on(" High ") is Severity.HIGH
    with pytest.raises(ValueError, match="expected one of: critical, high, medium, low, info, none"):
        parse_fail_on("severe")


@pytest.mark.parametrize("how", [["--fail-on", "none"], ["--exit-zero"]])
def test_report_only_options_exit_0_and_say_why(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                               how: list[str]) -> None:
    tenant = tmp_path / "tenant"
    shutil.copytree(SAMPLES / "e3-gaps", tenant)
    assert main(["scan", str(tenant), "-q"]) == 1
    capsys.readouterr()
    assert main(["scan", str(tenant), "-q", *how]) == 0
    (reason,) = [line for line in capsys.readouterr().out.splitlines() if line.startswith("exit ")]
    assert reason.startswith(f"exit 0: {' '.join(how)}")


def test_fail_on_none_in_the_configuration(tmp_path: Path) -> None:
    tenant = tmp_path / "tenant"
    shutil.copytree(SAMPLES / "e3-gaps", tenant)
    config = tmp_path / "config.yaml"
    config.write_text("fail_on: none\n", encoding="utf-8")
    assert main(["scan", str(tenant), "-q", "--config", str(config), "--format", f"json:{tmp_path / 'o.json'}"]) == 0
    assert main(["scan", str(tenant), "-q", "--config", str(config), "--fail-on", "high",
                 "--format", f"json:{tmp_path / 'o.json'}"]) == 1


def test_sarif_under_fail_on_none_still_holds_the_failures(tmp_path: Path) -> None:
    """Report only means the upload still shows what fails; it just does not fail the build."""
    import json

    tenant = tmp_path / "tenant"
    shutil.copytree(SAMPLES / "e3-gaps", tenant)
    low, none = tmp_path / "low.sarif", tmp_path / "none.sarif"
    main(["scan", str(tenant), "-q", "--format", f"sarif:{low}"])
    assert main(["scan", str(tenant), "-q", "--fail-on", "none", "--format", f"sarif:{none}"]) == 0
    failing = {(r["ruleId"], r["properties"]["subject"]["id"])
               for r in json.loads(low.read_text(encoding="utf-8"))["runs"][0]["results"]}
    reported = {(r["ruleId"], r["properties"]["subject"]["id"])
                for r in json.loads(none.read_text(encoding="utf-8"))["runs"][0]["results"]}
    assert failing and failing <= reported

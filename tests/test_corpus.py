"""Real exports written by other people, when the shared corpus sits beside the project."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from checker.cli import main

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
SOURCES = sorted(p for p in CORPUS.iterdir() if p.is_dir()) if CORPUS.is_dir() else []
needs_corpus = pytest.mark.skipif(not SOURCES, reason="the shared corpus is not beside this checkout")

# Files that are damaged in the source itself, and the words their one finding must carry.
CUT_SHORT = "cut short by ConvertTo-Json's depth limit"
DAMAGED: dict[str, dict[str, str]] = {
    "FranticSalamander-BASE": {
        "6dfa1cef17989c10899041c340abfbb73732ed81/configs-json/entratest/conditional_access_policy.json": CUT_SHORT,
        "9ec79c6c716126f798d1cb7fbafe5e99df0625e8/configs-json/entratest/"
        "conditional_access_policy_countries_not_allowed.json": CUT_SHORT,
        "d8e3dc4cac41f73279cd67f44c0fc6a9b4fcb312/configs-json/entratest/authentication_method_policy.json": CUT_SHORT,
        "d8e3dc4cac41f73279cd67f44c0fc6a9b4fcb312/configs-json/entratest/"
        "conditional_access_policy_admin_sign_in_frequency.json": CUT_SHORT,
    },
    "cisagov-ScubaGear-history": {
        "5abe06832a402886ed0da05d917b01a08331318b/sample-report/ProviderSettingsExport.json": CUT_SHORT,
        "b92a1be44a0f357e78e096c9fbaee4dbc3e1e8b4/Testing/Unit/PowerShell/CreateReport/CreateReportStubs/"
        "ProviderSettingsExport.json": CUT_SHORT,
    },
    # documentation examples shortened with comments or ellipses on purpose
    "pnp-proxy-samples-graph-docs-mocks": {
        "beta-2023-11-17/beta_policies_authenticationMethodsPolicy.json": "not valid JSON",
        "beta-2023-11-17/beta_policies_authenticationMethodsPolicy_authenticationMethodConfigurations_"
        "microsoftAuthenticator.json": "not valid JSON",
        "beta-2023-11-17/beta_roleManagement_directory_roleAssignments_filter_roleDefinitionId_eq_expand_"
        "principal.json": "not valid JSON",
        "v1.0-2026-01-18/v1_0_roleManagement_directory_roleAssignments_filter_roleDefinitionId_eq_expand_"
        "principal.json": "not valid JSON",
    },
}


def _report(source: Path, out: Path, *options: str) -> dict:  # type: ignore[type-arg]
    main(["scan", str(source), *options, "--format", f"json:{out}"])
    return json.loads(out.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


@needs_corpus
@pytest.mark.parametrize("source", SOURCES, ids=[p.name for p in SOURCES])
def test_every_corpus_source_scans_without_a_traceback(
    source: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    json_out, sarif_out = tmp_path / "out.json", tmp_path / "out.sarif"
    code = main(["scan", str(source), "--format", f"json:{json_out}", "--format", f"sarif:{sarif_out}",
                 "--format", "table", "--format", "markdown"])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err + captured.out
    assert "unexpected error" not in captured.out
    assert code in (0, 1, 2)
    report = json.loads(json_out.read_text(encoding="utf-8"))
    assert len(report["rules"]) == 24
    assert json.loads(sarif_out.read_text(encoding="utf-8"))["version"] == "2.1.0"


@needs_corpus
@pytest.mark.parametrize("source", SOURCES, ids=[p.name for p in SOURCES])
def test_input001_only_on_the_files_the_source_damaged_itself(source: Path, tmp_path: Path) -> None:
    report = _report(source, tmp_path / "out.json", "--select", "INPUT001")
    failing: dict[str, list[str]] = {}
    for result in report["rules"][0]["results"]:
        if result["verdict"] == "fail":
            failing.setdefault(result["subject"]["id"].split("#")[0], []).append(result["message"])
    expected = DAMAGED.get(source.name, {})
    assert sorted(failing) == sorted(expected)
    for path, messages in failing.items():
        assert len(messages) == 1, (path, messages)
        assert expected[path] in messages[0]


@needs_corpus
def test_a_cut_short_object_never_reaches_the_model(tmp_path: Path) -> None:
    source = CORPUS / "FranticSalamander-BASE" / "6dfa1cef17989c10899041c340abfbb73732ed81"
    report = _report(source, tmp_path / "out.json", "--select", "INPUT001,MFA011,MFA012")
    verdicts = {rule["id"]: rule["verdict"] for rule in report["rules"]}
    assert verdicts == {"INPUT001": "fail", "MFA011": "not_assessed", "MFA012": "not_assessed"}
    (finding,) = report["rules"][0]["results"]
    assert "15 object(s)" in finding["message"] and "-Depth 10" in finding["message"]

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
TWICE = "the key 'sessionControls' appears 2 times"
DAMAGED: dict[str, dict[str, str]] = {
    # one policy written with "sessionControls" twice (null, then an object): which one holds cannot be told
    "AlexFilipin-ConditionalAccess": {
        f"{folder}/209 - RING - Base protection - All apps Require Token protection for EXO and SPO Desktop "
        "App(preview).json": TWICE
        for folder in ("PolicyRepository/Base protection", "PolicySets/Category structure for AADP1 and AADP2 mixture",
                       "PolicySets/Category structure for AADP2")
    },
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


# Sources that hold several exports or dated snapshots: a scan stops (exit 2) naming them, and
# `scan --each` gives one report per export.
SEVERAL: dict[str, list[str]] = {
    # six commits of one repository, the same tree (configs-json/entratest/) at different moments
    "FranticSalamander-BASE": ["549987baa9f8a0ac495224e0becd1a1a43832837", "6dfa1cef17989c10899041c340abfbb73732ed81",
                               "9ec79c6c716126f798d1cb7fbafe5e99df0625e8", "a199a5f95fb803d9dfecc5aa47b748f3011fc916",
                               "d8e3dc4cac41f73279cd67f44c0fc6a9b4fcb312"],
    # the sample report and a unit-test stub: tenant ids 3c19c757... and 1162605a..., 2026 and 2022
    "cisagov-ScubaGear": ["Sample-Reports", "Testing"],
    "cisagov-ScubaGear-history": ["1b76e1e904cee3326ca77feb00257bbd41f5da87", "5abe06832a402886ed0da05d917b01a08331318b",
                                  "6f43f73a22d69a5e51322b587238e213a545340b", "8b83c3866721b36911098342589ebda783486601",
                                  "8c185c86b33b0db244abb3a0480a39233fb884c0", "b92a1be44a0f357e78e096c9fbaee4dbc3e1e8b4"],
    "denis-beuermann-ConditionalAccess": [
        "2021-05-11", "2021-06-29", "2021-07-14", "2021-09-08", "2021-10-25", "2021-12-21", "2022-01-19", "2022-03-22",
        "2022-04-27", "2022-09-12", "2022-12-09", "2023-04-27", "2023-11-24", "2024-12-01"],
    "pnp-proxy-samples-graph-docs-mocks": ["beta-2023-11-17", "v1.0-2026-01-18"],
}


def _report(source: Path, out: Path, *options: str) -> dict:  # type: ignore[type-arg]
    main(["scan", str(source), *options, "--format", f"json:{out}"])
    return json.loads(out.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def _reports(source: Path, out: Path, *options: str) -> list[dict]:  # type: ignore[type-arg]
    """One report per export: the source's only one, or each of those `scan --each` writes."""
    if source.name not in SEVERAL:
        return [_report(source, out, *options)]
    main(["scan", str(source), "--each", *options, "--format", f"json:{out}"])
    return [json.loads((out.parent / f"{out.stem}.{name}.json").read_text(encoding="utf-8"))
            for name in SEVERAL[source.name]]


@needs_corpus
@pytest.mark.parametrize("source", SOURCES, ids=[p.name for p in SOURCES])
def test_every_corpus_source_scans_without_a_traceback(
    source: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    json_out, sarif_out = tmp_path / "out.json", tmp_path / "out.sarif"
    formats = ["--format", f"json:{json_out}", "--format", f"sarif:{sarif_out}", "--format", "table",
               "--format", f"markdown:{tmp_path / 'out.md'}"]
    code = main(["scan", str(source), *formats])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err + captured.out
    assert "unexpected error" not in captured.out
    if source.name in SEVERAL:
        assert code == 2 and not json_out.exists() and not sarif_out.exists()
        first, *details = captured.err.splitlines()
        assert f"holds {len(SEVERAL[source.name])} " in first and "--each" in first
        assert [line.split(":")[0].strip() for line in details if not line.startswith("  in none")] == \
            SEVERAL[source.name]
        code = main(["scan", str(source), "--each", *formats])
        captured = capsys.readouterr()
        assert "Traceback" not in captured.err + captured.out
        written = sorted(p.name for p in tmp_path.iterdir())
        assert written == sorted(f"out.{name}.{ext}" for name in SEVERAL[source.name] for ext in ("json", "sarif", "md"))
    assert code in (0, 1, 2)
    for report in _reports(source, json_out):
        assert len(report["rules"]) == 24
    for sarif in tmp_path.glob("*.sarif"):
        assert json.loads(sarif.read_text(encoding="utf-8"))["version"] == "2.1.0"


@needs_corpus
@pytest.mark.parametrize("source", SOURCES, ids=[p.name for p in SOURCES])
def test_input001_only_on_the_files_the_source_damaged_itself(source: Path, tmp_path: Path) -> None:
    failing: dict[str, list[str]] = {}
    for report in _reports(source, tmp_path / "out.json", "--select", "INPUT001"):
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


@needs_corpus
def test_a_backup_repository_of_dated_snapshots_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scan", str(CORPUS / "denis-beuermann-ConditionalAccess")]) == 2
    err = capsys.readouterr().err
    assert "holds 14 dated snapshots" in err and "files named by date" in err
    assert "2021-05-11: 2 files (archive/20210511-Policies.json, archive/20210511_Locations.json)" in err
    assert "in none of them: 2 files (archive/locations.json, archive/policies.json)" in err
    assert main(["explain-user", "someone@contoso.example", str(CORPUS / "denis-beuermann-ConditionalAccess")]) == 2


@needs_corpus
def test_one_snapshot_of_a_backup_repository_scans(tmp_path: Path) -> None:
    archive = CORPUS / "denis-beuermann-ConditionalAccess" / "archive"
    out = tmp_path / "out.json"
    main(["scan", str(archive / "20241201-Policies.json"), str(archive / "20241201-Locations.json"),
          "--format", f"json:{out}"])
    verdicts = {rule["id"]: rule["verdict"] for rule in json.loads(out.read_text(encoding="utf-8"))["rules"]}
    assert verdicts["INPUT002"] == "pass"  # no policy differs from itself within one snapshot


HISTORY = CORPUS / "cisagov-ScubaGear-history"


@needs_corpus
@pytest.mark.parametrize(("commit", "verdict"), [
    pytest.param("1b76e1e904cee3326ca77feb00257bbd41f5da87", "pass", id="1.5-AdditionalProperties"),
    pytest.param("8b83c3866721b36911098342589ebda783486601", "pass", id="1.6-AdditionalProperties"),
    pytest.param("8c185c86b33b0db244abb3a0480a39233fb884c0", "not_assessed", id="1.2-no-IncludeTargets"),
])
def test_scubagear_method_targets(commit: str, verdict: str, tmp_path: Path) -> None:
    report = _report(HISTORY / commit, tmp_path / "out.json", "--select", "MFA032")
    assert report["rules"][0]["verdict"] == verdict


@needs_corpus
def test_scuba_results_are_read_under_raw(tmp_path: Path) -> None:
    report = _report(HISTORY / "6f43f73a22d69a5e51322b587238e213a545340b", tmp_path / "out.json")
    (used,) = [item for item in report["inputs"] if item["status"] == "used"]
    assert used["path"].endswith("ScubaResults_fa5589b7-d528-4f80.json") and used["format"] == "scubagear-results"
    assert "identity/conditionalAccess/policies" in used["collection"]
    verdicts = {rule["id"]: rule["verdict"] for rule in report["rules"]}
    assert verdicts["MFA011"] != "not_assessed"

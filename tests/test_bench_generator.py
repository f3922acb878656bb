"""bench/generate.py: deterministic, Graph-shaped, with the awkward parts real tenants have."""
from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from checker.inputs import identify

ROOT = Path(__file__).resolve().parents[1]
USERS = 300


def _load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_generate", ROOT / "bench" / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


generator = _load_generator()


@pytest.fixture(scope="module")
def export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("bench") / "300"
    generator.generate(USERS, str(folder), seed=1)
    return folder


def documents(folder: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    for path in sorted(folder.glob("*.json")):
        yield path.name, json.loads(path.read_bytes().decode("utf-8"))


def objects(folder: Path, collection: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for _, document in documents(folder):
        if identify.collection_from_context(document["@odata.context"]) == collection:
            found.extend(document["value"])
    return found


def test_same_seed_and_size_give_the_same_bytes(export: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    generator.generate(USERS, str(again), seed=1)
    first = {p.name: p.read_bytes() for p in export.iterdir()}
    assert first == {p.name: p.read_bytes() for p in again.iterdir()}


def test_another_seed_gives_another_tenant(export: Path, tmp_path: Path) -> None:
    other = tmp_path / "other"
    generator.generate(USERS, str(other), seed=2)
    assert (export / "users.json").read_bytes() != (other / "users.json").read_bytes()


def test_every_collection_is_written_with_its_graph_context(export: Path) -> None:
    contexts = {name: document["@odata.context"] for name, document in documents(export)}
    assert all(context.startswith("https://graph.microsoft.com/v1.0/$metadata#") for context in contexts.values())
    assert sorted(identify.collection_from_context(context) or "" for context in contexts.values()) == sorted([
        identify.USERS, identify.GROUPS, identify.ROLE_DEFINITIONS, identify.ROLE_ASSIGNMENTS, identify.CA_POLICIES,
        identify.REGISTRATION_DETAILS, identify.SECURITY_DEFAULTS, identify.SUBSCRIBED_SKUS,
        identify.AUTH_METHODS_POLICY, identify.NAMED_LOCATIONS,
    ])


def test_the_collections_hold_what_the_size_asks_for(export: Path) -> None:
    users = objects(export, identify.USERS)
    assert len(users) == USERS
    assert users[7]["userPrincipalName"] == "user7@bench.example"
    assert [d["id"] for d in objects(export, identify.REGISTRATION_DETAILS)] == [u["id"] for u in users]
    assert len(objects(export, identify.CA_POLICIES)) == 300
    skus = objects(export, identify.SUBSCRIBED_SKUS)
    assert {p["servicePlanName"] for p in skus[0]["servicePlans"]} >= {"AAD_PREMIUM", "AAD_PREMIUM_P2"}
    scopes = {a["directoryScopeId"].split("/")[1] for a in objects(export, identify.ROLE_ASSIGNMENTS)}
    assert scopes <= {"", "administrativeUnits"}


def test_large_collections_are_paged_like_graph(tmp_path: Path) -> None:
    generator.generate(USERS, str(tmp_path), seed=1, page_size=128)
    pages = sorted(tmp_path.glob("users.page*.json"))
    assert [p.name for p in pages] == ["users.page001.json", "users.page002.json", "users.page003.json"]
    loaded = [json.loads(p.read_text(encoding="utf-8")) for p in pages]
    assert [len(page["value"]) for page in loaded] == [128, 128, 44]
    assert ["@odata.nextLink" in page for page in loaded] == [True, True, False]
    assert not list(tmp_path.glob("users.json"))


def test_pages_hold_at_most_999_objects_by_default(export: Path) -> None:
    for name, document in documents(export):
        assert len(document.get("value", [])) <= 999, name
        assert "@odata.nextLink" not in document, name


def test_group_nesting_has_a_cycle_and_policies_name_an_absent_group(export: Path) -> None:
    groups = objects(export, identify.GROUPS)
    nested = {g["id"]: {m["id"] for m in g["members"] if m["@odata.type"] == "#microsoft.graph.group"}
              for g in groups}
    assert any(parent in nested.get(child, set()) for parent, children in nested.items() for child in children)
    named = {group_id for policy in objects(export, identify.CA_POLICIES)
             for side in ("includeGroups", "excludeGroups") for group_id in policy["conditions"]["users"][side]}
    assert named - set(nested)
    break_glass = [g for g in groups if g["displayName"] == "Break Glass Accounts"]
    assert len(break_glass) == 1 and len(break_glass[0]["members"]) == 2


def test_the_checker_scans_the_export(export: Path, tmp_path: Path) -> None:
    sarif = tmp_path / "out.sarif"
    completed = subprocess.run(
        [sys.executable, "-m", "checker", "scan", str(export), "--format", f"sarif:{sarif}"],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
    )
    assert completed.returncode in (0, 1), completed.stderr
    assert json.loads(sarif.read_text(encoding="utf-8"))["runs"][0]["results"]


@pytest.fixture(scope="module")
def minified(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("bench") / "300-minified"
    generator.generate(USERS, str(folder), seed=1, shape="minified")
    return folder


@pytest.fixture(scope="module")
def uncovered(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("bench") / "300-uncovered"
    generator.generate(USERS, str(folder), seed=1, situation="uncovered")
    return folder


def test_minified_is_one_line_per_file_and_one_file_per_collection(minified: Path) -> None:
    generator.generate(USERS, str(minified.parent / "small-pages"), seed=1, page_size=128)
    names = sorted(p.name for p in minified.glob("*.json"))
    assert names == sorted({p.name.split(".page")[0].removesuffix(".json") + ".json"
                            for p in (minified.parent / "small-pages").glob("*.json")})
    for path in minified.glob("*.json"):
        text = path.read_text(encoding="utf-8")
        assert "\n" not in text and "\r" not in text, path.name
        document = json.loads(text)
        assert text == json.dumps(document, ensure_ascii=False, separators=(",", ":")), path.name  # no indentation
        assert "@odata.nextLink" not in document, path.name
    contexts = [identify.collection_from_context(document["@odata.context"]) for _, document in documents(minified)]
    assert len(contexts) == len(set(contexts)) == 10


def test_minified_holds_the_same_tenant_as_indented(export: Path, minified: Path) -> None:
    for collection in (identify.USERS, identify.GROUPS, identify.CA_POLICIES, identify.REGISTRATION_DETAILS):
        assert objects(minified, collection) == objects(export, collection), collection
    assert len(objects(minified, identify.USERS)) == USERS


def test_minified_scales_past_one_page_in_one_file(tmp_path: Path) -> None:
    generator.generate(1500, str(tmp_path), seed=1, shape="minified")
    assert not list(tmp_path.glob("*.page*.json"))
    assert len(json.loads((tmp_path / "users.json").read_bytes())["value"]) == 1500


def test_uncovered_puts_the_all_users_mfa_policies_in_report_only(export: Path, uncovered: Path) -> None:
    before = objects(export, identify.CA_POLICIES)
    after = objects(uncovered, identify.CA_POLICIES)
    all_users = [p for p in after if p["displayName"].endswith("Require MFA for all users")]
    assert all_users[0]["displayName"] == "001 Require MFA for all users"
    assert {p["state"] for p in all_users} <= {"enabledForReportingButNotEnforced", "disabled"}
    assert all_users[0]["state"] == "enabledForReportingButNotEnforced"
    assert before[0]["state"] == "enabled"
    assert [p["state"] for p in before if p["displayName"].endswith("Require MFA for all users")].count("enabled") > 1
    changed = [(b["displayName"], b["state"], a["state"]) for b, a in zip(before, after, strict=False) if b != a]
    assert changed and all(old == "enabled" and new == "enabledForReportingButNotEnforced" for _, old, new in changed)
    assert [{**b, "state": ""} for b in before] == [{**a, "state": ""} for a in after]


def test_uncovered_keeps_the_rest_of_the_tenant(export: Path, uncovered: Path) -> None:
    differing = [p.name for p in export.iterdir() if p.read_bytes() != (uncovered / p.name).read_bytes()]
    assert differing == ["conditional-access-policies.json"]


def _coverage(folder: Path, report: Path) -> dict[str, Any]:
    completed = subprocess.run(
        [sys.executable, "-m", "checker", "scan", str(folder), "--format", f"json:{report}"],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
    )
    assert completed.returncode in (0, 1), completed.stderr
    coverage: dict[str, Any] = json.loads(report.read_text(encoding="utf-8"))["coverage"]
    return coverage


def test_the_checker_finds_users_uncovered_only_in_the_uncovered_situation(
        export: Path, uncovered: Path, tmp_path: Path) -> None:
    covered = _coverage(export, tmp_path / "covered.json")
    assert covered["uncovered"] == 0 and covered["covered"] == covered["enabledUsers"] - 2  # break glass
    found = _coverage(uncovered, tmp_path / "uncovered.json")
    # at 300 users the group-targeted policies still reach about 60 % (group sizes have floors);
    # at 10k users 80 % are uncovered
    assert found["uncovered"] > found["enabledUsers"] / 3
    assert found["undetermined"] < found["enabledUsers"] / 20


def test_unknown_shapes_and_situations_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        generator.generate(USERS, str(tmp_path), shape="pretty")
    with pytest.raises(ValueError):
        generator.generate(USERS, str(tmp_path), situation="partly")

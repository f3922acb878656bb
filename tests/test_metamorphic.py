"""Metamorphic properties of the verdicts, over generated tenants (issue 11, item 4).

No test here knows what the right verdict of a generated tenant is; each knows how two
exports relate and so how their verdicts must relate. The same export in another shape
(PascalCase, UTF-16, pages, a zip) gives the same verdicts; more protection never fails
what passed; an exclusion never passes a user who failed; a policy that is not enforced
only ever shows in MFA050; less evidence never passes what was not assessed; file names
and the order of the files never change a byte of the report.

TENANT_CHECKER_METAMORPHIC_EXAMPLES raises the number of tenants per property (default 15).
"""
from __future__ import annotations

import copy
import json
import os
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from checker.cli import main
from checker.model import Tenant
from tests.oracle.graph_export import Export, exports, in_pascal_case, paged, zipped

EXAMPLES = int(os.environ.get("TENANT_CHECKER_METAMORPHIC_EXAMPLES", "15"))
# The suite draws the same tenants every run, so that CI is repeatable; a long run draws new ones.
PROPERTY = settings(max_examples=EXAMPLES, deadline=None,
                    derandomize="TENANT_CHECKER_METAMORPHIC_EXAMPLES" not in os.environ,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
POLICIES = "conditional-access-policies.json"

# rule id -> (verdict, each result as (subject kind, subject id, verdict))
Verdicts = dict[str, tuple[str, tuple[tuple[str, str, str], ...]]]


@contextmanager
def _folder() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="metamorphic-") as name:
        yield Path(name)


def _report(paths: Sequence[Path], out: Path) -> bytes:
    """The JSON report of a scan of ``paths``, as bytes."""
    code = main(["scan", *map(str, paths), "--quiet", "--format", f"json:{out}"])
    assert code in (0, 1), f"the scan of a generated export stopped with exit code {code}"
    return out.read_bytes()


def _verdicts(report: bytes) -> Verdicts:
    rules = json.loads(report)["rules"]
    return {rule["id"]: (rule["verdict"], tuple(sorted(
        (result["subject"]["kind"], _subject(result), result["verdict"]) for result in rule["results"])))
        for rule in rules}


def _subject(result: dict[str, Any]) -> str:
    """A result's subject; for a place in a file, what was found there, as names and pages of files differ."""
    if result["subject"]["kind"] != "file":
        return str(result["subject"]["id"])
    return str(result["message"]).split("): ", 1)[-1]


def _scan(export: Export, encoding: str = "utf-8") -> Verdicts:
    with _folder() as root:
        export.write(root / "export", encoding)
        return _verdicts(_report([root / "export"], root / "report.json"))


def _results(verdicts: Verdicts, rule: str) -> dict[tuple[str, str], str]:
    return {(kind, subject): verdict for kind, subject, verdict in verdicts[rule][1]}


def _changed(export: Export, name: str, change: Callable[[dict[str, Any]], None]) -> Export:
    documents = copy.deepcopy(export.documents)
    change(documents[name])
    return Export(documents)


def _no_damage(verdicts: Verdicts) -> None:
    """A generated export is read whole: every property below compares exports the tool understood."""
    assert verdicts["INPUT001"][0] == "pass", verdicts["INPUT001"]


# The same export in another shape ----------------------------------------------------------------

@PROPERTY
@given(exports())
def test_camel_case_and_pascal_case_give_the_same_verdicts(drawn: tuple[Tenant, Export]) -> None:
    _, export = drawn
    original = _scan(export)
    _no_damage(original)
    assert _scan(in_pascal_case(export)) == original


@PROPERTY
@given(exports(), st.sampled_from(["utf-8-sig", "utf-16", "utf-16-le", "utf-16-be"]))
def test_utf8_and_utf16_give_the_same_verdicts(drawn: tuple[Tenant, Export], encoding: str) -> None:
    _, export = drawn
    original = _scan(export)
    _no_damage(original)
    assert _scan(export, encoding) == original


@PROPERTY
@given(exports(), st.integers(1, 3))
def test_one_file_or_pages_give_the_same_verdicts(drawn: tuple[Tenant, Export], page_size: int) -> None:
    _, export = drawn
    original = _scan(export)
    _no_damage(original)
    assert _scan(paged(export, page_size)) == original


@PROPERTY
@given(exports())
def test_a_folder_or_a_zip_give_the_same_verdicts(drawn: tuple[Tenant, Export]) -> None:
    _, export = drawn
    with _folder() as root:
        export.write(root / "export")
        original = _verdicts(_report([root / "export"], root / "folder.json"))
        archive = zipped(root / "export", root / "export.zip")
        assert _verdicts(_report([archive], root / "zip.json")) == original
    _no_damage(original)


# More protection, an exclusion, a policy that is not enforced ------------------------------------

ENFORCED_MFA_FOR_EVERYONE = {
    "id": "added-mfa-for-everyone", "displayName": "Added: MFA for everyone", "state": "enabled",
    "conditions": {"users": {"includeUsers": ["All"]}, "applications": {"includeApplications": ["All"]},
                   "clientAppTypes": ["all"]},
    "grantControls": {"operator": "OR", "builtInControls": ["mfa"]},
}


@PROPERTY
@given(exports())
def test_an_enforced_mfa_policy_for_everyone_never_turns_a_pass_into_a_fail(drawn: tuple[Tenant, Export]) -> None:
    _, export = drawn
    before = _scan(export)
    after = _scan(_changed(export, POLICIES, lambda document: document["value"].append(ENFORCED_MFA_FOR_EVERYONE)))
    for rule in ("MFA001", "MFA010", "MFA011", "MFA070"):
        assert not (before[rule][0] == "pass" and after[rule][0] == "fail"), (rule, before[rule], after[rule])
        results_after = _results(after, rule)
        for subject, verdict in _results(before, rule).items():
            assert not (verdict == "pass" and results_after.get(subject) == "fail"), (rule, subject)


@st.composite
def _exclusion(draw: st.DrawFn, tenant: Tenant) -> tuple[int, str, str]:
    """(index of a policy, users-condition key, value) of an exclusion to add."""
    choices: list[tuple[str, str]] = [("excludeUsers", user.id) for user in tenant.users or ()]
    choices += [("excludeGroups", group.id) for group in tenant.groups or ()]
    choices += [("excludeRoles", definition.template_id) for definition in tenant.role_definitions or ()]
    key, value = draw(st.sampled_from(choices))
    index = draw(st.integers(0, len(tenant.conditional_access_policies or ()) - 1))
    return index, key, value


@PROPERTY
@given(st.data())
def test_an_exclusion_never_turns_a_users_fail_into_a_pass(data: st.DataObject) -> None:
    tenant, export = data.draw(exports())
    index, key, value = data.draw(_exclusion(tenant))

    def exclude(document: dict[str, Any]) -> None:
        users = document["value"][index]["conditions"]["users"]
        users[key] = [*users[key], value]

    before, after = _scan(export), _scan(_changed(export, POLICIES, exclude))
    results_after = _results(after, "MFA070")
    for subject, verdict in _results(before, "MFA070").items():
        assert not (verdict == "fail" and results_after.get(subject) == "pass"), (subject, key, value)


@PROPERTY
@given(st.data())
def test_a_copy_of_a_policy_that_is_not_enforced_changes_only_mfa050(data: st.DataObject) -> None:
    tenant, export = data.draw(exports())
    index = data.draw(st.integers(0, len(tenant.conditional_access_policies or ()) - 1))
    state = data.draw(st.sampled_from(["enabledForReportingButNotEnforced", "disabled"]))

    def add_copy(document: dict[str, Any]) -> None:
        policy = copy.deepcopy(document["value"][index])
        policy.update(id=f"copy-of-{policy['id']}", displayName=f"Copy of {policy['displayName']}", state=state)
        document["value"].append(policy)

    before, after = _scan(export), _scan(_changed(export, POLICIES, add_copy))
    for rule in before:
        if rule == "MFA050":
            continue
        assert after[rule][0] == before[rule][0], (rule, before[rule], after[rule])
        # the copy may be named in findings of its own (a group it names that the export lacks)
        about_the_copy = {result for result in after[rule][1] if "copy-of-" in result[1] or "Copy of " in result[1]}
        assert set(after[rule][1]) - about_the_copy == set(before[rule][1]), rule


# Less evidence -----------------------------------------------------------------------------------

@PROPERTY
@given(st.data())
def test_removing_a_file_never_turns_not_assessed_into_a_pass(data: st.DataObject) -> None:
    tenant, export = data.draw(exports())
    removed = data.draw(st.sampled_from(sorted(export.documents)))
    # Graph gives a built-in role's definition its template id; the generator now and then gives it an id
    # of its own, which nothing but the definitions file can map back to its role.
    assume(removed != "role-definitions.json"
           or all(definition.id == definition.template_id for definition in tenant.role_definitions or ()))
    before = _scan(export)
    after = _scan(Export({name: d for name, d in export.documents.items() if name != removed}))
    for rule, (verdict, _) in before.items():
        assert not (verdict == "not_assessed" and after[rule][0] == "pass"), (rule, removed)
        results_after = _results(after, rule)
        for subject, result in _results(before, rule).items():
            assert not (result == "not_assessed" and results_after.get(subject) == "pass"), (rule, subject, removed)


# Names and order of the files --------------------------------------------------------------------

def _renamed_back(report: bytes, renames: dict[str, str]) -> Any:
    """The report with every new file name put back; lists of inputs in path order, as a scan gives them."""
    def restore(value: Any) -> Any:
        if isinstance(value, dict):
            return {key: restore(item) for key, item in value.items()}
        if isinstance(value, list):
            return [restore(item) for item in value]
        if isinstance(value, str):
            for new, old in renames.items():
                value = value.replace(new, old)
        return value

    restored = restore(json.loads(report))
    restored["inputs"].sort(key=lambda item: item["path"])
    return restored


@PROPERTY
@given(st.data())
def test_renaming_the_files_changes_nothing_but_their_names(data: st.DataObject) -> None:
    _, export = data.draw(exports())
    names = sorted(export.documents)
    stems = data.draw(st.lists(st.text("abcdefghijklmnopqrstuvwxyz0123456789-_", min_size=3, max_size=12),
                               min_size=len(names), max_size=len(names), unique=True))
    renames = {f"file-{stem}-{i}.json": old for i, (stem, old) in enumerate(zip(stems, names, strict=True))}
    with _folder() as root:
        export.write(root / "export")
        original = _report([root / "export"], root / "original.json")
        renamed = root / "renamed"
        renamed.mkdir()
        for new, old in renames.items():
            (root / "export" / old).rename(renamed / new)
        report = _report([renamed], root / "renamed.json")
    assert _renamed_back(report, {**renames, "renamed": "export"}) == _renamed_back(original, {})


@PROPERTY
@given(st.data())
def test_the_order_of_the_files_changes_no_byte_of_the_report(data: st.DataObject) -> None:
    _, export = data.draw(exports())
    with _folder() as root:
        paths = sorted(export.write(root / "export"))
        shuffled = data.draw(st.permutations(paths))
        in_order = _report(paths, root / "in-order.json")
        assert _report(shuffled, root / "shuffled.json") == in_order
        # the folder written again, its files created in the shuffled order
        again = root / "again"
        again.mkdir()
        for path in shuffled:
            (again / path.name).write_bytes(path.read_bytes())
        rewritten = [again / path.name for path in reversed(shuffled)]
        assert _report(rewritten, root / "rewritten.json").replace(b"again", b"export") == in_order


def test_a_response_whose_value_key_is_in_pascal_case_is_read_as_its_objects(tmp_path: Path) -> None:
    users = [{"id": f"user-{n}", "userPrincipalName": f"user{n}@contoso.example", "accountEnabled": True}
             for n in (1, 2)]
    (tmp_path / "users.json").write_text(json.dumps(
        {"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users", "Value": users}), encoding="utf-8")
    main(["scan", str(tmp_path), "--quiet", "--format", f"json:{tmp_path / 'report.json'}"])
    (listed,) = [item for item in json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))["inputs"]
                 if item["path"] == "users.json"]
    assert listed["objects"] == 2

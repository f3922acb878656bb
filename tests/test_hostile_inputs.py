"""Exports damaged by a script that went wrong, or made by a party that wants a pass.

Each test builds the smallest file that showed one cause: a reading that moved a rule to
`pass` on evidence it did not have, a traceback, or time that grew faster than the input.
"""
from __future__ import annotations

import contextlib
import io
import json
import os
import secrets
import sys
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import Any
from unittest import mock

import pytest

from checker.catalogue import find_rule, load_catalogue
from checker.checks.base import CheckContext
from checker.cli import main
from checker.engine import run_rule
from checker.inputs.archives import Limits
from checker.inputs.identify import collection_from_context
from checker.inputs.load import LoadResult, load
from checker.report import InputFile
from checker.verdicts import Verdict
from tests.test_incomplete import CA, V1, _policy

REGISTRATION = "reports/authenticationMethods/userRegistrationDetails"


def _write(folder: Path, name: str, document: Any) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def _export(tmp_path: Path) -> Path:
    folder = tmp_path / "export"
    _write(folder, "defaults.json", {"@odata.context": V1 + "policies/identitySecurityDefaultsEnforcementPolicy/$entity",
                                     "id": "00000000-0000-0000-0000-000000000005", "isEnabled": False})
    return folder


def _verdict(loaded: LoadResult, rule_id: str) -> Verdict:
    rule = find_rule(load_catalogue(), rule_id)
    assert rule is not None
    return run_rule(rule, CheckContext(loaded.tenant, inputs=loaded.inputs)).verdict


def _entry(loaded: LoadResult, path: str) -> InputFile:
    (found,) = [item for item in loaded.inputs if item.path == path]
    return found


def _codes(loaded: LoadResult, path: str) -> list[str]:
    return [diagnostic.code for diagnostic in _entry(loaded, path).diagnostics]


def _scan(args: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(args)
    return code, out.getvalue(), err.getvalue()


def _zip(files: list[tuple[str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files:
            archive.writestr(name, data)
    return buffer.getvalue()


# fail-open: evidence the tool itself flagged still moved a rule to pass

@pytest.mark.parametrize("item", [None, "x", 3, ["a"]])
def test_a_policy_that_is_not_an_object_makes_the_collection_incomplete(tmp_path: Path, item: Any) -> None:
    folder = _export(tmp_path)
    _write(folder, "ca.json", {"@odata.context": V1 + CA, "value": [_policy("good"), item]})
    loaded = load([str(folder)])
    assert "INPUT001" in _codes(loaded, "ca.json")
    assert _verdict(loaded, "MFA011") is Verdict.NOT_ASSESSED


def test_a_bare_value_object_is_no_policy(tmp_path: Path) -> None:
    """PowerShell unwraps a one-element array: the object under ``value`` is not read as the whole collection."""
    folder = _export(tmp_path)
    _write(folder, "ca.json", {"@odata.context": V1 + CA, "value": _policy("only")})
    loaded = load([str(folder)])
    assert loaded.tenant.conditional_access_policies is None
    assert _codes(loaded, "ca.json") == ["INPUT001"]
    assert _verdict(loaded, "MFA011") is Verdict.NOT_ASSESSED


def test_an_empty_registration_collection_is_not_all_users_registered(tmp_path: Path) -> None:
    folder = tmp_path / "export"
    _write(folder, "registration.json", {"@odata.context": V1 + REGISTRATION, "value": []})
    loaded = load([str(folder)])
    for rule_id in ("MFA030", "MFA040"):
        assert _verdict(loaded, rule_id) is Verdict.NOT_ASSESSED, rule_id


def test_an_empty_registration_collection_with_enabled_members_is_not_assessed(tmp_path: Path) -> None:
    folder = tmp_path / "export"
    _write(folder, "registration.json", {"@odata.context": V1 + REGISTRATION, "value": []})
    _write(folder, "users.json", {"@odata.context": V1 + "users", "value": [
        {"id": "u1", "userPrincipalName": "u1@contoso.example", "accountEnabled": True, "userType": "Member"}]})
    loaded = load([str(folder)])
    for rule_id in ("MFA030", "MFA040"):
        assert _verdict(loaded, rule_id) is Verdict.NOT_ASSESSED, rule_id


def test_pages_read_before_a_missing_last_page_pass_nothing(tmp_path: Path) -> None:
    folder = _export(tmp_path)
    _write(folder, "ca-1.json", {"@odata.context": V1 + CA, "value": [_policy("p1")],
                                 "@odata.nextLink": "https://graph.microsoft.com/v1.0/policies?$skiptoken=1"})
    _write(folder, "ca-2.json", {"@odata.context": V1 + CA, "value": [_policy("p2")],
                                 "@odata.nextLink": "https://graph.microsoft.com/v1.0/policies?$skiptoken=2"})
    loaded = load([str(folder)])
    for rule_id in ("MFA001", "MFA010", "MFA011"):
        assert _verdict(loaded, rule_id) is Verdict.NOT_ASSESSED, rule_id


@pytest.mark.parametrize("exclusions", [5, {"Name": "x"}, [3], [None, "a@contoso.example"], True])
def test_malformed_dsc_exclusions_are_not_no_exclusions(tmp_path: Path, exclusions: Any) -> None:
    folder = _export(tmp_path)
    _write(folder, "dsc.json", [{
        "ResourceName": "AADConditionalAccessPolicy", "ResourceInstanceName": "p", "DisplayName": "p", "Id": "p",
        "State": "enabled", "IncludeUsers": ["All"], "ExcludeUsers": exclusions, "IncludeApplications": ["All"],
        "ClientAppTypes": ["all"], "BuiltInControls": ["mfa"], "GrantControlOperator": "OR", "Ensure": "Present"}])
    loaded = load([str(folder)])
    assert "INPUT001" in _codes(loaded, "dsc.json")
    assert _verdict(loaded, "MFA011") is Verdict.NOT_ASSESSED


@pytest.mark.parametrize("names", [("2024-01-01.json", "2025-06-01.json"), ("b.json", "a.json")])
def test_two_copies_that_differ_leave_the_object_unknown(tmp_path: Path, names: tuple[str, str]) -> None:
    folder = _export(tmp_path)
    _write(folder, names[0], {"@odata.context": V1 + CA, "value": [_policy("p1")]})
    report_only = {**_policy("p1"), "state": "enabledForReportingButNotEnforced"}
    _write(folder, names[1], {"@odata.context": V1 + CA, "value": [report_only]})
    loaded = load([str(folder)])
    assert any("INPUT002" in _codes(loaded, name) for name in names)
    assert [entry.collection for entry in loaded.tenant.incomplete] == [CA]
    for rule_id in ("MFA001", "MFA011"):
        assert _verdict(loaded, rule_id) is Verdict.NOT_ASSESSED, rule_id


# tracebacks and aborts

def test_a_member_with_a_corrupt_deflate_stream_is_unreadable(tmp_path: Path) -> None:
    good = json.dumps({"@odata.context": V1 + CA, "value": [_policy("p1")]}).encode()
    data = bytearray(_zip([("a.json", good * 50), ("b.json", good)]))
    start = data.index(b"a.json") + len(b"a.json")
    for offset in range(start + 4, start + 40):
        data[offset] ^= 0x5A
    (tmp_path / "export.zip").write_bytes(bytes(data))
    loaded = load([str(tmp_path / "export.zip")])
    assert _entry(loaded, "export.zip/a.json").status == "unreadable"
    assert _entry(loaded, "export.zip/b.json").status == "used"


def test_a_number_too_long_to_convert_is_input001(tmp_path: Path) -> None:
    folder = tmp_path / "export"
    folder.mkdir()
    (folder / "users.json").write_text(f'{{"@odata.context": "{V1}users", "value": [{{"id": "u1", "n": {"9" * 5000}}}]}}',
                                       encoding="utf-8")
    loaded = load([str(folder)])
    entry = _entry(loaded, "users.json")
    assert entry.status == "unreadable" and "max_number_digits" in entry.reason


def test_a_lone_surrogate_is_replaced_and_every_output_is_written(tmp_path: Path) -> None:
    folder = _export(tmp_path)
    user = '{"id": "u1", "userPrincipalName": "u1@contoso.example", "displayName": "Ann \\ud800 Lee", "userType": "Member"}'
    (folder / "users.json").write_text(f'{{"@odata.context": "{V1}users", "value": [{user}]}}', encoding="utf-8")
    loaded = load([str(folder)])
    (user,) = loaded.tenant.users or ()
    assert user.display_name == "Ann \ufffd Lee"
    outputs = [tmp_path / f"o.{name}" for name in ("json", "sarif", "md")]
    code, _, err = _scan(["scan", str(folder), "--format", f"json:{outputs[0]}", "--format", f"sarif:{outputs[1]}",
                          "--format", f"markdown:{outputs[2]}", "--format", "table"])
    assert code in (0, 1), err
    assert all(path.stat().st_size > 0 for path in outputs)


def test_a_member_whose_name_starts_with_a_nul_byte_is_reported_not_a_crash(tmp_path: Path) -> None:
    # found by the long run: zipfile cuts a name at its first NUL, and ZipInfo.is_dir() then fails
    ca = json.dumps({"@odata.context": V1 + CA, "value": [_policy("p1")]}).encode()
    users = json.dumps({"@odata.context": V1 + "users", "value": [{"id": "u1", "userPrincipalName": "a@b"}]}).encode()
    data = _zip([("ca.json", ca), ("users.json", users)])
    (tmp_path / "export.zip").write_bytes(data.replace(b"ca.json", b"\0a.json"))
    loaded = load([str(tmp_path / "export.zip")])
    entry = _entry(loaded, "export.zip/(a member without a name)")
    assert entry.status == "unreadable" and "whose name is empty or starts with a NUL byte" in entry.reason
    assert "INPUT001" in {d.code for d in entry.diagnostics}
    assert _entry(loaded, "export.zip/users.json").status == "used"
    assert loaded.tenant.conditional_access_policies is None


def test_duplicate_member_names_are_refused_not_guessed(tmp_path: Path) -> None:
    first = json.dumps({"@odata.context": V1 + CA, "value": [_policy("p1")]}).encode()
    second = json.dumps({"@odata.context": V1 + CA, "value": [_policy("p2")]}).encode()
    other = json.dumps({"@odata.context": V1 + "users", "value": [{"id": "u1", "userPrincipalName": "a@b"}]}).encode()
    with pytest.warns(UserWarning):  # zipfile itself warns of the duplicate name
        data = _zip([("ca.json", first), ("ca.json", second), ("users.json", other)])
    (tmp_path / "export.zip").write_bytes(data)
    loaded = load([str(tmp_path / "export.zip")])
    entry = _entry(loaded, "export.zip/ca.json")
    assert entry.status == "unreadable" and "2 members named" in entry.reason
    assert _entry(loaded, "export.zip/users.json").status == "used"
    assert loaded.tenant.conditional_access_policies is None


# hangs and super-linear time

def test_parentheses_in_a_context_cost_linear_time() -> None:
    started = time.perf_counter()
    assert collection_from_context("$metadata#users" + "(" * 80_000 + ")" * 80_000) == "users"
    assert collection_from_context("$metadata#users(id,displayName)/$entity") == "users"
    assert collection_from_context("$metadata#users(" + "(" * 80_000) is None  # unclosed: not a context
    assert collection_from_context("$metadata#" + "x/" * 80_000 + "users") == "users"
    # A hang guard, not a speed test: this takes well under a second, the quadratic reading took
    # over a minute at half this size. Its work is in string operations, which no count of calls
    # or sizes can see.
    assert time.perf_counter() - started < 60


def test_a_zip_of_many_damaged_members_is_read_once(tmp_path: Path) -> None:
    broken = json.dumps({"@odata.context": V1 + "users", "value": [{"id": "u1", "accountEnabled": "maybe"}]}).encode()
    (tmp_path / "export.zip").write_bytes(_zip([(f"u{index}.json", broken) for index in range(1500)]))
    opened = []
    real_init = zipfile.ZipFile.__init__

    def counting_init(self: zipfile.ZipFile, *args: Any, **kwargs: Any) -> None:
        opened.append(args[0] if args else kwargs.get("file"))
        real_init(self, *args, **kwargs)

    with mock.patch.object(zipfile.ZipFile, "__init__", counting_init):
        loaded = load([str(tmp_path / "export.zip")])
    assert sum(1 for item in loaded.inputs if item.diagnostics) == 1500
    assert len(opened) <= 2  # the archive is opened once, not once per damaged member


# limits

def test_nested_archives_share_one_running_total(tmp_path: Path) -> None:
    member = json.dumps({"padding": secrets.token_hex(300 << 10)}).encode()  # does not compress
    inner = _zip([(f"m{index}.json", member) for index in range(4)])
    outer = _zip([(f"inner{index}.zip", inner) for index in range(4)])
    (tmp_path / "export.zip").write_bytes(outer)
    loaded = load([str(tmp_path / "export.zip")], Limits(max_archive_bytes=3 << 20))
    refused = {item.path for item in loaded.inputs if "max_archive_mb" in item.reason}
    # 16 members of 600 KB: the first archive's four fit in 3 MB, then the total is spent
    assert {"export.zip/inner1.zip", "export.zip/inner2.zip", "export.zip/inner3.zip"} <= refused
    assert not any(item.path.startswith("export.zip/inner3.zip/") for item in loaded.inputs)


# smaller

@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_are_refused(tmp_path: Path, literal: str) -> None:
    folder = tmp_path / "export"
    folder.mkdir()
    (folder / "users.json").write_text(f'{{"@odata.context": "{V1}users", "value": [{{"id": {literal}}}]}}',
                                       encoding="utf-8")
    entry = _entry(load([str(folder)]), "users.json")
    assert entry.status == "unreadable" and literal.lstrip("-") in entry.reason


def test_a_duplicate_key_is_reported_not_resolved(tmp_path: Path) -> None:
    folder = _export(tmp_path)
    policy = ('{"id": "p1", "displayName": "p1", "state": "disabled", "state": "enabled", "conditions": {}, '
              '"grantControls": null}')
    (folder / "ca.json").write_text(f'{{"@odata.context": "{V1}{CA}", "value": [{policy}]}}', encoding="utf-8")
    loaded = load([str(folder)])
    entry = _entry(loaded, "ca.json")
    assert entry.status == "unreadable" and "'state'" in entry.reason
    assert _verdict(loaded, "MFA011") is not Verdict.PASS


def test_unreadable_xml_and_zip_keep_their_format(tmp_path: Path) -> None:
    folder = tmp_path / "export"
    folder.mkdir()
    (folder / "users.xml").write_text('<Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04">'
                                      "<Obj RefId=", encoding="utf-8")
    (folder / "broken.zip").write_bytes(b"PK\x03\x04" + b"\x00" * 40)
    loaded = load([str(folder)])
    assert (_entry(loaded, "users.xml").status, _entry(loaded, "users.xml").format) == ("unreadable", "xml")
    assert (_entry(loaded, "broken.zip").status, _entry(loaded, "broken.zip").format) == ("unreadable", "zip")


def test_a_report_with_a_lone_surrogate_is_still_written(tmp_path: Path) -> None:
    from checker.output_files import write_reports

    write_reports([("Ann \ud800 Lee", str(tmp_path / "o.md"))])
    assert (tmp_path / "o.md").read_text(encoding="utf-8") == "Ann \\ud800 Lee"  # written out, never lost


CLIXML = '<Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04">{}</Objs>'
SDK_USER = "Deserialized.Microsoft.Graph.PowerShell.Models.MicrosoftGraphUser"


def _shared_references(levels: int) -> str:
    """Each user refers twice to the one before it: 2**levels paths through 2 * levels references."""
    objects = [f'<Obj RefId="1"><TN RefId="0"><T>{SDK_USER}</T></TN><Props><S N="Id">u1</S></Props></Obj>']
    objects += [f'<Obj RefId="{index}"><TNRef RefId="0" /><Props><S N="Id">u{index}</S>'
                f'<S N="UserPrincipalName">u{index}@contoso.example</S><Ref N="Manager" RefId="{index - 1}" />'
                f'<Ref N="Sponsor" RefId="{index - 1}" /></Props></Obj>' for index in range(2, levels + 1)]
    return CLIXML.format("".join(objects))


def _python_calls(action: Callable[[], object]) -> int:
    """How many Python functions ``action`` calls: a measure of work that no machine's speed or load changes."""
    calls = 0

    def count(frame: FrameType, event: str, arg: object) -> None:
        nonlocal calls
        if event == "call":
            calls += 1

    previous = sys.getprofile()
    sys.setprofile(count)
    try:
        action()
    finally:
        sys.setprofile(previous)
    return calls


def test_clixml_references_shared_many_times_are_read_once(tmp_path: Path) -> None:
    def work(levels: int) -> tuple[int, int]:
        """(Python calls, bytes of JSON report) of a scan of ``levels`` users, each referring twice to the last."""
        (tmp_path / "users.xml").write_text(_shared_references(levels), encoding="utf-8")
        calls = _python_calls(lambda: _scan(["scan", str(tmp_path / "users.xml"), "--format",
                                             f"json:{tmp_path / 'o.json'}"]))
        return calls, (tmp_path / "o.json").stat().st_size

    work(8)  # imports and caches out of the way
    (calls_10, size_10), (calls_12, size_12), (calls_14, size_14) = work(10), work(12), work(14)
    # Two levels more are two users more, the same work each time; followed path by path (2**levels
    # paths), each two levels would quadruple it. Counted, not timed: the count cannot flake.
    assert calls_14 - calls_12 < 2 * (calls_12 - calls_10), (calls_10, calls_12, calls_14)
    assert size_14 - size_12 <= 2 * (size_12 - size_10), (size_10, size_12, size_14)
    (tmp_path / "users.xml").write_text(_shared_references(60), encoding="utf-8")
    code, _, err = _scan(["scan", str(tmp_path / "users.xml"), "--format", f"json:{tmp_path / 'o.json'}"])
    assert code in (0, 1), err
    assert len(load([str(tmp_path / "users.xml")]).tenant.users or ()) == 60


def test_clixml_references_over_the_limit_are_input001(tmp_path: Path) -> None:
    (tmp_path / "users.xml").write_text(_shared_references(60), encoding="utf-8")
    entry = _entry(load([str(tmp_path / "users.xml")], Limits(max_clixml_references=50)), "users.xml")
    assert entry.status == "unreadable" and "max_clixml_references" in entry.reason


@pytest.mark.parametrize(("limits", "document", "setting"), [
    (Limits(max_objects=3), {"value": [{"id": "a"}, {"id": "b"}, {"id": "c"}]}, "max_objects"),
    (Limits(max_depth=3), {"value": [{"a": {"b": {"c": {}}}}]}, "max_depth"),
    (Limits(max_number_digits=5), {"value": [{"n": 123456}]}, "max_number_digits"),
    (Limits(max_file_bytes=100), {"value": [{"padding": "x" * 200}]}, "max_file_mb"),
])
def test_each_limit_is_input001_naming_its_setting(tmp_path: Path, limits: Limits, document: Any,
                                                   setting: str) -> None:
    _write(tmp_path / "export", "users.json", {"@odata.context": V1 + "users", **document})
    entry = _entry(load([str(tmp_path / "export")], limits), "users.json")
    assert entry.status == "unreadable"
    assert f"limits: {setting}" in entry.reason
    assert [diagnostic.code for diagnostic in entry.diagnostics] == ["INPUT001"]


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs a device that never ends")
def test_a_device_or_pipe_named_on_the_command_line_is_read_only_up_to_the_limit() -> None:
    # it has no size to check before reading: the read itself stops one byte past the limit
    loaded = load(["/dev/zero"], Limits(max_file_bytes=1 << 20))
    (entry,) = loaded.inputs
    assert entry.status == "unreadable" and "max_file_mb" in entry.reason


def test_a_file_that_holds_more_than_its_size_said_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _write(tmp_path, "users.json", {"value": [{"id": "a", "padding": "x" * 500}]})
    monkeypatch.setattr(os.path, "getsize", lambda _: 10)  # measured before it grew
    entry = _entry(load([str(path)], Limits(max_file_bytes=100)), "users.json")
    assert entry.status == "unreadable" and "max_file_mb" in entry.reason


def test_the_total_size_limit_spans_every_input(tmp_path: Path) -> None:
    folder = tmp_path / "export"
    for name in ("a.json", "b.json", "c.json"):
        _write(folder, name, {"@odata.context": V1 + "users", "value": [{"id": name, "padding": "x" * 400_000}]})
    loaded = load([str(folder)], Limits(max_total_bytes=1 << 20))
    assert [item.status for item in loaded.inputs] == ["used", "used", "unreadable"]
    assert "limits: max_total_mb" in _entry(loaded, "c.json").reason


def test_every_limit_can_be_set_in_the_configuration(tmp_path: Path) -> None:
    from checker.config import load_config
    from checker.inputs.limits import SETTINGS

    settings = "\n".join(f"  {setting}: 7" for setting, _ in SETTINGS.values())
    (tmp_path / "config.yaml").write_text(f"limits:\n{settings}\n", encoding="utf-8")
    limits = load_config(str(tmp_path / "config.yaml"), given=True).limits
    assert all(getattr(limits, name) == 7 * unit for name, (_, unit) in SETTINGS.items())


def test_folder_links_and_named_pipes_are_listed_as_skipped(tmp_path: Path) -> None:
    folder = _export(tmp_path)
    (tmp_path / "elsewhere").mkdir()
    (folder / "inner").mkdir()
    (folder / "linked").symlink_to(folder / "inner", target_is_directory=True)
    os.mkfifo(folder / "pipe.json")
    loaded = load([str(folder)])
    assert "links to folders are not followed" in _entry(loaded, "linked").reason
    assert "named pipe" in _entry(loaded, "pipe.json").reason
    assert _entry(loaded, "defaults.json").status == "used"


def test_a_folder_that_cannot_be_listed_is_input001_in_every_format(tmp_path: Path) -> None:
    folder = _export(tmp_path)
    _write(folder / "Policies", "p1.json", _policy("p1"))
    locked = str(folder / "Policies")
    real_scandir = os.scandir

    def scandir(path: Any) -> Any:
        if os.fspath(path) == locked:
            raise PermissionError(13, "Permission denied")
        return real_scandir(path)

    with mock.patch("os.scandir", scandir):
        loaded = load([str(folder)])
        entry = _entry(loaded, "Policies")
        assert (entry.status, entry.format) == ("unreadable", "folder")
        assert "cannot be read: Permission denied" in entry.reason
        assert _codes(loaded, "Policies") == ["INPUT001"]
        assert _verdict(loaded, "INPUT001") is Verdict.FAIL
        reports = tmp_path / "reports"
        reports.mkdir()
        formats = ("json", "sarif", "markdown", "junit", "html")
        code, out, err = _scan(["scan", str(folder), "--format", "table",
                                *[f"--format={name}:{reports / name}" for name in formats]])
    assert code == 1 and "Traceback" not in err, err
    assert "Policies (the folder)" in out
    assert all("Policies" in (reports / name).read_text(encoding="utf-8") for name in formats)


@pytest.mark.skipif(sys.platform != "linux", reason="a file name that is not UTF-8 needs a file system that keeps bytes")
def test_a_file_name_that_is_not_utf8_is_reported_in_every_format(tmp_path: Path) -> None:
    folder = _export(tmp_path)
    (folder / "policies-\udcff.json").write_text('{"value": [', encoding="utf-8", errors="surrogateescape")
    reports = tmp_path / "reports"
    reports.mkdir()
    formats = ("json", "sarif", "markdown", "junit", "html")
    code, out, err = _scan(["scan", str(folder), *[f"--format={name}:{reports / name}" for name in formats],
                            "--format", "table", "--write-baseline", str(reports / "baseline")])
    assert (code, err) == (1, "")
    assert "INPUT001" in out
    sarif = json.loads((reports / "sarif").read_text(encoding="utf-8"))
    uris = {artifact["location"]["uri"] for artifact in sarif["runs"][0]["artifacts"]}
    assert any(uri.endswith("/policies-%FF.json") for uri in uris), uris


def test_an_entraexporter_file_that_cannot_be_read_leaves_its_collection_incomplete(tmp_path: Path) -> None:
    folder = _export(tmp_path)
    policies = folder / "Identity" / "Conditional" / "AccessPolicies"
    _write(policies / "p1", "p1.json", _policy("p1"))
    (policies / "p2").mkdir()
    (policies / "p2" / "p2.json").write_text('{"id": "p2", "conditions": {', encoding="utf-8")
    _write(policies / "p3", "p3.json", "Microsoft.Graph.PowerShell.Models.MicrosoftGraphConditionalAccessPolicy")
    loaded = load([str(folder)])
    assert [entry.collection for entry in loaded.tenant.incomplete] == [CA]
    assert _codes(loaded, "Identity/Conditional/AccessPolicies/p3/p3.json") == ["INPUT001"]
    assert _verdict(loaded, "MFA011") is Verdict.NOT_ASSESSED


def test_a_cut_short_graph_page_leaves_the_collection_it_names_incomplete(tmp_path: Path) -> None:
    folder = _export(tmp_path)
    _write(folder, "ca-1.json", {"@odata.context": V1 + CA, "value": [_policy("p1")]})
    (folder / "ca-2.json").write_text(json.dumps({"@odata.context": V1 + CA, "value": [_policy("p2")]})[:150],
                                      encoding="utf-8")
    loaded = load([str(folder)])
    assert [entry.collection for entry in loaded.tenant.incomplete] == [CA]
    assert _verdict(loaded, "MFA011") is Verdict.NOT_ASSESSED


@pytest.mark.parametrize("stray", [3, "x", None])
def test_a_scubagear_policy_list_with_a_stray_element_is_incomplete(tmp_path: Path, stray: Any) -> None:
    folder = _export(tmp_path)
    _write(folder, "ProviderSettingsExport.json", {"conditional_access_policies": [_policy("p1"), stray],
                                                   "tenant_details": [], "aad_successful_commands": []})
    loaded = load([str(folder)])
    assert "INPUT001" in _codes(loaded, "ProviderSettingsExport.json")
    assert _verdict(loaded, "MFA011") is Verdict.NOT_ASSESSED


def test_registration_rules_need_every_user_when_users_lost_some(tmp_path: Path) -> None:
    folder = tmp_path / "export"
    _write(folder, "registration.json", {"@odata.context": V1 + REGISTRATION, "value": [
        {"id": "u1", "userPrincipalName": "u1@contoso.example", "isMfaRegistered": True, "isSsprEnabled": True}]})
    _write(folder, "users.json", {"@odata.context": V1 + "users", "value": [
        {"id": "u1", "userPrincipalName": "u1@contoso.example", "accountEnabled": True, "userType": "Member"}, None]})
    loaded = load([str(folder)])
    for rule_id in ("MFA030", "MFA040"):
        assert _verdict(loaded, rule_id) is Verdict.NOT_ASSESSED, rule_id

"""`collect` against a local Graph that serves a made-up tenant (samples/e3-gaps), then `scan` of what it wrote.

The server listens on 127.0.0.1 only, answers a bounded number of requests and stops at the
end of each test. It pages every list, throttles once where asked, refuses what it is told
to refuse with 403, and answers ``$batch`` requests, as Graph does.
"""
from __future__ import annotations

import http.server
import io
import json
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest

from checker.cli import main
from checker.collect.command import CollectOptions, CollectRefused, run_collect
from checker.collect.plan import MANIFEST_FILE, PLAN

SAMPLE = Path(__file__).resolve().parents[1] / "samples" / "e3-gaps"
CONFIG = SAMPLE / ".tenant-checker.yaml"
TOKEN = "test-token"
TENANT_ID = "8d4c1f9e-3b7a-4e62-9c15-2f0a6b8e7d31"
ENVIRON = {"TENANT_CHECKER_GRAPH_TOKEN": TOKEN}
MAX_REQUESTS = 300
DENIED = {"error": {"code": "Authorization_RequestDenied", "message": "Insufficient privileges to complete the "
                    "operation."}}

pytestmark = pytest.mark.allow_hosts(["127.0.0.1"])  # the test server; any other host is refused


def _sample(name: str) -> Any:
    return json.loads((SAMPLE / name).read_text(encoding="utf-8"))


def _built_in_strengths() -> list[dict[str, Any]]:
    names = {"2": ("Multifactor authentication", ["password,microsoftAuthenticatorPush", "fido2"]),
             "3": ("Passwordless MFA", ["fido2", "windowsHelloForBusiness"]),
             "4": ("Phishing-resistant MFA", ["fido2", "x509CertificateMultiFactor"])}
    return [{"id": f"00000000-0000-0000-0000-00000000000{n}", "displayName": name, "policyType": "builtIn",
             "requirementsSatisfied": "mfa", "allowedCombinations": combinations}
            for n, (name, combinations) in names.items()]


@dataclass
class FakeGraph:
    """The tenant of samples/e3-gaps behind Graph's v1.0 and beta URLs."""

    base: str = ""
    page_size: int = 4
    member_page_size: int = 2
    denied: frozenset[str] = frozenset()  # paths (without version or query) answered with 403
    throttled: dict[str, str] = field(default_factory=dict)  # path -> Retry-After of one 429 answer
    unavailable: dict[str, str | None] = field(default_factory=dict)  # path -> Retry-After (if any) of one 503
    always_throttled: frozenset[str] = frozenset()
    next_links: dict[str, str] = field(default_factory=dict)  # path -> a next link to give instead of ours
    log: list[tuple[str, str]] = field(default_factory=list)  # (method, target) of every request, batched ones too
    prefer: set[str | None] = field(default_factory=set)  # the Prefer headers sent

    def __post_init__(self) -> None:
        groups = _sample("groups.json")["value"]
        self.lists: dict[str, tuple[str, list[Any]]] = {
            "identity/conditionalAccess/policies": self._list("conditional-access-policies.json"),
            "identity/conditionalAccess/namedLocations": self._list("named-locations.json"),
            "policies/authenticationStrengthPolicies": (
                "$metadata#policies/authenticationStrengthPolicies", _built_in_strengths()),
            "subscribedSkus": self._list("subscribed-skus.json"),
            "users": self._list("users.json"),
            "groups": ("$metadata#groups(id,displayName)",
                       [{k: v for k, v in g.items() if k != "members"} for g in groups]),
            "roleManagement/directory/roleAssignments": self._list("role-assignments.json"),
            "roleManagement/directory/roleDefinitions": self._list("role-definitions.json"),
            "reports/authenticationMethods/userRegistrationDetails": self._list("user-registration-details.json"),
            "organization": ("$metadata#organization(id,displayName)",
                             [{"id": TENANT_ID, "displayName": "Fabrikam"}]),
        }
        for group in groups:
            self.lists[f"groups/{group['id']}/members"] = ("$metadata#directoryObjects(id)", group["members"])
        self.objects = {
            "policies/identitySecurityDefaultsEnforcementPolicy": _sample("security-defaults.json"),
            "policies/authenticationMethodsPolicy": _sample("authentication-methods-policy.json"),
        }
        for response in _sample("per-user-mfa-requirements.json")["responses"]:
            user = re.search(r"users\('([^']+)'\)", response["body"]["@odata.context"])
            assert user is not None
            self.objects[f"users/{user.group(1)}/authentication/requirements"] = response["body"]

    @staticmethod
    def _list(name: str) -> tuple[str, list[Any]]:
        document = _sample(name)
        return document["@odata.context"], document["value"]

    def answer(self, method: str, target: str, body: Any, authorization: str | None) -> tuple[int, dict[str, str], Any]:
        self.log.append((method, target))
        if len(self.log) > MAX_REQUESTS:
            return 500, {}, {"error": {"code": "TooMany", "message": "the test server's request budget is spent"}}
        if authorization != f"Bearer {TOKEN}":
            return 401, {}, {"error": {"code": "InvalidAuthenticationToken", "message": "Access token is empty."}}
        parts = urlsplit(target)
        version, _, path = parts.path.lstrip("/").partition("/")
        query = dict(parse_qsl(parts.query))
        if method == "POST" and path == "$batch":
            return 200, {}, {"responses": [self._batched(version, request, authorization)
                                           for request in body["requests"]]}
        if method != "GET" or version not in ("v1.0", "beta"):
            return 405, {}, {"error": {"code": "NotAllowed", "message": f"{method} {target}"}}
        if path in self.always_throttled:
            return 429, {"Retry-After": "1"}, {"error": {"code": "TooManyRequests", "message": "throttled"}}
        if path in self.throttled:
            return 429, {"Retry-After": self.throttled.pop(path)}, {"error": {"code": "TooManyRequests",
                                                                             "message": "throttled"}}
        if path in self.unavailable:
            retry_after = self.unavailable.pop(path)
            return 503, {} if retry_after is None else {"Retry-After": retry_after}, {
                "error": {"code": "ServiceUnavailable", "message": "try again"}}
        if path in self.denied:
            return 403, {}, DENIED
        if path in self.objects:
            return 200, {}, self.objects[path]
        if path in self.lists:
            return 200, {}, self._page(version, path, query)
        return 404, {}, {"error": {"code": "Request_ResourceNotFound", "message": target}}

    def _page(self, version: str, path: str, query: dict[str, str]) -> dict[str, Any]:
        context, items = self.lists[path]
        size = self.member_page_size if path.endswith("/members") else self.page_size
        skip = int(query.pop("$skiptoken", "0"))
        page: dict[str, Any] = {"@odata.context": f"{self.base}/{version}/{context.rpartition('/')[2]}",
                                "value": items[skip:skip + size]}
        if skip + size < len(items):
            page["@odata.nextLink"] = self.next_links.get(path) or \
                f"{self.base}/{version}/{path}?{urlencode({**query, '$skiptoken': skip + size}, safe='$,')}"
        return page

    def _batched(self, version: str, request: dict[str, Any], authorization: str | None) -> dict[str, Any]:
        assert request["method"] == "GET", request
        assert request["headers"] == {"Prefer": "include-unknown-enum-members"}, request
        status, headers, body = self.answer("GET", f"/{version}{request['url']}", None, authorization)
        return {"id": request["id"], "status": status, "headers": headers, "body": body}


@pytest.fixture
def graph() -> Iterator[FakeGraph]:
    fake = FakeGraph()

    class Handler(http.server.BaseHTTPRequestHandler):
        timeout = 10

        def do_GET(self) -> None:  # noqa: N802 (named by http.server)
            self._reply(None)

        def do_POST(self) -> None:  # noqa: N802
            length = int(self.headers.get("Content-Length", "0"))
            self._reply(json.loads(self.rfile.read(length)))

        def _reply(self, body: Any) -> None:
            fake.prefer.add(self.headers.get("Prefer"))
            status, headers, answer = fake.answer(self.command, self.path, body, self.headers.get("Authorization"))
            data = json.dumps(answer).encode()
            self.send_response(status)
            for name, value in {**headers, "Content-Type": "application/json"}.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    fake.base = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    stopper = threading.Timer(60, server.shutdown)  # a test that hangs is stopped, not waited for
    stopper.start()
    try:
        yield fake
    finally:
        stopper.cancel()
        server.shutdown()
        server.server_close()


def _collect(graph: FakeGraph, out: Path, sleeps: list[float] | None = None, **options: Any) -> tuple[int, str, str]:
    stdout, stderr = io.StringIO(), io.StringIO()
    code = run_collect(CollectOptions(out=str(out), graph_url=graph.base, **options), environ=ENVIRON,
                       sleep=(sleeps if sleeps is not None else []).append, stdout=stdout, stderr=stderr)
    return code, stdout.getvalue(), stderr.getvalue()


def _verdicts(path: Path, report: Path) -> dict[str, str]:
    main(["scan", str(path), "--config", str(CONFIG), "--format", f"json:{report}", "--exit-zero"])
    return {rule["id"]: rule["verdict"] for rule in json.loads(report.read_text(encoding="utf-8"))["rules"]}


def _manifest(out: Path) -> dict[str, Any]:
    return json.loads((out / MANIFEST_FILE).read_text(encoding="utf-8"))


def test_collected_tenant_scans_to_the_same_verdicts_as_the_tenant_written_directly(
        graph: FakeGraph, tmp_path: Path) -> None:
    out = tmp_path / "export"
    code, stdout, stderr = _collect(graph, out)
    assert code == 0, stdout + stderr
    direct = _verdicts(SAMPLE, tmp_path / "direct.json")
    assert _verdicts(out, tmp_path / "collected.json") == direct
    assert direct["MFA010"] == "fail" and direct["MFA071"] == "pass"  # the sample's findings, not an empty scan
    assert f"Next: tenant-checker scan {out}" in stdout


def test_the_manifest_names_the_tenant_and_every_request(graph: FakeGraph, tmp_path: Path) -> None:
    out = tmp_path / "export"
    _collect(graph, out)
    manifest = _manifest(out)
    assert {k: manifest[k] for k in ("kind", "schemaVersion", "toolVersion", "tenantId", "tenantName", "graphUrl",
                                     "denied")} == {
        "kind": "tenant-checker-manifest", "schemaVersion": 1, "toolVersion": "0.1.0", "tenantId": TENANT_ID,
        "tenantName": "Fabrikam", "graphUrl": graph.base, "denied": []}
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", manifest["collectedAt"])
    by_collection = {r["collection"]: r for r in manifest["requests"]}
    assert list(by_collection) == [request.collection for request in PLAN]
    assert by_collection["users"] == {
        "collection": "users", "status": 200, "file": "users.json", "objects": 13, "pages": 4,
        "url": f"{graph.base}/v1.0/users?$select=id,displayName,userPrincipalName,accountEnabled,userType,"
               "creationType,externalUserState&$top=999"}
    # 5 groups in 2 pages, one $batch of member lists (2 a page), then the next pages of MFA-Pilot's 3 members
    # (1 more) and of SSPR-Users' 7 (3 more)
    assert (by_collection["groups"]["objects"], by_collection["groups"]["pages"]) == (5, 7)
    assert by_collection["users/authentication/requirements"]["objects"] == 13
    assert sorted(path.name for path in out.iterdir()) == sorted({r.file for r in PLAN} | {MANIFEST_FILE})


def test_pages_are_merged_and_group_members_listed_in_full(graph: FakeGraph, tmp_path: Path) -> None:
    out = tmp_path / "export"
    _collect(graph, out)
    users = json.loads((out / "users.json").read_text(encoding="utf-8"))
    assert [u["id"] for u in users["value"]] == [u["id"] for u in _sample("users.json")["value"]]
    assert "@odata.nextLink" not in users
    groups = json.loads((out / "groups.json").read_text(encoding="utf-8"))["value"]
    assert {g["displayName"]: [m["id"] for m in g["members"]] for g in groups} == \
        {g["displayName"]: [m["id"] for m in g["members"]] for g in _sample("groups.json")["value"]}


def test_only_gets_are_sent_and_the_one_post_is_a_batch_of_gets(graph: FakeGraph, tmp_path: Path) -> None:
    _collect(graph, tmp_path / "export")
    methods = {(method, target.split("?")[0].endswith("/$batch")) for method, target in graph.log}
    assert methods == {("GET", False), ("POST", True)}  # batched GETs are logged as GET by the server
    assert graph.prefer == {"include-unknown-enum-members"}
    assert not [target for method, target in graph.log if "404" in target]


def test_a_403_is_recorded_as_denied_the_rest_is_collected_and_its_rules_are_not_assessed(
        graph: FakeGraph, tmp_path: Path) -> None:
    graph.denied = frozenset({"reports/authenticationMethods/userRegistrationDetails"})
    out = tmp_path / "export"
    code, stdout, _ = _collect(graph, out)
    assert code == 1
    assert _manifest(out)["denied"] == [{
        "collection": "reports/authenticationMethods/userRegistrationDetails",
        "url": f"{graph.base}/v1.0/reports/authenticationMethods/userRegistrationDetails", "status": 403,
        "message": "Authorization_RequestDenied: Insufficient privileges to complete the operation."}]
    assert not (out / "user-registration-details.json").exists()
    assert len(_manifest(out)["requests"]) == len(PLAN) - 1
    assert "AuditLog.Read.All" in stdout
    direct = _verdicts(SAMPLE, tmp_path / "direct.json")
    collected = _verdicts(out, tmp_path / "collected.json")
    changed = {rule for rule in direct if collected[rule] != direct[rule]}
    assert changed == {"MFA030", "MFA040", "MFA041"}  # the registration rules, and only they
    assert {collected[rule] for rule in changed} == {"not_assessed"}


def test_throttling_waits_as_long_as_retry_after_says_then_goes_on(graph: FakeGraph, tmp_path: Path) -> None:
    graph.throttled = {"identity/conditionalAccess/policies": "7", "users/db60ab58-7988-488e-8953-2ec8b48402b3/"
                       "authentication/requirements": "3"}
    sleeps: list[float] = []
    code, _, _ = _collect(graph, tmp_path / "export", sleeps)
    assert code == 0
    assert sleeps == [7.0, 3.0]
    assert [t for _, t in graph.log if t.startswith("/v1.0/identity/conditionalAccess/policies")] == \
        ["/v1.0/identity/conditionalAccess/policies"] * 2 + ["/v1.0/identity/conditionalAccess/policies?$skiptoken=4"]


def test_an_unavailable_graph_is_tried_again_after_retry_after_as_seconds_or_a_date_or_a_back_off(
        graph: FakeGraph, tmp_path: Path) -> None:
    graph.unavailable = {"subscribedSkus": "Wed, 21 Oct 2015 07:28:00 GMT", "roleManagement/directory/roleDefinitions":
                         None, "groups/e996b89c-4d8d-476c-b032-fbf229ff9be6/members": "5"}
    sleeps: list[float] = []
    code, _, _ = _collect(graph, tmp_path / "export", sleeps)
    assert code == 0
    assert sleeps == [0.0, 5.0, 2.0]  # a date already past; "5" inside a $batch; no header: the first back-off


def test_retries_are_bounded_and_a_collection_still_throttled_is_denied(graph: FakeGraph, tmp_path: Path) -> None:
    graph.always_throttled = frozenset({"subscribedSkus"})
    sleeps: list[float] = []
    out = tmp_path / "export"
    code, _, _ = _collect(graph, out, sleeps)
    assert code == 1
    assert len(sleeps) == 5 and len([t for _, t in graph.log if t.startswith("/v1.0/subscribedSkus")]) == 6
    assert [(d["collection"], d["status"]) for d in _manifest(out)["denied"]] == [("subscribedSkus", 429)]


def test_a_next_link_to_another_host_is_not_followed(graph: FakeGraph, tmp_path: Path) -> None:
    graph.next_links = {"users": "https://graph.example.invalid/v1.0/users?$skiptoken=4"}
    out = tmp_path / "export"
    code, _, _ = _collect(graph, out)
    assert code == 1
    denied = {d["collection"]: d["message"] for d in _manifest(out)["denied"]}
    assert set(denied) == {"users", "users/authentication/requirements"}  # per-user MFA needs the user list
    assert "graph.example.invalid" in denied["users"]
    assert not (out / "users.json").exists()


def test_a_refused_token_stops_the_run_with_one_line(graph: FakeGraph, tmp_path: Path) -> None:
    with pytest.raises(CollectRefused, match=r"Graph refused the token \(401 InvalidAuthenticationToken"):
        run_collect(CollectOptions(out=str(tmp_path / "export"), graph_url=graph.base),
                    environ={"TENANT_CHECKER_GRAPH_TOKEN": "stolen"}, sleep=[].append, stdout=io.StringIO(),
                    stderr=io.StringIO())


def test_the_command_line_collects_with_the_token_in_the_environment_and_refuses_a_used_folder(
        graph: FakeGraph, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("TENANT_CHECKER_GRAPH_TOKEN", TOKEN)
    out = tmp_path / "export"
    assert main(["collect", "--out", str(out), "--graph-url", graph.base]) == 0
    captured = capsys.readouterr()
    assert "collecting identity/conditionalAccess/policies ..." in captured.err
    assert "  7 objects in 2 requests -> conditional-access-policies.json" in captured.err
    assert f"Collected 12 of 12 collections of tenant {TENANT_ID} (Fabrikam) from {graph.base}" in captured.out
    requests = len(graph.log)
    assert main(["collect", "--out", str(out), "--graph-url", graph.base]) == 2
    assert f"--out {out} is not empty" in capsys.readouterr().err
    assert len(graph.log) == requests  # refused before any request
    assert main(["collect", "--out", str(out), "--graph-url", graph.base, "--force", "--quiet"]) == 0
    assert capsys.readouterr().err == ""


def test_a_collected_folder_scans_clean_and_its_reports_name_the_tenant(graph: FakeGraph, tmp_path: Path) -> None:
    out = tmp_path / "export"
    _collect(graph, out)
    report = tmp_path / "report.json"
    _verdicts(out, report)
    document = json.loads(report.read_text(encoding="utf-8"))
    inputs = {item["path"]: item for item in document["inputs"]}
    assert inputs[MANIFEST_FILE]["status"] == "manifest"
    assert {item["status"] for name, item in inputs.items() if name != MANIFEST_FILE} <= {"used", "configuration"}
    assert {rule["id"]: rule["verdict"] for rule in document["rules"]}["INPUT001"] == "pass"
    manifest = json.loads((out / MANIFEST_FILE).read_text(encoding="utf-8"))
    identity = document["identity"]
    assert (identity["tenantId"], identity["tenantName"]) == (TENANT_ID, "Fabrikam")
    assert identity["exportedAt"] == manifest["collectedAt"] != ""


def test_the_same_answers_give_the_same_bytes(graph: FakeGraph, tmp_path: Path) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    _collect(graph, first)
    _collect(graph, second)
    names = sorted(path.name for path in first.iterdir())
    assert names == sorted(path.name for path in second.iterdir())
    for name in names:
        if name != MANIFEST_FILE:
            assert (first / name).read_bytes() == (second / name).read_bytes(), name
    assert {**_manifest(first), "collectedAt": ""} == {**_manifest(second), "collectedAt": ""}

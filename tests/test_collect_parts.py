"""The parts of `collect` that need no network: the Graph root, the sign-in, the output folder."""
from __future__ import annotations

import base64
import json
import sys
import types
from pathlib import Path
from typing import Any, NamedTuple

import pytest

from checker.collect import folder
from checker.collect.clouds import CLOUDS, graph_root
from checker.collect.credentials import SignInFailed, tenant_in_token, token_source
from checker.collect.plan import FILES, MANIFEST_FILE


@pytest.mark.parametrize("url, root", [
    ("https://graph.microsoft.com", "https://graph.microsoft.com"),
    ("https://graph.microsoft.us/", "https://graph.microsoft.us"),
    ("http://127.0.0.1:8080", "http://127.0.0.1:8080"),
])
def test_a_graph_root_is_taken_as_given(url: str, root: str) -> None:
    assert graph_root(url) == root


@pytest.mark.parametrize("url", [
    "graph.microsoft.com", "https://graph.microsoft.com/v1.0", "https://graph.microsoft.com?x=1",
    "https://user:secret@graph.example", "http://graph.example", "ftp://127.0.0.1",
])
def test_a_graph_root_that_could_send_the_token_elsewhere_is_refused(url: str) -> None:
    with pytest.raises(ValueError, match="--graph-url"):
        graph_root(url)


# ------------------------------------------------------------------------------------------ sign-in


def test_a_token_in_the_environment_is_used_as_is_without_azure_identity(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "azure.identity", None)  # importing it would fail
    token = token_source({"TENANT_CHECKER_GRAPH_TOKEN": " abc.def.ghi\n"}, "device-code", CLOUDS["global"],
                         "https://graph.microsoft.com")
    assert token() == "abc.def.ghi"


def test_without_a_token_or_azure_identity_the_extra_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "azure.identity", None)
    with pytest.raises(SignInFailed, match=r"pip install 'tenant-checker\[collect\]'"):
        token_source({}, "device-code", CLOUDS["global"], "https://graph.microsoft.com")


class _AccessToken(NamedTuple):
    token: str
    expires_on: int


class _AuthenticationError(Exception):
    pass


@pytest.fixture
def fake_identity(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, dict[str, Any], list[str]]]:
    """azure.identity and azure.core.exceptions stand-ins that record how they are used."""
    made: list[tuple[str, dict[str, Any], list[str]]] = []

    def credential(name: str) -> type:
        class Credential:
            def __init__(self, **options: Any) -> None:
                self.scopes: list[str] = []
                made.append((name, options, self.scopes))

            def get_token(self, scope: str) -> _AccessToken:
                self.scopes.append(scope)
                if name == "EnvironmentCredential":
                    raise _AuthenticationError("EnvironmentCredential authentication unavailable.\nmore")
                return _AccessToken(f"token-{len(self.scopes)}", 4102444800)  # 2100-01-01
        return Credential

    identity = types.ModuleType("azure.identity")
    for name in ("DeviceCodeCredential", "AzureCliCredential", "EnvironmentCredential", "ManagedIdentityCredential"):
        setattr(identity, name, credential(name))
    exceptions = types.ModuleType("azure.core.exceptions")
    exceptions.ClientAuthenticationError = _AuthenticationError  # type: ignore[attr-defined]
    azure = types.ModuleType("azure")
    core = types.ModuleType("azure.core")
    azure.identity = identity  # type: ignore[attr-defined]
    azure.core = core  # type: ignore[attr-defined]
    core.exceptions = exceptions  # type: ignore[attr-defined]
    for name, module in (("azure", azure), ("azure.identity", identity), ("azure.core", core),
                         ("azure.core.exceptions", exceptions)):
        monkeypatch.setitem(sys.modules, name, module)
    return made


def test_device_code_signs_in_to_the_national_cloud_and_asks_for_its_graph(
        fake_identity: list[tuple[str, dict[str, Any], list[str]]]) -> None:
    token = token_source({}, "device-code", CLOUDS["china"], CLOUDS["china"].graph_url, tenant="contoso.cn")
    assert (token(), token()) == ("token-1", "token-1")  # the second call reuses the unexpired token
    [(name, options, scopes)] = fake_identity
    assert name == "DeviceCodeCredential"
    assert (options["authority"], options["tenant_id"]) == ("login.chinacloudapi.cn", "contoso.cn")
    assert scopes == ["https://microsoftgraph.chinacloudapi.cn/.default"]


@pytest.mark.parametrize("sign_in, credential", [
    ("azure-cli", "AzureCliCredential"), ("managed-identity", "ManagedIdentityCredential"),
])
def test_each_sign_in_has_its_credential(fake_identity: list[tuple[str, dict[str, Any], list[str]]], sign_in: str,
                                         credential: str) -> None:
    token_source({}, sign_in, CLOUDS["usgov"], CLOUDS["usgov"].graph_url)()
    assert [(name, scopes) for name, _, scopes in fake_identity] == [(credential, ["https://graph.microsoft.us/.default"])]


def test_a_failed_sign_in_is_one_line(fake_identity: list[tuple[str, dict[str, Any], list[str]]]) -> None:
    token = token_source({}, "environment", CLOUDS["global"], CLOUDS["global"].graph_url)
    with pytest.raises(SignInFailed) as caught:
        token()
    assert str(caught.value) == "sign-in failed: EnvironmentCredential authentication unavailable."


def _jwt(claims: dict[str, Any]) -> str:
    def part(value: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")
    return f"{part({'alg': 'none'})}.{part(claims)}.signature"


def test_the_tenant_is_read_from_a_token_and_not_made_up() -> None:
    assert tenant_in_token(_jwt({"tid": "8d4c1f9e-3b7a-4e62-9c15-2f0a6b8e7d31", "aud": "x"})) == \
        "8d4c1f9e-3b7a-4e62-9c15-2f0a6b8e7d31"
    assert tenant_in_token(_jwt({"aud": "x"})) == ""
    assert tenant_in_token("test-token") == ""
    assert tenant_in_token("a.!!!.c") == ""


# --------------------------------------------------------------------------------------- the folder


def test_a_folder_that_holds_anything_is_refused_without_force(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(folder.FolderRefused, match="is not empty"):
        folder.prepare(tmp_path, False, FILES)
    assert (tmp_path / "notes.txt").read_text(encoding="utf-8") == "mine"


def test_force_removes_only_what_an_earlier_collection_wrote(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    (tmp_path / "users.json").write_text("{}", encoding="utf-8")
    (tmp_path / MANIFEST_FILE).write_text("{}", encoding="utf-8")
    folder.prepare(tmp_path, True, FILES)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def test_a_new_folder_is_created_and_a_file_is_refused(tmp_path: Path) -> None:
    assert folder.prepare(tmp_path / "a" / "b", False, FILES).is_dir()
    (tmp_path / "file").write_text("", encoding="utf-8")
    with pytest.raises(folder.FolderRefused, match="is a file"):
        folder.prepare(tmp_path / "file", True, FILES)


def test_writing_replaces_a_planted_link_and_never_follows_it(tmp_path: Path) -> None:
    outside = tmp_path / "outside.json"
    outside.write_text("keep", encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    (out / "users.json").symlink_to(outside)
    folder.write_json(out, "users.json", {"value": []})
    assert outside.read_text(encoding="utf-8") == "keep"
    assert not (out / "users.json").is_symlink()
    assert json.loads((out / "users.json").read_text(encoding="utf-8")) == {"value": []}
    assert sorted(p.name for p in out.iterdir()) == ["users.json"]  # no temporary file left behind


@pytest.mark.parametrize("name", ["../users.json", "sub/users.json", "..", ""])
def test_only_bare_file_names_are_written(tmp_path: Path, name: str) -> None:
    with pytest.raises(ValueError):
        folder.write_json(tmp_path, name, {})


# ------------------------------------------------------------------------------ the inputs command


SAMPLES = Path(__file__).resolve().parents[1] / "samples"


def test_inputs_points_at_how_to_export_what_is_absent(capsys: pytest.CaptureFixture[str]) -> None:
    from checker.cli import main

    main(["inputs", str(SAMPLES / "partial-ca-only")])
    out = capsys.readouterr().out
    assert "docs/exporting.md" in out and "tenant-checker collect" in out
    assert out.index("docs/exporting.md") < out.index("Rules that will be not_assessed")



@pytest.mark.parametrize("options, message", [
    (["--graph-url", "http://graph.example"], "--graph-url must use https"),
    (["--cloud", "mars"], "--cloud must be one of global, usgov, usgovdod, china"),
    (["--sign-in", "password"], "--sign-in must be one of device-code, azure-cli, environment, managed-identity"),
    (["--cloud", "usgov", "--graph-url", "https://graph.microsoft.us"], "not allowed with argument"),
])
def test_collect_refuses_bad_options_before_writing_anything(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], options: list[str], message: str) -> None:
    from checker.cli import main

    assert main(["collect", "--out", str(tmp_path / "export"), *options]) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "export").exists()

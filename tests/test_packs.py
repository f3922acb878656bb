"""Rule packs through the ``tenant_checker.rules`` entry point: discovery, clashes, binding, failures.

Packages are made in ``tmp_path`` as an installer leaves them (a module and a ``*.dist-info``
folder with ``entry_points.txt``) and put on ``sys.path``, where importlib.metadata finds them.
"""
from __future__ import annotations

import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from checker.catalogue import CatalogueError, bind_checks, catalogue_of, load_catalogue, load_checks
from checker.checks.base import CheckContext
from checker.engine import run_rule
from checker.model import Tenant
from checker.packs import BUILTIN, InstalledPack, PackError, RulePack, installed_packs
from checker.verdicts import Verdict

RULE = """\
section: "Test pack"
rules:
  - id: {id}
    name: {name}
    title: "A rule of a test pack"
    severity: low
    section: "Test pack"
    what: "What it checks."
    why: "Why it matters."
    fix: "How to fix."
    evidence: "The tenant."
"""


@pytest.fixture(autouse=True)
def forget_test_packages() -> Iterator[None]:
    """Each test makes its packages afresh: an import left from another test would shadow them."""
    yield
    for name in [name for name in sys.modules if name.startswith(("acme_rules", "other_rules"))]:
        del sys.modules[name]


def make_package(root: Path, distribution: str, module: str, pack_name: str, rule_id: str, *,
                 checks: str = "lambda: {'{id}': _check}", body: str = "") -> None:
    """An installed package ``distribution`` whose module ``module`` registers the pack ``pack_name``."""
    package = root / module
    (package / "rules").mkdir(parents=True)
    (package / "rules" / "rules.yaml").write_text(RULE.format(id=rule_id, name=f"{module.replace('_', '-')}-rule"), "utf-8")
    (package / "__init__.py").write_text(textwrap.dedent(f"""\
        import importlib.resources
        from checker.checks.base import Finding
        from checker.checks.common import TENANT
        from checker.packs import RulePack
        from checker.verdicts import Verdict

        def _check(context):
            {body or "return [Finding(Verdict.PASS, 'fine', TENANT)]"}

        PACK = RulePack(importlib.resources.files(__name__) / "rules", {checks.replace("{id}", rule_id)})
        """), "utf-8")
    info = root / f"{distribution.replace('-', '_')}-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {distribution}\nVersion: 1.0\n", "utf-8")
    (info / "entry_points.txt").write_text(f"[tenant_checker.rules]\n{pack_name} = {module}:PACK\n", "utf-8")


def test_the_builtin_rules_are_found_through_their_entry_point() -> None:
    packs = installed_packs()
    assert packs[0].name == BUILTIN
    assert packs[0].package == "tenant-checker"
    assert {rule.pack for rule in load_catalogue()} >= {BUILTIN}
    builtin = {rule.id for rule in load_catalogue() if rule.pack == BUILTIN}
    assert set(load_checks()) >= builtin and len(builtin) == 24


def test_a_third_party_pack_is_found_and_its_rules_carry_its_name(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    make_package(tmp_path, "acme-rules", "acme_rules", "acme", "ACM001")
    monkeypatch.syspath_prepend(str(tmp_path))
    packs = installed_packs()
    assert [(p.name, p.package) for p in packs][:1] == [(BUILTIN, "tenant-checker")]
    assert ("acme", "acme-rules") in [(p.name, p.package) for p in packs]
    rules = catalogue_of(packs)
    (acme,) = [rule for rule in rules if rule.id == "ACM001"]
    assert acme.pack == "acme"
    checks = bind_checks(packs, rules)
    (result,) = run_rule(acme, CheckContext(Tenant()), checks["ACM001"]).results
    assert result.verdict is Verdict.PASS


def test_an_id_defined_by_two_packs_names_both_packages(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    make_package(tmp_path, "acme-rules", "acme_rules", "acme", "MFA001")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(CatalogueError) as raised:
        catalogue_of(installed_packs())
    assert str(raised.value) == ("rule id MFA001 is defined by both rule pack 'builtin' (package tenant-checker) "
                                 "and rule pack 'acme' (package acme-rules)")


def test_a_clash_between_two_third_party_packs_is_a_usage_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    make_package(tmp_path, "acme-rules", "acme_rules", "acme", "ACM001")
    make_package(tmp_path, "other-rules", "other_rules", "other", "ACM001")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.chdir(tmp_path)
    load_catalogue.cache_clear()
    _packs_cache_clear()
    try:
        from checker.cli import main

        assert main(["rules"]) == 2
    finally:
        monkeypatch.undo()
        load_catalogue.cache_clear()
        _packs_cache_clear()
    assert "rule id ACM001 is defined by both rule pack 'acme' (package acme-rules) and rule pack 'other' " \
           "(package other-rules)" in capsys.readouterr().err


@pytest.mark.parametrize("command", ["inputs", "gaps", "explain-user", "scan"])
def test_a_broken_pack_is_a_usage_error_for_every_command(command: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    make_package(tmp_path, "acme-rules", "acme_rules", "acme", "ACM001")
    (tmp_path / "acme_rules" / "__init__.py").write_text("import no_such_module_here\n", "utf-8")
    sample = str(Path(__file__).resolve().parents[1] / "samples" / "e3-gaps")
    argv = [command, *(["helen.oconnor@fabrikam-gaps.example"] if command == "explain-user" else []), sample]
    monkeypatch.syspath_prepend(str(tmp_path))
    load_catalogue.cache_clear()
    _packs_cache_clear()
    try:
        from checker.cli import main

        assert main(argv) == 2
    finally:
        monkeypatch.undo()
        load_catalogue.cache_clear()
        _packs_cache_clear()
    assert "rule pack 'acme' (package acme-rules): cannot be loaded" in capsys.readouterr().err


def _packs_cache_clear() -> None:
    from checker import catalogue

    catalogue._packs.cache_clear()
    catalogue.load_checks.cache_clear()


def test_a_pack_may_not_take_the_prefix_of_the_configurations_rules(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    make_package(tmp_path, "acme-rules", "acme_rules", "acme", "ORG001")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(CatalogueError, match=r"rule pack 'acme' \(package acme-rules\): rule ORG001: ids starting "
                                             "with ORG are kept"):
        catalogue_of(installed_packs())


@pytest.mark.parametrize(("checks", "problem"), [
    pytest.param("lambda: {}", "rule ACM001 has no check", id="rule-without-check"),
    pytest.param("lambda: {'{id}': _check, 'ACM002': _check}", "a check is bound to 'ACM002', which is not in its "
                 "catalogue", id="check-without-rule"),
    pytest.param("lambda: 1 / 0", "its checks cannot be loaded (ZeroDivisionError: division by zero)",
                 id="checks-fail-to-load"),
])
def test_every_entry_has_one_check_and_every_check_one_entry(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                             checks: str, problem: str) -> None:
    make_package(tmp_path, "acme-rules", "acme_rules", "acme", "ACM001", checks=checks)
    monkeypatch.syspath_prepend(str(tmp_path))
    packs = installed_packs()
    with pytest.raises(CatalogueError) as raised:
        bind_checks(packs, catalogue_of(packs))
    assert str(raised.value) == f"rule pack 'acme' (package acme-rules): {problem}"


def test_a_pack_that_cannot_be_imported_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    make_package(tmp_path, "acme-rules", "acme_rules", "acme", "ACM001")
    (tmp_path / "acme_rules" / "__init__.py").write_text("import no_such_module_here\n", "utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(PackError, match=r"rule pack 'acme' \(package acme-rules\): cannot be loaded "
                                        r"\(ModuleNotFoundError: No module named 'no_such_module_here'\)"):
        installed_packs()


def test_a_pack_check_that_raises_is_not_assessed_and_the_other_rules_still_run(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    make_package(tmp_path, "acme-rules", "acme_rules", "acme", "ACM001", body="raise KeyError('state')")
    monkeypatch.syspath_prepend(str(tmp_path))
    packs = installed_packs()
    rules = catalogue_of(packs)
    checks = bind_checks(packs, rules)
    context = CheckContext(Tenant())
    outcomes = {rule.id: run_rule(rule, context, checks[rule.id]) for rule in rules if rule.id in ("ACM001", "MFA002")}
    (broken,) = outcomes["ACM001"].results
    assert broken.verdict is Verdict.NOT_ASSESSED
    assert broken.message == "Not assessed: the check stopped on an unexpected error (KeyError: 'state')."
    assert outcomes["MFA002"].results


def test_the_builtin_pack_missing_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.metadata

    monkeypatch.setattr(importlib.metadata, "entry_points", lambda **_: [])
    with pytest.raises(PackError, match=r"the built-in rule pack is not registered .*install tenant-checker"):
        installed_packs()


def test_an_entry_point_that_is_no_rule_pack_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    make_package(tmp_path, "acme-rules", "acme_rules", "acme", "ACM001")
    info = tmp_path / "acme_rules-1.0.dist-info" / "entry_points.txt"
    info.write_text("[tenant_checker.rules]\nacme = acme_rules:_check\n", "utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(PackError, match=r"rule pack 'acme' \(package acme-rules\): the entry point names a function, "
                                        "not a checker.packs.RulePack"):
        installed_packs()


def test_listing_rules_does_not_import_the_checks() -> None:
    import subprocess

    code = ("import sys; from checker.cli import main; main(['rules']); "
            "print(sorted(m for m in sys.modules if m.startswith(('checker.checks', 'checker.evaluation'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.splitlines()[-1] == "[]"


def test_installed_pack_label_names_the_package() -> None:
    pack = InstalledPack("acme", "acme-rules", RulePack(Path("."), dict))
    assert pack.label == "rule pack 'acme' (package acme-rules)"

"""Configuration files: every mistake exits 2 naming the file and line; hostile YAML is refused
quickly; a configuration found next to the export is not trusted like one given with --config."""
from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pytest

from checker.cli import main
from checker.config import ConfigError, load_config, what_it_changes
from checker.inputs.archives import Limits

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
WAIVER = "waivers:\n  - rule: MFA050\n    subject: '*'\n    reason: piloting\n    expires: 2099-01-01\n"


def copy_sample(tmp_path: Path) -> Path:
    tenant = tmp_path / "tenant"
    shutil.copytree(SAMPLES / "e3-done-right", tenant)
    return tenant


def config_error(tmp_path: Path, text: str) -> str:
    path = tmp_path / "config.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_config(str(path), given=True)
    message = str(raised.value)
    assert message.startswith(str(path))
    return message.removeprefix(str(path))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("fail_on: low\nselect: [MFA01\n", ":3:1: not valid YAML", id="invalid-yaml"),
        pytest.param("fail_on: low\ncolour: blue\n", ":2: unknown setting 'colour'", id="unknown-key"),
        pytest.param("fail_on: low\nignroe: [MFA050]\n", "did you mean 'ignore'?", id="unknown-key-close"),
        pytest.param("ignore: [MFA050]\nfail_on: low\nignore: [MFA061]\n",
                     ":3: duplicate key 'ignore' (first on line 1)", id="duplicate-key"),
        pytest.param("waivers:\n  - rule: MFA050\n    reason: x\n    reason: y\n", ":4: duplicate key 'reason'",
                     id="duplicate-key-in-a-waiver"),
        pytest.param("fail_on: low\nwaivers:\n  - rule: MFA050\n    subject: '*'\n    expires: 2099-01-01\n",
                     ":3: waiver: reason is required", id="waiver-without-reason"),
        pytest.param(WAIVER.replace("reason: piloting", "reason: '  '"), ":2: waiver: reason is required",
                     id="waiver-with-a-blank-reason"),
        pytest.param(WAIVER.replace("2099-01-01", "next spring"), ":5: waiver: expires: 'next spring' is not a date",
                     id="date-not-a-date"),
        pytest.param(WAIVER.replace("2099-01-01", "2099-02-30"), ":5: '2099-02-30' is not a date", id="impossible-date"),
        pytest.param(WAIVER.replace("MFA050", "MFA055"), ":2: waiver: no rule 'MFA055'", id="waiver-unknown-rule"),
        pytest.param(WAIVER.replace("subject", "subjet"), ":3: waiver: unknown key 'subjet'",
                     id="waiver-unknown-key"),
        pytest.param("select:\n  - MFA01\n  - XYZ9\n", ":3: select: 'XYZ9' matches no rule", id="select-unknown"),
        pytest.param("ignore: [MFA9]\n", ":1: ignore: 'MFA9' matches no rule", id="ignore-unknown"),
        pytest.param("fail_on: severe\n", ":1: fail_on: unknown severity 'severe' (expected one of: critical, high, "
                     "medium, low, info, none)", id="fail-on-choices"),
        pytest.param("waivers: MFA050\n", ":1: waivers: expected a list", id="waivers-not-a-list"),
        pytest.param("fail_on:\n", ":1: fail_on: expected a severity, not None", id="fail-on-empty"),
        pytest.param("fail_on: low\n? [a, b]\n: 1\n", ":2: a key must be plain text", id="list-as-a-key"),
        pytest.param("".join(f"{'  ' * level}k{level}:\n" for level in range(40)), "nested deeper than any setting",
                     id="deep-block-mappings"),
        pytest.param(WAIVER.replace("'*'", "*"), "write subject: '*' with the quotes", id="bare-star"),
    ],
)
def test_a_bad_configuration_names_the_file_the_line_and_the_problem(tmp_path: Path, text: str,
                                                                    expected: str) -> None:
    assert expected in config_error(tmp_path, text)


def test_a_waiver_accepts_a_yaml_date_or_an_iso_string(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text(WAIVER + "  - rule: ca-not-enforced\n    subject: Pilot policy\n    reason: r\n"
                    "    expires: '2030-06-30'\n    ticket: 4711\n", encoding="utf-8")
    waivers = load_config(str(path), given=True).waivers
    assert [(w.rule, w.subject, w.expires, w.ticket) for w in waivers] == [
        ("MFA050", "*", date(2099, 1, 1), ""), ("MFA050", "Pilot policy", date(2030, 6, 30), "4711")]
    assert waivers[1].where == f"{path}:6"


def test_a_bad_configuration_exits_2_on_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tenant = copy_sample(tmp_path)
    config = tmp_path / "config.yaml"
    config.write_text("ignore: [MFA050]\nignore: [MFA061]\n", encoding="utf-8")
    assert main(["scan", str(tenant), "-q", "--config", str(config)]) == 2
    assert capsys.readouterr().err == f"tenant-checker: error: {config}:2: duplicate key 'ignore' (first on line 1)\n"


def test_deep_nesting_is_refused_without_a_recursion_error(tmp_path: Path) -> None:
    depth = 100_000
    message = config_error(tmp_path, "select: " + "[" * depth + "]" * depth + "\n")
    assert "nested deeper than any setting" in message


def test_an_alias_bomb_is_refused_at_once(tmp_path: Path) -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 10)}]" for n in range(1, 10)]
    # refused where the first alias stands, before anything is expanded (10**10 items if it were)
    message = config_error(tmp_path, "\n".join(lines) + "\n")
    assert ":2: aliases (*name) are not allowed" in message


def test_a_huge_file_is_refused_before_it_is_parsed(tmp_path: Path) -> None:
    assert "larger than any configuration needs" in config_error(tmp_path, "# " + "x" * (2 << 20) + "\n")
    # past four bytes a character, it is not even read whole
    assert "larger than any configuration (at most" in config_error(tmp_path, "# " + "x" * (5 << 20) + "\n")


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs a device that never ends")
def test_a_configuration_that_never_ends_is_refused() -> None:
    with pytest.raises(ConfigError, match="larger than any configuration"):
        load_config("/dev/zero", given=True)


def found_config(tenant: Path, text: str) -> Path:
    """The sample's own file (two break-glass accounts) with ``text`` added."""
    path = tenant / ".tenant-checker.yaml"
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")
    return path


def test_limits_of_a_found_configuration_are_not_applied(tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    tenant = copy_sample(tmp_path)
    path = found_config(tenant, "limits:\n  max_file_mb: 4096\n")
    found = load_config(str(path))
    assert not found.given and found.limits == Limits() and found.limits_refused
    given = load_config(str(path), given=True)
    assert given.limits.max_file_bytes == 4096 << 20 and not given.limits_refused
    assert main(["scan", str(tenant), "-q", "--format", f"json:{tmp_path / 'o.json'}"]) == 0
    assert "sets limits, which are not applied" in capsys.readouterr().err


def test_a_found_configuration_is_named_with_what_it_changes(tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    tenant = copy_sample(tmp_path)
    found_config(tenant, "ignore: [MFA050, MFA061]\n" + WAIVER)
    assert main(["scan", str(tenant), "-q", "--format", f"json:{tmp_path / 'o.json'}"]) == 0
    warning = capsys.readouterr().err
    assert "was found next to the export, not given with --config" in warning
    assert "leaves out rules MFA050, MFA061" in warning
    assert "declares 2 break-glass accounts" in warning
    assert "holds 1 waiver" in warning
    identity = json.loads((tmp_path / "o.json").read_text(encoding="utf-8"))["identity"]
    assert identity["configurationFound"] is True
    assert identity["configurationChanges"] == ["leaves out rules MFA050, MFA061", "declares 2 break-glass accounts",
                                                "holds 1 waiver", "adds rules of its own: ORG001, ORG002, ORG003"]


def test_the_header_names_what_a_found_configuration_adds_and_declares(tmp_path: Path,
                                                                       capsys: pytest.CaptureFixture[str]) -> None:
    sample = Path(__file__).resolve().parents[1] / "samples" / "e3-done-right"
    assert main(["scan", str(sample), "-q"]) == 0
    out, err = capsys.readouterr()
    assert err == ""  # break-glass accounts and rules of its own loosen nothing: the header says them
    header = " ".join(out.split("Rules run:", 1)[0].split())
    assert ("found beside the export, not given with --config: it declares 2 break-glass accounts; adds rules "
            "of its own: ORG001, ORG002, ORG003)") in header


def test_what_it_changes_follows_the_command_line(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text("ignore: [MFA050]\nselect: [MFA0]\nfail_on: high\n", encoding="utf-8")
    config = load_config(str(path))
    assert what_it_changes(config).leaves_rules_out
    assert what_it_changes(config).words()[0] == "sets fail_on to high"
    overridden = what_it_changes(config, select=["MFA"], ignore=["MFA061"], fail_on_given=True)
    assert not overridden.leaves_rules_out and overridden.words() == []


@pytest.mark.parametrize("text", ["ignore: [MFA050]\n", "select: [MFA01]\n", WAIVER, "fail_on: none\n",
                                  "fail_on: critical\n"])
def test_strict_refuses_a_found_configuration_that_leaves_out_or_waives(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str) -> None:
    tenant = copy_sample(tmp_path)
    path = found_config(tenant, text)
    assert main(["scan", str(tenant), "-q", "--strict"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"tenant-checker: error: {path}: found next to the export")
    assert "pass it with --config" in err
    out = f"json:{tmp_path / 'o.json'}"
    assert main(["scan", str(tenant), "-q", "--strict", "--config", str(path), "--format", out]) != 2


@pytest.mark.parametrize("text", ["", "fail_on: low\n", "fail_on: info\n"])
def test_strict_accepts_a_found_configuration_that_changes_no_verdict(tmp_path: Path, text: str) -> None:
    tenant = copy_sample(tmp_path)  # the sample's own file declares two break-glass accounts
    found_config(tenant, text)
    assert main(["scan", str(tenant), "-q", "--strict", "--format", f"json:{tmp_path / 'o.json'}"]) != 2

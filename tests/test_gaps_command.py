"""`tenant-checker gaps`: who signs in without MFA and how, agreeing with MFA070 and explain-user."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from checker.cli import main

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = sorted(p for p in (ROOT / "samples").iterdir() if p.is_dir())
CASES = sorted(p for p in (ROOT / "tests" / "cases" / "MFA070").iterdir() if (p / "users.json").exists())


def gaps_of(folder: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, dict]:  # type: ignore[type-arg]
    code = main(["gaps", str(folder), "--format", "json"])
    return code, json.loads(capsys.readouterr().out)["gaps"]


def test_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["gaps", str(ROOT / "samples" / "e3-done-right")]) == 0
    assert main(["gaps", str(ROOT / "samples" / "e3-gaps")]) == 1
    assert main(["gaps", str(ROOT / "samples" / "free-defaults-on")]) == 0
    capsys.readouterr()
    assert main(["gaps", str(ROOT / "samples")]) == 2
    assert "holds 6 exports or snapshots" in capsys.readouterr().err
    assert main(["gaps", "no/such/folder"]) == 2
    assert "no such file or folder" in capsys.readouterr().err


def test_the_table_names_the_users_their_class_and_the_closest_policy(
        capsys: pytest.CaptureFixture[str], snapshot: object) -> None:
    main(["gaps", str(ROOT / "samples" / "e3-gaps")])
    out = capsys.readouterr().out
    assert out.startswith("10 users in 6 classes sign in without MFA somewhere")
    assert ("2 users (members in 'Contractors-Exempt') · any app → no MFA (closest: 'Require MFA for all users', "
            "it is report-only; would be closed by 'Require MFA for all users' (report-only))") in out
    snapshot.snapshot_dir = ROOT / "tests" / "snapshots" / "gaps"  # type: ignore[attr-defined]
    snapshot.assert_match(out, "e3-gaps.txt")  # type: ignore[attr-defined]


@pytest.mark.parametrize("folder", SAMPLES + CASES, ids=lambda p: p.name)
def test_gaps_mfa070_and_explain_user_agree_on_every_user(
        folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = [] if (folder / ".tenant-checker.yaml").exists() else ["--config", str(tmp_path / "none.yaml")]
    (tmp_path / "none.yaml").write_text("{}\n", encoding="utf-8")
    main(["gaps", str(folder), "--format", "json", *config])
    gaps = json.loads(capsys.readouterr().out)["gaps"]
    in_gaps = {u["id"]: c["regions"][0]["outcome"] for c in gaps["classes"] if not c["synthetic"] for u in c["users"]}
    out = tmp_path / "out.json"
    main(["scan", str(folder), "--select", "MFA070", "--format", f"json:{out}", *config])
    results = json.loads(out.read_text(encoding="utf-8"))["rules"][0]["results"]
    judged = {r["subject"]["id"]: r["verdict"] for r in results if r["subject"]["kind"] == "user"}
    if results[0]["subject"]["kind"] == "user" or any(r["verdict"] == "pass" for r in results):
        assert set(judged) == set(in_gaps), (judged, in_gaps)
    users = json.loads((folder / "users.json").read_text(encoding="utf-8-sig"))["value"] \
        if (folder / "users.json").exists() else []
    capsys.readouterr()
    for user in ({key.lower(): value for key, value in u.items()} for u in users):
        if user.get("accountenabled") is False:
            continue
        code = main(["explain-user", user["id"], str(folder), *config])
        text = capsys.readouterr().out
        assert (code == 0) == (user["id"] not in in_gaps or gaps["state"] != "per class"), (user, text)
        for region in next((c["regions"] for c in gaps["classes"] if any(u["id"] == user["id"] for u in c["users"])),
                           []):
            assert region["words"] in text, (user["id"], region["words"])

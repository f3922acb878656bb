"""Break-glass accounts named by UPN or id, resolved through whatever objects the export carries."""
from __future__ import annotations

from pathlib import Path

import pytest

from checker.checks.base import CheckContext, Settings
from checker.cli import main
from checker.model import PerUserMfaState, Tenant
from checker.origin import Origin
from tests.test_cli import write_tenant


def test_a_upn_resolves_through_per_user_mfa_rows() -> None:
    row = PerUserMfaState("AB12", "BG@contoso.example", "disabled", Origin("mfa.csv"))
    context = CheckContext(Tenant(per_user_mfa=(row,)), Settings(break_glass=frozenset({"bg@contoso.example"})))
    assert context.settings.is_break_glass("ab12")
    assert context.settings.unmatched_break_glass == ()


def test_an_entry_that_matches_nothing_is_a_warning(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tenant = write_tenant(tmp_path / "tenant", defaults_on=True)
    (tenant / ".tenant-checker.yaml").write_text("break_glass: [ann@contoso.example, bg@contoso.exmaple]\n",
                                                 encoding="utf-8")
    main(["scan", str(tenant)])
    err = capsys.readouterr().err
    assert "warning: break_glass entry 'bg@contoso.exmaple' matches no account" in err
    assert "ann@" not in err

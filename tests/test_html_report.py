"""The HTML report: self-contained, loads nothing, escapes the export, same bytes twice."""
from __future__ import annotations

import base64
import configparser
import fnmatch
import hashlib
import re
import subprocess
import sys
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path

import pytest
from report_fixture import MFA030, build_report

from checker.cli import main
from checker.formatters import get_formatter
from checker.formatters.options import FormatOptions
from checker.report import Report, Result, RuleOutcome, Subject
from checker.verdicts import Verdict

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "samples" / "e3-gaps"


class _Links(HTMLParser):
    """Every URL-bearing attribute, and the Content-Security-Policy meta tags."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[tuple[str, str, str]] = []
        self.policies: list[str] = []
        self.style = ""
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for name in ("src", "href", "srcset", "action", "data", "poster", "xlink:href"):
            if values.get(name) is not None:
                self.urls.append((tag, name, values[name] or ""))
        if tag == "meta" and (values.get("http-equiv") or "").lower() == "content-security-policy":
            self.policies.append(values.get("content") or "")
        self._in_style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.style += data


def render_sample(tmp_path: Path, *extra: str) -> str:
    tmp_path.mkdir(parents=True, exist_ok=True)
    out = tmp_path / "report.html"
    main(["scan", str(SAMPLE), "--format", f"html:{out}", *extra])
    return out.read_text(encoding="utf-8")


def test_the_report_loads_nothing(tmp_path: Path) -> None:
    text = render_sample(tmp_path)
    links = _Links()
    links.feed(text)
    # only in-page links: no src at all, no href leaving the document
    assert links.urls
    assert all(name == "href" and url.startswith("#") for _, name, url in links.urls), links.urls
    assert not re.search(r"(?i)url\(|@import|https?://", links.style)
    (policy,) = links.policies
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["default-src"] == "'none'"
    for directive in ("img-src", "font-src", "connect-src", "script-src", "base-uri", "form-action"):
        assert directives[directive] == "'none'"
    digest = base64.b64encode(hashlib.sha256(links.style.encode("utf-8")).digest()).decode("ascii")
    assert directives["style-src"] == f"'sha256-{digest}'"
    assert "<script" not in text


def test_same_export_same_bytes(tmp_path: Path) -> None:
    first = render_sample(tmp_path / "one")
    assert render_sample(tmp_path / "two") == first
    assert str(tmp_path) not in first


def test_sections_by_verdict_failing_first(tmp_path: Path) -> None:
    text = render_sample(tmp_path)
    headings = re.findall(r'<h2 id="verdict-([a-z_]+)-heading">', text)
    assert headings == ["fail", "not_assessed", "review", "pass", "not_applicable"]
    fail = text.index('id="verdict-fail"')
    assert fail < text.index('id="rule-MFA001"') < text.index('id="rule-MFA070"') < text.index('id="verdict-pass"')
    # passing rules show their evidence too
    passing = text[text.index('id="verdict-pass"'):text.index('id="verdict-not_applicable"')]
    assert "<code>security-defaults.json:" in passing


def test_evidence_shows_values_and_the_gaps(tmp_path: Path) -> None:
    text = render_sample(tmp_path)
    assert '<span class="value">isEnabled = false</span>' in text
    gaps = text[text.index('id="gaps"'):text.index('id="verdict-fail"')]
    assert "members holding Global Administrator" in gaps
    assert "noor.haddad@fabrikam-gaps.example" in gaps


def test_charts_are_inline_svg_with_text_alternatives(tmp_path: Path) -> None:
    text = render_sample(tmp_path)
    charts = re.findall(r'<svg role="img" aria-labelledby="([^"]+)"', text)
    assert len(charts) == 2
    for labels in charts:
        for label in labels.split():
            assert f'id="{label}"' in text
    assert "critical: 2 rules, 2 fail." in text
    assert "12 enabled users, 10 without MFA somewhere, 2 break-glass (exempt)." in text


def test_thousands_of_results_fold_away(tmp_path: Path) -> None:
    base = build_report(tmp_path)
    many = tuple(Result("MFA030", Verdict.FAIL, "This user is not registered for MFA.",
                        Subject("user", f"{index:08d}-0000-0000-0000-000000000000", f"user{index}@contoso.example"))
                 for index in range(3000))
    outcomes = tuple(RuleOutcome(MFA030, many) if o.rule.id == "MFA030" else o for o in base.outcomes)
    report: Report = replace(base, outcomes=outcomes)
    text = get_formatter("html")(report, FormatOptions.for_report(report))
    section = text[text.index('id="rule-MFA030"'):]
    section = section[:section.index("</section>")]
    assert "<strong>3,000 users</strong>: This user is not registered for MFA." in section
    assert "<details><summary>Show the 3,000 users and their evidence</summary>" in section
    assert section.count("This user is not registered") == 1


def test_jinja2_is_imported_only_for_html() -> None:
    code = ("import sys\nfrom checker.cli import main\n"
            "main(['scan', 'samples/partial-ca-only', '--format', 'json:/dev/null'])\n"
            "print('jinja2' in sys.modules)")
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=False)
    assert completed.stdout.split() == ["False"]


def test_the_template_is_package_data() -> None:
    """``pip install .`` copies only what setup.cfg names: every template file must match it."""
    parser = configparser.ConfigParser()
    parser.read(ROOT / "setup.cfg", encoding="utf-8")
    patterns = [p.strip() for p in parser["options.package_data"]["checker.formatters"].split(",")]
    folder = ROOT / "checker" / "formatters"
    files = [path.relative_to(folder).as_posix() for path in (folder / "templates").iterdir()]
    assert sorted(files) == ["templates/report.css", "templates/report.html.j2"]
    assert all(any(fnmatch.fnmatch(name, pattern) for pattern in patterns) for name in files)
    assert "jinja2" in parser["options"]["install_requires"]


@pytest.mark.parametrize("verdict", list(Verdict))
def test_every_verdict_has_a_section_and_colours(tmp_path: Path, verdict: Verdict) -> None:
    base = build_report(tmp_path)
    outcome = RuleOutcome(MFA030, (Result("MFA030", verdict, "One result.", Subject("tenant", "tenant")),))
    report: Report = replace(base, outcomes=(outcome,))
    text = get_formatter("html")(report, FormatOptions.for_report(report))
    assert f'<h2 id="verdict-{verdict.value}-heading">' in text
    assert f'class="badge verdict-{verdict.value}"' in text
    css = (ROOT / "checker" / "formatters" / "templates" / "report.css").read_text(encoding="utf-8")
    assert f".verdict-{verdict.value} {{" in css


def _luminance(colour: str) -> float:
    channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def test_colours_pass_wcag_aa_contrast() -> None:
    """White text on every badge, and every text colour on white, at 4.5:1 or more."""
    css = (ROOT / "checker" / "formatters" / "templates" / "report.css").read_text(encoding="utf-8")
    backgrounds = re.findall(r"\.verdict-[a-z_]+ \{ background: (#[0-9a-f]{6}); \}", css)
    texts = [c for c in re.findall(r"(?<![-\w])color: (#[0-9a-f]{6})", css) if c != "#ffffff"]  # on the badges
    assert len(backgrounds) == 7 and texts
    for colour in backgrounds + texts:
        lighter, darker = sorted([_luminance(colour), _luminance("#ffffff")], reverse=True)
        assert (lighter + 0.05) / (darker + 0.05) >= 4.5, colour

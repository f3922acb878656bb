"""The JSON text of large reports is the text json itself makes of the same values."""
from __future__ import annotations

import enum
import json
from pathlib import Path
from typing import Any

import pytest

from checker.formatters import json_text
from checker.formatters.json_report import _Records
from checker.locate import Locator
from checker.origin import Origin
from checker.report import Evidence, Result, Subject, Waiving
from checker.verdicts import Verdict


class Level(enum.IntEnum):
    HIGH = 3


class Kind(str, enum.Enum):
    USER = "user"


VALUES: list[Any] = [
    "plain", "Zoë Ø → ·", 'quote " and \\ backslash', "new\nline\ttab\x00nul\x1b", "c1 \x85 \x9b and del \x7f",
    "bidi \u202e\u2066 lone \ud800 surrogate", "", 0, -7, 12345678901234567890, True, False, None, 1.5, 1e-7,
    Level.HIGH, Kind.USER, [], {}, [1, "a", None], {"b": 1, "a": [True, {"d": "é", "c": 2.0}]},
]


def _json(value: Any) -> str:
    """What the reports wrote before: json's own text, then the characters a terminal would act on escaped."""
    return json_text.json_escaped(json.dumps(value, sort_keys=True, ensure_ascii=False, allow_nan=False))


@pytest.mark.parametrize("value", VALUES, ids=repr)
def test_a_value_is_the_text_json_makes_of_it(value: Any) -> None:
    assert json_text.value(value) == _json(value)
    if isinstance(value, str):
        assert json_text.string(value) == _json(value)
        assert json_text.Strings()(value) == _json(value)


def test_escaped_text_is_ascii_where_a_terminal_would_act_on_a_character() -> None:
    assert json_text.value("a\x85b\u202ec\udc80") == '"a\\u0085b\\u202ec\\udc80"'
    assert json_text.value("Zoë") == '"Zoë"'



def test_a_document_without_records_is_json_indented_by_two() -> None:
    document = {"b": {"nested": [1, {"z": "é", "a": []}], "empty": {}}, "a": "x", "list": [[], [1]]}
    text = "".join(json_text.records_per_line(document, frozenset()))
    assert text == json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False)


def test_records_are_one_a_line_and_chunks_join_to_the_same_text(monkeypatch: pytest.MonkeyPatch) -> None:
    records = [{"k": 2, "j": ["v", "w"]}, {"k": 3}]
    document = {"b": 1, "results": records, "encoded": json_text.EncodedRecords(['{"x": 1}', '{"x": 2}']),
                "empty": json_text.EncodedRecords(()), "none": []}
    whole = "".join(json_text.records_per_line(document, frozenset({"results", "encoded", "empty", "none"})))
    assert whole == ('{\n  "b": 1,\n  "empty": [],\n  "encoded": [\n    {"x": 1},\n    {"x": 2}\n  ],\n  "none": [],\n'
                     '  "results": [\n    {"j": ["v", "w"], "k": 2},\n    {"k": 3}\n  ]\n}')
    assert json.loads(whole) == {**document, "encoded": [{"x": 1}, {"x": 2}], "empty": []}
    monkeypatch.setattr(json_text, "CHUNK", 10)
    chunks = list(json_text.records_per_line(document, frozenset({"results", "encoded", "empty", "none"})))
    assert len(chunks) > 5
    assert "".join(chunks) == whole


def test_a_result_record_is_the_text_of_its_dict(tmp_path: Path) -> None:
    users = tmp_path / "users.json"
    users.write_text('{"value": [\n  {"id": "u1", "accountEnabled": true}\n]}\n', encoding="utf-8")
    records = _Records(Locator({"users.json": str(users)}))
    evidence = (Evidence(Origin("users.json", "/value/0/accountEnabled"), actual=frozenset({"b", "a"}),
                         expected=Level.HIGH),
                Evidence(Origin("users.json", "/value/0"), line=4, column=2))
    waived = Result("MFA070", Verdict.WAIVED, "Signs in without MFA · \x9b", Subject("user", "u1", "Zoë \u202e"),
                    evidence, Waiving("pilot", "2027-01-31", Verdict.FAIL, ticket="SEC-1"), baseline_state="new")
    assert records.result(waived) == _json({
        "baselineState": "new",
        "evidence": [
            {"actual": ["a", "b"], "column": 16, "expected": 3, "file": "users.json", "line": 2,
             "pointer": "/value/0/accountEnabled"},
            {"actual": None, "column": 2, "expected": None, "file": "users.json", "line": 4, "pointer": "/value/0"},
        ],
        "message": "Signs in without MFA · \x9b",
        "subject": {"id": "u1", "kind": "user", "name": "Zoë \u202e"},
        "verdict": "waived",
        "waiver": {"expires": "2027-01-31", "owner": "", "reason": "pilot", "ticket": "SEC-1", "waivedVerdict": "fail"},
    })
    plain = Result("MFA030", Verdict.PASS, "ok", Subject("tenant", "t"))
    assert records.result(plain) == _json({"evidence": [], "message": "ok",
                                           "subject": {"id": "t", "kind": "tenant", "name": ""}, "verdict": "pass"})
    assert records.user(Subject("user", "u1", "Zoë")) == _json({"id": "u1", "name": "Zoë"})


def test_evidence_that_looks_alike_is_not_mixed_up(tmp_path: Path) -> None:
    users = tmp_path / "users.json"
    users.write_text('{"value": [{"id": "u1", "n": 0}]}', encoding="utf-8")
    records = _Records(Locator({"users.json": str(users)}))
    origin = Origin("users.json", "/value/0/n")
    texts = [records.result(Result("R", Verdict.FAIL, "m", Subject("user", "u1"), (Evidence(origin, actual),)))
             for actual in (False, 0, 0.0, False, None, "", 1, True)]
    written = [text.split('"actual": ', 1)[1].split(",", 1)[0] for text in texts]
    assert written == ["false", "0", "0.0", "false", "null", '""', "1", "true"]


def test_a_sarif_result_is_the_text_of_its_dict() -> None:
    from checker.catalogue import load_catalogue
    from checker.formatters.sarif import Place, sarif_result
    from checker.report import fingerprint

    rule = next(rule for rule in load_catalogue() if rule.id == "MFA070")
    result = Result("MFA070", Verdict.WAIVED, "Signs in without MFA · \x9b", Subject("user", "u1", "Zoë \u202e"),
                    (), Waiving("pilot \u202e", "2027-01-31", Verdict.FAIL), baseline_state="unchanged")
    places = [Place('{"artifactLocation": {"uri": "users.json"}}', " (in archive member users.json, line 2, column 3)"),
              Place('{"artifactLocation": {"uri": "policies.json"}}')]
    text = sarif_result(result, rule, 22, places, json_text.Strings())
    identity = fingerprint(result)
    assert text == _json({
        "baselineState": "unchanged",
        "kind": "fail",
        "level": "error",
        "locations": [{"logicalLocations": [{"fullyQualifiedName": "user/u1", "kind": "user",
                                             "name": Subject("user", "u1", "Zoë \u202e").label}],
                       "physicalLocation": {"artifactLocation": {"uri": "users.json"}}}],
        "message": {"text": "Signs in without MFA · \x9b (in archive member users.json, line 2, column 3)"},
        "partialFingerprints": {"primaryLocationLineHash": identity, "tenantCheckerSubject/v1": identity},
        "properties": {"subject": {"id": "u1", "kind": "user", "name": "Zoë \u202e"}, "verdict": "waived"},
        "relatedLocations": [{"id": 1, "physicalLocation": {"artifactLocation": {"uri": "policies.json"}}}],
        "ruleId": "MFA070",
        "ruleIndex": 22,
        "suppressions": [{"justification": "pilot \u202e", "kind": "external"}],
    })

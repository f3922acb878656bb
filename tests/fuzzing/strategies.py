"""Damage as scripts and hostile parties do it, drawn by hypothesis, for every reader.

An export is a dict of relative path -> bytes. ``damaged_exports`` picks one file of a seed
export and damages it one way: a value of the wrong type (or null, or gone) at a random place
of a JSON document, the document written again in another supported encoding, the bytes cut
short, overwritten or replaced by random ones. Each example says what it did, so that a
property can tell damage the reader must notice (a cut-short JSON or XML document) from
damage it may read as data (a value that is null).
"""
from __future__ import annotations

import codecs
import json
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[2]

# Examples per property in the suite; the long run raises it (TENANT_CHECKER_FUZZ_EXAMPLES). At 2,000,
# all nine properties take about two minutes on a quiet two-core machine (tests/test_fuzz_readers.py).
CI_EXAMPLES = 2000
EXAMPLES = int(os.environ.get("TENANT_CHECKER_FUZZ_EXAMPLES", str(CI_EXAMPLES)))
# The CI run draws the same examples every time; the long run draws new ones.
settings.register_profile("fuzz", max_examples=EXAMPLES, deadline=None,
                          derandomize="TENANT_CHECKER_FUZZ_EXAMPLES" not in os.environ,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

ENCODINGS = ("utf-8", "utf-8-sig", "utf-16-le-bom", "utf-16-be-bom", "utf-16-le", "cp1252")
# Values of every JSON type, the shapes PowerShell gets wrong among them.
ODD_VALUES: tuple[Any, ...] = (None, 0, -1, 1.5, True, False, "", "x", "All", [], {}, [None], [1], ["All"],
                               {"a": 1}, "Microsoft.Graph.PowerShell.Models.MicrosoftGraphConditionalAccessUsers",
                               "System.Object[]", "a b c", 10 ** 30)


@dataclass(frozen=True)
class Damage:
    """What was done to which file; ``noticeable`` when no reader may take the result for data."""

    path: str
    kind: str
    noticeable: bool
    data: bytes


def export_files(folder: Path) -> dict[str, bytes]:
    return {path.relative_to(folder).as_posix(): path.read_bytes()
            for path in sorted(folder.rglob("*")) if path.is_file() and path.name != "replaces.txt"}


def write_export(files: dict[str, bytes], folder: Path) -> None:
    for name, data in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def encode(text: str, encoding: str) -> bytes:
    if encoding == "utf-16-le-bom":
        return codecs.BOM_UTF16_LE + text.encode("utf-16-le")
    if encoding == "utf-16-be-bom":
        return codecs.BOM_UTF16_BE + text.encode("utf-16-be")
    if encoding == "cp1252":
        return text.encode("cp1252", "replace")
    return text.encode(encoding)


@lru_cache(maxsize=256)
def decoded_json(data: bytes) -> Any:
    """The JSON document in ``data`` (a seed file): parsed once, shared, never to be changed in place."""
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                          (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            return json.loads(data.decode(encoding))
    return json.loads(data.decode("utf-8"))


@st.composite
def wrong_typed(draw: st.DrawFn, document: Any) -> tuple[Any, str]:
    """``document`` with one value replaced (by another type, null) or removed, at a random depth.

    ``document`` itself is left as it was: only the containers on the way to the damage are copied.
    """
    document = _shallow_copy(document)
    node = document
    for _ in range(draw(st.integers(1, 8))):
        keys = sorted(node) if isinstance(node, dict) else list(range(len(node))) if isinstance(node, list) else []
        if not keys:
            break
        key = draw(st.sampled_from(keys))
        child = node[key]
        if not isinstance(child, (dict, list)) or not child or draw(st.integers(0, 3)) == 0:
            if isinstance(node, dict) and draw(st.booleans()):
                del node[key]
                return document, "removed"
            replacement = draw(st.sampled_from(ODD_VALUES))
            node[key] = replacement
            return document, "null" if replacement is None else "wrong type"
        child = _shallow_copy(child)
        node[key] = child
        node = child
    return document, "unchanged"


def _shallow_copy(value: Any) -> Any:
    return dict(value) if isinstance(value, dict) else list(value) if isinstance(value, list) else value


@st.composite
def damaged_file(draw: st.DrawFn, path: str, data: bytes) -> Damage:
    kinds = ["cut short", "bytes overwritten", "random bytes"]
    is_json = path.endswith(".json")
    if is_json:
        kinds += ["structure", "structure", "encoding"]
    kind = draw(st.sampled_from(kinds))
    if kind == "structure":
        document, what = draw(wrong_typed(decoded_json(data)))
        return Damage(path, what, False, encode(json.dumps(document, indent=draw(st.sampled_from([None, 2]))),
                                                draw(st.sampled_from(ENCODINGS))))
    if kind == "encoding":
        encoding = draw(st.sampled_from(ENCODINGS))
        text = json.dumps(decoded_json(data), ensure_ascii=encoding == "cp1252")
        return Damage(path, f"written as {encoding}", False, encode(text, encoding))
    if kind == "cut short":
        end = draw(st.integers(0, max(len(data) - 1, 0)))
        kept = data[:end]
        # a JSON or XML document cut anywhere before its last closing character is never whole again
        closing = len(data.rstrip(b" \t\r\n\x00"))
        structured = path.endswith((".json", ".xml")) and not path.endswith(".csv")
        return Damage(path, "cut short", structured and end < closing - 1, kept)
    if kind == "bytes overwritten":
        damaged = bytearray(data)
        for _ in range(draw(st.integers(1, 8))):
            if damaged:
                damaged[draw(st.integers(0, len(damaged) - 1))] = draw(st.sampled_from(b'<>"{}[],:;\n\x00a0/&\xff\xfe'))
        return Damage(path, "bytes overwritten", False, bytes(damaged))
    return Damage(path, "random bytes", False, draw(st.binary(max_size=300)))


def damaged_exports(files: dict[str, bytes]) -> st.SearchStrategy[Damage]:
    """One file of the export ``files`` damaged one way."""
    return _one_file_damaged(st.sampled_from(sorted(files)), files)


@st.composite
def _one_file_damaged(draw: st.DrawFn, paths: st.SearchStrategy[str], files: dict[str, bytes]) -> Damage:
    path = draw(paths)
    return draw(damaged_file(path, files[path]))


# Generated Graph collections: every field drawn of its right type or of any other, or left out.
V1 = "https://graph.microsoft.com/v1.0/$metadata#"
_ANY = st.one_of(st.none(), st.booleans(), st.integers(-3, 3), st.text(max_size=4), st.lists(st.text(max_size=3),
                 max_size=2), st.dictionaries(st.text(max_size=3), st.integers(), max_size=1))
_IDS = st.sampled_from(["u1", "u2", "u3", "All", "None", "g1"])


def _field(right: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Mostly the right type; sometimes any JSON value at all."""
    return st.one_of(right, right, right, _ANY)


def _maybe_missing(fields: dict[str, st.SearchStrategy[Any]]) -> st.SearchStrategy[dict[str, Any]]:
    """Objects with each field left out one time in ten (each field's strategy built once, not per object)."""
    return _objects(tuple((name, _field(value)) for name, value in fields.items()))


@st.composite
def _objects(draw: st.DrawFn, fields: tuple[tuple[str, st.SearchStrategy[Any]], ...]) -> dict[str, Any]:
    return {name: draw(value) for name, value in fields if draw(st.integers(0, 9))}


def graph_users() -> st.SearchStrategy[dict[str, Any]]:
    return _maybe_missing({"id": _IDS, "userPrincipalName": st.sampled_from(["a@contoso.example", "b@contoso.example"]),
                           "accountEnabled": st.booleans(), "userType": st.sampled_from(["Member", "Guest"])})


def graph_policies() -> st.SearchStrategy[dict[str, Any]]:
    users = _maybe_missing({"includeUsers": st.lists(_IDS, max_size=2), "excludeUsers": st.lists(_IDS, max_size=2),
                            "includeGroups": st.lists(_IDS, max_size=1), "excludeGroups": st.lists(_IDS, max_size=1),
                            "includeRoles": st.just([]), "excludeRoles": st.just([])})
    applications = _maybe_missing({"includeApplications": st.sampled_from([["All"], ["Office365"], []]),
                                   "excludeApplications": st.just([])})
    conditions = _maybe_missing({"users": users, "applications": applications,
                                 "clientAppTypes": st.sampled_from([["all"], ["browser"]])})
    grant = _maybe_missing({"operator": st.sampled_from(["OR", "AND"]),
                            "builtInControls": st.sampled_from([["mfa"], ["block"], []])})
    return _maybe_missing({"id": st.sampled_from(["p1", "p2", "p3"]), "displayName": st.text(max_size=5),
                           "state": st.sampled_from(["enabled", "disabled", "enabledForReportingButNotEnforced"]),
                           "conditions": conditions, "grantControls": grant})


def graph_registrations() -> st.SearchStrategy[dict[str, Any]]:
    return _maybe_missing({"id": _IDS, "userPrincipalName": st.sampled_from(["a@contoso.example", "b@contoso.example"]),
                           "isMfaRegistered": st.booleans(), "isSsprEnabled": st.booleans(),
                           "isSsprRegistered": st.booleans(), "userType": st.sampled_from(["member", "guest"])})


@lru_cache(maxsize=1)
def _collections() -> tuple[tuple[str, str, st.SearchStrategy[list[Any]]], ...]:
    """(file name, collection, its elements: mostly objects, sometimes any value), built once."""
    return tuple((name, context, st.lists(st.one_of(objects, objects, objects, _ANY), max_size=4))
                 for name, context, objects in (
                     ("users.json", "users", graph_users()),
                     ("policies.json", "identity/conditionalAccess/policies", graph_policies()),
                     ("registration.json", "reports/authenticationMethods/userRegistrationDetails",
                      graph_registrations())))


@st.composite
def graph_exports(draw: st.DrawFn) -> dict[str, bytes]:
    """A Graph export of three collections, each file in a supported encoding, each element maybe no object."""
    files = {}
    for name, context, elements in _collections():
        document = {"@odata.context": V1 + context, "value": draw(elements)}
        files[name] = encode(json.dumps(document), draw(st.sampled_from(ENCODINGS[:5])))
    return files

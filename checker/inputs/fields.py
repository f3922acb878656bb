"""Case-insensitive, type-checked field access on parsed JSON objects.

REST responses use camelCase and PowerShell SDK dumps use PascalCase. Rather than copy
every object with lower-cased keys, each field the model reads is looked up here, once.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class ShapeError(ValueError):
    """A field has the wrong JSON type; ``pointer`` is relative to the object read."""

    def __init__(self, pointer: str, reason: str) -> None:
        super().__init__(f"{pointer}: {reason}")
        self.pointer = pointer
        self.reason = reason


_MISSING = object()


def get(obj: Mapping[str, Any], name: str) -> Any:
    """The value of ``name`` in ``obj`` whatever its key's case, or None.

    A field missing at the top level is looked up under ``AdditionalProperties``, where the
    Graph PowerShell SDK keeps the properties its typed model lacks (ScubaGear 1.3-1.6 writes
    authentication method configurations' ``includeTargets`` there).
    """
    value = obj.get(name, _MISSING)
    if value is not _MISSING:
        return value
    folded = _folded_keys(obj)
    if name.lower() in folded:
        return _own(obj, name)
    if _ADDITIONAL in folded:
        extra = _additional(obj)
        if extra is not None:
            value = _own(extra, name)
            if value is not _MISSING:
                return value
    return None


def _own(obj: Mapping[str, Any], name: str) -> Any:
    """The exact key first, then the capitalised one, then the first key that differs only in case."""
    value = obj.get(name, _MISSING)
    if value is not _MISSING:
        return value
    value = obj.get(name[:1].upper() + name[1:], _MISSING)
    if value is not _MISSING:
        return value
    key = _folded_keys(obj).get(name.lower())
    return _MISSING if key is None else obj[key]


# The objects of one collection share their keys, so a field that every user lacks
# (``creationType`` of a member) is looked for case-insensitively once per set of keys, not once
# per user. Bounded: a file with endless different sets of keys only empties it now and then.
_FOLDED: dict[tuple[str, ...], dict[str, str]] = {}
_FOLDED_MOST = 4096
_ADDITIONAL = "additionalproperties"


def _folded_keys(obj: Mapping[str, Any]) -> dict[str, str]:
    """Each lower-cased key of ``obj`` -> the first key (in the object's order) that lower-cases to it."""
    keys = tuple(obj)
    folded = _FOLDED.get(keys)
    if folded is None:
        folded = {}
        for key in keys:
            folded.setdefault(key.lower(), key)
        if len(_FOLDED) >= _FOLDED_MOST:
            _FOLDED.clear()
        _FOLDED[keys] = folded
    return folded


def has(obj: Mapping[str, Any], name: str) -> bool:
    if _own(obj, name) is not _MISSING:
        return True
    extra = _additional(obj)
    return extra is not None and _own(extra, name) is not _MISSING


def _additional(obj: Mapping[str, Any]) -> Mapping[str, Any] | None:
    # Two exact spellings only: the lookup runs for every missing field, so it must stay O(1).
    extra = obj.get("AdditionalProperties", obj.get("additionalProperties"))
    return extra if isinstance(extra, Mapping) else None


def type_name(value: Any) -> str:
    for kind, name in ((dict, "an object"), (list, "an array"), (str, "a string"), (bool, "a boolean"),
                       (int, "a number"), (float, "a number")):
        if isinstance(value, kind):
            return name
    return "null"


def text(obj: Mapping[str, Any], name: str, default: str = "") -> str:
    value = obj.get(name)
    if type(value) is str:  # the common case, before any case-insensitive search
        return value
    value = get(obj, name)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise ShapeError("/" + name, f"expected a string, found {type_name(value)}")
    return str(value)


def strings(obj: Mapping[str, Any], name: str) -> tuple[str, ...]:
    """A list of strings; null or absent is empty, a lone string is a one-element list."""
    value = get(obj, name)
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if not isinstance(value, list):
        raise ShapeError("/" + name, f"expected an array of strings, found {type_name(value)}")
    items: list[str] = []
    for index, item in enumerate(value):
        if item is None:
            continue
        if not isinstance(item, str):
            raise ShapeError(f"/{name}/{index}", f"expected a string, found {type_name(item)}")
        items.append(item)
    return tuple(items)


def boolean(obj: Mapping[str, Any], name: str) -> bool | None:
    """A boolean; PowerShell's "True"/"False" strings are accepted, null stays unknown."""
    value = obj.get(name)
    if value is True or value is False:
        return value
    value = get(obj, name)
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise ShapeError("/" + name, f"expected true or false, found {type_name(value)}")


def mapping(obj: Mapping[str, Any], name: str) -> Mapping[str, Any] | None:
    value = get(obj, name)
    if value is None or value == []:
        return None  # PowerShell writes an empty condition as an empty array
    if isinstance(value, list) and len(value) == 1 and isinstance(value[0], dict):
        return value[0]  # PowerShell unwraps and re-wraps one-element collections
    if not isinstance(value, dict):
        raise ShapeError("/" + name, f"expected an object, found {type_name(value)}")
    return value


def objects(obj: Mapping[str, Any], name: str) -> list[Mapping[str, Any]]:
    """A list of objects; null or absent is empty, a lone object is a one-element list."""
    value = get(obj, name)
    if value is None:
        return []
    if isinstance(value, dict):
        return [value]
    if not isinstance(value, list):
        raise ShapeError("/" + name, f"expected an array of objects, found {type_name(value)}")
    for index, item in enumerate(value):
        if not isinstance(item, dict):
            raise ShapeError(f"/{name}/{index}", f"expected an object, found {type_name(item)}")
    return value


def odata_type(obj: Mapping[str, Any]) -> str:
    value = obj.get("@odata.type")
    return value.lstrip("#").lower() if isinstance(value, str) else ""


def within(prefix: str, error: ShapeError) -> ShapeError:
    """Re-anchor a ShapeError found in a nested object at ``prefix``."""
    return ShapeError(prefix + error.pointer, error.reason)

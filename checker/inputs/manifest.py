"""The collection manifest ``tenant-checker collect`` writes beside the Graph responses.

It says which tenant the export is of and when it was collected, and which collections the
collector was refused. It is part of the export but holds no tenant data of its own: the
scan reads it for the report's identity, never for a verdict. A collection it lists as
denied is simply absent, so its rules are ``not_assessed`` as for any missing collection.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from checker.entra import OBJECT_ID

KIND = "tenant-checker-manifest"
FILE_NAME = "tenant-checker-manifest.json"
_UTC = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z$")


class ManifestError(ValueError):
    """The file says it is a manifest but does not keep the contract."""


@dataclass(frozen=True)
class Manifest:
    tenant_id: str
    tenant_name: str
    collected_at: str
    tool_version: str
    denied: tuple[str, ...]


def is_manifest(document: Any) -> bool:
    return isinstance(document, dict) and document.get("kind") == KIND


def read_manifest(document: Mapping[str, Any]) -> Manifest:
    """The manifest's facts; ManifestError names the first field that breaks the contract."""
    if document.get("schemaVersion") != 1:
        raise ManifestError(f"schemaVersion is {document.get('schemaVersion')!r}, not 1")
    tenant_id = document.get("tenantId")
    if not isinstance(tenant_id, str) or not OBJECT_ID.fullmatch(tenant_id):
        raise ManifestError(f"tenantId is {_shown(tenant_id)}, not a GUID")
    tenant_name = document.get("tenantName", "")
    if tenant_name is None:
        tenant_name = ""
    if not isinstance(tenant_name, str):
        raise ManifestError(f"tenantName is {_shown(tenant_name)}, not a string")
    collected_at = document.get("collectedAt")
    if not isinstance(collected_at, str) or not _UTC.match(collected_at):
        raise ManifestError(f"collectedAt is {_shown(collected_at)}, not a UTC time such as 2026-12-01T10:00:00Z")
    tool_version = document.get("toolVersion", "")
    denied = document.get("denied", [])
    if not isinstance(denied, list) or not all(isinstance(item, dict) for item in denied):
        raise ManifestError("denied is not a list of objects")
    collections = [item.get("collection") for item in denied]
    if not all(isinstance(name, str) and name for name in collections):
        raise ManifestError("an entry of denied has no collection name")
    requests = document.get("requests", [])
    if not isinstance(requests, list) or not all(isinstance(item, dict) for item in requests):
        raise ManifestError("requests is not a list of objects")
    return Manifest(tenant_id.lower(), tenant_name, collected_at,
                    tool_version if isinstance(tool_version, str) else "",
                    tuple(sorted({str(name) for name in collections})))


def _shown(value: Any) -> str:
    return "missing" if value is None else repr(value)[:60]

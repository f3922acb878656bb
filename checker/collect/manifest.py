"""The collection manifest: what was asked of Graph, what came back, and what was refused.

The contract is shared with the report identity (``tenant-checker-manifest.json``, schema
version 1): tenant, time of collection, tool version, one entry per collection written, and
one per collection that could not be read, with Graph's status and message.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

KIND = "tenant-checker-manifest"
SCHEMA_VERSION = 1


@dataclass(frozen=True)
class Collected:
    collection: str
    url: str  # the first request made for it
    status: int
    file: str  # relative to the output folder
    objects: int
    pages: int


@dataclass(frozen=True)
class Denied:
    collection: str
    url: str
    status: int
    message: str


@dataclass(frozen=True)
class Manifest:
    tool_version: str
    tenant_id: str
    tenant_name: str
    collected_at: str  # UTC, ISO 8601, when collection started
    graph_url: str
    requests: tuple[Collected, ...]
    denied: tuple[Denied, ...]

    def as_json(self) -> dict[str, Any]:
        document: dict[str, Any] = {
            "kind": KIND,
            "schemaVersion": SCHEMA_VERSION,
            "toolVersion": self.tool_version,
            "tenantId": self.tenant_id,
        }
        if self.tenant_name:
            document["tenantName"] = self.tenant_name
        document.update({
            "collectedAt": self.collected_at,
            "graphUrl": self.graph_url,
            "requests": [{"collection": r.collection, "url": r.url, "status": r.status, "file": r.file,
                          "objects": r.objects, "pages": r.pages} for r in self.requests],
            "denied": [{"collection": d.collection, "url": d.url, "status": d.status, "message": d.message}
                       for d in self.denied],
        })
        return document

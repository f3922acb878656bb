"""What a report is of: the tenant, when it was exported, how it was scanned, which rules ran.

An auditor hands a report over; a reader must be able to tell which tenant and which moment
it describes, and whether it is complete (a filtered run must say what it left out). The
scan date is written only when asked for, so that the same export still gives the same bytes.
"""
from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the report imports this module, and the loader imports the report
    from checker.inputs.load import LoadResult
    from checker.rule import Rule


@dataclass(frozen=True)
class ReportIdentity:
    """``""`` means the export does not say; ``tenant_source`` names where the tenant id was read.

    ``other_tenant_ids`` are ids found beside ``tenant_id`` that disagree with it: an export
    that mixes tenants, which the reader should know about.
    """

    tenant_id: str = ""
    tenant_name: str = ""
    tenant_source: str = ""
    other_tenant_ids: tuple[str, ...] = ()
    exported_at: str = ""
    configuration: str = ""
    # a configuration found beside the export (not given with --config) and what it changes
    configuration_found: bool = False
    configuration_changes: tuple[str, ...] = ()
    rules_run: tuple[str, ...] = ()
    rules_left_out: tuple[str, ...] = ()
    denied_collections: tuple[str, ...] = ()
    scanned_at: str = ""

    @property
    def tenant_label(self) -> str:
        """``Contoso (guid)``, the id alone, or what the export lacks."""
        if self.tenant_name and self.tenant_id:
            return f"{self.tenant_name} ({self.tenant_id})"
        return self.tenant_id or self.tenant_name or "not in the export"


def describe(loaded: LoadResult, rules: Sequence[Rule], catalogue: Sequence[Rule],
             scanned_at: datetime.datetime | None = None) -> ReportIdentity:
    """The identity of a report on ``loaded``, checked by ``rules`` out of ``catalogue``."""
    manifest = loaded.manifest
    ids = sorted({found for found, _ in loaded.tenant_ids})
    if manifest is not None:
        tenant_id, source = manifest.tenant_id, "the collection manifest"
    elif ids:
        tenant_id = ids[0]
        source = " and ".join(sorted({where for found, where in loaded.tenant_ids if found == tenant_id}))
    else:
        tenant_id, source = "", ""
    ran = {rule.id for rule in rules}
    names = sorted({name for found, name in loaded.tenant_names if found == tenant_id})
    return ReportIdentity(
        tenant_id=tenant_id,
        tenant_name=manifest.tenant_name if manifest else ", ".join(names),
        tenant_source=source,
        other_tenant_ids=tuple(found for found in ids if found != tenant_id),
        exported_at=manifest.collected_at if manifest else ", ".join(loaded.exported_at),
        configuration=loaded.configuration or "",
        rules_run=tuple(sorted(ran)),
        rules_left_out=tuple(sorted(rule.id for rule in catalogue if rule.id not in ran)),
        denied_collections=manifest.denied if manifest else (),
        scanned_at=_utc(scanned_at) if scanned_at else "",
    )


def _utc(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")

"""From paths to one normalized Tenant, with a record of every file and what went wrong.

Never raises on bad input: an unreadable file or object becomes an INPUT001 diagnostic on
its file, an incomplete or contradictory export an INPUT002 one.
"""
from __future__ import annotations

import hashlib
import os
import re
from collections import Counter
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import PurePosixPath
from typing import Any, NamedTuple

from checker.inputs import depth_cut, fields, identify
from checker.inputs.archives import (
    ZIP_REFERENCE,
    ArchiveBudget,
    Limits,
    archive_members,
    archive_reference,
    display_reference,
    is_zip,
    read_reference,
)
from checker.inputs.decode import (
    ANSI_NOTE,
    WINDOWS_1252,
    DecodeError,
    decode_text,
    parse_json_with_spans,
)
from checker.inputs.discover import SourceFile, discover
from checker.inputs.exports import FileFacts, Separation, tell_apart
from checker.inputs.fields import ShapeError
from checker.inputs.graph import (
    PARSERS,
    parse_method_configuration,
    parse_registration_campaign,
)
from checker.inputs.limits import LimitExceeded, over
from checker.inputs.losses import Loss, incomplete_collections
from checker.inputs.manifest import KIND as MANIFEST_KIND
from checker.inputs.manifest import Manifest, ManifestError, is_manifest, read_manifest
from checker.inputs.raw_objects import RawCollection, RawKeeper
from checker.inputs.spans import Spans
from checker.inputs.tenant_builder import build_tenant
from checker.model import AuthenticationMethodsPolicy, Tenant
from checker.origin import Origin
from checker.progress import Progress
from checker.report import Diagnostic, InputFile

# Text files that exports carry beside the data; they are read as JSON only if they parse.
_OTHER_TEXT_SUFFIXES = frozenset({
    ".md", ".txt", ".rst", ".html", ".htm", ".yaml", ".yml", ".toml", ".ini", ".cfg", ".log",
    ".csv", ".xml", ".ps1", ".psm1", ".psd1", ".tf", ".py",
})


_JSON_START = re.compile(rb"[ \t\r\n\xef\xbb\xbf\xff\xfe\x00]*[{\[]")
_CONTEXT_NEAR_START = re.compile(r'"@odata\.context"\s*:\s*"([^"]{1,2000})"')
# What an unreadable file was meant to be, when reading it got no further than its name.
_FORMAT_BY_SUFFIX = {".xml": "xml", ".clixml": "xml", ".csv": "csv", ".zip": "zip"}


@dataclass(frozen=True)
class LoadResult:
    tenant: Tenant
    inputs: tuple[InputFile, ...]
    sources: dict[str, str]
    scan_root: str
    spans: dict[str, Spans] = field(default_factory=dict)
    positions: dict[str, dict[str, tuple[int, int]]] = field(default_factory=dict)
    separation: Separation | None = None
    configuration: str | None = None
    raw: dict[str, RawCollection] = field(default_factory=dict)
    manifest: Manifest | None = None
    # tenant ids the data itself carries, each with where it was read; names and export times where given
    tenant_ids: tuple[tuple[str, str], ...] = ()
    tenant_names: tuple[tuple[str, str], ...] = ()
    exported_at: tuple[str, ...] = ()

    @property
    def recognised_any(self) -> bool:
        return any(item.status == "used" for item in self.inputs)


@dataclass
class _FileRecord:
    source: SourceFile
    sha256: str = ""
    status: str = "ignored"
    format: str = ""
    collections: list[str] = field(default_factory=list)
    objects: int = 0
    reason: str = ""
    diagnostics: list[Diagnostic] = field(default_factory=list)
    spans: Spans = field(default_factory=dict)
    positions: dict[str, tuple[int, int]] = field(default_factory=dict)
    # the file's bytes: given for an archive's member; handed over by ``load`` to be read, and let go
    # of as soon as they are parsed, so that bytes, text and parsed objects are never all held at once
    data: bytes | None = None
    reader: Callable[[], bytes] | None = None
    budget: ArchiveBudget | None = None
    nesting: int = 0
    refusal: str = ""
    may_be_cut_short: bool = False
    lost: list[Loss] = field(default_factory=list)
    whole: set[str] = field(default_factory=set)
    tenant_id: str = ""
    tenant_name: str = ""
    exported_at: str = ""
    members: list[_FileRecord] = field(default_factory=list)
    manifest: Manifest | None = None

    def freeze(self) -> InputFile:
        return InputFile(
            path=self.source.display_path,
            sha256=self.sha256,
            status=self.status,
            format=self.format,
            collection=", ".join(sorted(set(self.collections))),
            objects=self.objects,
            reason=self.reason,
            diagnostics=tuple(self.diagnostics),
        )


class ParsedObject(NamedTuple):
    """A model object, where it came from, and its Graph id (None when it has none)."""

    collection: str
    value: Any
    origin: Origin
    key: str | None


def load(paths: Sequence[str], limits: Limits = Limits(), progress: Progress | None = None,
         config_file: str | None = None, only: Collection[str] | None = None,
         keep_raw: Collection[str] = ()) -> LoadResult:
    """``config_file``, when it lies among the inputs, is listed as the configuration, not read as data.

    ``only`` (display paths) restricts the scan to the files of one export (``scan --each``).
    ``keep_raw`` names the collections whose objects are kept as read (the configuration's rules).
    """
    discovery = discover(paths)
    wanted = None if only is None else {*only, *(_archives_holding(only))}
    read_bytes = 0
    total = _Total(limits)
    queue = [_FileRecord(source) for source in discovery.files]
    parsed: list[ParsedObject] = []
    pages: dict[str, list[tuple[_FileRecord, bool]]] = {}
    seen: dict[str, str] = {}
    raw = RawKeeper(keep_raw)
    index = 0
    while index < len(queue):
        record = queue[index]
        index += 1
        if wanted is not None and record.source.display_path not in wanted:
            record.status = ""
            continue
        data = _bytes_of(record, limits, total)
        if config_file is not None and _same_file(record.source.filesystem_path, config_file):
            record.status, record.format, record.reason = "configuration", "yaml", "the configuration of this scan"
            continue
        if data is None:
            continue
        if progress is not None:
            read_bytes += len(data)
            progress.update(index, read_bytes)
        if is_zip(data):
            record.members = _archive(record, data, limits)
            queue[index:index] = record.members
            continue
        record.data = data
        del data
        found = _identify_file(record, limits)
        if found is None:
            continue
        record.format = found.format
        record.tenant_id, record.tenant_name, record.exported_at = found.tenant_id, found.tenant_name, found.exported_at
        record.lost += [Loss(*entry) for entry in found.lost]
        record.diagnostics += [Diagnostic(code, message, line or None, column or None, pointer)
                               for code, message, pointer, line, column in found.diagnostics]
        if not found.pieces:
            record.reason = found.ignored_reason
            continue
        record.status = "used"
        _take_pieces(record, found.pieces, parsed, pages, seen, raw)
        del found  # the parsed document goes with it, before the next file is read
    if progress is not None:
        progress.done()
    for record in reversed(queue):  # nested archives first
        _ignore_if_nothing_recognised(record)
    _check_paging(pages)
    by_file = {record.source.display_path: record for record in queue}
    tenant, conflicts, clashes, disputed = build_tenant(parsed, seen)
    tenant_ids = {(r.tenant_id, _TENANT_SOURCES.get(r.format.split("-")[0], r.format))
                  for r in queue if r.tenant_id and r.status}
    tenant_ids |= {(item.key.split("_", 1)[0], "subscribed SKU ids") for item in parsed  # "{tenantId}_{skuId}"
                   if item.collection == identify.SUBSCRIBED_SKUS and item.key and "_" in item.key}
    read = Counter(item.collection for item in parsed)
    for entry in disputed:
        read[entry.collection] -= entry.copies
        by_file[entry.origin.file].lost.append(Loss(entry.collection, 1, entry.why, entry.origin.pointer))
    tenant = replace(tenant, incomplete=incomplete_collections(
        [(r.source.display_path, loss) for r in queue for loss in r.lost], read))
    for origin, message in conflicts:
        by_file[origin.file].diagnostics.append(Diagnostic("INPUT002", message, pointer=origin.pointer))
    _position_diagnostics(queue)
    queue = [record for record in queue if record.status]  # those outside ``only`` were not read
    inputs = tuple(record.freeze() for record in queue)
    skipped = tuple(InputFile(path, "", "ignored", reason=why) for path, why in discovery.skipped)
    skipped += tuple(InputFile(path, "", "unreadable", "folder", reason=why, diagnostics=(Diagnostic("INPUT001", why),))
                     for path, why in discovery.unreadable)
    return LoadResult(
        tenant=tenant,
        inputs=tuple(sorted(inputs + skipped, key=lambda item: item.path)),
        sources={r.source.display_path: r.source.filesystem_path for r in queue},
        scan_root=discovery.scan_root,
        spans={r.source.display_path: r.spans for r in queue if r.status == "used" and r.spans},
        positions={r.source.display_path: r.positions for r in queue if r.positions},
        configuration=next((r.source.display_path for r in queue if r.status == "configuration"),
                           display_reference(config_file) if config_file else None),
        manifest=next((r.manifest for r in sorted(queue, key=lambda r: r.source.display_path) if r.manifest), None),
        tenant_ids=tuple(sorted(tenant_ids)),
        tenant_names=tuple(sorted({(r.tenant_id, r.tenant_name) for r in queue if r.tenant_name and r.status})),
        exported_at=tuple(sorted({r.exported_at for r in queue if r.exported_at and r.status})),
        separation=None if only is not None else tell_apart(
            [FileFacts(r.source.display_path, r.sha256, frozenset(r.collections), frozenset(r.whole), r.tenant_id,
                       ignored=r.status == "ignored" or r.format == "zip")
             for r in queue if r.status not in ("configuration", "manifest")], clashes),
        raw=raw.collections(),
    )


def _take_pieces(record: _FileRecord, pieces: Sequence[identify.Piece], parsed: list[ParsedObject],
                 pages: dict[str, list[tuple[_FileRecord, bool]]], seen: dict[str, str], raw: RawKeeper) -> None:
    """The model objects of one file's pieces, added to ``parsed``, with what the file says of its collections."""
    cuts: list[tuple[str, str, str]] = []
    for piece in pieces:
        record.collections.append(piece.collection)
        if piece.whole:
            record.whole.add(piece.collection)
        if piece.unreadable:
            record.lost.append(Loss(piece.collection, None, piece.unreadable, "/value"))
            continue
        items = _without_cut_short(record, piece.collection, piece.items, cuts)
        if items or not piece.items:  # a collection all of whose objects were lost is not "none exist"
            seen.setdefault(piece.collection, record.source.display_path)
        if piece.is_page:
            pages.setdefault(piece.collection, []).append((record, piece.has_next_link))
        raw.keep(piece.collection, record.source.display_path, items)
        if piece.positions:
            record.positions.update((item[0], at) for item, at in zip(piece.items, piece.positions, strict=False))
        _parse(record, piece.collection, items, parsed)
    _report_cut_short(record, cuts)


def _archives_holding(paths: Collection[str]) -> set[str]:
    """Every path above the given ones: the archives (and archives in archives) that hold them."""
    return {"/".join(parts[:end]) for parts in (path.split("/") for path in paths) for end in range(1, len(parts))}


def _same_file(reference: str, other: str) -> bool:
    if reference.startswith(ZIP_REFERENCE) or other.startswith(ZIP_REFERENCE):
        return reference == other
    return os.path.abspath(reference) == os.path.abspath(other)


class _Total:
    """The bytes every input of the scan has brought into memory so far, against ``max_total_bytes``."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.read = 0

    def refusal(self, size: int) -> str:
        if self.read + size > self.limits.max_total_bytes:
            return str(over(self.limits, "max_total_bytes", f"with this file ({_megabytes(size)}) the inputs of the "
                            "scan come to more"))
        return ""


def _megabytes(size: int) -> str:
    return f"{size / (1 << 20):.0f} MB"


def _bytes_of(record: _FileRecord, limits: Limits, total: _Total) -> bytes | None:
    if record.refusal:
        _unreadable(record, record.refusal)
        return None
    data = record.data
    record.data = None
    try:
        if data is None and record.reader is not None:
            data = record.reader()
            record.reader = None
        elif data is None:
            path = record.source.filesystem_path
            size = os.path.getsize(path)
            if size > limits.max_file_bytes:
                raise over(limits, "max_file_bytes", f"the file is {_megabytes(size)}")
            if refused := total.refusal(size):
                raise LimitExceeded(refused)
            data = read_reference(path, limits, bounded=True)
    except LimitExceeded as error:
        _unreadable(record, str(error))
        return None
    except OSError as error:
        _unreadable(record, f"cannot be read: {error.strerror or error}")
        return None
    if refused := total.refusal(len(data)):
        _unreadable(record, refused)
        return None
    total.read += len(data)
    record.sha256 = hashlib.sha256(data).hexdigest()
    return data


def _archive(record: _FileRecord, data: bytes, limits: Limits) -> list[_FileRecord]:
    """The archive's members, to be read next; the archive itself is listed as a container."""
    record.format = "zip"
    if record.nesting > 1:
        _unreadable(record, "an archive inside an archive inside an archive: only one level of nesting is read")
        return []
    reference = (archive_reference(record.source.filesystem_path) if record.budget is None
                 else record.source.filesystem_path)
    try:
        members = archive_members(data, record.source.display_path, reference, limits, record.budget,
                                  record.nesting + 1)
    except LimitExceeded as error:
        _unreadable(record, str(error))
        return []
    record.status = "used"
    record.objects = len(members)
    record.reason = f"zip archive of {len(members)} files, read in memory"
    return [_FileRecord(SourceFile(m.display_path, m.reference), reader=m.read, budget=m.budget,
                        nesting=m.nesting, refusal=m.problem) for m in members]


def _ignore_if_nothing_recognised(record: _FileRecord) -> None:
    """An archive (an Office document is one) with nothing recognised inside is not an input."""
    if record.format == "zip" and record.status == "used" and not any(m.status == "used" for m in record.members):
        record.status = "ignored"
        record.reason = (f"zip archive of {len(record.members)} files, none of them recognised as part of a "
                         "tenant export")


def _identify_file(record: _FileRecord, limits: Limits) -> identify.Identification | None:
    """By content: PowerShell CLIXML, CSV, then JSON (exporter trees, ScubaGear, DSC, Graph).

    Reads the bytes ``record.data`` holds and lets go of them.
    """
    from checker.inputs import entraexporter, m365dsc, scubagear

    path = record.source.display_path
    suffix = os.path.splitext(path)[1].lower()
    head = _head(record.data or b"")
    try:
        if suffix in (".xml", ".clixml") or head.startswith(("<?xml", "<Objs")):
            from checker.inputs.clixml import (
                read_clixml,  # brings in lxml, which only XML needs
            )

            record.format = "xml"
            return read_clixml(_taken(record), limits)
        if suffix == ".csv" or head.startswith("#TYPE"):
            from checker.inputs.csv_export import read_csv

            record.format = "csv"
            decoded = decode_text(_taken(record))
            _note_encoding(record, decoded.encoding)
            return read_csv(decoded.text)
    except DecodeError as error:
        _unreadable(record, error.reason, error.line, error.column)
        return None
    document = _read_json(record, limits)
    if document is None:
        return None
    if is_manifest(document):
        _take_manifest(record, document)
        return None
    return (identify.organization(document)
            or entraexporter.identify_entraexporter(PurePosixPath(path).parts, document)
            or scubagear.identify_scubagear(document)
            or m365dsc.identify_m365dsc(document)
            or identify.identify(document))


# Where a file's tenant id comes from, by the file's format (a Graph file names one only as /organization).
_TENANT_SOURCES = {"scubagear": "ScubaGear's tenant details", "graph": "the tenant's organization object"}


def _take_manifest(record: _FileRecord, document: dict[str, Any]) -> None:
    """A collection manifest tells the report what it is of; it holds no tenant data."""
    record.format = MANIFEST_KIND
    try:
        record.manifest = read_manifest(document)
    except ManifestError as error:
        _unreadable(record, f"collection manifest: {error}")
        return
    found = record.manifest
    record.status = "manifest"
    record.reason = (f"collection manifest: tenant {found.tenant_id}"
                     + (f" ({found.tenant_name})" if found.tenant_name else "") + f", collected {found.collected_at}")


def _head(data: bytes) -> str:
    """The first characters of a file, whatever its encoding, for recognising its kind."""
    try:
        return decode_text(data[:512]).text.lstrip()
    except DecodeError:
        return data[:512].decode("utf-8", "ignore").lstrip()


def _position_diagnostics(records: Sequence[_FileRecord]) -> None:
    """Give every diagnostic found by pointer a line and column too (only files with one are re-read)."""
    from checker.locate import Locator

    sources = {r.source.display_path: r.source.filesystem_path for r in records if r.diagnostics}
    locator = Locator(sources)
    for record in records:
        for index, diagnostic in enumerate(record.diagnostics):
            if diagnostic.line is None:
                found = locator.locate(Origin(record.source.display_path, diagnostic.pointer))
                record.diagnostics[index] = replace(diagnostic, line=found.line, column=found.column)


def _read_json(record: _FileRecord, limits: Limits) -> Any:
    """The document ``record.data`` holds; the bytes are let go of before the text is parsed."""
    path = record.source.display_path
    suffix = os.path.splitext(path)[1].lower()
    other_text = suffix in _OTHER_TEXT_SUFFIXES
    head = (record.data or b"")[:512]
    if not _starts_like_json(record.data or b"") and (other_text or suffix != ".json"):
        record.data = None
        record.reason = f"not a JSON document ({suffix or 'no extension'})"
        return None
    try:
        decoded = decode_text(record.data or b"")
        text = decoded.text
        utf8 = decoded.encoding.startswith("utf-8")
        _note_encoding(record, decoded.encoding)
        del decoded
        record.may_be_cut_short = depth_cut.may_be_cut_short(text, record.data if utf8 else None)
        document, record.spans = parse_json_with_spans(text, limits, _taken(record) if utf8 else None)
        return document
    except DecodeError as error:
        if other_text:
            record.reason = f"not a JSON document ({suffix})"
            return None
        _unreadable(record, error.reason, error.line, error.column)
        _lost_whole(record, head)
        return None
    finally:
        record.data = None


def _taken(record: _FileRecord) -> bytes:
    """The record's bytes, which it no longer holds: the caller's reference is the last."""
    data, record.data = record.data or b"", None
    return data


def _lost_whole(record: _FileRecord, head: bytes) -> None:
    """An unreadable file whose collection can still be told (from its EntraExporter path, or an
    ``@odata.context`` near its start) leaves that collection incomplete, as any lost object does."""
    from checker.inputs import entraexporter

    collection = entraexporter.collection_at(PurePosixPath(record.source.display_path).parts)
    if collection is None:
        context = _CONTEXT_NEAR_START.search(_head(head))
        collection = identify.collection_from_context(context.group(1)) if context else None
    if collection is not None:
        record.lost.append(Loss(collection, None, f"{record.source.display_path} cannot be read", ""))


def _note_encoding(record: _FileRecord, encoding: str) -> None:
    if encoding == WINDOWS_1252:
        record.reason = ANSI_NOTE


def _starts_like_json(data: bytes) -> bool:
    return _JSON_START.match(data) is not None


def _unreadable(record: _FileRecord, reason: str, line: int = 1, column: int = 1) -> None:
    record.status = "unreadable"
    record.format = record.format or _FORMAT_BY_SUFFIX.get(os.path.splitext(record.source.display_path)[1].lower(),
                                                           "json")
    record.reason = reason
    record.diagnostics.append(Diagnostic("INPUT001", reason, line, column))
    return None


def _parse(record: _FileRecord, collection: str, items: Sequence[tuple[str, Any]],
           parsed: list[ParsedObject]) -> None:
    """The model objects of one piece, added to ``parsed``; an object that cannot be read is lost.

    One loop per piece rather than a call per object: a 100k-user collection makes this the
    loader's busiest loop.
    """
    file = record.source.display_path
    if collection == identify.AUTH_METHODS_POLICY:
        for pointer, obj in items:
            parsed.extend(_parse_methods_policy(record, obj, Origin(file, pointer)))
        return
    parser = PARSERS.get(collection)
    if parser is None:
        return
    add = parsed.append
    read = 0
    for pointer, obj in items:
        origin = Origin(file, pointer)
        try:
            value = parser(obj, origin)
        except ShapeError as error:
            record.diagnostics.append(Diagnostic("INPUT001", error.reason, pointer=pointer + error.pointer))
            record.lost.append(Loss(collection, 1, f"{error.reason} at {pointer + error.pointer}", pointer))
            continue
        read += 1
        raw_id = obj.get("id")
        if type(raw_id) is not str:
            raw_id = fields.get(obj, "id")
        add(ParsedObject(collection, value, origin, raw_id.lower() if isinstance(raw_id, str) and raw_id else None))
    record.objects += read


def _without_cut_short(record: _FileRecord, collection: str, items: Sequence[tuple[str, Any]],
                       cuts: list[tuple[str, str, str]]) -> Sequence[tuple[str, Any]]:
    """The items that ConvertTo-Json wrote whole; each cut-short one is noted in ``cuts``."""
    if not record.may_be_cut_short:
        return items
    whole = []
    for pointer, obj in items:
        found = depth_cut.type_name_at(obj, pointer)
        if found is None:
            whole.append((pointer, obj))
        else:
            cuts.append((collection, *found))
            record.lost.append(Loss(collection, 1, f"cut short by ConvertTo-Json's depth limit; {depth_cut.FIX}",
                                    pointer))
    return whole


def _report_cut_short(record: _FileRecord, cuts: list[tuple[str, str, str]]) -> None:
    """One finding for the file, however many of its objects were cut short."""
    if not cuts:
        return
    collections = tuple(sorted({collection for collection, _, _ in cuts}))
    cut = depth_cut.DepthCut(collections, len(cuts), cuts[0][1], cuts[0][2])
    record.diagnostics.append(Diagnostic("INPUT001", cut.message, pointer=cut.first_pointer))
    if not record.objects:
        record.status = "unreadable"
        record.reason = f"cut short by ConvertTo-Json's depth limit; {depth_cut.FIX}"


def _graph_id(obj: Mapping[str, Any]) -> str | None:
    raw_id = obj.get("id") or fields.get(obj, "id")
    return raw_id.lower() if isinstance(raw_id, str) and raw_id else None


def _parse_methods_policy(record: _FileRecord, obj: Mapping[str, Any], origin: Origin) -> list[ParsedObject]:
    try:
        policy = AuthenticationMethodsPolicy(parse_registration_campaign(obj, origin), origin)
        configurations = [
            ParsedObject(
                identify.AUTH_METHOD_CONFIGURATIONS,
                parse_method_configuration(item, origin.child("authenticationMethodConfigurations", index)),
                origin.child("authenticationMethodConfigurations", index),
                _graph_id(item),
            )
            for index, item in enumerate(fields.objects(obj, "authenticationMethodConfigurations"))
        ]
    except ShapeError as error:
        record.diagnostics.append(Diagnostic("INPUT001", error.reason, pointer=origin.pointer + error.pointer))
        why = f"{error.reason} at {origin.pointer + error.pointer}"
        record.lost += [Loss(identify.AUTH_METHODS_POLICY, 1, why, origin.pointer),
                        Loss(identify.AUTH_METHOD_CONFIGURATIONS, None, why, origin.pointer)]
        return []
    record.objects += 1 + len(configurations)
    return [ParsedObject(identify.AUTH_METHODS_POLICY, policy, origin, None), *configurations]


def _check_paging(pages: dict[str, list[tuple[_FileRecord, bool]]]) -> None:
    for collection, found in sorted(pages.items()):
        if found and all(has_next for _, has_next in found):
            record = found[-1][0]
            why = f"every page ({len(found)}) has @odata.nextLink, so the last page is missing"
            record.diagnostics.append(Diagnostic(
                "INPUT002", f"{collection}: {why}; the collection is incomplete", pointer="/@odata.nextLink"))
            record.lost.append(Loss(collection, None, why, "/@odata.nextLink"))

"""The PowerShell object graph of an Export-Clixml document, as Python values (MS-PSRP 2.2.5).

The text is read as untrusted XML: a DOCTYPE (the only place an entity can be declared) is
refused before the parser sees the document, and lxml runs with entity resolution, DTD
loading and network access off. The document is streamed: each object under ``Objs`` is
read once complete and its XML dropped, so a large export never stands whole as a tree.

An ``Obj`` with properties becomes a ``PSObject``: a dict of its ``Props`` and ``MS`` entries
by name, which also keeps the object's type names. ``LST``, ``IE``, ``STK`` and ``QUE`` become
lists, ``DCT`` a ``PSObject`` keyed by each entry's ``Key``, and an enum its ``ToString``.
Numbers and booleans become Python numbers and booleans; dates, GUIDs, durations, URIs,
versions and byte arrays stay the strings the file holds. A ``Ref`` is the very object it
refers to, registered before its members are read, so a cycle stays a cycle instead of
recursing for ever.
"""
from __future__ import annotations

import io
import re
from array import array
from collections.abc import Callable, Hashable, Iterator
from typing import Any, NamedTuple

from lxml import etree

from checker.inputs.decode import DecodeError
from checker.inputs.limits import Limits, over

Element = Any  # lxml.etree._Element: lxml has no type stubs

ENTITIES_REFUSED = "XML entities are not allowed"

_LISTS = frozenset({"LST", "IE", "STK", "QUE"})
_OBJECT_PARTS = frozenset({"TN", "TNRef", "ToString", "Props", "MS"})
_INTEGERS = frozenset({"I16", "I32", "I64", "U16", "U32", "U64", "By", "SB"})
_FLOATS = frozenset({"Sg", "Db", "D"})
_PRIMITIVE_TYPES = {
    "S": "System.String", "C": "System.Char", "B": "System.Boolean", "DT": "System.DateTime",
    "TS": "System.TimeSpan", "By": "System.Byte", "SB": "System.SByte", "U16": "System.UInt16",
    "I16": "System.Int16", "U32": "System.UInt32", "I32": "System.Int32", "U64": "System.UInt64",
    "I64": "System.Int64", "Sg": "System.Single", "Db": "System.Double", "D": "System.Decimal",
    "BA": "System.Byte[]", "G": "System.Guid", "URI": "System.Uri", "Nil": "null",
    "Version": "System.Version", "XD": "System.Xml.XmlDocument", "SBK": "System.Management.Automation.ScriptBlock",
    "SS": "System.Security.SecureString",
}
_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")
# libxml2 keeps element lines in 16 bits; past this one they are estimates
_LAST_EXACT_LINE = 65534
_PROLOG_ITEM = re.compile(r"[\s\ufeff]+|<\?.*?\?>|<!--.*?-->", re.S)
_DECLARATION = re.compile(r"<!(?:DOCTYPE|ENTITY)", re.I)
_MARKUP = re.compile(r"<!--.*?-->|<!\[CDATA\[.*?\]\]>|<\?.*?\?>|<(?=[^/!?])", re.S)
_POSITION_SUFFIX = re.compile(r", line \d+, column \d+$")


class PSObject(dict[Any, Any]):
    """A deserialized object's members by name, with its type names (most derived first)."""

    __slots__ = ("type_names",)

    def __init__(self, type_names: tuple[str, ...] = ()) -> None:
        super().__init__()
        self.type_names = type_names


class TopLevel(NamedTuple):
    """One object written directly under ``Objs``, with its line and, when it is a list, its members' lines."""

    value: Any
    type_names: tuple[str, ...]
    line: int
    member_lines: tuple[int, ...] = ()


def local_name(element: Element) -> str:
    tag = element.tag
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def unescape(text: str) -> str:
    """Undo PowerShell's ``_xHHHH_`` escapes (characters XML cannot hold, and ``_x`` itself)."""
    if "_x" not in text:
        return text
    decoded = _ESCAPE.sub(lambda match: chr(int(match.group(1), 16)), text)
    # an astral character arrives as two escaped surrogates; join them, and mend lone ones
    return decoded.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


def _children(element: Element) -> list[Element]:
    return [child for child in element if isinstance(child.tag, str)]


class Reader:
    """Reads the objects of one document; RefIds and TN RefIds span all its top-level objects."""

    def __init__(self, line_of: Callable[[Element], int], limits: Limits = Limits()) -> None:
        self._line_of = line_of
        self._limits = limits
        self._references = 0
        self._count = 0
        self._objects: dict[str, Any] = {}
        self._type_names: dict[str, tuple[str, ...]] = {}

    def top_level(self, element: Element) -> TopLevel:
        value = self.read(element)
        line = self._line_of(element)
        if isinstance(value, PSObject) and value.type_names:
            return TopLevel(value, value.type_names, line)
        tag = local_name(element)
        if tag != "Obj":
            return TopLevel(value, (_PRIMITIVE_TYPES.get(tag, tag),), line)
        type_names = self._object_type_names(element)
        members = next((c for c in _children(element) if local_name(c) in _LISTS), None)
        member_lines = tuple(self._line_of(c) for c in _children(members)) if members is not None else ()
        return TopLevel(value, type_names, line, member_lines)

    def read(self, element: Element) -> Any:
        tag = local_name(element)
        if tag == "Obj":
            return self._object(element)
        if tag == "Ref":
            return self._reference(element)
        return self._primitive(element, tag)

    def _fail(self, element: Element, reason: str) -> DecodeError:
        return DecodeError(f"not a valid Export-Clixml document: {reason}", self._line_of(element), 1)

    def _reference(self, element: Element) -> Any:
        self._references += 1
        if self._references > self._limits.max_clixml_references:
            raise DecodeError(str(over(self._limits, "max_clixml_references", "the document holds more <Ref> "
                                       "elements")), self._line_of(element), 1)
        ref_id = element.get("RefId")
        if ref_id not in self._objects:
            raise self._fail(element, f"<Ref RefId={ref_id!r}> refers to no earlier object")
        return self._objects[ref_id]

    def _object_type_names(self, element: Element) -> tuple[str, ...]:
        for child in _children(element):
            tag = local_name(child)
            if tag == "TN":
                names = tuple(unescape(t.text or "") for t in _children(child) if local_name(t) == "T")
                ref_id = child.get("RefId")
                if ref_id is not None:
                    self._type_names[ref_id] = names
                return names
            if tag == "TNRef":
                ref_id = child.get("RefId")
                if ref_id not in self._type_names:
                    raise self._fail(child, f"<TNRef RefId={ref_id!r}> refers to no earlier type name list")
                return self._type_names[ref_id]
        return ()

    def _object(self, element: Element) -> Any:
        self._count += 1
        if self._count > self._limits.max_objects:
            raise DecodeError(str(over(self._limits, "max_objects", "the document holds more objects")),
                              self._line_of(element), 1)
        type_names = self._object_type_names(element)
        children = _children(element)
        parts = [c for c in children if local_name(c) not in _OBJECT_PARTS and c.get("N") is None]
        to_string = next((unescape(c.text or "") for c in children if local_name(c) == "ToString"), None)
        ref_id = element.get("RefId")
        if parts:
            content = parts[0]
            tag = local_name(content)
            if tag in _LISTS:
                return self._fill_list(self._register(ref_id, []), content)
            if tag == "DCT":
                return self._fill_dictionary(self._register(ref_id, PSObject(type_names)), content)
            value = self.read(content)
            if to_string is not None and _is_enum(type_names) and isinstance(value, int):
                value = to_string  # its name, not its number
            return self._register(ref_id, value)
        member_sets = [c for c in children if local_name(c) in ("Props", "MS")]
        if not member_sets and to_string is not None:
            return self._register(ref_id, to_string)
        found = self._register(ref_id, PSObject(type_names))
        for member_set in member_sets:
            for member in _children(member_set):
                name = member.get("N")
                if name is not None:
                    found[unescape(name)] = self.read(member)
        return found

    def _register(self, ref_id: str | None, value: Any) -> Any:
        if ref_id is not None:
            self._objects[ref_id] = value
        return value

    def _fill_list(self, found: list[Any], container: Element) -> list[Any]:
        found.extend(self.read(item) for item in _children(container))
        return found

    def _fill_dictionary(self, found: PSObject, container: Element) -> PSObject:
        for entry in _children(container):
            parts = {child.get("N"): child for child in _children(entry)}
            if local_name(entry) != "En" or "Key" not in parts:
                raise self._fail(entry, "a dictionary entry without a Key")
            key = self.read(parts["Key"])
            value = self.read(parts["Value"]) if "Value" in parts else None
            found[key if isinstance(key, Hashable) else str(key)] = value
        return found

    def _primitive(self, element: Element, tag: str) -> Any:
        text = element.text or ""
        try:
            if tag == "Nil":
                return None
            if tag == "B":
                return _boolean(text)
            if tag in _INTEGERS:
                return int(text.strip())
            if tag in _FLOATS:
                return float(text.strip())
            if tag == "C":
                return chr(int(text.strip()))
        except (ValueError, OverflowError):
            raise self._fail(element, f"<{tag}> holds {text.strip()[:40]!r}") from None
        return unescape(text)


def _is_enum(type_names: tuple[str, ...]) -> bool:
    """An enum by its base type; without type names, a number with a ToString is taken for one."""
    return not type_names or any(name.endswith("System.Enum") for name in type_names)


def _boolean(text: str) -> bool:
    value = text.strip()
    if value in ("true", "1"):
        return True
    if value in ("false", "0"):
        return False
    raise ValueError(value)


class Objects(NamedTuple):
    """The root element's name, and the objects under it if it is ``Objs`` (else empty)."""

    root_name: str
    objects: tuple[TopLevel, ...]


def read_objects(text: str, limits: Limits = Limits()) -> Objects:
    """Every object of an Export-Clixml document; DecodeError if it is not readable XML or over a limit."""
    _refuse_declarations(text)
    document = _Document(text, limits)
    try:
        return document.objects()
    except RecursionError:
        raise DecodeError("not a valid Export-Clixml document: objects nested too deeply") from None


def _refuse_declarations(text: str) -> None:
    """Refuse a DOCTYPE or entity declaration, which may only stand before the root element."""
    position = 0
    while (match := _PROLOG_ITEM.match(text, position)) is not None and match.end() > position:
        position = match.end()
    if _DECLARATION.match(text, position):
        raise DecodeError(ENTITIES_REFUSED, *_line_and_column(text, position))


def _line_and_column(text: str, index: int) -> tuple[int, int]:
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


class _Document:
    """One XML document, streamed: each object under the root is read once it is complete."""

    def __init__(self, text: str, limits: Limits = Limits()) -> None:
        self._text = text
        self._limits = limits
        self.root_name = ""
        self._top: Element = None
        self._top_ordinal = 0
        self._top_index: dict[Element, int] | None = None
        self._start_lines: array[int] | None = None

    def objects(self) -> Objects:
        reader = Reader(self.line_of, self._limits)
        found: list[TopLevel] = []
        try:
            for element in self._top_level_elements():
                if self.root_name == "Objs":
                    found.append(reader.top_level(element))
                element.clear()
                while element.getprevious() is not None:
                    del element.getparent()[0]
        except etree.XMLSyntaxError as error:
            line, column = error.position
            reason = _POSITION_SUFFIX.sub("", error.msg or str(error))
            raise DecodeError(f"not well-formed XML: {reason}", line, max(column, 1)) from None
        except etree.LxmlError as error:
            raise DecodeError(f"not well-formed XML: {error}") from None
        return Objects(self.root_name, tuple(found))

    def _top_level_elements(self) -> Iterator[Element]:
        events = etree.iterparse(
            io.BytesIO(self._text.encode("utf-8")), events=("start", "end"), encoding="utf-8",
            resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
            remove_comments=True, remove_pis=True,
        )
        depth = 0
        ordinal = -1
        for event, element in events:
            if event == "start":
                depth += 1
                ordinal += 1
                if depth == 1:
                    self._check_root(element)
                elif depth == 2:
                    self._top, self._top_ordinal, self._top_index = element, ordinal, None
                continue
            depth -= 1
            if depth == 1:
                yield element

    def _check_root(self, root: Element) -> None:
        info = root.getroottree().docinfo
        if info.doctype or info.internalDTD is not None or info.externalDTD is not None:
            raise DecodeError(ENTITIES_REFUSED)
        self.root_name = local_name(root)

    def line_of(self, element: Element) -> int:
        """The line where ``element`` starts (an element of the current top-level object)."""
        line: int = element.sourceline or 0
        if line <= _LAST_EXACT_LINE or self._top is None:
            return line
        if self._top_index is None:
            self._top_index = {node: index for index, node in enumerate(self._top.iter())}
        offset = self._top_index.get(element)
        if offset is None:
            return line
        return self._element_start_lines()[self._top_ordinal + offset]

    def _element_start_lines(self) -> array[int]:
        """The line of every element's start tag, in document order, counted in the text."""
        if self._start_lines is None:
            lines: array[int] = array("L")
            line, last = 1, 0
            for match in _MARKUP.finditer(self._text):
                if match.end() - match.start() == 1:
                    line += self._text.count("\n", last, match.start())
                    last = match.start()
                    lines.append(line)
            self._start_lines = lines
        return self._start_lines



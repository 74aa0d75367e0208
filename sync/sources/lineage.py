"""Whether a workbook's shared parts were only added to since the last look.

Every sheet of an .xlsx reads its text through the shared strings (a cell holds
an index into that table) and its dates through the styles (a cell holds an
index into ``cellXfs``, whose number format says whether the number is a date).
Excel adds to the end of both as a person types: a text nobody had typed before
gets the next index, a cell formatted in a new way the next style. A sheet whose
own XML did not change then reads exactly as before, although both parts did.

``shared_token`` gives such a part a token that stays the same while each new
version only adds to the end of the one before, and moves as soon as anything
that was there is different (a program that renumbers its strings, a format
changed in place, a file put back from a copy). The tokens are this process's:
each new lineage gets a new number, so a token never comes back with another
meaning.
"""

from __future__ import annotations

import itertools
import re
import threading
import zlib
from dataclasses import dataclass
from xml.etree.ElementTree import Element

import defusedxml.ElementTree as ElementTree

from sync.sources.safety import MAX_MEMBER_RATIO, RATIO_FLOOR_BYTES

STYLES_LIMIT = 8 * 1024**2          # styles parts are kilobytes; anything this big is only compared whole
STRINGS_LIMIT = 512 * 1024**2

_SST_START = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?sst\b[^>]*>")
_BUILTIN = 163                       # numFmtId up to this are built-in formats, known by their id


@dataclass(frozen=True)
class Strings:
    """The shared strings' items (everything between ``<sst ...>`` and ``</sst>``), by length and CRC.

    The counts in the start tag change with every save and are left out.
    """

    start: int       # where the items begin in the part
    length: int
    crc: int

    @classmethod
    def of(cls, part: bytes) -> Strings | None:
        head = _SST_START.search(part, 0, 4096)
        end = part.rfind(b"</")
        if head is None or end < head.end():
            return None
        items = memoryview(part)[head.end():end]
        return cls(head.end(), len(items), zlib.crc32(items))

    def extends(self, before: Strings, part: bytes) -> bool:
        """Do this version's items begin with all of ``before``'s?"""
        return self.length >= before.length and \
            zlib.crc32(memoryview(part)[self.start:self.start + before.length]) == before.crc


@dataclass(frozen=True)
class Formats:
    """The number format of each cell style (``cellXfs``), in order: what a styled number reads as."""

    codes: tuple[str, ...]

    @classmethod
    def of(cls, part: bytes) -> Formats | None:
        try:
            root = ElementTree.fromstring(part)
        except ElementTree.ParseError:
            return None
        custom = {el.get("numFmtId", ""): el.get("formatCode", "") for el in _all(root, "numFmt")}
        xfs = next(_all(root, "cellXfs"), None)
        if xfs is None:
            return cls(())
        codes = []
        for xf in xfs:
            if _local(xf) != "xf":
                continue
            fid = xf.get("numFmtId", "0")
            codes.append(custom.get(fid, f"#{fid}") if _int(fid) > _BUILTIN else f"#{fid}")
        return cls(tuple(codes))

    def extends(self, before: Formats, part: bytes) -> bool:
        """Do this version's styles begin with all of ``before``'s formats?"""
        return self.codes[:len(before.codes)] == before.codes


@dataclass(frozen=True)
class _Seen:
    crc: str
    body: Strings | Formats
    token: str


_SEEN: dict[tuple[str, str], _Seen] = {}
_LOCK = threading.Lock()
_GENERATION = itertools.count(1)


def shared_token(workbook: str, package, part: str, kind: str) -> str:
    """A token for the ``kind`` ("strings" or "styles") part ``part`` of the open ``package``.

    ``workbook`` names the file the lineage belongs to. The part is unpacked only
    when its CRC differs from the last look; a part too big or too compressed to
    be worth it (the safety checks refuse it at the read) is compared whole.
    """
    info = package.NameToInfo.get(part)
    if info is None:
        return "-"
    crc = f"{info.CRC:08x}:{info.file_size}"
    key = (workbook, part)
    with _LOCK:
        seen = _SEEN.get(key)
    if seen is not None and seen.crc == crc:
        return seen.token
    limit = STYLES_LIMIT if kind == "styles" else STRINGS_LIMIT
    if info.file_size > limit or (info.file_size > RATIO_FLOOR_BYTES
                                  and info.file_size > MAX_MEMBER_RATIO * max(info.compress_size, 1)):
        return crc
    data = package.read(info)
    body = (Formats if kind == "styles" else Strings).of(data)
    if body is None:
        return crc
    if seen is not None and type(seen.body) is type(body) and body.extends(seen.body, data):
        token = seen.token
    else:
        token = f"{crc}#{next(_GENERATION)}"
    with _LOCK:
        _SEEN[key] = _Seen(crc, body, token)
    return token


def _all(root: Element, name: str):
    return (el for el in root.iter() if _local(el) == name)


def _local(el: Element) -> str:
    return el.tag.rsplit("}", 1)[-1] if isinstance(el.tag, str) else ""


def _int(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        return -1

"""Who saved a workbook, and when, as the file itself says (``docProps/core.xml``).

Excel, WPS and LibreOffice write the user name of whoever saved an .xlsx into
its core properties (``cp:lastModifiedBy``) with the time (``dcterms:modified``)
at every save: the ledger files each change under that name. It is what the
saving program was told the user is called (an Office account, a Windows user
name, a name typed once into WPS), so it is a hint to match against the people
sheet, never proof. A source that knows its saver another way (a Google
Sheet's revision author) offers ``saved_by()`` returning the same ``SaveInfo``.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path

import defusedxml.ElementTree as ElementTree

CORE = "docProps/core.xml"
_LIMIT = 256 * 1024    # core properties are a few hundred bytes; anything bigger is not read
_BY = "{http://schemas.openxmlformats.org/package/2006/metadata/core-properties}lastModifiedBy"
_AT = "{http://purl.org/dc/terms/}modified"
PACKAGES = (".xlsx", ".xlsm", ".xltx", ".xltm")


@dataclass(frozen=True)
class SaveInfo:
    by: str | None          # the name the saving program gave, as written
    at: str | None          # ISO time of the save, as written (UTC, "Z")


def save_info(source: object) -> SaveInfo | None:
    """Who last saved ``source`` and when, where it can say; None where it cannot."""
    own = getattr(source, "saved_by", None)
    if callable(own):
        return own()
    path = getattr(source, "path", None)
    if path is None or Path(path).suffix.lower() not in PACKAGES:
        return None
    return read_core(Path(path))


def read_core(path: Path) -> SaveInfo | None:
    try:
        with zipfile.ZipFile(path) as package:
            info = package.NameToInfo.get(CORE)
            if info is None or info.file_size > _LIMIT:
                return None
            root = ElementTree.fromstring(package.read(CORE))
    except Exception:   # noqa: BLE001 - a hint only: a package too broken to say is read (or refused) elsewhere
        return None
    by, at = root.find(_BY), root.find(_AT)
    name = (by.text or "").strip() if by is not None else ""
    when = (at.text or "").strip() if at is not None else ""
    return SaveInfo(name or None, when or None) if name or when else None

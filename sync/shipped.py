"""Where the shipped rule packs and mail templates are, however ordersync was installed.

In the repository they sit at the root, ``rules/`` and ``templates/``, where
users edit them (DESIGN.md). A wheel carries the same files inside the package,
as ``sync/rules`` and ``sync/templates`` (pyproject.toml maps the root folders
there). A source checkout or an editable install has no ``sync/rules``: there
the folders at the repository root are the shipped ones.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

NAMES = ("rules", "templates")


def folder(name: str) -> Path:
    """The shipped ``rules`` or ``templates`` folder: inside the installed package, else the repository root."""
    if name not in NAMES:
        raise ValueError(f"no shipped folder {name!r}; there are {', '.join(NAMES)}")
    packaged = resources.files(__package__) / name
    if isinstance(packaged, Path) and packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / name

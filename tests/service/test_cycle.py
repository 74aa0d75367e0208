"""The service's cache of sources: what it reads again, and the register it hands out."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from sync.config import load_config
from sync.service.cycle import SourceCache
from sync.demo.register import build_register
from sync.sources import open_path

NOW = datetime(2026, 11, 27, 2, 0, tzinfo=timezone.utc)


def cache_for(tmp_path: Path) -> tuple[SourceCache, Path]:
    book = tmp_path / "register.xlsx"
    build_register(book, orders=30, mistakes=False, seed=5, fast=True)
    (tmp_path / "config.toml").write_text('[sources.register]\nkind = "excel"\npath = "register.xlsx"\n',
                                          encoding="utf-8")
    config = load_config(tmp_path / "config.toml")
    return SourceCache(config, [open_path(book, name="register")]), book


def test_same_content_is_not_read_again_and_keeps_its_register(tmp_path):
    cache, book = cache_for(tmp_path)
    assert cache.refresh(["register"], NOW) == (["register"], [])
    first = cache.register()
    book.write_bytes(book.read_bytes())            # saved again, same bytes
    assert cache.refresh(["register"], NOW) == ([], ["register"])
    assert cache.register() is first               # what was derived from it stays valid


def test_new_content_gives_a_new_register(tmp_path):
    cache, book = cache_for(tmp_path)
    cache.refresh(["register"], NOW)
    first = cache.register()
    build_register(book, orders=31, mistakes=False, seed=5, fast=True)
    assert cache.refresh(["register"], NOW) == (["register"], [])
    second = cache.register()
    assert second is not first
    assert len(second.tables["orders"]) == 31


def test_a_folder_of_registers_is_one_register_with_every_file_in_it(tmp_path):
    """One register per follower (a path glob): the service checks every file, not the last one read."""
    folder = tmp_path / "registers"
    for number in range(3):
        build_register(folder / f"follower-{number}.xlsx", orders=20, mistakes=False, seed=number, fast=True)
    (tmp_path / "config.toml").write_text('[sources.registers]\nkind = "excel"\npath = "registers/*.xlsx"\n',
                                          encoding="utf-8")
    config = load_config(tmp_path / "config.toml")
    sources = [open_path(p, name=f"registers/{p.name}") for p in sorted(folder.glob("*.xlsx"))]
    cache = SourceCache(config, sources)
    cache.refresh([s.name for s in sources], NOW)
    orders = cache.register().tables["orders"]
    assert len(orders) == 60
    assert {p.location.rsplit("/", 1)[-1] for p in orders.parts} == {"follower-0.xlsx", "follower-1.xlsx",
                                                                   "follower-2.xlsx"}
    build_register(folder / "follower-0.xlsx", orders=21, mistakes=False, seed=0, fast=True)
    cache.refresh([sources[0].name], NOW)                   # one follower saved: only that file is read again
    assert len(cache.register().tables["orders"]) == 61

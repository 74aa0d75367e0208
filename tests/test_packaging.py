"""Installed from a wheel, as an office IT person installs it, ordersync still has its rules and templates.

rules/ and templates/ sit at the repository root (users edit them there);
pyproject.toml maps them into the package as sync/rules and sync/templates.
The wheel is built the way ``python -m build`` builds it (sdist, then the wheel
from the unpacked sdist), offline with the test extra's setuptools, from a copy
of the working tree so the repository gets no build/ or egg-info. Then it runs
from the unpacked wheel in an empty folder, far from the repository.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import openpyxl
import pytest

from tests.conftest import ROOT

_ANYWHERE = shutil.ignore_patterns(".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", "*.pyc",
                                   ".hypothesis", ".pytest_cache")
#: what `make demo` and the service leave at the root (sync/demo/ is a package and stays)
_AT_ROOT = {"demo", "state", "outbox", "out"}


def COPY_IGNORE(folder: str, names: list[str]) -> set[str]:
    ignored = set(_ANYWHERE(folder, names))
    return ignored | (_AT_ROOT & set(names) if Path(folder) == ROOT else set())


def shipped_files(folder: str) -> set[str]:
    return {p.relative_to(ROOT / folder).as_posix() for p in (ROOT / folder).rglob("*")
            if p.is_file() and "__pycache__" not in p.parts}


def backend(call: str, cwd: Path, out: Path) -> Path:
    """One PEP 517 hook of setuptools.build_meta (what pip and build call) in a fresh process."""
    code = f"import sys; from setuptools import build_meta; print(build_meta.{call}(sys.argv[1]))"
    done = subprocess.run([sys.executable, "-c", code, str(out)], cwd=cwd, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    return out / done.stdout.strip().splitlines()[-1]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(sdist, wheel) of the working tree."""
    tmp = tmp_path_factory.mktemp("build")
    src = tmp / "src"
    shutil.copytree(ROOT, src, ignore=COPY_IGNORE)
    sdist = backend("build_sdist", src, tmp / "dist")
    with tarfile.open(sdist) as tar:
        tar.extractall(tmp / "unpacked", **({"filter": "data"} if hasattr(tarfile, "data_filter") else {}))
    unpacked = next((tmp / "unpacked").iterdir())
    wheel = backend("build_wheel", unpacked, tmp / "dist")
    return sdist, wheel


def test_sdist_has_the_root_folders(built):
    sdist, _ = built
    with tarfile.open(sdist) as tar:
        names = {n.split("/", 1)[1] for n in tar.getnames() if "/" in n}
    assert {f"rules/{f}" for f in shipped_files("rules")} <= names
    assert {f"templates/{f}" for f in shipped_files("templates")} <= names


def test_wheel_has_rules_templates_and_every_module(built):
    _, wheel = built
    names = set(zipfile.ZipFile(wheel).namelist())
    assert shipped_files("rules") and shipped_files("templates")
    assert {f"sync/rules/{f}" for f in shipped_files("rules")} <= names
    assert {f"sync/templates/{f}" for f in shipped_files("templates")} <= names
    modules = {p.relative_to(ROOT).as_posix() for p in (ROOT / "sync").rglob("*.py")}
    assert modules - names == set(), "a subpackage of sync/ is missing from [tool.setuptools] packages"
    assert not any(n.startswith(("rules/", "templates/", "tests/")) for n in names)


def test_the_installed_wheel_checks_and_renders_from_an_empty_folder(built, tmp_path):
    _, wheel = built
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)   # a pure wheel unpacked is what pip installs
    here = tmp_path / "office"
    here.mkdir()
    book = here / "register.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "订单登记"
    ws.append(["订单号", "下单日期", "客户", "款号", "订单数量", "单价", "金额", "交货日期", "跟单员"])
    d = dt.datetime(2026, 4, 1)
    for i, q in enumerate([300, 450, 600, 500, 350, 400, 420], start=1):
        ws.append([f"SO-2604-{i:03d}", d, "Muji HK", "MJ-T01", q, 10.0, q * 10.0, d + dt.timedelta(days=40), "张伟"])
    ws.append(["SO-2604-001", d, "Muji HK", "MJ-T01", 300, 10.0, 3000.0, d + dt.timedelta(days=40), "张伟"])  # twice
    ws.append(["SO-2604-008", d, "Muji HK", "MJ-T01", 300, 10.0, 999.0, d + dt.timedelta(days=40), "张伟"])
    wb.save(book)
    env = {**os.environ, "PYTHONPATH": str(site)}
    env.pop("ORDERSYNC_CONFIG", None)

    # one process: where the shipped folders are, every template compiles, then `ordersync check` on the book
    probe = ("import json, sys, sync\n"
             "from pathlib import Path\n"
             "from sync.checks import pipeline\n"
             "from sync.notices import render\n"
             "from sync.checks import load_rules\n"
             "env = render.environment()\n"
             "Path('probe.json').write_text(json.dumps({\n"
             "    'sync': sync.__file__, 'rules': str(pipeline.SHIPPED_RULES), 'templates': str(render.SHIPPED),\n"
             "    'count': len(load_rules([pipeline.SHIPPED_RULES])),\n"
             "    'compiled': sorted(n for n in env.list_templates() if env.get_template(n))}))\n"
             "sys.argv = ['ordersync', 'check', 'register.xlsx', '--format', 'json', '--today', '2026-04-20']\n"
             "from sync.cli import main\n"
             "main()\n")
    done = subprocess.run([sys.executable, "-c", probe], cwd=here, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stderr[-3000:]   # 1: the check found errors
    seen = json.loads((here / "probe.json").read_text())
    assert Path(seen["sync"]).is_relative_to(site)
    assert Path(seen["rules"]) == site / "sync" / "rules"
    assert Path(seen["templates"]) == site / "sync" / "templates"
    from sync.checks import load_rules
    from sync.checks.pipeline import SHIPPED_RULES
    assert seen["count"] == len(load_rules([SHIPPED_RULES])) > 0
    assert seen["compiled"] == sorted(shipped_files("templates"))
    rules = {f["rule"] for f in json.loads(done.stdout)["findings"]}
    assert {"duplicate-order", "amount-mismatch"} <= rules   # both from the shipped rules/orders.toml

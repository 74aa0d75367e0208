"""``ordersync run`` with [web]: the page is served beside the daemon, from its own cycles, and stops with it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import requests

from tests.conftest import ROOT
from tests.web.site import Site


def test_run_serves_the_page_from_its_cycles_and_stops_with_sigterm(tmp_path):
    site = Site(tmp_path, orders=60)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    daemon = subprocess.Popen([sys.executable, "-m", "sync", "run", "--config", str(tmp_path / "config.toml")],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        seen = []
        for _ in range(240):     # the page answers at once; the board is there after the first cycle
            try:
                r = requests.Session().get(site.link("张伟", "/me"), timeout=5)
                seen.append(r.status_code)
                if r.status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            time.sleep(0.25)
        assert seen and seen[-1] == 200, seen
        assert set(seen) <= {503, 200} and "张伟" in r.text
        assert requests.get(site.url + "/me", timeout=5).status_code == 401
    finally:
        daemon.send_signal(signal.SIGTERM)
        code = daemon.wait(60)
    assert code == 0, daemon.stderr.read()[-2000:]
    try:
        requests.get(site.url + "/login", timeout=2)
        raise AssertionError("the page outlived the daemon")
    except requests.ConnectionError:
        pass

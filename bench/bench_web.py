"""Page render times of the status page on the 10k-order bench register: python bench/bench_web.py [--orders N]

One real cycle (``run --once``) stores the state of the bench register
(bench/out/register-N.xlsx, shared with bench_read.py); a few hundred actions
are recorded as people would; then the page is served by uvicorn on
127.0.0.1 from that cycle's board (as inside ``ordersync run``) and each page is
fetched over HTTP ``--repeat`` times. Prints the median and the worst time per
page; the target of issue 17 is under 200 ms a page.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_read import register_path  # noqa: E402

CONFIG = """\
[service]
language = "zh"
timezone = "Asia/Shanghai"
state = "state/ordersync.db"

[sources.register]
kind = "excel"
path = "{path}"

[mail]
outbox = "outbox"
sender = "ordersync@bench.example.com"

[reminders]
send_after = "00:00"

[web]
listen = "127.0.0.1:{port}"
base_url = "http://127.0.0.1:{port}"
managers = ["bench"]
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--register", type=Path, help="an existing register instead of bench/out/register-N.xlsx")
    args = parser.parse_args(argv)
    os.environ.setdefault("ORDERSYNC_WEB_SECRET", "bench-secret-0123456789abcdef")
    os.environ.setdefault("ORDERSYNC_WEB_PASSWORD", "bench")

    import requests

    from sync.actions import Action, concern_subject, record
    from sync.cli.session import sources_from_config
    from sync.config import load_config
    from sync.links import page_link
    from sync.service.daemon import Service
    from sync.state import State
    from sync.web.board import ServiceBoard
    from sync.web.server import make_server
    from tests.smtpserver import free_port

    book = args.register or register_path(args.orders)
    tmp = Path(tempfile.mkdtemp(prefix="bench-web-"))
    port = free_port()
    (tmp / "config.toml").write_text(CONFIG.format(path=book.resolve().as_posix(), port=port), encoding="utf-8")
    config = load_config(tmp / "config.toml")
    service = Service(config, sources_from_config(config), lang="zh")
    started = time.perf_counter()
    service.run(once=True)
    print(f"cycle (run --once) on {book.name}: {time.perf_counter() - started:.1f} s")
    last = service.last
    assert last is not None and last.orders is not None
    progress = last.orders.progress
    with State(config.resolve(config.service.state)) as state:   # what people said, as on a busy day
        now = datetime.now(timezone.utc)
        for p in list(progress.values())[:300]:
            record(state, Action(concern_subject("overdue", p.key), "ack", p.follower or "bench", now, "bench"))

    source = ServiceBoard(service)
    started = time.perf_counter()
    board = source.board()
    print(f"board from the cycle (once per cycle): {1000 * (time.perf_counter() - started):.0f} ms")
    server = make_server(config, source)
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    url = f"http://127.0.0.1:{port}"

    counts: dict[str, int] = {}
    for f in board.facts.values():
        if f.follower:
            counts[f.follower] = counts.get(f.follower, 0) + 1
    busiest = max(counts, key=counts.get)
    follower = requests.Session()
    follower.get(page_link(config.web, busiest, "/me"))
    manager = requests.Session()
    csrf = manager.get(url + "/login").text.split('name="csrf" value="')[1].split('"')[0]
    manager.post(url + "/login", data={"csrf": csrf, "name": "bench", "password": os.environ["ORDERSYNC_WEB_PASSWORD"]})
    late = next(p for p in progress.values() if p.open and p.at_risk)
    pages = [(follower, f"/me  ({busiest}, {counts[busiest]} orders)", "/me"),
             (follower, f"/order/{late.order_no}", f"/order/{late.order_no}"),
             (follower, "/findings", "/findings"), (follower, "/findings?severity=error", "/findings?severity=error"),
             (follower, "/changes (last 7 days)", "/changes"), (follower, "/changes?since=2000-01-01",
                                                                 "/changes?since=2000-01-01"),
             (manager, "/manager", "/manager"), (manager, "/service", "/service")]
    print(f"{len(progress)} orders, {len(board.report.findings)} findings; {args.repeat} fetches per page:")
    worst = 0.0
    for session, label, path in pages:
        times = []
        for _ in range(args.repeat):
            t = time.perf_counter()
            r = session.get(url + path)
            times.append(1000 * (time.perf_counter() - t))
            assert r.status_code == 200, (path, r.status_code, r.text[:300])
        worst = max(worst, statistics.median(times))
        print(f"  {label:<40} median {statistics.median(times):6.0f} ms   max {max(times):6.0f} ms   "
              f"{len(r.content) / 1024:6.0f} KiB")
    server.should_exit = True
    print(f"slowest page (median): {worst:.0f} ms; target < 200 ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())

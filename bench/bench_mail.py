"""Mail size and planning time on a big register: python bench/bench_mail.py [--orders 20000]

Issue 16: a 20,000-order register made 1 MB reminder mails with 1,106 rows,
which Gmail clips past 102 KB. Builds (once) bench/out/mail-N.xlsx with the
demo generator (mistakes seeded, fast mode) around a fixed day, checks it,
plans every reminder and the daily digest for followers and the manager, and
prints each mail's HTML size, the cards shown, the attachment, and the time
the notices took. Fails (exit 1) when a mail's HTML passes 100 KB.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from sync.checks.pipeline import check_register  # noqa: E402
from sync.config import Config  # noqa: E402
from sync.demo.register import build_register  # noqa: E402
from sync.notices.mails import HTML_BUDGET  # noqa: E402
from sync.notices.plan import gather, plan_digest, plan_notices  # noqa: E402
from sync.sources import open_path  # noqa: E402
from sync.state import State  # noqa: E402
from sync.tables.register import load  # noqa: E402

TODAY = date(2026, 9, 15)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=20000)
    args = parser.parse_args(argv)
    out = HERE / "out"
    out.mkdir(exist_ok=True)
    path = out / f"mail-{args.orders}.xlsx"
    if not path.exists():
        build_register(path, orders=args.orders, today=TODAY, fast=True)
    cfg = Config.model_validate({"reminders": {"send_after": "00:00"}, "mail": {"link_prefix": "\\\\fileserver\\跟单"},
                                 "digests": [{"name": "daily", "to": ["followers", "manager"]}]})
    cfg.path = out / "config.toml"
    register = load([open_path(path)])
    report = check_register(register, cfg, lang="zh", today=TODAY)
    now = datetime(2026, 9, 15, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    state_path = out / f"mail-{args.orders}.db"
    state_path.unlink(missing_ok=True)
    with State(state_path) as state:
        started = time.perf_counter()
        inputs = gather(state, cfg, register, now=now, lang="zh", report=report)
        mails = plan_notices(state, cfg, inputs, now=now, lang="zh").outgoing
        reminded = time.perf_counter()
        mails += plan_digest(state, cfg, "daily", inputs, now=now, lang="zh").outgoing
        done = time.perf_counter()
    for m in mails:
        cards = m.html.count('class="no"')
        files = ", ".join(f"{name} {len(data) // 1024} KB" for name, data, _ in m.attachments) or "-"
        print(f"{len(m.html.encode()) / 1000:6.1f} KB  {m.to[0][0]}  {m.subject}  cards/links={cards}  attached: {files}")
    print(f"{args.orders} orders, {len(report.findings)} findings: reminders planned in {reminded - started:.1f} s, "
          f"digests in {done - reminded:.1f} s")
    biggest = max(len(m.html.encode()) for m in mails)
    print(f"largest HTML {biggest / 1000:.1f} KB (budget {HTML_BUDGET / 1000:.0f} KB)")
    return 0 if biggest <= HTML_BUDGET else 1


if __name__ == "__main__":
    raise SystemExit(main())

"""The mails themselves: a reminder, an entry-error batch and a digest rendered into an ``Outgoing``.

``sync.notices.plan`` decides what goes to whom and when; this module decides
what it looks like. Every mail is made for a phone first (``templates/``),
links to where the reader can act (``sync.notices.links``), and stays small:
a reminder shows its 30 most urgent orders as cards and attaches the rest,
so its HTML stays under what Gmail shows unclipped (102 KB).
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sync.config import DigestConfig, RemindersConfig
from sync.delivery.message import Outgoing
from sync.errors import ConfigError
from sync.findings import Report
from sync.i18n import say
from sync.notices.cards import CARDS_SHOWN, order_cards, rest_workbook
from sync.notices.charts import Chart, bar_chart
from sync.notices.digests import Digest
from sync.notices.links import Links
from sync.notices.reminders import Reminder
from sync.notices.render import render

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: what mail clients show of an HTML body before clipping it (Gmail: 102 KB); the mails stay under it
HTML_BUDGET = 100_000
#: a digest's display name by how often it goes, when its config gives no title
TITLES = {"daily": ("订单日报", "Daily order report"), "workdays": ("订单日报", "Daily order report"),
          "weekly": ("订单周报", "Weekly order report")}
#: the attachment with the reminders a mail has no room for
REST_NAME = "reminders.xlsx"


def reminder_mail(env: Any, group: list[Reminder], lang: str, settings: RemindersConfig, cc: list[Any],
                  before: dict[str, int], links: Links | None) -> tuple[Outgoing, str | None]:
    """One mail to one person: a card per order, the most urgent ``CARDS_SHOWN`` shown (fewer when they would
    not fit in ``HTML_BUDGET``), the rest in an attached workbook. With the template's error when a (user)
    template does not render: that mail is held until it is mended, the others go."""
    to = group[0].to
    cards = order_cards(group, before, links, to.name)
    subject = say("【订单提醒】{n} 个订单需要跟进", "[Orders] {n} orders to follow up", lang, n=len(cards))
    if cc:
        subject = say("【升级】", "[Escalated] ", lang) + subject
    ctx = dict(subject=subject, to=to, total=len(cards), escalated=bool(cc), cc_names="、".join(p.name for p in cc),
               escalate_after=settings.escalate_after_days, stage=stage_names(lang),
               page=links.page(to.name) if links else None, attachment=REST_NAME,
               reminders=group)      # every reminder as a list, for templates written before the cards
    mail = Outgoing(to=[(to.name, to.email or "")], cc=[(p.name, p.email) for p in cc if p.email], subject=subject,
                    text="", dedupe_key="|".join(sorted(r.dedupe_key for r in group)))

    def page(shown: int) -> str:
        return render(env, "reminder.html.j2", lang, cards=cards[:shown], more=len(cards[shown:]), **ctx)

    try:
        shown, mail.html = fit(page, min(CARDS_SHOWN, len(cards)))
        mail.text = render(env, "reminder.txt.j2", lang, cards=cards[:shown], more=len(cards) - shown, **ctx)
        if rest := cards[shown:]:
            labels = label_module(env, lang)
            mail.attachments.append((REST_NAME, rest_workbook(rest, lang, labels.detail, labels.kind,
                                                              labels.next_step), XLSX))
    except ConfigError as exc:
        return _unrendered(mail), str(exc)
    return mail, None


def fit(page: Callable[[int], str], count: int) -> tuple[int, str]:
    """The largest count up to ``count`` whose page stays within ``HTML_BUDGET`` bytes (at least 1), and the page."""
    html = page(count)
    while len(html.encode()) > HTML_BUDGET and count > 1:
        count = max(1, count * 3 // 4)
        html = page(count)
    return count, html


def entry_mail(env: Any, batch: Any, lang: str, links: Links | None = None) -> tuple[Outgoing, str | None]:
    """The entry errors of one person's saves; as many as fit in ``HTML_BUDGET``, all of them attached when some
    do not fit. With the template's error when it does not render (as ``reminder_mail``)."""
    subject = say("【录入错误】{n} 处需要更正", "[Register] {n} entries to correct", lang, n=len(batch.findings))
    ctx = dict(subject=subject, to=batch.person, place=_finding_place(links), total=len(batch.findings))
    mail = Outgoing(to=[(batch.person.name, batch.person.email or "")], subject=subject, text="",
                    dedupe_key=batch.dedupe_key)

    def page(shown: int) -> str:
        return render(env, "entry_errors.html.j2", lang, findings=batch.findings[:shown], **ctx)

    try:
        shown, mail.html = fit(page, len(batch.findings))
        mail.text = render(env, "entry_errors.txt.j2", lang, findings=batch.findings, **ctx)
    except ConfigError as exc:
        return _unrendered(mail), str(exc)
    if shown < len(batch.findings):
        mail.attachments.append(("findings.xlsx", findings_xlsx(batch.findings, lang), XLSX))
    return mail, None


def _unrendered(mail: Outgoing) -> Outgoing:
    """A mail whose template failed: who and what it is (for the queue's held list), no body."""
    mail.text, mail.html, mail.attachments = "", None, []
    return mail


def digest_title(spec: DigestConfig, lang: str) -> str:
    """The config's title, else the digest's display name by how often it goes (订单日报, not "daily")."""
    if spec.title:
        return str(spec.title)
    zh, en = TITLES.get(spec.name.lower()) or TITLES.get(spec.every, ("订单摘要", "Order digest"))
    return say(zh, en, lang)


def digest_mail(env: Any, spec: DigestConfig, d: Digest, lang: str, slot: str, links: Links | None = None) -> Outgoing:
    """One digest mail; each list shows up to ``limit`` rows, fewer when the mail would outgrow ``HTML_BUDGET``."""
    title = digest_title(spec, lang)
    subject = f"{title} · {d.generated.date().isoformat()}"
    person = d.recipient.person
    ctx = dict(subject=subject, title=title, d=d, today=d.generated.date(),
               kpi_days=spec.kpi_days, stage=stage_names(lang), field=field_names(lang),
               charts=digest_charts(d, lang) if spec.charts else {}, attachment=bool(d.errors),
               order_place=(links.order if links else (lambda no: None)), place=_finding_place(links),
               page=links.page(person.name) if links else None)
    limit, html = fit(lambda n: render(env, "digest.html.j2", lang, limit=n, **ctx), spec.limit)
    attachments = [("findings.xlsx", findings_xlsx(d.errors, lang), XLSX)] if d.errors else []
    return Outgoing(to=[(person.name, person.email or "")], subject=subject,
                    text=render(env, "digest.txt.j2", lang, limit=limit, **ctx), html=html,
                    attachments=attachments, dedupe_key=f"digest/{d.name}/{d.recipient.person.email}/{slot}")


def digest_charts(d: Digest, lang: str) -> dict[str, Chart]:
    """Bars for open orders by stage and late orders by customer, labelled in ``lang``."""
    out = {}
    if d.by_stage:
        stage = stage_names(lang)
        out["stages"] = bar_chart([stage(s) for s in d.by_stage], [v[0] for v in d.by_stage.values()],
                                  title=say("各工序未完成订单", "Open orders by stage", lang), lang=lang)
    if d.by_customer:
        out["customers"] = bar_chart([c[0] for c in d.by_customer], [c[1] for c in d.by_customer],
                                     title=say("按客户的延误订单", "Late orders by customer", lang), lang=lang, bad=True)
    return out


def findings_xlsx(findings: list[Any], lang: str) -> bytes:
    from sync.notices.report_xlsx import write_report

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "findings.xlsx"
        write_report(Report(findings=list(findings)), path, lang=lang)
        return path.read_bytes()


def _finding_place(links: Links | None) -> Callable[[Any], Any]:
    return links.finding if links is not None else (lambda f: None)


def label_module(env: Any, lang: str) -> Any:
    """templates/labels.j2 as Python functions (``detail``, ``kind``, ``next_step``): the attachment says what
    the mail says."""
    from sync.notices.render import nowrap, translator

    return env.get_template("labels.j2").make_module({"tr": translator(lang), "nw": nowrap(False), "html": False, "lang": lang,
                                                     "stage": stage_names(lang)})


def stage_names(lang: str) -> Callable[[str | None], str]:
    try:
        from sync.orders.progress import stage_label
    except ImportError:
        return lambda s: s or ""
    return lambda s: stage_label(s, lang) if s else ""


def field_names(lang: str) -> Callable[[str | None], str]:
    from sync.tables.fields import TABLES

    names = {}
    for t in TABLES.values():
        for f in t.fields.values():
            names.setdefault(f.name, f.aliases[0] if lang != "en" else f.name.replace("_", " "))
    return lambda f: names.get(f or "", f or "")

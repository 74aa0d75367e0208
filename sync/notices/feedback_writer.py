"""After each cycle, the findings where people work: a workbook beside each Excel register, a tab in each Google Sheet.

``FeedbackWriter`` lives as long as the service. After a cycle it writes the
feedback of every source that was read, with that source's findings; what had to
wait (a findings workbook open in Excel) is tried again on the service's notice
tick, which also picks up a findings workbook saved since it was written (what was
typed in 处理 is read within a minute, not only at the next change of the register).
A failure is one log line for that source; the cycle and the other sources carry on.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sync.calendar import zone
from sync.config import Config, FeedbackConfig
from sync.findings import Finding, Report
from sync.notices.feedback_files import Written, stamp, target_for, write_beside
from sync.sources.base import Source
from sync.state import State

log = logging.getLogger("ordersync.feedback")


@dataclass
class _Target:
    source: Source
    findings: list[Finding]
    stamp: tuple[int, int] | None = None     # the findings workbook as ordersync last wrote it
    waiting: str = ""


@dataclass
class FeedbackWriter:
    config: Config
    lang: str
    targets: dict[Path, _Target] = field(default_factory=dict)
    sheets: dict[str, object] = field(default_factory=dict)   # source name -> its SheetsTab

    def settings(self, source: Source) -> FeedbackConfig | None:
        if self.config.feedback is None:
            return None
        return self.config.feedback.for_source(source.name, source.group)

    def after_cycle(self, state: State, sources: list[Source], report: Report, *, now: datetime) -> list[Written]:
        """Write the feedback of each of ``sources`` (those read this cycle) from ``report``."""
        out = []
        for source in sources:
            settings = self.settings(source)
            if settings is None:
                continue
            mine = [f for f in report.findings if f.source in _names(source)]
            try:
                if getattr(source, "path", None) is not None and settings.workbook:
                    out.append(self._excel(state, source, mine, settings, now=now))
                elif source.kind == "gsheets" and settings.sheets_tab:
                    self._sheet(state, source, mine, settings, now=now)
            except Exception:  # noqa: BLE001 - feedback never stops the cycle or the other sources
                log.exception("%s: writing the findings failed; carrying on", source.location)
        return out

    def tick(self, state: State, *, now: datetime) -> list[Written]:
        """Retry what waited, and read back a findings workbook saved since ordersync wrote it."""
        out = []
        for path, target in list(self.targets.items()):
            if target.waiting or stamp(path) != target.stamp:
                settings = self.settings(target.source)
                if settings is not None and settings.workbook:
                    out.append(self._excel(state, target.source, target.findings, settings, now=now))
        return out

    def waiting(self) -> dict[Path, str]:
        return {p: t.waiting for p, t in self.targets.items() if t.waiting}

    def _excel(self, state: State, source: Source, findings: list[Finding], settings: FeedbackConfig, *,
               now: datetime) -> Written:
        register = Path(getattr(source, "path"))
        path = target_for(register, str(settings.workbook))
        target = self.targets.setdefault(path, _Target(source, findings))
        target.source, target.findings = source, findings
        local = now.astimezone(zone(self.config.service.timezone)).replace(tzinfo=None)
        result = write_beside(state, register, path, findings, now=now, lang=self.lang, per=settings.per, local=local)
        if result.ok:
            target.stamp, target.waiting = stamp(path), ""
        elif result.why != target.waiting:
            log.warning("%s: findings workbook waits: %s; trying again later (what was typed is kept)",
                        path, result.why)
            target.waiting = result.why
        return result

    def _sheet(self, state: State, source: Source, findings: list[Finding], settings: FeedbackConfig, *,
               now: datetime) -> None:
        from sync.notices.feedback_sheets import SheetsTab

        tab = self.sheets.get(source.name)
        if tab is None:
            tab = self.sheets[source.name] = SheetsTab(source, lang=self.lang)
        tab.write(state, findings, notes=settings.cell_notes, per=settings.per, now=now)  # type: ignore[attr-defined]


def _names(source: Source) -> set[str]:
    """What a finding's ``source`` may say for this source: its name, its location, its file name."""
    names = {source.name, source.location}
    path = getattr(source, "path", None)
    if path is not None:
        names |= {Path(path).name, str(path)}
    return names

"""Do the department tabs agree with the orders tab and with each other?

``reconcile`` joins the register by order number (``sync.orders.view``) and runs
small cross-tab rules over whole columns, one module per theme: ``joins``
(tabs and rows that match no order), ``quantities``, ``dates``, ``statuses``
and ``batches`` (an order's delivery planned in batches across its row), on
what ``context`` gives them all. Each finding points at the row that is wrong
— the department row whose figure breaks the chain, or the orders row whose
status contradicts the tabs — carries the follower of the order, and names
the cells it compared (``Finding.compared``), so the checking pass folds it
into an error already on one of them (``sync.checks.roots``).
Where several rows add up to a wrong total, the largest of them is named:
a typo inflates a number far more often than it shrinks one.

Each rule's ids are in ``RULE_IDS`` and can be switched off in ``[rules]
disable`` like any rule of a pack: a rule whose ids are all off is not run.
The view and the progress come from the cycle's ``OrderModel`` when it has one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

import pandas as pd

from sync.checks.reconcile.batches import batch_plan
from sync.checks.reconcile.context import Ctx
from sync.checks.reconcile.dates import date_in_future, planned_after_due, shipped_early
from sync.checks.reconcile.joins import (missing_rows, not_joined, orphan_rows, suggest, unknown_stages,
                                         zeros_lost)
from sync.checks.reconcile.quantities import (inspected_over_produced, materials_short, qc_sum, shipped_after_failed,
                                              shipped_over, stage_ahead, stage_over_ordered)
from sync.checks.reconcile.statuses import risk_inputs, status_contradictions
from sync.findings import Finding
from sync.orders.model import OrderModel, order_model
from sync.orders.progress import RISK_IDS, risk_findings
from sync.tables.register import Register

__all__ = ["RECONCILE_IDS", "RULES", "RULE_IDS", "Ctx", "reconcile", "suggest"]


def reconcile(register: Register, config: Any = None, *, lang: str = "zh", today: dt.date | None = None,
              risk: bool = True, orders: OrderModel | None = None,
              disable: Iterable[str] | None = None) -> list[Finding]:
    """Every cross-tab finding of the register; with ``risk``, the at-risk warnings of ``sync.orders.progress`` too.

    ``orders``: the pass's order model (worked out here when not given); ``disable``: rule ids switched off
    (by default the config's ``[rules] disable``)."""
    today = today or dt.date.today()
    orders = orders if orders is not None else order_model(register, config, today=today)
    off = set(disable if disable is not None else (config.rules.disable if config is not None else ()))
    ctx = Ctx(orders.view, lang, pd.Timestamp(today))
    findings = [f for rule in RULES if not RULE_IDS[rule.__name__] <= off for f in rule(ctx)]
    if risk and "orders" in orders.view.tables and not RISK_IDS <= off:
        risks = [f for f in risk_findings(orders.progress, orders.view, lang=lang, today=today) if f.rule not in off]
        findings += risk_inputs(ctx, risks)
    return [f for f in findings if f.rule not in off]


RULES: tuple[Callable[[Ctx], Iterable[Finding]], ...] = (
    not_joined, zeros_lost, orphan_rows, missing_rows, stage_over_ordered, stage_ahead, qc_sum, inspected_over_produced,
    shipped_over, shipped_after_failed, materials_short, planned_after_due, shipped_early, date_in_future,
    status_contradictions, unknown_stages, batch_plan,
)

#: each rule's finding ids: what ``[rules] disable`` can name
RULE_IDS: dict[str, frozenset[str]] = {
    "not_joined": frozenset({"tabs-not-joined"}),
    "zeros_lost": frozenset({"order-no-zeros"}),
    "orphan_rows": frozenset({"tabs-not-joined", "orphan-row"}),
    "missing_rows": frozenset({"missing-department-rows"}),
    "stage_over_ordered": frozenset({"stage-over-ordered"}),
    "stage_ahead": frozenset({"stage-ahead"}),
    "qc_sum": frozenset({"qc-sum"}),
    "inspected_over_produced": frozenset({"inspected-over-produced"}),
    "shipped_over": frozenset({"shipped-over-passed", "shipped-over-ordered"}),
    "shipped_after_failed": frozenset({"shipped-after-failed-qc"}),
    "materials_short": frozenset({"materials-short"}),
    "planned_after_due": frozenset({"planned-after-due"}),
    "shipped_early": frozenset({"shipped-before-order", "shipped-before-inspection"}),
    "date_in_future": frozenset({"date-in-future"}),
    "status_contradictions": frozenset({"status-shipped-nothing-shipped", "status-open-all-shipped"}),
    "unknown_stages": frozenset({"unknown-stage"}),
    "batch_plan": frozenset({"batch-over-ordered", "batch-under-ordered", "batch-before-order", "batch-out-of-order",
                             "batch-overdue", "unreadable", "formula-error"}),
}
#: every id reconciliation can report, the risk warnings included
RECONCILE_IDS: frozenset[str] = frozenset().union(*RULE_IDS.values(), RISK_IDS)

"""Change requests (客户需求变更): order changes under way, with their impacts and who to tell."""

from __future__ import annotations

from datetime import date

from sync.changes.ledger import changes_since
from sync.changes.requests import stored_requests
from tests.changes.test_ledger import MATERIALS_HEADER, ORDERS_HEADER, PRODUCTION_HEADER, Run, order


def book(orders, production, materials):
    return {"订单": (ORDERS_HEADER, orders), "生产进度": (PRODUCTION_HEADER, production),
            "物料": (MATERIALS_HEADER, materials)}


def base():
    """SO-001 bought and half cut; SO-002 not started; SO-003 sewn 900 of 1000; all due 2026-12-01."""
    orders = [order("SO-001", 1000), order("SO-002", 500, status="待生产"), order("SO-003", 1000)]
    production = [["SO-001", "裁剪", "裁床A", date(2026, 11, 25), 500], ["SO-001", "车缝", "车缝一组", date(2026, 11, 28), 0],
                  ["SO-003", "裁剪", "裁床A", date(2026, 11, 10), 1000],
                  ["SO-003", "车缝", "车缝一组", date(2026, 11, 15), 900]]
    materials = [["SO-001", "面料", "PO-77", 1000, 1000], ["SO-002", "面料", None, 500, None]]
    return orders, production, materials


def requests_after(tmp_path, edit, **kw):
    run = Run(tmp_path)
    orders, production, materials = base()
    run.see(book(orders, production, materials))
    edit(orders)
    return run, run.see(book(orders, production, materials))


def test_quantity_up_after_materials_were_bought_is_a_shortfall_for_procurement(tmp_path):
    def edit(o):
        o[0][5] = 1200
    run, cycle = requests_after(tmp_path, edit)
    (req,) = cycle.requests
    assert (req.order_no, req.field, req.old, req.new, req.cell) == ("SO-001", "quantity", "1000", "1200", "F3")
    assert [i.kind for i in req.impacts] == ["materials-shortfall"] and req.departments == ["procurement"]
    finding = [f for f in cycle.findings if f.rule == "change-request"][0]
    assert finding.severity == "warning" and finding.follower == "李娜" and finding.cell == "F3"
    assert finding.message == "订单 SO-001 需求变更：数量 1000 → 1200；物料已按 1000 件采购，需补 200 件的料"
    assert finding.hint == "请通知：采购"
    assert "order SO-001 change request: quantity 1000 -> 1200" in req.finding("en").message
    assert [r.field for r in stored_requests(run.state.db, "SO-001")] == ["quantity"]   # kept for the notices


def test_due_date_pulled_in_before_the_projected_finish_is_at_risk(tmp_path):
    def edit(o):
        o[0][6] = date(2026, 11, 20)     # SO-001 plan finishes 2026-11-28
    _, cycle = requests_after(tmp_path, edit)
    (req,) = cycle.requests
    assert [i.kind for i in req.impacts] == ["at-risk"] and req.departments == ["production", "follower"]


def _pulled_in_to(tmp_path, day, projection):
    from sync.changes.requests import classify
    from tests.changes.test_ledger import register_of

    def edit(o):
        o[0][6] = day
    run, cycle = requests_after(tmp_path, edit)
    return classify(cycle.changes, register_of(run.book), today=date(2026, 11, 2), projected_finish=projection)


def test_a_given_projection_decides(tmp_path):
    late = _pulled_in_to(tmp_path, date(2026, 11, 29), lambda key: date(2026, 12, 5))
    assert [i.kind for i in late[0].impacts] == ["at-risk"]
    assert "预计 2026-12-05 才能完成" in late[0].finding().message


def test_a_pulled_in_date_the_projection_still_meets_is_only_noted(tmp_path):
    (req,) = _pulled_in_to(tmp_path, date(2026, 11, 29), lambda key: date(2026, 11, 25))
    assert req.impacts == [] and req.departments == ["follower"]


def test_without_a_projection_the_production_plan_stands_in(tmp_path):
    (req,) = _pulled_in_to(tmp_path, date(2026, 11, 20), lambda key: None)   # plan finishes 2026-11-28
    assert [i.kind for i in req.impacts] == ["at-risk"]


def test_spec_changed_after_cutting_is_rework(tmp_path):
    def edit(o):
        o[0][3] = "藏青"                   # colour
        o[0][4] = "M-XXL"                 # size
    _, cycle = requests_after(tmp_path, edit)
    assert sorted((r.field, r.impacts[0].kind) for r in cycle.requests) == [("color", "rework"), ("size", "rework")]
    assert cycle.requests[0].departments == ["production", "qc"]
    assert "已裁剪 500 件" in cycle.requests[0].finding().message


def test_quantity_down_below_what_was_made_is_surplus(tmp_path):
    def edit(o):
        o[2][5] = 800                     # SO-003: 1000 cut, 900 sewn
    _, cycle = requests_after(tmp_path, edit)
    (req,) = cycle.requests
    assert [i.kind for i in req.impacts] == ["surplus"] and req.departments == ["follower", "sales"]
    assert "已生产 1000 件，多出 200 件" in req.finding().message   # 1000 already cut


def test_an_order_not_started_is_just_edited(tmp_path):
    def edit(o):
        o[1][5] = 900                     # SO-002 待生产, no PO, no output
        o[0][8] = "已完成"                 # a status change is not a change request
    _, cycle = requests_after(tmp_path, edit)
    assert cycle.requests == [] and len(cycle.changes) == 2
    assert sorted(c.field for c in changes_since(_.state)) == ["quantity", "status"]


def test_an_order_taken_by_the_dozen_is_weighed_in_pieces(tmp_path):
    """订单数量(打) beside production counted in pieces: 100 打 is 1,200 pieces. Down to 80 打 (960) with 1,000
    cut is 40 surplus, not 920; up to 120 打 after buying is 240 pieces more to buy."""
    header = [h if h != "订单数量" else "订单数量(打)" for h in ORDERS_HEADER]
    orders = [order("SO-001", 100), order("SO-002", 50, status="待生产"), order("SO-003", 100)]
    _, production, materials = base()
    run = Run(tmp_path)
    sheets = {"订单": (header, orders), "生产进度": (PRODUCTION_HEADER, production), "物料": (MATERIALS_HEADER, materials)}
    run.see(sheets)
    orders[2][5], orders[0][5] = 80, 120
    cycle = run.see(sheets)
    said = {r.order_no: r.finding().message for r in cycle.requests}
    assert said == {"SO-001": "订单 SO-001 需求变更：数量 100 → 120；物料已按 1200 件采购，需补 240 件的料",
                    "SO-003": "订单 SO-003 需求变更：数量 100 → 80；已生产 1000 件，多出 40 件"}

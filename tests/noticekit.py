"""A small register for the notice tests: real .xlsx written with openpyxl, read back by sync.tables.register."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from sync.tables.register import Register, load
from sync.sources import open_path

PEOPLE = [
    ("姓名", "邮箱", "角色", "上级"),
    ("张伟", "zhang.wei@example.com", "跟单员", "赵敏"),
    ("李娜", "li.na@example.com", "跟单员", "赵敏"),
    ("孙强", "sun.qiang@example.com", "生产主管", "赵敏"),
    ("周丽", "zhou.li@example.com", "质检", "赵敏"),
    ("郑洁", "zheng.jie@example.com", "采购", "赵敏"),
    ("赵敏", "zhao.min@example.com", "经理", ""),
]
ORDER_HEADER = ("订单号", "下单日期", "客户", "款号", "订单数量", "交货日期", "跟单员", "状态")


def order(no: str, due: date, follower: str = "张伟", *, customer: str = "美佳服饰", product: str = "MJ-T2601",
          qty: int = 1000, status: str = "生产中", ordered: date = date(2026, 8, 1)) -> tuple:
    return (no, ordered, customer, product, qty, due, follower, status)


def write_register(path: Path, orders: list[tuple], *, shipping: list[tuple] = (), qc: list[tuple] = (),
                   materials: list[tuple] = (), production: list[tuple] = ()) -> Path:
    wb = Workbook()
    sheets: list[tuple[str, tuple, list[Any]]] = [
        ("订单登记", ORDER_HEADER, list(orders)),
        ("发货记录", ("订单号", "发货日期", "发货数量", "物流公司"), list(shipping)),
        ("质检记录", ("订单号", "检验日期", "检验数量", "合格数量", "不合格数量", "不良原因", "处理方式"), list(qc)),
        ("物料采购", ("订单号", "物料", "需求数量", "供应商", "预计到货", "实际到货", "到货数量"), list(materials)),
        ("生产进度", ("订单号", "工序", "计划完成", "完成数量", "实际完成"), list(production)),
        ("人员", PEOPLE[0], PEOPLE[1:]),
    ]
    wb.remove(wb.active)
    for title, header, rows in sheets:
        ws = wb.create_sheet(title)
        ws.append(list(header))
        for r in rows:
            ws.append(list(r))
    wb.save(path)
    return path


def read(path: Path) -> Register:
    return load([open_path(path)])

"""Small PNG charts for the digests, where people would rather look than read.

matplotlib with the Agg backend (no display). Chinese labels need a CJK font;
``cjk_font`` looks for one among the installed fonts. Without one, Chinese
text would come out as empty boxes, so charts then say what they can in
English and with the labels' ASCII forms.

matplotlib takes about half a second to import, so it is imported when the
first chart is drawn, not with this module: ``ordersync --help``, ``check``
and ``status`` never draw one.
"""

from __future__ import annotations

import io
from functools import lru_cache
from types import ModuleType

CJK_NAMES = ("Noto Sans CJK SC", "Noto Sans CJK JP", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Zen Hei",
             "WenQuanYi Micro Hei", "Microsoft YaHei", "SimHei", "PingFang SC", "Droid Sans Fallback")
BAR, BAR_BAD = "#4a7bb7", "#c8553d"


@lru_cache(maxsize=1)
def _pyplot() -> ModuleType:
    """matplotlib.pyplot on the Agg backend (no display), imported on first use."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


@lru_cache(maxsize=1)
def cjk_font() -> str | None:
    from matplotlib import font_manager

    installed = {f.name for f in font_manager.fontManager.ttflist}
    return next((n for n in CJK_NAMES if n in installed), None)


def _label(text: str) -> str:
    """Without a CJK font, a label keeps only what renders (an order or style code is usually ASCII)."""
    if cjk_font() or text.isascii():
        return text
    ascii_part = "".join(ch for ch in text if ch.isascii()).strip(" -_/")
    return ascii_part or "?"


def bar_chart(labels: list[str], values: list[float], *, title: str, horizontal: bool = False,
              bad: bool = False, width: float = 5.6, height: float = 2.6) -> bytes:
    """One small bar chart as PNG bytes."""
    plt = _pyplot()
    from matplotlib.ticker import MaxNLocator

    font = cjk_font()
    params = {"font.family": [font, "DejaVu Sans"] if font else ["DejaVu Sans"], "font.size": 9,
              "axes.spines.top": False, "axes.spines.right": False}
    with plt.rc_context(params):
        fig, ax = plt.subplots(figsize=(width, height), dpi=110)
        names = [_label(s) for s in labels]
        color = BAR_BAD if bad else BAR
        if horizontal:
            bars = ax.barh(names[::-1], values[::-1], color=color)
        else:
            bars = ax.bar(names, values, color=color)
        ax.bar_label(bars, fmt="%g", padding=2, fontsize=8)
        ax.set_title(_label(title) if not font else title, fontsize=10, loc="left")
        ax.tick_params(length=0)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True)) if horizontal else None
        fig.tight_layout()
        buf = io.BytesIO()
        fig.savefig(buf, format="png")
        plt.close(fig)
    return buf.getvalue()

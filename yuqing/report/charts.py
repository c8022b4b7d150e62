"""Charts for reports, drawn by matplotlib with a CJK font. Without one, Chinese labels would
come out as empty boxes, so a missing font is an error that says what to install. matplotlib is
imported when the first chart is drawn, not when the console starts."""

from __future__ import annotations

import io
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from yuqing.report.model import Count, Point

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

CJK_FAMILIES = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "Source Han Sans SC",
    "Microsoft YaHei",
    "SimHei",
    "PingFang SC",
)
SENTIMENT = {
    "negative": ("负面", "#d9363e"),
    "neutral": ("中性", "#9aa5b1"),
    "positive": ("正面", "#3f9142"),
}


class FontMissing(RuntimeError):
    pass


@lru_cache(maxsize=1)
def cjk_font() -> str:
    """The first installed font family that draws Chinese."""
    from matplotlib import font_manager

    manager = font_manager.fontManager
    family = _first_cjk(manager)
    if family is None:
        _add_new_fonts(manager, font_manager.findSystemFonts())
        family = _first_cjk(manager)
    if family is not None:
        return family
    raise FontMissing(
        "没有可显示中文的字体，图表会是方框：请安装 fonts-noto-cjk 或 fonts-wqy-microhei "
        "(apt-get install fonts-wqy-microhei) / no CJK font installed"
    )


def _first_cjk(manager: Any) -> str | None:
    installed = {f.name for f in manager.ttflist}
    return next((family for family in CJK_FAMILIES if family in installed), None)


def _add_new_fonts(manager: Any, paths: list[str]) -> None:
    """Fonts installed after matplotlib cached its list of them — as our message asks — are
    otherwise unseen until that cache is deleted by hand."""
    known = {f.fname for f in manager.ttflist}
    for path in paths:
        if path not in known:
            try:
                manager.addfont(path)
            except (OSError, RuntimeError, ValueError):  # a file FreeType cannot read
                continue


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    return pyplot


def _png(fig: Figure) -> bytes:
    plt = _pyplot()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=150, bbox_inches="tight")
    plt.close(fig)
    return buffer.getvalue()


def _figure(width: float = 6.4, height: float = 2.8) -> tuple[Figure, Axes]:
    plt = _pyplot()
    plt.rcParams["font.family"] = [cjk_font(), "DejaVu Sans"]
    plt.rcParams["axes.unicode_minus"] = False
    return plt.subplots(figsize=(width, height))


def volume_chart(points: list[Point], labels: list[str], title: str) -> bytes:
    fig, ax = _figure()
    ax.plot(range(len(points)), [p.count for p in points], marker="o", color="#2f6fde")
    ax.set_title(title)
    ax.set_ylabel("信息量（条）")
    step = max(1, len(labels) // 8)
    ax.set_xticks(range(0, len(labels), step), labels[::step], rotation=30, fontsize=8)
    ax.grid(alpha=0.3)
    return _png(fig)


def sentiment_chart(counts: dict[str, int]) -> bytes:
    fig, ax = _figure(4.2, 3.0)
    keys = [k for k in SENTIMENT if counts.get(k)]
    if keys:
        ax.pie(
            [counts[k] for k in keys],
            labels=[f"{SENTIMENT[k][0]} {counts[k]}" for k in keys],
            colors=[SENTIMENT[k][1] for k in keys],
            autopct="%1.0f%%",
        )
    else:
        ax.text(0.5, 0.5, "无数据", ha="center")
        ax.axis("off")
    ax.set_title("情感倾向")
    return _png(fig)


def bar_chart(rows: list[Count], title: str) -> bytes:
    fig, ax = _figure(6.4, max(1.6, 0.35 * len(rows) + 0.8))
    rows = rows[:10][::-1]
    ax.barh([r.name[:16] for r in rows], [r.count for r in rows], color="#f08a24")
    ax.set_title(title)
    ax.grid(axis="x", alpha=0.3)
    return _png(fig)

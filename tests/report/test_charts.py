import copy

import pytest
from matplotlib import font_manager

from yuqing.report import charts


def test_a_chinese_font_installed_after_matplotlib_cached_its_font_list_is_found(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    system = font_manager.findSystemFonts()
    stale = copy.deepcopy(font_manager.fontManager)
    cjk = [f for f in stale.ttflist if f.name in charts.CJK_FAMILIES]
    if not cjk and not any("wqy" in p or "noto" in p.lower() for p in system):
        pytest.skip("no CJK font on this machine")
    files = {f.fname for f in cjk}  # as a cache made before they were installed
    stale.ttflist = [f for f in stale.ttflist if f.fname not in files]
    monkeypatch.setattr(font_manager, "fontManager", stale)
    charts.cjk_font.cache_clear()
    try:
        assert charts.cjk_font() in charts.CJK_FAMILIES
        assert {f.name for f in stale.ttflist} & set(charts.CJK_FAMILIES)
    finally:
        charts.cjk_font.cache_clear()

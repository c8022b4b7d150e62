import copy

import pytest
from matplotlib import font_manager

from yuqing.report import charts


def test_a_chinese_font_installed_after_matplotlib_cached_its_font_list_is_found() -> None:
    system = font_manager.findSystemFonts()
    manager = copy.deepcopy(font_manager.fontManager)
    cjk = [f for f in manager.ttflist if f.name in charts.CJK_FAMILIES]
    if not cjk and not any("wqy" in p or "noto" in p.lower() for p in system):
        pytest.skip("no CJK font on this machine")
    files = {f.fname for f in cjk}  # as a cache made before they were installed
    manager.ttflist = [f for f in manager.ttflist if f.fname not in files]
    charts._add_new_fonts(manager, system)
    assert {f.name for f in manager.ttflist} & set(charts.CJK_FAMILIES)

from yuqing.web.i18n import MESSAGES, translate


def test_both_catalogues_have_the_same_keys() -> None:
    assert set(MESSAGES["zh-CN"]) == set(MESSAGES["en"])


def test_translate_with_values_and_fallback() -> None:
    assert translate("en", "items.shown", n=3) == "3 on this page"
    assert translate("fr", "nav.items") == "舆情信息"

from yuqing.text.normalise import clean, normalise, to_simplified


def test_traditional_becomes_simplified() -> None:
    assert to_simplified("網絡輿情應急預案") == "网络舆情应急预案"


def test_normalise_folds_width_case_and_space() -> None:
    assert normalise("ＡＢＣ１２３　舆情\n\t發現  問題") == "abc123 舆情 发现 问题"


def test_normalise_removes_invisible_characters() -> None:
    assert normalise("舆\u200b情") == "舆情"
    assert clean("\ufeff 原文保留 \u200b") == "原文保留"


def test_empty() -> None:
    assert normalise("") == ""


def test_taiwan_phrases_become_mainland_words_only_in_traditional_text() -> None:
    assert normalise("滑鼠軟體記憶體，計程車在網路上") == "鼠标软件内存,出租车在网络上"
    assert normalise("软体动物和资讯") == "软体动物和资讯"  # simplified text is left alone

from yuqing.text.segment import add_words, cut


def test_the_organisations_words_stay_whole() -> None:
    assert "城西街道办事处" not in cut("涉事的城西街道办事处发布通报")
    assert add_words(["城西街道办事处", "x", "a b", "ab"]) == 1
    assert add_words(["城西街道办事处"]) == 0
    assert "城西街道办事处" in cut("涉事的城西街道办事处发布通报")


def test_words_are_added_in_one_order_whatever_order_they_come_in(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A word added without a frequency is given one from the words before it, so a set's
    order (the string-hash seed's) must not decide the order."""
    added: list[str] = []
    monkeypatch.setattr("yuqing.text.segment._known", set())
    monkeypatch.setattr("yuqing.text.segment.rjieba.add_word", lambda w, f, t: added.append(w))
    words = ["县教育局", "城北社区", "东关小学", "县人民医院"]
    assert add_words(reversed(words)) == 4
    assert added == sorted(words)

from yuqing.text.segment import add_words, cut


def test_the_organisations_words_stay_whole() -> None:
    assert "城西街道办事处" not in cut("涉事的城西街道办事处发布通报")
    assert add_words(["城西街道办事处", "x", "a b", "ab"]) == 1
    assert add_words(["城西街道办事处"]) == 0
    assert "城西街道办事处" in cut("涉事的城西街道办事处发布通报")

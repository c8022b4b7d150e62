import math

from yuqing.judge.heat import HeatInput, HeatWeights, heat
from yuqing.judge.taxonomy import OTHER, Tagger
from yuqing.text.normalise import normalise


def test_heat_is_log_scaled_weighted_engagement_plus_reach_times_tier() -> None:
    assert heat(HeatInput()) == 0.0
    x = HeatInput(reads=3000, comments=523, reposts=100, likes=50)
    e = 3000 * 0.01 + 50 + 2 * 523 + 3 * 100
    assert heat(x) == round(10 * math.log1p(e), 1)
    assert heat(HeatInput(reposts=1000)) - heat(HeatInput(reposts=100)) < 25  # not ten times
    central = heat(HeatInput(comments=10, media_tier="central"))
    assert central == round(20 * math.log1p(20), 1)  # twice the plain heat, before rounding
    assert heat(HeatInput(comments=10, followers=10_000, verified=True)) > heat(
        HeatInput(comments=10, followers=10_000)
    )
    assert heat(x, HeatWeights(comments=0, reposts=0, likes=0, reads=0)) == 0.0


def test_categories_and_flags_by_rules() -> None:
    tagger = Tagger()
    t = tagger.tag(normalise("某县小学食堂疑似食物中毒，多名学生受伤送医，家长聚集在校门口"))
    assert t.category == "食品药品" and "食物中毒" in t.category_terms
    assert t.flags == ("casualties", "crowd", "minors")
    assert tagger.tag(normalise("今天天气很好")).category == OTHER
    assert tagger.tag(normalise("網傳某縣發生地震")).flags == ("rumor",)  # traditional script


def test_custom_taxonomy() -> None:
    tagger = Tagger({"金融": ["贷款", "理财"]}, {"fraud": ["诈骗"]})
    t = tagger.tag(normalise("理财诈骗"))
    assert (t.category, t.flags) == ("金融", ("fraud",))


def test_weights_from_settings_are_checked() -> None:
    import pytest

    from yuqing.judge.heat import weights_from

    w = weights_from({"reposts": 5, "tiers": {"central": 3}})
    assert w.reposts == 5 and w.tiers["central"] == 3 and w.tiers["provincial"] == 1.6
    assert heat(HeatInput(reposts=1), w) > heat(HeatInput(reposts=1))
    with pytest.raises(ValueError, match="unknown"):
        weights_from({"shares": 1})
    with pytest.raises(ValueError, match="a number"):
        weights_from({"likes": "many"})

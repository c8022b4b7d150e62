"""`yuqing model train`: what the emoticons teach reaches the polarity head."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from tests.judge.training_data import CALM, HAPPY, SAD, write_ced, write_smp
from yuqing.judge.sentiment import NGRAMS, SentimentModel
from yuqing.judge.train import emoticon_direction, fit_polarity, train

# 坑 ("a rip-off") is in one post of each class: the labelled posts say nothing of it.
POSTS = [*SAD, "被坑了好难过", *HAPPY, "没被坑好开心", *CALM, "通知说坑已填"]
LABELS = ["negative"] * 7 + ["positive"] * 7 + ["neutral"] * 7
COMMENTS = [("又被坑了", "negative"), ("这店真坑人", "negative"), ("今天好开心", "positive")] * 5


def _label(prior: np.ndarray | None, vec: TfidfVectorizer, text: str) -> str:
    head = fit_polarity(vec.transform(POSTS), np.array(LABELS), np.ones(len(POSTS)), prior)
    z = vec.transform([text]) @ head.coef.T + head.intercept
    return head.classes[int(z.argmax())]


def test_the_emoticons_teach_the_polarity_of_words_the_labelled_posts_leave_open() -> None:
    vec = TfidfVectorizer(analyzer="char", ngram_range=NGRAMS, sublinear_tf=True)
    vec.fit(POSTS)
    assert emoticon_direction(vec, [("又被坑了", "negative")]) is None
    prior = emoticon_direction(vec, COMMENTS)
    assert prior is not None
    assert prior[vec.vocabulary_["坑"]] < 0 < prior[vec.vocabulary_["开心"]]
    assert _label(None, vec, "真坑") == "positive"
    assert _label(prior, vec, "真坑") == "negative"


def test_training_with_the_ced_comments_counts_them_in_the_report_and_card(
    tmp_path: Path,
) -> None:
    comments = [f"{t}呀[泪]" for t in SAD] + [f"{t}呀[哈哈]" for t in HAPPY]
    data = write_ced(write_smp(tmp_path / "data"), comments)
    out, card = tmp_path / "m.npz", tmp_path / "card.md"
    report = train(data, out, card)
    assert report["emoticon_examples"] == 12
    assert "12 distinct comments" in card.read_text()
    model = SentimentModel.load(out)
    assert [s.label for s in model.predict(["好伤心啊", "太开心了", "今天开会"])] == [
        "negative",
        "positive",
        "neutral",
    ]

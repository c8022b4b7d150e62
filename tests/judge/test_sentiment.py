import json
import subprocess
import sys
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from yuqing.judge.sentiment import (
    MODEL,
    NGRAMS,
    Head,
    NgramCounter,
    SentimentModel,
    _key,
    default_model,
    readable,
)
from yuqing.text.normalise import normalise

TEXTS = [
    "太气人了，投诉无门",
    "气死了，再也不来",
    "好开心，谢谢医生",
    "开心，点赞",
    "会议下午召开",
    "通知如下",
] * 3
LABELS = ["negative", "negative", "positive", "positive", "neutral", "neutral"] * 3


def _tiny(tmp_path: Path) -> tuple[SentimentModel, TfidfVectorizer]:
    vec = TfidfVectorizer(analyzer="char", ngram_range=NGRAMS, sublinear_tf=True)
    x = vec.fit_transform([normalise(t) for t in TEXTS])
    clf = LogisticRegression(C=10, max_iter=500).fit(x, LABELS)
    vocab = sorted(vec.vocabulary_, key=vec.vocabulary_.get)
    model = SentimentModel(vocab, vec.idf_, Head(clf.classes_, clf.coef_, clf.intercept_), None)
    path = tmp_path / "m.npz"
    model.save(path)
    return SentimentModel.load(path), vec


def test_features_equal_scikit_learns_and_the_file_round_trips(tmp_path: Path) -> None:
    model, vec = _tiny(tmp_path)
    texts = ["太气人了", "開心", "通知"]
    ours = model.features(texts).toarray()
    theirs = vec.transform([normalise(t) for t in texts]).toarray()
    assert np.allclose(ours, theirs, atol=1e-5)
    labels = [s.label for s in model.predict(["气死了，投诉", "谢谢，好开心", "会议通知"])]
    assert labels == ["negative", "positive", "neutral"]
    assert model.predict([]) == []


def test_the_vocabulary_table_finds_every_gram_and_nothing_else() -> None:
    """Thousands of grams crowd the hash table, so keys probe past their home slots."""
    rng = np.random.default_rng(7)
    chars = [chr(c) for c in rng.integers(0x4E00, 0x4E00 + 300, size=30_000)]
    grams = sorted({"".join(chars[i : i + 1 + i % 3]) for i in range(len(chars) - 3)})
    vocabulary, absent = grams[::2], grams[1::2]
    counter = NgramCounter(vocabulary)
    keys = np.array([_key(g) for g in vocabulary + absent], dtype=np.int64)
    found = counter.lookup(keys)
    assert found[: len(vocabulary)].tolist() == list(range(len(vocabulary)))
    assert (found[len(vocabulary) :] == -1).all()
    counts = counter.transform(["".join(vocabulary[:3]), "", vocabulary[0] * 2]).toarray()
    assert counts.shape == (3, len(vocabulary)) and counts[1].sum() == 0
    assert counts[2, 0] == 2


def test_the_shipped_model_reads_weibo() -> None:
    assert MODEL.exists() and MODEL.stat().st_size < 8_000_000
    out = default_model().predict(["气死了，排了三个小时的队还没轮到", "今天天气真好，开心！"])
    assert [s.label for s in out] == ["negative", "positive"]
    assert out[0].emotion == "angry" and 0.5 < out[0].score <= 1


def test_classify_command_streams_json_lines() -> None:
    lines = [
        json.dumps({"id": 1, "text": "气死我了"}, ensure_ascii=False),
        "not json",
        json.dumps({"id": "b", "text": "会议通知"}, ensure_ascii=False),
    ]
    done = subprocess.run(
        [sys.executable, "-m", "yuqing.cli", "classify"],
        input="\n".join(lines),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2 and "line 2" in done.stderr
    rows = [json.loads(line) for line in done.stdout.splitlines()]
    assert [r["id"] for r in rows] == [1, "b"]
    assert set(rows[0]) == {"id", "sentiment", "score", "emotion"}


def test_names_links_and_the_value_of_numbers_are_not_read() -> None:
    assert readable("好开心//@小王:谢谢 https://t.cn/abc 。") == "好开心//@:谢谢   。"
    assert readable("确诊 1234 例，治愈 56 例") == "确诊 0 例，治愈 0 例"
    model = default_model()
    a, b = model.features(["谢谢@张三 http://t.cn/1", "谢谢@李四四 https://weibo.com/2"])
    assert (a != b).nnz == 0
